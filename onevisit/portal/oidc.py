"""OpenID Connect sign-in through a unified identity platform (统一身份认证平台) with mozilla-django-oidc.
The platform's claims are mapped to our User by the 身份证号 claim; a claim set without a valid one is refused."""

from django.conf import settings
from django.core.exceptions import ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from onevisit.accounts.models import User
from onevisit.portal.signin import user_for_citizen
from onevisit.validators import clean_id_number


def _claim(name: str, default: str) -> str:
    return getattr(settings, name, default)


def id_number_from_claims(claims: dict) -> str | None:
    raw = claims.get(_claim("ONEVISIT_OIDC_CLAIM_ID_NUMBER", "id_number"))
    if not isinstance(raw, str):
        return None
    try:
        return clean_id_number(raw.strip().upper())
    except ValidationError:
        return None


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    def get_userinfo(self, access_token, id_token, payload):
        if getattr(settings, "ONEVISIT_OIDC_USE_USERINFO", True):
            return super().get_userinfo(access_token, id_token, payload)
        return payload  # the id token's claims, already verified by the library

    def verify_claims(self, claims) -> bool:
        return id_number_from_claims(claims) is not None

    def filter_users_by_claims(self, claims):
        id_number = id_number_from_claims(claims)
        if id_number is None:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(id_number=id_number)

    def _apply(self, claims) -> User:
        name = claims.get(_claim("ONEVISIT_OIDC_CLAIM_NAME", "name")) or ""
        phone = claims.get(_claim("ONEVISIT_OIDC_CLAIM_PHONE", "phone_number")) or ""
        return user_for_citizen(
            id_number=id_number_from_claims(claims), name=str(name)[:50], phone=str(phone)[:20], via="oidc"
        )

    def create_user(self, claims) -> User:
        return self._apply(claims)

    def update_user(self, user, claims) -> User:
        return self._apply(claims)

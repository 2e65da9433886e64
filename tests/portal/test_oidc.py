"""The OpenID Connect backend maps the platform's claims to a user by 身份证号 (no network involved)."""

import pytest
from django.core.exceptions import SuspiciousOperation

from onevisit.accounts.models import User
from onevisit.portal.oidc import CitizenOIDCBackend
from onevisit.validators import make_id_number

ID = make_id_number("33010219860303123")


@pytest.fixture
def backend(settings, db):
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.invalid/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.invalid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.invalid/jwks"
    settings.OIDC_RP_CLIENT_ID = "onevisit"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.ONEVISIT_OIDC_USE_USERINFO = False  # claims come from the (already verified) id token
    return CitizenOIDCBackend()


def test_claims_create_then_update_the_citizen(backend):
    user = backend.get_or_create_user("access", "id-token", {"sub": "abc", "id_number": ID.lower(), "name": "孙七"})
    assert user.id_number == ID and user.real_name == "孙七"
    again = backend.get_or_create_user("access", "id-token", {"sub": "abc", "id_number": ID, "name": "孙七七"})
    assert again.pk == user.pk and again.real_name == "孙七七"
    assert User.objects.count() == 1


def test_claim_names_come_from_settings(backend, settings):
    settings.ONEVISIT_OIDC_CLAIM_ID_NUMBER = "idCard"
    settings.ONEVISIT_OIDC_CLAIM_NAME = "realName"
    user = backend.get_or_create_user("a", "b", {"idCard": ID, "realName": "周八", "phone_number": "13700000000"})
    assert (user.id_number, user.real_name, user.phone) == (ID, "周八", "13700000000")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x", "name": "无证件"},
        {"sub": "x", "id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1"), "name": "校验位错"},
        {"sub": "x", "id_number": 330000, "name": "类型错"},
    ],
)
def test_claims_without_a_valid_id_number_are_refused(backend, claims):
    with pytest.raises(SuspiciousOperation):
        backend.get_or_create_user("a", "b", claims)
    assert not User.objects.exists()

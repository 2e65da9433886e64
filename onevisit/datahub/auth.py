"""API authentication for department systems (bearer ApiToken) and signed-in people (session)."""

from ninja.security import HttpBearer, django_auth

from onevisit.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.filter(key_hash=hash_token(token), revoked=False, user__is_active=True)
            .select_related("user")
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


token_or_session = [TokenAuth(), django_auth]

"""API authentication for department systems (bearer ApiToken) and signed-in people (session)."""

from ninja.security import HttpBearer, django_auth

from onevisit.accounts.auth import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        # One statement for the token, its user and the user's roles (accounts.auth.user_for_token).
        found = user_for_token(token)
        if found is None:
            return None
        request.user = found
        return found


token_or_session = [TokenAuth(), django_auth]

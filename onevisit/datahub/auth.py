"""API authentication for department systems (bearer ApiToken) and signed-in people (session)."""

from functools import cache

from django.contrib.auth import get_user_model
from ninja.security import HttpBearer, django_auth

from onevisit.accounts.models import ApiToken, hash_token


@cache
def _token_sql() -> str:
    user = get_user_model()
    columns = ", ".join(f'u."{f.column}"' for f in user._meta.concrete_fields)
    return (
        f'SELECT {columns} FROM "{ApiToken._meta.db_table}" t JOIN "{user._meta.db_table}" u ON u."id" = t."user_id"'
        ' WHERE t."key_hash" = %s AND t."revoked" = %s AND u."is_active" = %s'
    )


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        # Raw query: every API call pays for this look-up, and the ORM's compilation of the join cost more
        # than the round trip itself.
        found = next(iter(get_user_model().objects.raw(_token_sql(), [hash_token(token), False, True])), None)
        if found is None:
            return None
        request.user = found
        return found


token_or_session = [TokenAuth(), django_auth]

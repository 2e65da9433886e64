"""API authentication: bearer tokens for department systems, Django sessions (with CSRF) for the browser.

Write endpoints use `staff_auth` (401 without credentials; the services answer 403 for a role that may
not). Public reads use no auth but call `current_user(request)`, so a logged-in user or a token holder
still sees what their role allows, and a bad or revoked token is refused instead of silently ignored."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from onevisit.accounts.models import ApiToken, hash_token


def user_for_token(raw: str):
    """The active user of a non-revoked token, or None. Only the SHA-256 of the token is looked up."""
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
        .first()
    )
    return token.user if token else None


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer ov_…` issued by ApiToken.issue for a department system."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(APIKeyCookie):
    """The Django session of a logged-in browser. Unsafe methods need the CSRF token (X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no credentials: 401, not a CSRF complaint
        if check_csrf(request) is not None:
            raise PermissionDenied("CSRF 校验失败：浏览器请求须带 X-CSRFToken 请求头")
        return user

    def authenticate(self, request: HttpRequest, key):  # pragma: no cover - __call__ decides
        return None


bearer_auth = BearerTokenAuth()
session_auth = BrowserSessionAuth()
staff_auth = [bearer_auth, session_auth]


def current_user(request: HttpRequest):
    """The user behind a public read: the token holder, the session user or AnonymousUser."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user
    return getattr(request, "user", None) or AnonymousUser()

"""API authentication: bearer tokens for department systems, Django sessions (with CSRF) for the browser.

Write endpoints use `staff_auth` (401 without credentials; the services answer 403 for a role that may
not). Public reads use no auth but call `current_user(request)`, so a logged-in user or a token holder
still sees what their role allows, and a bad or revoked token is refused instead of silently ignored."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from onevisit.accounts.models import ApiToken, User, hash_token
from onevisit.orgs.models import Department, StaffRole, Window

# The models read by the token look-up and their table aliases in its SQL.
_PARTS = ((User, "u"), (StaffRole, "sr"), (Department, "d"), (Window, "w"))
_plans: dict[tuple[str, str], tuple[str, list]] = {}
_WHERE = {
    "token": (f" JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id",
              " WHERE t.key_hash = %s AND t.revoked = %s AND u.is_active = %s"),
    "username": ("", " WHERE u.username = %s"),
}


def model_shape(model, alias: str) -> tuple[list[str], tuple]:
    """For hand-written SQL on hot paths: the select-list columns of a model under a table alias, and its
    shape for build_instance (the ORM's own column converters, so values come back as the ORM gives them).
    Depends on the database vendor; build it once per vendor."""
    fields = model._meta.concrete_fields
    convs = []
    for f in fields:
        col = f.get_col(model._meta.db_table)
        convs.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return [f'{alias}."{f.column}"' for f in fields], (model, [f.attname for f in fields], convs)


def _plan(by: str) -> tuple[str, list]:
    """SQL and the models' shapes, built once per database vendor."""
    plan = _plans.get((connection.vendor, by))
    if plan is None:
        columns, shapes = [], []
        for model, alias in _PARTS:
            cols, shape = model_shape(model, alias)
            columns += cols
            shapes.append(shape)
        join, where = _WHERE[by]
        sql = (
            f"SELECT {', '.join(columns)} FROM {User._meta.db_table} u{join}"
            f" LEFT JOIN {StaffRole._meta.db_table} sr ON sr.user_id = u.id"
            f" LEFT JOIN {Department._meta.db_table} d ON d.id = sr.department_id"
            f" LEFT JOIN {Window._meta.db_table} w ON w.id = sr.window_id"
            f"{where} ORDER BY sr.id"
        )
        plan = _plans[(connection.vendor, by)] = (sql, shapes)
    return plan


def build_instance(shape, values):
    """A model instance from one model's slice of a row (None when a LEFT JOIN found nothing)."""
    model, attnames, convs = shape
    if values[0] is None:  # a LEFT JOIN that found nothing
        return None
    out = []
    for (col, converters), value in zip(convs, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        out.append(value)
    return model.from_db(connection.alias, attnames, out)


def user_with_roles(by: str, params: list):
    """One statement for a user and their staff roles (departments and windows loaded), which every
    permission check of the request then reads (onevisit.orgs.selectors.roles_of). None if no such user."""
    sql, shapes = _plan(by)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows:
        return None
    widths = [len(s[1]) for s in shapes]
    user, roles = None, []
    for row in rows:
        parts, start = [], 0
        for width in widths:
            parts.append(row[start:start + width])
            start += width
        if user is None:
            user = build_instance(shapes[0], parts[0])
        role = build_instance(shapes[1], parts[1])
        if role is not None:
            role.user = user
            role.department = build_instance(shapes[2], parts[2])
            role.window = build_instance(shapes[3], parts[3])
            roles.append(role)
    user._onevisit_roles = roles
    return user


def user_for_token(raw: str):
    """The active user of a non-revoked token (with their roles), or None. Only the SHA-256 of the token
    is looked up."""
    if not raw:
        return None
    return user_with_roles("token", [hash_token(raw), False, True])


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

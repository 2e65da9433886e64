"""Who may enter the console: staff accounts only (a StaffRole, or a superuser). Which cases they
may see or move is decided by onevisit.cases.access and the services, never here."""

from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from onevisit.orgs.models import Role
from onevisit.orgs.selectors import has_role, roles_of


def is_staff_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or roles_of(user)))


def staff_required(*roles: Role):
    """Signed-in staff; with roles, at least one of them (403 otherwise)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                login = reverse("console:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if not is_staff_member(user):
                raise PermissionDenied("工作台仅限工作人员使用")
            if roles and not any(has_role(user, role) for role in roles):
                raise PermissionDenied("您的岗位无权使用此页面")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def destinations(user) -> list[tuple[str, str]]:
    """The console pages the user's roles lead to, as (url name, label)."""
    out = []
    if has_role(user, Role.WINDOW_CLERK):
        out += [("console:window", "综合窗口受理"), ("console:queue", "叫号")]
    if has_role(user, Role.REVIEWER) or has_role(user, Role.APPROVER):
        out.append(("console:worklist", "待办工作"))
    if has_role(user, Role.SUPERVISOR):
        out.append(("console:supervisor", "效能监督"))
    return out

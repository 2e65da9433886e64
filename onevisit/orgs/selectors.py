from onevisit.orgs.models import Department, Role, StaffRole


def roles_of(user) -> list[StaffRole]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_onevisit_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user).select_related("department", "window"))
        user._onevisit_roles = cached
    return cached


def has_role(user, role: Role, *, department: Department | None = None) -> bool:
    """True when the user holds the role (for that department, when one is given). Superusers hold all."""
    if getattr(user, "is_superuser", False):
        return True
    for held in roles_of(user):
        if held.role == role and (department is None or held.department_id in (None, department.pk)):
            return True
    return False


def departments_of(user, role: Role) -> list[int]:
    return [r.department_id for r in roles_of(user) if r.role == role and r.department_id]

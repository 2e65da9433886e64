"""Who a user is with respect to a case, and which cases a user may see. The services check the
first against the transition table; the selectors filter with the second."""

from django.db.models import Q

from onevisit.cases import hooks
from onevisit.cases.models import ApplicantClaim
from onevisit.cases.transitions import Who
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import has_role, roles_of


def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def clerk_windows(user) -> list:
    return [r.window for r in roles_of(user) if r.role == Role.WINDOW_CLERK and r.window_id]


def who_is(user, case) -> set[Who]:
    who: set[Who] = set()
    if not getattr(user, "is_authenticated", False):
        return who
    id_number = getattr(user, "id_number", None)
    if id_number and (id_number == case.applicant_id_number
                      or (id_number == case.agent_id_number and case.claim != ApplicantClaim.MANDATE)):
        who.add(Who.APPLICANT)  # an agent under a mandate acts only while it is in force (the seam says)
    if any(w.accepts(domain=case.domain, item_code=case.item_code) for w in clerk_windows(user)):
        who.add(Who.INTAKE)
    for held in roles_of(user):
        if held.department_id != case.department_id:
            continue
        if held.role == Role.REVIEWER:
            who.update({Who.REVIEWER, Who.INTAKE})
        elif held.role == Role.APPROVER:
            who.add(Who.APPROVER)
    if getattr(user, "is_superuser", False):
        who.update({Who.INTAKE, Who.REVIEWER, Who.APPROVER, Who.SUPERVISOR})
    elif is_supervisor(user):
        who.add(Who.SUPERVISOR)
    if hooks.registry.who:
        who |= hooks.extra_who(user, case)
    return who


def visible_q(user) -> Q | None:
    """The filter of the cases a user may see; None means all of them (supervisors)."""
    if getattr(user, "is_superuser", False) or is_supervisor(user):
        return None
    q = Q(pk__in=[])
    id_number = getattr(user, "id_number", None)
    if id_number:
        q |= Q(applicant_id_number=id_number) | (Q(agent_id_number=id_number) & ~Q(claim=ApplicantClaim.MANDATE))
    if hooks.registry.visible:
        extra = hooks.extra_visible(user)
        if extra is not None:
            q |= extra
    departments = [r.department_id for r in roles_of(user) if r.role in (Role.REVIEWER, Role.APPROVER) and r.department_id]
    if departments:
        q |= Q(department_id__in=departments)
    for window in clerk_windows(user):
        if window.accepts_any:
            return None
        q |= Q(domain__in=list(window.domains)) | Q(item_code__in=list(window.item_codes))
    return q

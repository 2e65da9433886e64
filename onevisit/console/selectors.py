"""Console reads over the Case model. Every query starts from onevisit.cases.selectors.visible_cases,
so the permission filter is the engine's; these only add the console's ordering and paging."""

import datetime as dt

from django.db.models import Case as When_
from django.db.models import DateTimeField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from onevisit.cases.models import Case, CaseStatus, CaseStep
from onevisit.cases.selectors import MAX_PAGE, visible_cases
from onevisit.cases.transitions import FINAL
from onevisit.catalog.models import Bundle, ServiceItem, VersionStatus
from onevisit.errors import DomainError
from onevisit.orgs.models import Role
from onevisit.workdays.calendar import SHANGHAI

S = CaseStatus
FAR = dt.datetime(9999, 1, 1, tzinfo=SHANGHAI)
# Worklist ranks: red, yellow, green (clock running), paused, decided (result to issue), to deliver.
RANK_LABELS = {0: "red", 1: "yellow", 2: "green", 3: "paused", 4: "decided", 5: "deliver"}


def console_departments(user) -> list[int]:
    from onevisit.orgs.selectors import roles_of

    return sorted({r.department_id for r in roles_of(user)
                   if r.role in (Role.REVIEWER, Role.APPROVER) and r.department_id})


def _ranked(qs: QuerySet[Case], now: dt.datetime) -> QuerySet[Case]:
    running = Q(status__in=(S.ACCEPTED, S.IN_PROGRESS))
    return qs.annotate(
        rank=When_(
            When(running & Q(promised_due__lt=now), then=Value(0)),
            When(running & Q(warn_at__lt=now), then=Value(1)),
            When(running, then=Value(2)),
            When(status=S.SUSPENDED, then=Value(3)),
            When(status__in=(S.APPROVED, S.DENIED), then=Value(4)),
            default=Value(5), output_field=IntegerField(),
        ),
        due=Coalesce("promised_due", Value(FAR), output_field=DateTimeField()),
    )


def console_worklist(
    *, user, cursor: str | None = None, limit: int = 20, now: dt.datetime | None = None
) -> tuple[list[Case], str | None]:
    """The department's current work, red first, then yellow, green, paused, to issue, to deliver; each
    group by due moment. Keyset-paginated on (rank, due, id); the cursor carries the moment the
    colours were computed at, so pages do not shift while a case turns yellow."""
    limit = max(1, min(limit, MAX_PAGE))
    now = now or timezone.now()
    rank = due = last = None
    if cursor:
        try:
            at, rank_s, due_s, last_s = cursor.split("|")
            now, rank, due, last = dt.datetime.fromisoformat(at), int(rank_s), dt.datetime.fromisoformat(due_s), int(last_s)
        except ValueError:
            raise DomainError("翻页游标无效", code="invalid", status=422, fields=[{"field": "cursor", "reason": "格式不正确"}])
    departments = console_departments(user)
    work = Q(status__in=(S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.APPROVED, S.DENIED), bundle__isnull=True) | Q(
        status__in=(S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.APPROVED, S.DENIED), parent__isnull=False) | Q(
        status=S.RESULT_ISSUED, parent__isnull=True)
    qs = _ranked(visible_cases(user).filter(work, department_id__in=departments), now)
    if cursor:
        qs = qs.filter(Q(rank__gt=rank) | Q(rank=rank, due__gt=due) | Q(rank=rank, due=due, id__gt=last))
    rows = list(qs.select_related("item").order_by("rank", "due", "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    _attach_current_steps(rows)
    for row in rows:
        row.colour = RANK_LABELS[row.rank]
    next_cursor = None
    if more and rows:
        tail = rows[-1]
        next_cursor = f"{now.isoformat()}|{tail.rank}|{tail.due.isoformat()}|{tail.pk}"
    return rows, next_cursor


def _attach_current_steps(rows: list[Case]) -> None:
    current: dict[int, CaseStep] = {}
    for step in CaseStep.objects.filter(case__in=rows, completed_at__isnull=True).order_by("case_id", "position"):
        current.setdefault(step.case_id, step)
    for row in rows:
        row.current_step = current.get(row.pk)


def console_awaiting_acceptance(*, user, limit: int = 20) -> list[Case]:
    """Submissions of the user's departments still waiting for acceptance (网上预审), oldest first."""
    return list(
        visible_cases(user).filter(status__in=(S.SUBMITTED, S.PRE_REVIEW, S.AWAITING_SUPPLEMENT),
                                   parent__isnull=True, department_id__in=console_departments(user))
        .select_related("item", "bundle").order_by("submitted_at", "id")[:limit]
    )


def console_person_cases(*, user, id_number: str, limit: int = 50) -> list[Case]:
    """A person's open cases that this user may see (applicant or agent by 身份证号)."""
    return list(
        visible_cases(user).filter(Q(applicant_id_number=id_number) | Q(agent_id_number=id_number),
                                   parent__isnull=True)
        .exclude(status__in=[*FINAL, S.DELIVERED]).select_related("item", "bundle", "department")
        .order_by("-id")[:limit]
    )


def console_window_offer(windows) -> tuple[list[ServiceItem], list[Bundle]]:
    """Published items (with the window channel) and bundles that one of the windows accepts."""
    from onevisit.catalog.services import published_item

    def accepted(domain: str, code: str) -> bool:
        return any(w.accepts(domain=domain, item_code=code) for w in windows)

    items = [i for i in ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).select_related("department")
             .order_by("domain", "implementation_code") if "window" in i.channels and accepted(i.domain, i.implementation_code)]
    bundles = []
    for bundle in Bundle.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related("entries").order_by("code"):
        first = sorted(bundle.entries.all(), key=lambda e: (e.stage, e.pk))
        lead = published_item(first[0].item_code) if first else None
        if lead is not None and accepted(lead.domain, lead.implementation_code):
            bundles.append(bundle)
    return items, bundles


def console_visit_breaches(*, user, limit: int = 100) -> list[Case]:
    """Cases whose actual visits exceeded the promise (最多跑一次 broken)."""
    return list(visible_cases(user).filter(visits_exceeded=True).select_related("item", "department")
                .order_by("-id")[:limit])

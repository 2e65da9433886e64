"""Reads of cases. Each selector owns its query and its permission filter; lists are keyset-paginated
on indexed columns so a page costs the same with 10 million cases."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onevisit.cases import clock
from onevisit.cases.access import is_supervisor, visible_q, who_is
from onevisit.cases.models import CLOCK_RUNNING, PAUSED, Case, CaseMaterial, CaseStatus, Refusal, RefusalKind
from onevisit.cases.transitions import TABLE, Who
from onevisit.errors import DomainError
from onevisit.history.services import events_of

MAX_PAGE = 100


def visible_cases(user) -> QuerySet[Case]:
    q = visible_q(user)
    qs = Case.objects.all()
    return qs if q is None else qs.filter(q)


def case_get(*, user, pk: int) -> Case:
    """The case if the user may see it; otherwise 404, so that its existence is not disclosed."""
    case = visible_cases(user).select_related("item", "bundle", "department", "parent").filter(pk=pk).first()
    if case is None:
        raise Http404("办件不存在或无权查看")
    return case


def case_materials(case: Case) -> QuerySet[CaseMaterial]:
    """A bundle child sees only the materials distributed to it; others their own."""
    if case.parent_id:
        return case.distributed_materials.order_by("id")
    return case.materials.order_by("id")


def _colour_q(colour: str, now: dt.datetime) -> Q:
    running = Q(status__in=CLOCK_RUNNING, promised_due__isnull=False)
    if colour == clock.Colour.RED:
        return running & Q(promised_due__lte=now)
    if colour == clock.Colour.YELLOW:
        return running & Q(promised_due__gt=now, warn_at__lte=now)
    if colour == clock.Colour.GREEN:
        return running & Q(warn_at__gt=now)
    if colour == clock.Colour.PAUSED:
        return Q(status__in=PAUSED)
    raise DomainError("期限颜色应为 green、yellow、red 或 paused", code="invalid", status=422,
                      fields=[{"field": "colour", "reason": "取值无效"}])


def case_list(
    *, user, status: str | None = None, item_code: str | None = None, department: int | None = None,
    colour: str | None = None, applicant: str | None = None, order: str = "new", cursor: str | None = None,
    limit: int = 20, now: dt.datetime | None = None,
) -> tuple[list[Case], str | None]:
    """Worklist/search. order="due" pages by (promised_due, id) (the worklist index), otherwise newest
    first by id. Returns (rows, next_cursor)."""
    now = now or timezone.now()
    limit = max(1, min(limit, MAX_PAGE))
    qs = visible_cases(user)
    if status:
        if status not in CaseStatus.values:
            raise DomainError("状态取值无效", code="invalid", status=422, fields=[{"field": "status", "reason": "取值无效"}])
        qs = qs.filter(status=status)
    if item_code:
        qs = qs.filter(item_code=item_code)
    if department:
        qs = qs.filter(department_id=department)
    if applicant:
        qs = qs.filter(Q(applicant_id_number=applicant) | Q(applicant_credit_code=applicant)
                       | Q(agent_id_number=applicant))
    if colour:
        qs = qs.filter(_colour_q(colour, now))
    try:
        if order == "due":
            qs = qs.filter(promised_due__isnull=False).order_by("promised_due", "id")
            if cursor:
                at, _, last = cursor.partition("|")
                moment = dt.datetime.fromisoformat(at)
                qs = qs.filter(Q(promised_due__gt=moment) | Q(promised_due=moment, id__gt=int(last)))
        else:
            qs = qs.order_by("-id")
            if cursor:
                qs = qs.filter(id__lt=int(cursor))
    except ValueError:
        raise DomainError("翻页游标无效", code="invalid", status=422, fields=[{"field": "cursor", "reason": "格式不正确"}])
    rows = list(qs.select_related("item")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = f"{last.promised_due.isoformat()}|{last.pk}" if order == "due" else str(last.pk)
    return rows, next_cursor


def _require_supervisor(user) -> None:
    if not (is_supervisor(user) or getattr(user, "is_superuser", False)):
        raise PermissionDenied("只有监督人员可以查看否定报备清单")


def refusals_register(*, user, open_only: bool = False, cursor: int | None = None, limit: int = 50) -> tuple[list, int | None]:
    """否定报备 register: supervisors see every refusal; others are refused."""
    _require_supervisor(user)
    qs = Refusal.objects.select_related("case", "department").order_by("-id")
    if open_only:
        qs = qs.filter(overturned_at__isnull=True)
    if cursor:
        qs = qs.filter(id__lt=cursor)
    rows = list(qs[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


def refusal_get(*, user, pk: int) -> Refusal:
    _require_supervisor(user)
    refusal = Refusal.objects.select_related("case").filter(pk=pk).first()
    if refusal is None:
        raise Http404("否定报备记录不存在")
    return refusal


def cases_with_overdue_gaps(*, user, now: dt.datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return visible_cases(user).filter(gaps_outstanding=True, gaps_due__lt=now).order_by("gaps_due", "id")


def case_actions(user, case: Case) -> list[str]:
    who = who_is(user, case)
    return [t.verb for t in TABLE.values() if case.status in t.sources and who & t.who and Who.SYSTEM not in t.who]


@dataclass(frozen=True)
class CaseDocument:
    kind: str  # the slug of /documents/cases/<id>/<kind>.pdf
    label: str
    url: str


DOCUMENT_LABELS = {"receipt": "受理通知书", "notice": "一次性告知书", "refusal": "不予受理决定书",
                   "gaps": "容缺受理承诺书", "result": "结果通知书"}
_RESULT_STATUSES = (CaseStatus.RESULT_ISSUED, CaseStatus.DELIVERED, CaseStatus.ARCHIVED)


def case_documents(case: Case) -> list[CaseDocument]:
    """The documents a case has, in the order they were issued: the one answer for the console, the portal,
    the API and the document views (which refuse any other kind)."""
    kinds = []
    if case.notices.exists():
        kinds.append("notice")
    if case.refusals.filter(kind=RefusalKind.REFUSE_TO_ACCEPT).exists():
        kinds.append("refusal")
    if case.accepted_at:
        kinds.append("receipt")
    if case.gaps_due:
        kinds.append("gaps")
    if case.status in _RESULT_STATUSES:
        kinds.append("result")
    return [CaseDocument(k, DOCUMENT_LABELS[k], f"/documents/cases/{case.pk}/{k}.pdf") for k in kinds]


def case_history(case: Case) -> list[dict]:
    return [
        {"seq": e.seq, "at": e.at, "actor": e.actor_label, "action": e.action, "reason": e.reason, "data": e.data}
        for e in events_of(case)
    ]

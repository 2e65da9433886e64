"""Worklists (item 12): what each role works on next, keyset-paginated on partial indexes.

Every list is one or a few ordered index range scans (cases_wl_* in models.py) cut at limit + 1: the
cursor is (sort key, id) and the next page starts strictly after it, never with OFFSET. A user with
several queues (a window with several domains, a reviewer of two departments) gets one such scan per
queue, merged here; that costs at most (queues x limit) rows, never a sort of the table. Deadline colours
are plain comparisons of the stored warn_at and promised_due with now (see clock.py)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from onevisit.cases.access import clerk_windows, is_supervisor
from onevisit.cases.models import CLOCK_RUNNING, HANDLING, INTAKE, Case, CaseStatus
from onevisit.cases.read import (
    ROW_COLUMNS,  # a compact row (the API's worklist answer): .values(), no instances
)
from onevisit.cases.selectors import MAX_PAGE, _colour_q
from onevisit.errors import DomainError
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import departments_of

# What a worklist row shows as a model instance (the case summary); the big JSON columns are not read.
SUMMARY_FIELDS = (*ROW_COLUMNS, "accepted_at", "decided_at")


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    item_code: str | None = None
    department: int | None = None
    colour: str | None = None
    applicant: str | None = None


@dataclass(frozen=True)
class Page:
    rows: list  # Case instances, or dicts of ROW_COLUMNS with compact=True
    next_cursor: str | None


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", status=422, fields=[{"field": field, "reason": "取值无效"}])


def _filtered(qs: QuerySet[Case], f: Filters, now: dt.datetime) -> QuerySet[Case]:
    if f.status:
        if f.status not in CaseStatus.values:
            raise _invalid("status", "状态取值无效")
        qs = qs.filter(status=f.status)
    if f.item_code:
        qs = qs.filter(item_code=f.item_code)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.applicant:
        qs = qs.filter(Q(applicant_id_number=f.applicant) | Q(applicant_credit_code=f.applicant)
                       | Q(agent_id_number=f.applicant))
    if f.colour:
        qs = qs.filter(_colour_q(f.colour, now))
    return qs


def _parse_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    if not cursor:
        return None
    try:
        at, _, last = cursor.partition("|")
        return dt.datetime.fromisoformat(at), int(last)
    except ValueError:
        raise _invalid("cursor", "翻页游标无效") from None


def _page(queries: list[QuerySet[Case]], key: str, *, cursor: str | None, limit: int, desc: bool = False,
          compact: bool = False) -> Page:
    """Keyset page over one or more querysets ordered by (key, id). The redundant `key >= k` bound
    lets PostgreSQL start the index range at the cursor; the OR only sorts out ties on key. With
    compact=True the rows are dicts of ROW_COLUMNS (the API's hot path: no model instances)."""
    limit = max(1, min(limit, MAX_PAGE))
    after = _parse_cursor(cursor)
    if compact:
        return _compact_page(queries, key, after=after, limit=limit, desc=desc)
    rows: dict[int, Case] = {}
    for qs in queries:
        qs = qs.filter(**{f"{key}__isnull": False})
        if after is not None:
            moment, last = after
            if desc:
                qs = qs.filter(Q(**{f"{key}__lte": moment}), Q(**{f"{key}__lt": moment}) | Q(id__lt=last))
            else:
                qs = qs.filter(Q(**{f"{key}__gte": moment}), Q(**{f"{key}__gt": moment}) | Q(id__gt=last))
        order = (f"-{key}", "-id") if desc else (key, "id")
        for case in qs.select_related("item", "bundle").only(*SUMMARY_FIELDS).order_by(*order)[: limit + 1]:
            rows[case.pk] = case
    ordered = sorted(rows.values(), key=lambda c: (getattr(c, key), c.pk), reverse=desc)
    page = ordered[:limit]
    next_cursor = None
    if len(ordered) > limit:
        last_row = page[-1]
        next_cursor = f"{getattr(last_row, key).isoformat()}|{last_row.pk}"
    return Page(page, next_cursor)


def _compact_page(queries: list[QuerySet[Case]], key: str, *, after, limit: int, desc: bool) -> Page:
    rows: dict[int, dict] = {}
    for qs in queries:
        qs = qs.filter(**{f"{key}__isnull": False})
        if after is not None:
            moment, last = after
            if desc:
                qs = qs.filter(Q(**{f"{key}__lte": moment}), Q(**{f"{key}__lt": moment}) | Q(id__lt=last))
            else:
                qs = qs.filter(Q(**{f"{key}__gte": moment}), Q(**{f"{key}__gt": moment}) | Q(id__gt=last))
        order = (f"-{key}", "-id") if desc else (key, "id")
        for row in qs.order_by(*order).values(*ROW_COLUMNS)[: limit + 1]:
            rows[row["id"]] = row
    ordered = list(rows.values())
    if len(queries) > 1:
        ordered.sort(key=lambda r: (r[key], r["id"]), reverse=desc)
    page = ordered[:limit]
    next_cursor = None
    if len(ordered) > limit:
        next_cursor = f"{page[-1][key].isoformat()}|{page[-1]['id']}"
    return Page(page, next_cursor)


def _require_supervisor(user) -> None:
    if not (is_supervisor(user) or getattr(user, "is_superuser", False)):
        raise PermissionDenied("只有监督人员可以查看该清单")


def clerk_worklist(*, user, filters: Filters = Filters(), cursor: str | None = None, limit: int = 20,  # noqa: B008
                   now: dt.datetime | None = None, compact: bool = False) -> Page:
    """Cases waiting for intake at the clerk's windows (their domains and items), oldest first."""
    now = now or timezone.now()
    windows = clerk_windows(user)
    if not windows:
        raise PermissionDenied("只有窗口人员可以查看受理工作台")
    base = _filtered(Case.objects.filter(status__in=INTAKE), filters, now)
    if any(w.accepts_any for w in windows):
        queries = [base]
    else:
        domains = sorted({d for w in windows for d in w.domains})
        codes = sorted({c for w in windows for c in w.item_codes})
        queries = [base.filter(domain=d) for d in domains] + [base.filter(item_code=c) for c in codes]
    return _page(queries, "submitted_at", cursor=cursor, limit=limit, compact=compact)


def reviewer_worklist(*, user, filters: Filters = Filters(), cursor: str | None = None, limit: int = 20,  # noqa: B008
                      now: dt.datetime | None = None, compact: bool = False) -> Page:
    """The department's current work: accepted and not yet decided, most urgent first."""
    now = now or timezone.now()
    departments = sorted(set(departments_of(user, Role.REVIEWER)) | set(departments_of(user, Role.APPROVER)))
    if not departments:
        raise PermissionDenied("只有部门审查、审批人员可以查看办理工作台")
    if filters.department and filters.department not in departments:
        return Page([], None)
    base = _filtered(Case.objects.filter(status__in=HANDLING), filters, now)
    return _page([base.filter(department_id=d) for d in departments], "promised_due", cursor=cursor, limit=limit, compact=compact)


def supervisor_warnings(*, user, filters: Filters = Filters(), cursor: str | None = None, limit: int = 20,  # noqa: B008
                        now: dt.datetime | None = None, compact: bool = False) -> Page:
    """Yellow and red cases of every department (red first), or one colour with filters.colour."""
    now = now or timezone.now()
    _require_supervisor(user)
    if filters.colour not in (None, "", "yellow", "red"):
        raise _invalid("colour", "预警颜色应为 yellow 或 red")
    qs = _filtered(Case.objects.filter(status__in=CLOCK_RUNNING, warn_at__lte=now), filters, now)
    return _page([qs], "promised_due", cursor=cursor, limit=limit, compact=compact)


def supervisor_broken_promises(*, user, filters: Filters = Filters(), cursor: str | None = None,  # noqa: B008
                               limit: int = 20, now: dt.datetime | None = None, compact: bool = False) -> Page:
    """Cases whose actual visits exceed what the item promised, newest first."""
    now = now or timezone.now()
    _require_supervisor(user)
    qs = _filtered(Case.objects.filter(visits_exceeded=True), filters, now)
    return _page([qs], "submitted_at", cursor=cursor, limit=limit, desc=True, compact=compact)


def supervisor_overdue_gaps(*, user, filters: Filters = Filters(), cursor: str | None = None,  # noqa: B008
                            limit: int = 20, now: dt.datetime | None = None, compact: bool = False) -> Page:
    """容缺 commitments past their due date, longest overdue first."""
    now = now or timezone.now()
    _require_supervisor(user)
    qs = _filtered(Case.objects.filter(gaps_outstanding=True, gaps_due__lt=now), filters, now)
    return _page([qs], "gaps_due", cursor=cursor, limit=limit, compact=compact)


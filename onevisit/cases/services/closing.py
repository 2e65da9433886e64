import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from onevisit.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    ClockPause,
    DeliveryMethod,
    VisitKind,
)
from onevisit.cases.services.core import (
    _VISIT_FIELDS,
    _actor_window,
    _check,
    _children,
    _complete,
    _lock,
    _move,
    _now,
    _record_visit,
    _require_not_child,
    _require_text,
    _steps,
    case_service,
)
from onevisit.cases.transitions import TABLE
from onevisit.errors import DomainError

S = CaseStatus



@case_service
def case_deliver(
    *, actor, case: Case, method: str, tracking_number: str = "", now: dt.datetime | None = None
) -> Case:
    """Deliver the result once: at the window (a visit), by post (tracking number) or electronically.
    A bundle delivers every child's result together, through its parent."""
    now = _now(now)
    case = _lock(case)
    _check("deliver", actor, case)
    _require_not_child(case, "送达")
    chose_window = case.delivery_method == DeliveryMethod.WINDOW  # the applicant's own choice, made before
    method = method or case.delivery_method  # the applicant's choice (case_choose_delivery) unless overridden
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": "送达方式应为 window、post 或 electronic"})
    if method == DeliveryMethod.POST and not tracking_number.strip():
        raise ValidationError({"tracking_number": "邮寄送达必须填写快递单号"})
    case.delivery_method, case.tracking_number, case.delivered_at = method, tracking_number.strip(), now
    facts: dict[str, Any] = {"method": method, "tracking_number": case.tracking_number}
    fields: tuple[str, ...] = ("delivery_method", "tracking_number", "delivered_at")
    if method == DeliveryMethod.WINDOW:
        # Collecting at the window is the applicant's choice when they chose it over post or electronic delivery.
        facts.update(_record_visit(case, VisitKind.PICKUP, actor=actor, now=now, window=_actor_window(actor, case),
                                   chosen=chose_window))
        fields += _VISIT_FIELDS
    _complete(case, [s for s in _steps(case) if s.completed_at is None], actor=actor, now=now)
    _move(case, "deliver", actor=actor, now=now, data=facts, fields=fields)
    for child in _children(case):
        if child.status == S.RESULT_ISSUED:
            child.delivery_method, child.tracking_number, child.delivered_at = method, case.tracking_number, now
            CaseStep.objects.filter(case=child, completed_at__isnull=True).update(completed_at=now, completed_by=actor)
            _move(child, "child_delivered", actor=actor, now=now, data={"parent": case.number, "method": method},
                  fields=("delivery_method", "tracking_number", "delivered_at"))
    return case


@case_service
def case_archive(*, actor, case: Case, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    case = _lock(case)
    _check("archive", actor, case)
    _require_not_child(case, "归档")
    _move(case, "archive", actor=actor, now=now)  # the e-archive package follows after the commit (onevisit.archive)
    for child in _children(case):
        if child.status in TABLE["child_archived"].sources:
            _move(child, "child_archived", actor=actor, now=now, data={"parent": case.number})
    return case


@case_service
def case_withdraw(*, actor, case: Case, reason: str = "", now: dt.datetime | None = None) -> Case:
    """The applicant withdraws before a decision."""
    now = _now(now)
    case = _lock(case)
    _check("withdraw", actor, case)
    _require_not_child(case, "撤回")
    children = _children(case)
    if any(c.decided_at for c in children):
        raise DomainError("一件事中已有事项作出决定，不能整体撤回", code="already_decided")
    pause = ClockPause.objects.filter(case=case, ended_at__isnull=True).first()
    if pause:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    _move(case, "withdraw", actor=actor, now=now, reason=reason)
    for child in children:
        if child.status in TABLE["child_withdrawn"].sources:
            _move(child, "child_withdrawn", actor=actor, now=now, data={"parent": case.number})
    return case


@case_service
def case_record_post_check(*, actor, case: Case, result: str, passed: bool, now: dt.datetime | None = None) -> Case:
    """告知承诺: the reviewer records the check made after approval."""
    now = _now(now)
    case = _lock(case)
    _check("post_check", actor, case)
    if not case.post_check_required:
        raise DomainError("该办件未采用告知承诺，无需事后核查", code="no_post_check")
    if case.post_check_done_at is not None:
        raise DomainError("事后核查已记录", code="post_check_done")
    _require_text(result=result)
    case.post_check_done_at, case.post_check_result = now, result.strip()
    _move(case, "post_check", actor=actor, now=now, reason=case.post_check_result, data={"passed": passed},
          fields=("post_check_done_at", "post_check_result"))
    return case


def cases_flag_overdue_gaps(*, now: dt.datetime | None = None) -> list[str]:
    """Flag every case whose 容缺 commitment is past due (run daily). Returns the case numbers."""
    now = _now(now)
    flagged = []
    for pk in Case.objects.filter(gaps_outstanding=True, gaps_overdue=False, gaps_due__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            case = _lock(Case(pk=pk))
            if not case.gaps_outstanding or case.gaps_overdue or case.status not in TABLE["flag_gaps_overdue"].sources:
                continue
            case.gaps_overdue = True
            _move(case, "flag_gaps_overdue", actor=None, now=now, data={"gaps_due": case.gaps_due},
                  fields=("gaps_overdue",))
            flagged.append(case.number)
    return flagged



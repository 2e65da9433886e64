import datetime as dt

from onevisit.cases import clock
from onevisit.cases.models import (
    CLOCK_RUNNING,
    Case,
    CaseStatus,
    Provision,
    Refusal,
    RefusalKind,
)
from onevisit.cases.services.core import (
    _CLOCK_FIELDS,
    _check,
    _children,
    _complete,
    _decision_position,
    _lock,
    _move,
    _now,
    _open_steps,
    _require_text,
    _start_clock,
    _steps,
    case_service,
)
from onevisit.catalog.models import StepRole
from onevisit.errors import DomainError

S = CaseStatus


def _complete_decision_step(case: Case, actor, now: dt.datetime) -> None:
    position = _decision_position(case)
    if position is None:
        return
    earlier = [s for s in _open_steps(case) if s.position < position]
    if earlier:
        raise DomainError(f"须先完成环节“{earlier[0].name}”才能作出决定", code="step_order")
    _complete(case, [s for s in _steps(case) if s.position == position], actor=actor, now=now)


def _decision_facts(case: Case, now: dt.datetime) -> dict:
    return {
        "days_used": clock.days_used(case, now), "paused_working_days": case.paused_days,
        "extended_working_days": case.extended_days, "promised_due": case.promised_due, "legal_due": case.legal_due,
        "on_time": case.promised_due is None or now <= case.promised_due,
        "within_legal": case.legal_due is None or now <= case.legal_due,
    }


@case_service
def case_approve(*, actor, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    now = _now(now)
    case = _lock(case)
    _check("approve", actor, case)
    _complete_decision_step(case, actor, now)
    case.decided_at = now
    _move(case, "approve", actor=actor, now=now, reason=note,
          data={"decision": "approved", **_decision_facts(case, now)}, fields=("decided_at",))
    if case.parent_id:
        _after_child_decided(case, actor=actor, now=now)
    return case


@case_service
def case_deny(*, actor, case: Case, reasons: str, legal_basis: str, now: dt.datetime | None = None) -> Refusal:
    """不予许可, with reasons and legal basis, registered like every refusal."""
    now = _now(now)
    case = _lock(case)
    _check("deny", actor, case)
    _require_text(reasons=reasons, legal_basis=legal_basis)
    _complete_decision_step(case, actor, now)
    case.decided_at = now
    refusal = Refusal.objects.create(
        case=case, department_id=case.department_id, kind=RefusalKind.DENIAL, reasons=reasons.strip(),
        legal_basis=legal_basis.strip(), registered_at=now, registered_by=actor,
    )
    _move(case, "deny", actor=actor, now=now, reason=refusal.reasons, data={
        "decision": "denied", "refusal": refusal.pk, "legal_basis": refusal.legal_basis, **_decision_facts(case, now),
    }, fields=("decided_at",))
    if case.parent_id:
        _after_child_decided(case, actor=actor, now=now)
    return refusal


def _after_child_decided(child: Case, *, actor, now: dt.datetime) -> None:
    """Bundle rules (docs/decisions/0004-bundle-denial.md): a denial ends the later stages that
    have not started; when a whole stage is approved the next stage starts with its own clock."""
    parent = _lock(Case(pk=child.parent_id))
    siblings = _children(parent)
    if child.status == S.DENIED:
        for sib in siblings:
            if sib.status == S.WAITING:
                _move(sib, "cancel", actor=actor, now=now,
                      reason=f"前序事项 {child.item.name}（{child.number}）不予许可，本事项不再办理",
                      data={"parent": parent.number, "denied": child.number})
    else:
        stage = [s for s in siblings if s.stage == child.stage]
        if all(s.status in (S.APPROVED, S.RESULT_ISSUED) for s in stage):
            later = sorted({s.stage for s in siblings if s.status == S.WAITING})
            for sib in siblings:
                if later and sib.stage == later[0] and sib.status == S.WAITING:
                    facts = _start_clock(sib, actor=actor, now=now)
                    _move(sib, "start_stage", actor=actor, now=now, data={"parent": parent.number, **facts},
                          fields=_CLOCK_FIELDS)
    _roll_up(parent, siblings, actor=actor, now=now)


def _roll_up(parent: Case, children: list[Case], *, actor, now: dt.datetime) -> None:
    """The parent's results are ready when every child has its result issued or was ended."""
    ended = (S.RESULT_ISSUED, S.CANCELLED)
    if parent.status in CLOCK_RUNNING and all(c.status in ended for c in children):
        outcome = {c.number: c.status for c in children}
        approved = all(
            c.status == S.RESULT_ISSUED and c.decided_at and not c.refusals.filter(kind=RefusalKind.DENIAL).exists()
            for c in children
        )
        parent.decided_at = now
        _move(parent, "parent_results_ready", actor=actor, now=now, data={
            "children": outcome, "all_approved": approved, **_decision_facts(parent, now),
        }, fields=("decided_at",))



# ------------------------------------------------------------------------------------------------
# Result, delivery, archive, withdrawal, post-check


def _require_sibling_results(child: Case) -> None:
    """A bundle child's materials produced by a sibling's result (内部流转) must exist before its own result."""
    producers = set(child.distributed_materials.filter(provision=Provision.INTERNAL).values_list("produced_by", flat=True))
    if not producers:
        return
    done = (S.RESULT_ISSUED, S.DELIVERED, S.ARCHIVED)
    waiting = [f"{s.item.name}（{s.number}）" for s in Case.objects.filter(parent_id=child.parent_id, item_code__in=producers)
               .exclude(status__in=done).select_related("item")]
    if waiting:
        raise DomainError("本事项所需的材料由一件事中其他事项的办理结果提供，须待其出具结果：" + "、".join(waiting),
                          code="waiting_for_sibling")


@case_service
def case_issue_result(*, actor, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    """出具结果 (the approval's result, or the denial decision). 容缺 materials must be in by now, and in a
    bundle the results of the siblings that produce this item's materials (内部流转). The item's e-licence, if
    it has one, is issued with the result by a contributor of the seam (onevisit.licences.results)."""
    now = _now(now)
    case = _lock(case)
    _check("issue_result", actor, case)
    owner = Case.objects.get(pk=case.parent_id) if case.parent_id else case
    if owner.gaps_outstanding:
        raise DomainError("容缺后补材料尚未补齐，不能出具结果", code="gaps_outstanding")
    if case.parent_id and case.status == S.APPROVED:
        _require_sibling_results(case)
    steps = _steps(case)
    deliver_position = next((s.position for s in steps if s.role == StepRole.WINDOW_CLERK and s.position > 1), None)
    _complete(case, [s for s in steps if s.completed_at is None and (deliver_position is None or s.position < deliver_position)],
              actor=actor, now=now)
    _move(case, "issue_result", actor=actor, now=now, reason=note,
          data={"decision": "approved" if case.status == S.APPROVED else "denied"})
    if case.parent_id:
        parent = _lock(Case(pk=case.parent_id))
        _roll_up(parent, _children(parent), actor=actor, now=now)
    return case


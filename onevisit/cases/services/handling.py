import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from onevisit.cases import clock
from onevisit.cases.access import who_is
from onevisit.cases.forms import form_problems, raise_form_problems
from onevisit.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    ClockPause,
    PauseKind,
    VisitKind,
)
from onevisit.cases.services.core import (
    _VISIT_FIELDS,
    _actor_window,
    _check,
    _complete,
    _decision_position,
    _lock,
    _move,
    _now,
    _open_steps,
    _record_visit,
    _require_text,
    _shift_deadlines,
    case_service,
    item_fields,
)
from onevisit.cases.transitions import Who
from onevisit.catalog.models import StepRole
from onevisit.errors import DomainError
from onevisit.workdays.calendar import working_days_between

S = CaseStatus


# ------------------------------------------------------------------------------------------------
# 补正 after acceptance: the department asks, the clock stops until the applicant supplies



@case_service
def case_request_supplement(
    *, actor, case: Case, materials: dict[str, str] | None = None, fields: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ClockPause:
    """A reviewer finds a problem after acceptance and asks the applicant, naming each material or
    field with its reason. The clock stops; none of the waiting counts against the department."""
    now = _now(now)
    case = _lock(case)
    _check("request_supplement", actor, case)
    if case.bundle_id:
        raise DomainError("一件事的办件暂不支持受理后补正，请按特别程序或一次性告知办理", code="bundle_supplement")
    materials, fields = materials or {}, fields or {}
    known_materials = {m.key: m.name for m in CaseMaterial.objects.filter(case=case)}
    known_fields = {f.key: f.label for f in item_fields(case.item)}
    errors: dict[str, str] = {}
    requested = []
    for kind, asked, known in (("material", materials, known_materials), ("field", fields, known_fields)):
        for key, reason in asked.items():
            if key not in known:
                errors[f"{kind}s.{key}"] = "该办件没有此材料" if kind == "material" else "该事项没有此字段"
            elif not (reason or "").strip():
                errors[f"{kind}s.{key}"] = "必须说明需要补正的理由"
            else:
                requested.append({"kind": kind, "key": key, "name": known[key], "reason": reason.strip()})
    if not requested and not errors:
        errors["materials"] = "请列出需要申请人补正的材料或字段"
    if errors:
        raise ValidationError(errors)
    pause = ClockPause.objects.create(
        case=case, kind=PauseKind.APPLICANT, requested=requested, started_at=now,
        reason="；".join(f"{r['name']}：{r['reason']}" for r in requested),
    )
    _move(case, "request_supplement", actor=actor, now=now, reason=pause.reason,
          data={"requested": requested, "clock_paused": True})
    return pause


@case_service
def case_supply_requested(
    *, actor, case: Case, form: dict[str, Any] | None = None, at_window: bool = False, now: dt.datetime | None = None
) -> ClockPause:
    """The applicant supplies what was asked (files uploaded before, fields here); the clock restarts
    and the due moments move by every working day spent waiting (no cap)."""
    now = _now(now)
    case = _lock(case)
    _check("supply_requested", actor, case)
    form = form or {}
    if at_window and Who.INTAKE not in who_is(actor, case):
        raise PermissionDenied("窗口补正须由窗口人员登记")
    pause = ClockPause.objects.select_for_update().get(case=case, kind=PauseKind.APPLICANT, ended_at__isnull=True)
    asked_fields = {r["key"] for r in pause.requested if r["kind"] == "field"}
    errors = {f"form.{k}": "未要求补正此字段" for k in form if k not in asked_fields}
    supplied = {m.key: m.supplied_at for m in CaseMaterial.objects.filter(case=case)}
    for r in pause.requested:
        if r["kind"] == "material" and not (supplied.get(r["key"]) and supplied[r["key"]] >= pause.started_at):
            errors[f"materials.{r['key']}"] = f"“{r['name']}”尚未重新提交"
        if r["kind"] == "field" and r["key"] not in form:
            errors[f"form.{r['key']}"] = f"“{r['name']}”尚未补正"
    if errors:
        raise ValidationError(errors)
    merged = {**case.form_data, **form}
    raise_form_problems([p for p in form_problems(item_fields(case.item), merged)
                         if p["key"] in form and p["kind"] != "field_unknown"])
    days = working_days_between(pause.started_at, now)
    pause.ended_at, pause.shifted_days = now, days
    pause.save(update_fields=["ended_at", "shifted_days"])
    case.form_data = merged
    case.field_supplied_at = {**case.field_supplied_at, **{k: now.isoformat() for k in form}}
    _shift_deadlines(case, days)
    case.paused_days += days
    facts: dict[str, Any] = {"fields": sorted(form), "paused_working_days": days, "waiting_on": "applicant",
                             "promised_due": case.promised_due, "legal_due": case.legal_due}
    extra: tuple[str, ...] = ()
    if at_window:
        facts.update(_record_visit(case, VisitKind.SUPPLEMENT, actor=actor, now=now, window=_actor_window(actor, case)))
        extra = _VISIT_FIELDS
    _move(case, "supply_requested", actor=actor, now=now, data=facts, fields=(
        "form_data", "field_supplied_at", "promised_due", "legal_due", "warn_at", "paused_days", *extra))
    return pause



@case_service
def case_complete_step(*, actor, case: Case, step_key: str, note: str = "", now: dt.datetime | None = None) -> CaseStep:
    """Complete the next open step (审查 …) before the decision; steps go in order."""
    now = _now(now)
    case = _lock(case)
    _check("complete_step", actor, case)
    open_steps = _open_steps(case)
    step = next((s for s in open_steps if s.key == step_key), None)
    if step is None:
        raise DomainError(f"办件没有未完成的环节“{step_key}”", code="no_such_step")
    if step is not open_steps[0] and step.pk != open_steps[0].pk:
        raise DomainError(f"须先完成环节“{open_steps[0].name}”", code="step_order")
    if step.position == _decision_position(case):
        raise DomainError("决定环节须通过准予许可或不予许可完成", code="decision_step")
    needed = {StepRole.REVIEWER: Who.REVIEWER, StepRole.APPROVER: Who.APPROVER}.get(step.role)
    if needed not in who_is(actor, case):
        raise PermissionDenied(f"环节“{step.name}”须由本部门{StepRole(step.role).label}办理")
    _complete(case, [step], actor=actor, now=now)
    _move(case, "complete_step", actor=actor, now=now, reason=note,
          data={"step": step.key, "due_at": step.due_at, "on_time": now <= step.due_at if step.due_at else None})
    return step


@case_service
def case_suspend(*, actor, case: Case, procedure: str, reason: str, now: dt.datetime | None = None) -> ClockPause:
    """Special procedure (现场勘查、专家评审、公示、听证): the clock stops, up to the item's cap."""
    now = _now(now)
    case = _lock(case)
    _check("suspend", actor, case)
    _require_text(reason=reason)
    special = case.item.special_procedures.filter(kind=procedure).first()
    if special is None:
        raise ValidationError({"procedure": "该事项没有规定此特别程序，不能中止计时"})
    pause = ClockPause.objects.create(case=case, procedure=procedure, cap=special.cap, cap_unit=special.cap_unit,
                                      reason=reason.strip(), started_at=now)
    _move(case, "suspend", actor=actor, now=now, reason=pause.reason,
          data={"procedure": procedure, "cap": [special.cap, special.cap_unit]})
    return pause



@case_service
def case_resume(*, actor, case: Case, note: str = "", now: dt.datetime | None = None) -> ClockPause:
    """End the special procedure; the due moments move by the working days it lasted (at most the cap)."""
    now = _now(now)
    case = _lock(case)
    _check("resume", actor, case)
    pause = ClockPause.objects.select_for_update().get(case=case, kind=PauseKind.SPECIAL, ended_at__isnull=True)
    days = clock.pause_shift(started_at=pause.started_at, ended_at=now, cap=pause.cap, cap_unit=pause.cap_unit)
    pause.ended_at, pause.shifted_days = now, days
    pause.save(update_fields=["ended_at", "shifted_days"])
    _shift_deadlines(case, days)
    case.paused_days += days
    _move(case, "resume", actor=actor, now=now, reason=note, data={
        "procedure": pause.procedure, "paused_working_days": days, "promised_due": case.promised_due,
        "legal_due": case.legal_due,
    }, fields=("promised_due", "legal_due", "warn_at", "paused_days"))
    return pause


@case_service
def case_extend(*, actor, case: Case, days: int, reason: str, now: dt.datetime | None = None) -> Case:
    """An approved extension adds working days to the due moments."""
    now = _now(now)
    case = _lock(case)
    _check("extend", actor, case)
    _require_text(reason=reason)
    if not 1 <= days <= 60:
        raise ValidationError({"days": "延长天数应在1到60个工作日之间"})
    _shift_deadlines(case, days)
    case.extended_days += days
    _move(case, "extend", actor=actor, now=now, reason=reason.strip(), data={
        "extended_working_days": days, "promised_due": case.promised_due, "legal_due": case.legal_due,
    }, fields=("promised_due", "legal_due", "warn_at", "extended_days"))
    return case


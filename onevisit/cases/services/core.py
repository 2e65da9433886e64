"""The mechanics every verb shares: lock the case row, check the transition table and the actor, write
the change once, append the history event and hand the transition to the seam (onevisit.cases.hooks)."""

import datetime as dt
import functools
import threading
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from onevisit.cases import clock, hooks
from onevisit.cases.access import who_is
from onevisit.cases.models import (
    ApplicantBar,
    Case,
    CaseStatus,
    CaseStep,
    ClockPause,
    PauseKind,
    Visit,
    VisitKind,
)
from onevisit.cases.transitions import TABLE, Transition, Who
from onevisit.catalog.models import StepRole, VersionStatus
from onevisit.errors import DomainError
from onevisit.history.services import events_append_many, record_change

S = CaseStatus


# ------------------------------------------------------------------------------------------------
# The mechanics every verb shares


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(case: Case) -> Case:
    """The case row, locked until the transaction ends; inside a batch, the batch's locked instance."""
    batch = _batch_of(case)
    if batch is not None:
        return batch.case
    return Case.objects.select_for_update(of=("self",)).select_related("item", "bundle").get(pk=case.pk)


# ------------------------------------------------------------------------------------------------
# A batch: several verbs on one case in one transaction (秒批: accept, steps, approve, result, delivery),
# with one lock, the case row written once, its steps once and its history events in one INSERT.


class _Batch:
    def __init__(self, case: Case):
        self.case = case
        self.fields: set[str] = set()
        self.steps: list[CaseStep] | None = None  # read once, or made by the acceptance
        self.new_steps = False
        self.dirty_steps: dict[int, tuple[CaseStep, set[str]]] = {}
        self.events: list[dict] = []


_batches = threading.local()


def case_service(fn):
    """The transaction of a case service: its own (or a savepoint in a caller's), except inside a batch, where
    every service is part of the batch's one write and a savepoint per service would only cost round trips."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with transaction.atomic(savepoint=getattr(_batches, "current", None) is None):
            return fn(*args, **kwargs)

    return run


def _batch_of(case: Case) -> "_Batch | None":
    batch = getattr(_batches, "current", None)
    return batch if batch is not None and batch.case.pk == case.pk else None


@contextmanager
def case_batch(case: Case):
    """Run several services on one case as one write: inside, `_lock` answers the same locked instance, the
    case row, its steps and its history events are written once when the block ends, and the seam hears
    every transition after that, in order (listeners, then reactions). Nothing is written if the block
    raises. Not re-entrant; one case at a time."""
    if getattr(_batches, "current", None) is not None:
        raise RuntimeError("case_batch is not re-entrant")
    # No savepoint of its own: a caller that wants to go on after a refusal wraps the batch in its own atomic.
    with transaction.atomic(savepoint=False):
        locked = _lock(case)
        batch = _Batch(locked)
        _batches.current = batch
        try:
            yield locked
        finally:
            _batches.current = None
        _flush(batch)


def _flush(batch: _Batch) -> None:
    case = batch.case
    if batch.fields:
        case.save(update_fields=sorted({"updated_at", *batch.fields}))
    if batch.steps and batch.new_steps:
        CaseStep.objects.bulk_create(batch.steps)
    elif batch.dirty_steps:
        fields = sorted({f for _s, fs in batch.dirty_steps.values() for f in fs})
        CaseStep.objects.bulk_update([s for s, _fs in batch.dirty_steps.values()], fields)
    if not batch.events:
        return
    events = events_append_many(obj=case, records=batch.events)
    verbs = tuple(e["action"] for e in batch.events)
    for record, event in zip(batch.events, events, strict=True):
        if record.get("moved"):
            hooks.transitioned(hooks.Moved(case=case, verb=record["action"], before=record["data"]["from"],
                                           after=record["data"]["to"], actor=record["actor"], at=record["at"],
                                           data=event.data, seq=event.seq, batch=verbs))


def record_case_event(case: Case, *, actor, action: str, reason: str = "", data: dict | None = None):
    """Append an event to the case's history that is not a transition (e.g. a decision record); inside a batch it
    goes into the batch's one INSERT."""
    batch = _batch_of(case)
    if batch is not None:
        batch.events.append({"actor": actor, "action": action, "reason": reason, "data": data or {}, "at": None})
        return None
    return record_change(obj=case, actor=actor, action=action, reason=reason, data=data)


# ------------------------------------------------------------------------------------------------
# Steps: read once per service (or batch), written together


def _check(verb: str, actor, case: Case, *, what: str = "") -> Transition:
    """Refuse the verb unless the table allows it from this status for this actor. `what` names the
    thing refused in the message when it says more than the verb's label."""
    t = TABLE[verb]
    if Who.SYSTEM not in t.who and not (who_is(actor, case) & t.who):
        raise PermissionDenied(f"无权对该办件执行“{t.label}”")
    if case.status not in t.sources:
        raise DomainError(
            f"办件 {case.number} 当前状态为“{case.get_status_display()}”，不能{what or t.label}",
            code="illegal_transition",
        )
    return t


def _move(case: Case, verb: str, *, actor, now: dt.datetime, reason: str = "", data: dict | None = None,
          fields: tuple[str, ...] = ()) -> None:
    """Write the new status (and the given fields) and append the event. The caller has checked."""
    t = TABLE[verb]
    before = case.status
    # Contributors see the case before it moves (e.g. the decision a result carries) and may refuse.
    extra = hooks.facts_for(case, verb, actor, now) if hooks.registry.contributors else {}
    if t.target is not None:
        case.status = t.target
    data = {"from": before, "to": case.status, "at": now, **(data or {}), **extra}
    batch = _batch_of(case)
    if batch is not None:
        batch.fields |= {"status", *fields} if (t.target is not None or fields) else set()
        batch.events.append({"actor": actor, "action": verb, "reason": reason, "data": data, "at": now, "moved": True})
        return
    if t.target is not None or fields:  # a verb that only records leaves the row alone
        case.save(update_fields=sorted({"status", "updated_at", *fields}))
    event = record_change(obj=case, actor=actor, action=verb, reason=reason, data=data, locked=True)
    hooks.transitioned(hooks.Moved(case=case, verb=verb, before=before, after=case.status, actor=actor, at=now,
                                   data=event.data, seq=event.seq))


def _require_not_child(case: Case, what: str) -> None:
    if case.parent_id is not None:
        raise DomainError(f"办件 {case.number} 是一件事的子件，{what}须在一件事主件上办理", code="bundle_child")


def _require_text(**values: str) -> None:
    errors = {name: "必须填写" for name, value in values.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def _children(case: Case) -> list[Case]:
    if not case.is_bundle_parent:
        return []  # only a bundle's parent has children
    return list(Case.objects.select_for_update(of=("self",)).select_related("item").filter(parent=case).order_by("stage", "id"))


def _record_visit(case: Case, kind: str, *, actor, now: dt.datetime, window=None, chosen: bool = False) -> dict:
    """Count a physical presence. A visit the process forced is measured against the promise and flags the
    case when it exceeds it; a visit the applicant chose (collecting the result at the window when they chose
    that over post or electronic delivery) is counted apart and never breaks the promise. Returns the event's
    facts."""
    Visit.objects.create(case=case, kind=kind, at=now, window=window, recorded_by=actor, chosen=chosen)
    case.visits += 1
    case.chosen_visits += 1 if chosen else 0
    promised = case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits
    forced = case.visits - case.chosen_visits
    if not chosen and forced > promised and not case.visits_exceeded:
        case.visits_exceeded = True
        case.visits_exceeded_reason = (
            f"第{forced}次因办理需要到现场（{VisitKind(kind).label}），超过承诺的{promised}次"
        )
    return {"visit": kind, "visit_chosen": chosen, "visits": case.visits, "chosen_visits": case.chosen_visits,
            "promised_visits": promised, "visits_exceeded": case.visits_exceeded}


_VISIT_FIELDS = ("visits", "chosen_visits", "visits_exceeded", "visits_exceeded_reason")


def _actor_window(actor, case: Case):
    from onevisit.cases.access import clerk_windows

    for window in clerk_windows(actor):
        if window.accepts(domain=case.domain, item_code=case.item_code):
            return window
    return None


def applicant_bar_standing(case: Case) -> hooks.Standing | None:
    """The engine's own source of an applicant's standing (registered in CasesConfig.ready): the 容缺
    restriction list. Other sources (the credit lists) plug into the same seam."""
    bar = ApplicantBar.objects.filter(applicant_key=case.applicant_key).values_list("reason", flat=True).first()
    if bar is None:
        return None
    return hooks.Standing(gaps_barred=f"申请人在容缺受理限制名单上（{bar}），不能容缺受理")


# A published item version never changes (a change is a new version), so its fields, materials and steps are
# kept per worker, keyed by the row and its last update (retiring changes status and updated_at); a draft's are
# read afresh.
_ITEM_PARTS: dict[tuple, dict[str, list]] = {}


def _item_part(item, name: str) -> list:
    if item.status != VersionStatus.PUBLISHED:
        return list(getattr(item, name).all())
    key = (item.pk, item.implementation_code, item.version, item.updated_at)
    parts = _ITEM_PARTS.get(key)
    if parts is None:
        if len(_ITEM_PARTS) > 5000:
            _ITEM_PARTS.clear()
        parts = _ITEM_PARTS[key] = {}
    if name not in parts:
        parts[name] = list(getattr(item, name).all())
    return parts[name]


def item_fields(item) -> list:
    return _item_part(item, "fields")


def item_materials(item) -> list:
    return _item_part(item, "materials")


def item_steps(item) -> list:
    return _item_part(item, "steps")


def _start_clock(case: Case, *, actor, now: dt.datetime, on_the_spot: bool = False) -> dict:
    """Set the due moments and instantiate the item's steps; the acceptance step is done now."""
    item = case.item
    case.accepted_at = now
    d = clock.deadlines_at_acceptance(
        accepted_at=now, promised=item.promised_limit, promised_unit=item.promised_limit_unit,
        legal=item.legal_limit, legal_unit=item.legal_limit_unit,
    )
    case.promised_due, case.legal_due, case.warn_at = d.promised_due, d.legal_due, d.warn_at
    steps = item_steps(item)
    dues = clock.step_dues(accepted_at=now, promised=item.promised_limit, unit=item.promised_limit_unit,
                           shares=[s.share for s in steps])
    rows = []
    for index, (s, due) in enumerate(zip(steps, dues, strict=True)):
        done = on_the_spot or (index == 0 and s.role == StepRole.WINDOW_CLERK)
        rows.append(CaseStep(
            case=case, position=s.position, key=s.key, name=s.name, role=s.role, department_id=case.department_id,
            share=s.share, due_at=due, completed_at=now if done else None, completed_by=actor if done else None,
        ))
    batch = _batch_of(case)
    if batch is not None:
        batch.steps, batch.new_steps = rows, True
    else:
        CaseStep.objects.bulk_create(rows)
        case._onevisit_steps = rows
    return {
        "accepted_at": now, "promised_due": case.promised_due, "legal_due": case.legal_due,
        "promised_limit": [item.promised_limit, item.promised_limit_unit],
        "legal_limit": [item.legal_limit, item.legal_limit_unit],
    }


_CLOCK_FIELDS = ("accepted_at", "promised_due", "legal_due", "warn_at")




# ------------------------------------------------------------------------------------------------
# 补正 after acceptance: the department asks, the clock stops until the applicant supplies


def _open_applicant_pause(case: Case) -> ClockPause | None:
    return ClockPause.objects.filter(case=case, kind=PauseKind.APPLICANT, ended_at__isnull=True).first()


def _requested_keys(case: Case, kind: str) -> set[str]:
    pause = _open_applicant_pause(case)
    return {r["key"] for r in pause.requested if r["kind"] == kind} if pause else set()



# ------------------------------------------------------------------------------------------------
# Back office: steps, suspension, extension, decision


def _steps(case: Case) -> list[CaseStep]:
    """The case's steps in order: one read per service, or the batch's own list."""
    batch = _batch_of(case)
    if batch is not None:
        if batch.steps is None:
            batch.steps = list(CaseStep.objects.filter(case=case).order_by("position"))
        return batch.steps
    cached = getattr(case, "_onevisit_steps", None)
    if cached is None:
        cached = case._onevisit_steps = list(CaseStep.objects.filter(case=case).order_by("position"))
    return cached


def _save_steps(case: Case, steps: list[CaseStep], fields: tuple[str, ...]) -> None:
    """Write changed steps: at once (one UPDATE for all of them), or with the batch."""
    if not steps:
        return
    batch = _batch_of(case)
    if batch is not None:
        if not batch.new_steps:
            for s in steps:
                batch.dirty_steps.setdefault(s.pk, (s, set()))[1].update(fields)
        return
    if len(steps) == 1:
        steps[0].save(update_fields=list(fields))
    else:
        CaseStep.objects.bulk_update(steps, list(fields))


def _complete(case: Case, steps: list[CaseStep], *, actor, now: dt.datetime) -> None:
    for s in steps:
        s.completed_at, s.completed_by = now, actor
    _save_steps(case, steps, ("completed_at", "completed_by"))


def _open_steps(case: Case) -> list[CaseStep]:
    return [s for s in _steps(case) if s.completed_at is None]


def _decision_position(case: Case) -> int | None:
    return next((s.position for s in _steps(case) if s.role == StepRole.APPROVER), None)


def open_steps_before_decision(case: Case) -> list[CaseStep]:
    """The open steps a decision still waits for, in order (inside a batch: the batch's own steps)."""
    position = _decision_position(case)
    return [s for s in _open_steps(case) if position is None or s.position < position]


def _shift_deadlines(case: Case, days: int) -> None:
    case.promised_due = clock.shift(case.promised_due, days)
    case.legal_due = clock.shift(case.legal_due, days)
    case.warn_at = clock.shift(case.warn_at, days)
    moved = _open_steps(case)
    for step in moved:
        step.due_at = clock.shift(step.due_at, days)
    _save_steps(case, moved, ("due_at",))



def require_intake(actor, case: Case) -> None:
    if Who.INTAKE not in who_is(actor, case):
        raise PermissionDenied("无权办理该办件")



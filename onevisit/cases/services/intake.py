import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from onevisit.cases import clock, hooks
from onevisit.cases.access import who_is
from onevisit.cases.forms import form_problems, raise_form_problems
from onevisit.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    Notice,
    Provision,
    Refusal,
    RefusalKind,
    VisitKind,
)
from onevisit.cases.services.core import (
    _CLOCK_FIELDS,
    _VISIT_FIELDS,
    _actor_window,
    _check,
    _children,
    _lock,
    _move,
    _now,
    _record_visit,
    _require_not_child,
    _require_text,
    _start_clock,
    case_service,
    item_fields,
)
from onevisit.cases.transitions import Who
from onevisit.catalog.models import Necessity, ServiceItem
from onevisit.errors import DomainError
from onevisit.workdays.calendar import add_working_days

S = CaseStatus
DEFAULT_GAP_DAYS = 5


# ------------------------------------------------------------------------------------------------
# Problems of a case (computed, never typed by the clerk)


def _items_and_fields(case: Case) -> list[tuple[ServiceItem, dict]]:
    if case.is_bundle_parent:
        return [(c.item, c.form_data) for c in Case.objects.filter(parent=case).select_related("item")]
    return [(case.item, case.form_data)]


def case_problems(case: Case, materials: list[CaseMaterial] | None = None) -> list[dict]:
    """Everything that stands between the case and its acceptance, at once. `materials` (the case's
    materials ordered by id) spares a query when the caller has read them."""
    problems = []
    if materials is None:
        materials = list(CaseMaterial.objects.filter(case=case).order_by("id"))
    for m in materials:
        if m.provision == Provision.MISSING and m.necessity in (Necessity.REQUIRED, Necessity.DEFERRABLE):
            label = "必要材料" if m.necessity == Necessity.REQUIRED else "容缺后补材料"
            problems.append({"kind": "material_missing", "key": m.key, "name": m.name, "necessity": m.necessity,
                             "reason": f"{label}“{m.name}”未提供"})
    seen = set()
    for item, data in _items_and_fields(case):
        for p in form_problems(item_fields(item), data):
            if p["kind"] != "field_unknown" and p["key"] not in seen:
                seen.add(p["key"])
                problems.append(p)
    return problems


def _mark_what_may_follow(case: Case, problems: list[dict]) -> None:
    """A one-time notice says which gaps block acceptance and which may follow it under 容缺 (the item allows
    it and the applicant is not barred): each problem gets `blocking`, and the deferrable ones say so."""
    items = [c.item for c in Case.objects.filter(parent=case).select_related("item")] or [case.item]
    gaps_possible = (all(i.allows_gaps for i in items) and not (case.item.is_on_the_spot and not case.is_bundle_parent)
                     and not hooks.standing_of(case).gaps_barred)
    for p in problems:
        deferrable = p["kind"] == "material_missing" and p.get("necessity") == Necessity.DEFERRABLE
        p["blocking"] = not (deferrable and gaps_possible)
        if not p["blocking"]:
            p["reason"] = f"容缺后补材料“{p['name']}”未提供：可先受理，受理后{DEFAULT_GAP_DAYS}个工作日内补齐，补齐前不出具结果"


def notice_days() -> int:
    """Working days the applicant has to supply what a one-time notice names (ONEVISIT_NOTICE_DAYS)."""
    return int(getattr(settings, "ONEVISIT_NOTICE_DAYS", 10))


# ------------------------------------------------------------------------------------------------
# Intake: notice, supplement, refusal, acceptance


def _problem_id(p: dict) -> tuple[str, str]:
    return (p["kind"], p["key"])


@case_service
def case_issue_notice(
    *, actor, case: Case, rejected: dict[str, str] | None = None, now: dt.datetime | None = None
) -> Notice:
    """一次性告知. The clerk may only add materials that do not meet the standard (with a reason);
    everything else is computed. A later notice may name only problems in what was supplied after
    the previous notice (or repeat what it already named and is still unresolved)."""
    now = _now(now)
    case = _lock(case)
    _check("notice", actor, case)
    _require_not_child(case, "一次性告知")
    rejected = rejected or {}
    problems = case_problems(case)
    materials = {m.key: m for m in CaseMaterial.objects.filter(case=case)}
    errors = {}
    for key, reason in rejected.items():
        m = materials.get(key)
        if m is None:
            errors[f"rejected.{key}"] = "该办件没有此材料"
        elif m.provision != Provision.UPLOADED:
            errors[f"rejected.{key}"] = "只有已提交的材料才能认定为不符合标准"
        elif not (reason or "").strip():
            errors[f"rejected.{key}"] = "必须说明不符合受理标准的理由"
    if errors:
        raise ValidationError(errors)
    for key, reason in rejected.items():
        m = materials[key]
        problems.append({"kind": "material_rejected", "key": key, "name": m.name, "sha256": m.sha256,
                         "reason": f"“{m.name}”不符合受理标准：{reason.strip()}"})
    if not problems:
        raise DomainError("材料齐全、表单完整，没有需要告知的问题，应予受理", code="nothing_to_notice")
    previous = list(Notice.objects.filter(case=case).order_by("seq"))
    if previous:
        last = previous[-1]
        named = {_problem_id(p) for n in previous for p in n.problems}
        named |= {("material_missing", p["key"]) for n in previous for p in n.problems if p["kind"] == "material_rejected"}
        late = []
        for p in problems:
            if _problem_id(p) in named and p["kind"] != "material_rejected":
                continue
            if p["kind"].startswith("material"):
                supplied = materials[p["key"]].supplied_at
            else:
                stamp = case.field_supplied_at.get(p["key"])
                supplied = dt.datetime.fromisoformat(stamp) if stamp else None
            if supplied is None or supplied <= last.issued_at:
                late.append(p)
        if late:
            raise DomainError(
                "再次告知只能指出首次告知后新补正材料中的问题；以下问题本应在首次告知中一次性列出："
                + "；".join(p["reason"] for p in late),
                code="notice_not_one_time", fields=[{"field": p["key"], "reason": p["reason"]} for p in late],
            )
    for key in rejected:
        m = materials[key]
        m.provision = Provision.MISSING
        m.save(update_fields=["provision"])
    _mark_what_may_follow(case, problems)
    notice = Notice.objects.create(case=case, seq=len(previous) + 1, problems=problems, issued_at=now, issued_by=actor,
                                   due_at=add_working_days(now, notice_days()))
    _move(case, "notice", actor=actor, now=now, data={"notice": notice.seq, "problems": problems})
    for child in _children(case):
        _move(child, "child_notice", actor=actor, now=now, data={"parent": case.number, "notice": notice.seq})
    return notice


@case_service
def case_supplement(
    *, actor, case: Case, form: dict[str, Any] | None = None, at_window: bool = False, now: dt.datetime | None = None
) -> Case:
    """The applicant supplies what the notice named (files are uploaded before); back to review."""
    now = _now(now)
    case = _lock(case)
    _check("supplement", actor, case)
    _require_not_child(case, "补正")
    form = form or {}
    if at_window and Who.INTAKE not in who_is(actor, case):
        raise PermissionDenied("窗口补正须由窗口人员登记")
    merged = {**case.form_data, **form}
    changed = [k for k in form if case.form_data.get(k) != form[k]]
    problems = []
    for item, _data in _items_and_fields(case):
        keys = {f.key for f in item_fields(item)}
        problems += [p for p in form_problems(item_fields(item), {k: v for k, v in merged.items() if k in keys})
                     if p["kind"] == "field_invalid"]
    if not case.is_bundle_parent:
        problems += [p for p in form_problems(item_fields(case.item), merged) if p["kind"] == "field_unknown"]
    raise_form_problems(problems)
    case.form_data = merged
    case.field_supplied_at = {**case.field_supplied_at, **{k: now.isoformat() for k in changed}}
    facts: dict[str, Any] = {"fields": changed}
    fields: tuple[str, ...] = ("form_data", "field_supplied_at")
    if at_window:
        facts.update(_record_visit(case, VisitKind.SUPPLEMENT, actor=actor, now=now, window=_actor_window(actor, case)))
        fields += _VISIT_FIELDS
    Notice.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=now)
    _move(case, "supplement", actor=actor, now=now, data=facts, fields=fields)
    for child in _children(case):
        keys = {f.key for f in item_fields(child.item)}
        child.form_data = {k: v for k, v in merged.items() if k in keys}
        _move(child, "child_supplement", actor=actor, now=now, data={"parent": case.number}, fields=("form_data",))
    return case


@case_service
def case_refuse(*, actor, case: Case, reasons: str, legal_basis: str, now: dt.datetime | None = None) -> Refusal:
    """不予受理, with reasons and legal basis, registered for the supervisors (窗口无否决权)."""
    now = _now(now)
    case = _lock(case)
    _check("refuse", actor, case)
    _require_not_child(case, "不予受理")
    _require_text(reasons=reasons, legal_basis=legal_basis)
    refusal = Refusal.objects.create(
        case=case, department_id=case.department_id, kind=RefusalKind.REFUSE_TO_ACCEPT, reasons=reasons.strip(),
        legal_basis=legal_basis.strip(), registered_at=now, registered_by=actor,
    )
    facts = {"refusal": refusal.pk, "kind": refusal.kind, "legal_basis": refusal.legal_basis}
    _move(case, "refuse", actor=actor, now=now, reason=refusal.reasons, data=facts)
    for child in _children(case):
        _move(child, "child_refused", actor=actor, now=now, reason=refusal.reasons, data={"parent": case.number})
    return refusal


@case_service
def refusal_overturn(*, actor, refusal: Refusal, reason: str, now: dt.datetime | None = None) -> Refusal:
    """A supervisor overturns a refusal to accept: the case goes back to review for acceptance."""
    now = _now(now)
    refusal = Refusal.objects.select_for_update().get(pk=refusal.pk)
    case = _lock(refusal.case)
    _check("overturn", actor, case)
    if refusal.kind != RefusalKind.REFUSE_TO_ACCEPT:
        raise DomainError("不予许可决定不能在此撤销，应通过行政复议或诉讼", code="not_overturnable")
    if refusal.overturned_at is not None:
        raise DomainError("该不予受理已被撤销", code="already_overturned")
    _require_text(reason=reason)
    refusal.overturned_at, refusal.overturned_by, refusal.overturn_reason = now, actor, reason.strip()
    refusal.save(update_fields=["overturned_at", "overturned_by", "overturn_reason"])
    _move(case, "overturn", actor=actor, now=now, reason=refusal.overturn_reason, data={"refusal": refusal.pk})
    for child in _children(case):
        _move(child, "child_reopened", actor=actor, now=now, data={"parent": case.number})
    return refusal



def _material_sources(case: Case, gaps: bool, materials: list[CaseMaterial] | None = None) -> dict[str, str]:
    names = {Provision.UPLOADED: "brought", Provision.SHARED_DATA: "shared_data", Provision.COMMITMENT: "commitment",
             Provision.INTERNAL: "bundle_result"}
    out = {}
    for m in CaseMaterial.objects.filter(case=case) if materials is None else materials:
        if m.provision in names:
            out[m.key] = names[m.provision]
        elif m.necessity == Necessity.DEFERRABLE and gaps:
            out[m.key] = "missing_under_gaps"
        else:
            out[m.key] = "not_provided"
    return out


@case_service
def case_accept(
    *, actor, case: Case, gaps: bool = False, gaps_due: dt.datetime | None = None, now: dt.datetime | None = None
) -> Case:
    """受理. Never with a 必要 material missing or a form problem. With gaps=True (容缺受理) the
    missing 容缺后补 materials are committed for gaps_due. An on-the-spot item is decided now."""
    now = _now(now)
    case = _lock(case)
    on_the_spot = case.item.is_on_the_spot and not case.is_bundle_parent
    verb = "accept_on_the_spot" if on_the_spot else "accept"
    _check(verb, actor, case)
    _require_not_child(case, "受理")
    materials = list(CaseMaterial.objects.filter(case=case).order_by("id"))  # read once for the three checks
    problems = case_problems(case, materials)
    required = [p for p in problems if p["kind"] == "material_missing" and p["necessity"] == Necessity.REQUIRED]
    deferrable = [p for p in problems if p["kind"] == "material_missing" and p["necessity"] == Necessity.DEFERRABLE]
    blocking = required + [p for p in problems if not p["kind"].startswith("material")]
    if blocking:
        raise DomainError(
            "不能受理：" + "；".join(p["reason"] for p in blocking) + "。请出具一次性告知",
            code="incomplete", fields=[{"field": p["key"], "reason": p["reason"]} for p in blocking],
        )
    if deferrable and not gaps:
        raise DomainError(
            "容缺后补材料未提供：" + "；".join(p["reason"] for p in deferrable) + "。可容缺受理或出具一次性告知",
            code="gaps", fields=[{"field": p["key"], "reason": p["reason"]} for p in deferrable],
        )
    facts: dict[str, Any] = {}
    committed = any(m.provision == Provision.COMMITMENT for m in materials)
    standing = hooks.standing_of(case, restrictions=bool(deferrable or committed))
    if deferrable:
        items = [c.item for c in Case.objects.filter(parent=case).select_related("item")] or [case.item]
        if not all(i.allows_gaps for i in items):
            raise DomainError("该事项不允许容缺受理", code="gaps_not_allowed")
        if on_the_spot:
            raise DomainError("即办件须材料齐全当场办结，不适用容缺受理", code="gaps_not_allowed")
        if standing.gaps_barred:
            raise DomainError(standing.gaps_barred, code="applicant_barred")
        case.gaps_outstanding = True
        case.gaps_due = gaps_due or add_working_days(now, DEFAULT_GAP_DAYS)
        facts["gaps"] = {"materials": [p["key"] for p in deferrable], "due": case.gaps_due}
    if committed:
        if standing.commitment_barred:
            raise DomainError(standing.commitment_barred, code="applicant_barred",
                              fields=[{"field": m.key, "reason": standing.commitment_barred}
                                      for m in materials if m.provision == Provision.COMMITMENT])
        case.post_check_required = True
    if standing.green_lane:
        case.green_lane, case.green_lane_reason = True, standing.green_lane[:300]
        facts["green_lane"] = case.green_lane_reason
    facts["material_sources"] = _material_sources(case, bool(deferrable), materials)
    flags = ("gaps_outstanding", "gaps_due", "post_check_required", "green_lane", "green_lane_reason")
    if case.is_bundle_parent:
        _accept_bundle(case, actor=actor, now=now, facts=facts, flags=flags)
        return case
    facts.update(_start_clock(case, actor=actor, now=now, on_the_spot=on_the_spot))
    if on_the_spot:
        case.decided_at = now
        facts.update({"decision": "approved", "on_the_spot": True, "days_used": 0, "on_time": True})
    _move(case, verb, actor=actor, now=now, data=facts, fields=(*_CLOCK_FIELDS, *flags, "decided_at"))
    return case


def _accept_bundle(parent: Case, *, actor, now: dt.datetime, facts: dict, flags: tuple) -> None:
    bundle = parent.bundle
    parent.accepted_at = now
    if bundle.promised_limit:
        parent.promised_due = clock.due_after(now, bundle.promised_limit, bundle.promised_limit_unit)
        parent.warn_at = clock.due_after(
            now, int(bundle.promised_limit * clock.warning_share()), bundle.promised_limit_unit)
    facts["promised_due"] = parent.promised_due
    _move(parent, "accept", actor=actor, now=now, data=facts, fields=(*_CLOCK_FIELDS, *flags))
    for child in _children(parent):
        if child.stage == 1:
            child_facts = _start_clock(child, actor=actor, now=now)
            _move(child, "child_accepted", actor=actor, now=now, data={"parent": parent.number, **child_facts},
                  fields=_CLOCK_FIELDS)
        else:
            _move(child, "child_waiting", actor=actor, now=now, data={"parent": parent.number})



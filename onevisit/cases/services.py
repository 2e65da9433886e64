"""Writes to cases. Each public function is one transaction that locks the case row, checks the
transition table (onevisit.cases.transitions) and the actor, writes the change and appends the
history event with the facts the reform's indicators are computed from."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onevisit.cases import clock
from onevisit.cases.access import who_is
from onevisit.cases.forms import form_problems, raise_form_problems
from onevisit.cases.models import (
    CLOCK_RUNNING,
    PENDING_ACCEPTANCE,
    VISIT_CHANNELS,
    ApplicantBar,
    ApplicantKind,
    Case,
    CaseChannel,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    ClockPause,
    DeliveryMethod,
    IdempotencyKey,
    Notice,
    PauseKind,
    Provision,
    Refusal,
    RefusalKind,
    Visit,
    VisitKind,
)
from onevisit.cases.signals import case_moved
from onevisit.cases.transitions import TABLE, Transition, Who
from onevisit.cases.uploads import check_upload, store
from onevisit.catalog.models import Bundle, Necessity, ServiceItem, StepRole, VersionStatus
from onevisit.errors import DomainError
from onevisit.history.services import events_start_chains, record_change
from onevisit.validators import clean_credit_code, clean_id_number
from onevisit.workdays.calendar import SHANGHAI, add_working_days, working_days_between

S = CaseStatus
DEFAULT_GAP_DAYS = 5

# ------------------------------------------------------------------------------------------------
# The mechanics every verb shares


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("item", "bundle").get(pk=case.pk)


def _check(verb: str, actor, case: Case) -> Transition:
    """Refuse the verb unless the table allows it from this status for this actor."""
    t = TABLE[verb]
    if Who.SYSTEM not in t.who and not (who_is(actor, case) & t.who):
        raise PermissionDenied(f"无权对该办件执行“{t.label}”")
    if case.status not in t.sources:
        raise DomainError(
            f"办件 {case.number} 当前状态为“{case.get_status_display()}”，不能{t.label}",
            code="illegal_transition",
        )
    return t


def _move(case: Case, verb: str, *, actor, now: dt.datetime, reason: str = "", data: dict | None = None,
          fields: tuple[str, ...] = ()) -> None:
    """Write the new status (and the given fields) and append the event. The caller has checked."""
    t = TABLE[verb]
    before = case.status
    if t.target is not None:
        case.status = t.target
    case.save(update_fields=sorted({"status", "updated_at", *fields}))
    record_change(
        obj=case, actor=actor, action=verb, reason=reason,
        data={"from": before, "to": case.status, "at": now, **(data or {})},
    )
    case_id, after = case.pk, case.status
    transaction.on_commit(
        lambda: case_moved.send(sender=Case, case_id=case_id, verb=verb, before=before, after=after)
    )


def _require_not_child(case: Case, what: str) -> None:
    if case.parent_id is not None:
        raise DomainError(f"办件 {case.number} 是一件事的子件，{what}须在一件事主件上办理", code="bundle_child")


def _require_text(**values: str) -> None:
    errors = {name: "必须填写" for name, value in values.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def _children(case: Case) -> list[Case]:
    return list(Case.objects.select_for_update(of=("self",)).select_related("item").filter(parent=case).order_by("stage", "id"))


def _record_visit(case: Case, kind: str, *, actor, now: dt.datetime, window=None) -> dict:
    """Count a physical presence; flag the case when it exceeds the promise. Returns the event fact."""
    Visit.objects.create(case=case, kind=kind, at=now, window=window, recorded_by=actor)
    case.visits += 1
    promised = case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits
    if case.visits > promised and not case.visits_exceeded:
        case.visits_exceeded = True
        case.visits_exceeded_reason = (
            f"第{case.visits}次到现场（{VisitKind(kind).label}），超过承诺的{promised}次"
        )
    return {"visit": kind, "visits": case.visits, "promised_visits": promised, "visits_exceeded": case.visits_exceeded}


_VISIT_FIELDS = ("visits", "visits_exceeded", "visits_exceeded_reason")


def _actor_window(actor, case: Case):
    from onevisit.cases.access import clerk_windows

    for window in clerk_windows(actor):
        if window.accepts(domain=case.domain, item_code=case.item_code):
            return window
    return None


# ------------------------------------------------------------------------------------------------
# Submission


def _next_number(code: str, day: dt.date) -> str:
    """实施编码 + YYYYMMDD + serial. One upsert: the counter row is locked only for this code and day."""
    table = "cases_casecounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (code, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [code, day],
        )
        serial = cursor.fetchone()[0]
    return f"{code}{day:%Y%m%d}{serial:06d}"


def _clean_applicant(applicant: dict[str, Any], targets: list[str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = applicant.get("kind") or ApplicantKind.PERSON
    out: dict[str, Any] = {"applicant_kind": kind}
    if kind not in ApplicantKind.values:
        errors["applicant.kind"] = "申请人类型应为自然人（person）或法人（company）"
    elif kind not in targets:
        errors["applicant.kind"] = f"该事项的服务对象不包括{ApplicantKind(kind).label}"
    name = (applicant.get("name") or "").strip()
    if not name:
        errors["applicant.name"] = "申请人名称必须填写"
    out["applicant_name"] = name
    if kind == ApplicantKind.PERSON:
        try:
            out["applicant_id_number"] = clean_id_number(applicant.get("id_number") or "")
        except ValidationError as exc:
            errors["applicant.id_number"] = exc.messages[0]
    elif kind == ApplicantKind.COMPANY:
        try:
            out["applicant_credit_code"] = clean_credit_code(applicant.get("credit_code") or "")
        except ValidationError as exc:
            errors["applicant.credit_code"] = exc.messages[0]
    for key in ("phone", "email", "address"):
        out[f"contact_{key}"] = (applicant.get(key) or "").strip()
    agent = applicant.get("agent") or {}
    if any(agent.values()):
        out["agent_name"] = (agent.get("name") or "").strip()
        out["agent_authorisation"] = (agent.get("authorisation") or "").strip()
        if not out["agent_name"]:
            errors["agent.name"] = "代办人姓名必须填写"
        if not out["agent_authorisation"]:
            errors["agent.authorisation"] = "代办须有申请人的授权委托"
        try:
            out["agent_id_number"] = clean_id_number(agent.get("id_number") or "")
        except ValidationError as exc:
            errors["agent.id_number"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return out


_ITEM_CHANNEL = {CaseChannel.AGENT: "window"}


def _check_submitter(actor, fields: dict[str, Any], channel: str, probe: Case) -> None:
    """A citizen applies for themself or as the named agent; a window submission needs a clerk whose
    window accepts the item."""
    if channel not in CaseChannel.values:
        raise ValidationError({"channel": "申请渠道应为 window、online、mobile、kiosk 或 agent"})
    own = getattr(actor, "id_number", None)
    if channel not in VISIT_CHANNELS and own and own in (fields.get("applicant_id_number"), fields.get("agent_id_number")):
        return  # the applicant (or named agent) applying online: no role lookup needed
    who = who_is(actor, probe)
    if channel in VISIT_CHANNELS:
        if Who.INTAKE not in who:
            raise PermissionDenied("窗口申请须由受理该事项的窗口人员录入")
        return
    if Who.APPLICANT not in who and Who.INTAKE not in who:
        raise PermissionDenied("只能以本人身份申请，或作为登记的代办人申请")


def _material_rows(case: Case, materials, requested: dict[str, str], allows_commitment: bool) -> list[CaseMaterial]:
    errors: dict[str, str] = {}
    rows = []
    known = {m.key for m in materials}
    for key in requested:
        if key not in known:
            errors[f"materials.{key}"] = "该事项没有此材料"
    for m in materials:
        provision = Provision.MISSING
        asked = requested.get(m.key)
        if asked == Provision.SHARED_DATA:
            if not m.shared_data_key:
                errors[f"materials.{m.key}"] = f"“{m.name}”不能通过共享数据获取"
            provision = Provision.SHARED_DATA
        elif asked == Provision.COMMITMENT:
            if not (m.commitment_allowed and allows_commitment):
                errors[f"materials.{m.key}"] = f"“{m.name}”不能以告知承诺替代"
            provision = Provision.COMMITMENT
        elif asked not in (None, "", Provision.MISSING, Provision.UPLOADED):
            errors[f"materials.{m.key}"] = "提供方式应为 shared_data 或 commitment（文件请上传）"
        rows.append(CaseMaterial(
            case=case, key=m.key, name=m.name, necessity=m.necessity, commitment_allowed=m.commitment_allowed,
            shared_data_key=m.shared_data_key, provision=provision,
        ))
    if errors:
        raise ValidationError(errors)
    return rows


def fingerprint_of(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(actor, key: str, fingerprint: str) -> Case | None:
    found = IdempotencyKey.objects.filter(user=actor, key=key).select_related("case").first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise DomainError(
            "该幂等键已用于内容不同的另一次申请；请为新的申请使用新的幂等键", code="idempotency_conflict",
            fields=[{"field": "Idempotency-Key", "reason": "同一幂等键的请求内容不同"}],
        )
    return found.case


def case_submit(
    *, actor, item_code: str | None = None, bundle_code: str | None = None, applicant: dict[str, Any],
    channel: str, form: dict[str, Any] | None = None, materials: dict[str, str] | None = None,
    uploads: dict[str, Any] | None = None, idempotency_key: str | None = None, now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Create a case (or a bundle's parent and children). Returns (case, created). `uploads` maps a
    material key to an uploaded file, stored with the case in the same request. With an idempotency
    key, a retried or racing request returns the case the first one created: the key row is inserted
    right after the case row, so a duplicate fails there (before any file is stored), rolls back, and
    the first case is returned. No extra read is spent on the common, first-time request."""
    form, materials, uploads = form or {}, materials or {}, uploads or {}
    checked = _check_uploads(uploads)
    payload = {"item": item_code, "bundle": bundle_code, "applicant": applicant, "channel": channel,
               "form": form, "materials": materials, "files": {k: u.sha256 for k, u in checked.items()}}
    fingerprint = fingerprint_of(payload)
    try:
        with transaction.atomic():
            if bool(item_code) == bool(bundle_code):
                raise ValidationError({"item_code": "请给出事项实施编码或一件事编码（二者选一）"})
            key_row = None
            if idempotency_key:
                key_row = IdempotencyKey(user=actor, key=idempotency_key, fingerprint=fingerprint)
            if item_code:
                case = _submit_item(actor=actor, item_code=item_code, applicant=applicant, channel=channel,
                                    form=form, materials=materials, uploads=checked, key_row=key_row,
                                    now=_now(now))
            else:
                if checked:
                    raise ValidationError({"files": "一件事申请的材料请在提交后逐项上传"})
                case = _submit_bundle(actor=actor, bundle_code=bundle_code, applicant=applicant, channel=channel,
                                      form=form, materials=materials, now=_now(now))
                if key_row is not None:
                    key_row.case = case
                    key_row.save(force_insert=True)
        from onevisit.rules.services import (
            decide_on_submission,  # datahub2 hook: 秒批 after the submit commits
        )
        if decide_on_submission(case) is not None:  # datahub2 hook
            case.refresh_from_db()  # datahub2 hook
        return case, True
    except IntegrityError:
        # The same key was used before (or by a racing request that committed first): ours rolled back.
        if idempotency_key:
            existing = _replay(actor, idempotency_key, fingerprint)
            if existing is not None:
                return existing, False
        raise


@dataclass(frozen=True)
class _Upload:
    content: bytes
    content_type: str
    ext: str
    sha256: str


def _check_uploads(uploads: dict[str, Any]) -> dict[str, _Upload]:
    """Read and sniff every file before anything is written; errors name files.<key>."""
    out, errors = {}, {}
    for key, upload in uploads.items():
        try:
            content, content_type, ext = check_upload(upload, f"files.{key}")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        out[key] = _Upload(content, content_type, ext, hashlib.sha256(content).hexdigest())
    if errors:
        raise ValidationError(errors)
    return out


def _initial_status(channel: str) -> str:
    return S.SUBMITTED if channel in VISIT_CHANNELS else S.PRE_REVIEW


def _new_case(*, actor, item: ServiceItem, fields: dict, channel: str, form: dict, now: dt.datetime,
              bundle=None, parent=None, stage=1) -> Case:
    case = Case(
        item=item, item_code=item.implementation_code, domain=item.domain, department_id=item.department_id,
        bundle=bundle, parent=parent, stage=stage, status=_initial_status(channel), channel=channel,
        form_data=form, submitted_by=actor, submitted_at=now, **fields,
    )
    return case


def _submission_facts(case: Case, item: ServiceItem, rows: list[CaseMaterial]) -> dict:
    return {
        "channel": case.channel, "item_code": item.implementation_code, "item_version": item.version,
        "materials": {m.key: m.provision for m in rows},
        "promised_limit": [item.promised_limit, item.promised_limit_unit],
        "legal_limit": [item.legal_limit, item.legal_limit_unit],
        "promised_visits": item.promised_visits,
    }


# Published item versions never change (a change is a new version), so their fields and materials are
# cached per process, keyed by the row and its last update (retiring changes status and updated_at).
_ITEM_PARTS: dict[tuple, tuple[list, list]] = {}


def _item_parts(item: ServiceItem) -> tuple[list, list]:
    key = (item.pk, item.implementation_code, item.version, item.updated_at)
    parts = _ITEM_PARTS.get(key)
    if parts is None:
        if len(_ITEM_PARTS) > 5000:
            _ITEM_PARTS.clear()
        parts = _ITEM_PARTS[key] = (list(item.fields.all()), list(item.materials.all()))
    return parts


def _submit_item(*, actor, item_code, applicant, channel, form, materials, now, uploads=None, key_row=None) -> Case:
    uploads = uploads or {}
    item = ServiceItem.objects.filter(implementation_code=item_code, status=VersionStatus.PUBLISHED).first()
    if item is None:
        raise ValidationError({"item_code": f"事项 {item_code} 不存在或未发布"})
    item_fields, item_materials = _item_parts(item)
    fields = _clean_applicant(applicant, item.targets)
    if _ITEM_CHANNEL.get(channel, channel) not in item.channels:
        raise ValidationError({"channel": "该事项不支持此申请渠道"})
    case = _new_case(actor=actor, item=item, fields=fields, channel=channel, form=form, now=now)
    _check_submitter(actor, fields, channel, case)
    # Missing required fields are allowed here: the one-time notice names them. Wrong values are not.
    raise_form_problems([p for p in form_problems(item_fields, form) if p["kind"] != "field_missing"])
    rows = _material_rows(case, item_materials, materials, item.allows_commitment)
    unknown = {f"files.{k}": "该事项没有此材料" for k in uploads if k not in {m.key for m in rows}}
    if unknown:
        raise ValidationError(unknown)
    case.number = _next_number(item_code, now.astimezone(SHANGHAI).date())
    from onevisit.datahub.onecard import case_fetch  # datahub2 hook: 一证通办 (fetch proofs, prefill form)
    fetched = case_fetch(case=case, item=item, rows=rows)  # datahub2 hook
    case.save(force_insert=True)
    if key_row is not None:
        key_row.case = case
        key_row.save(force_insert=True)
    for m in rows:
        upload = uploads.get(m.key)
        if upload is not None:
            stored = store(case_number=case.number, key=m.key, content=upload.content, ext=upload.ext,
                           content_type=upload.content_type, digest=upload.sha256)
            m.provision, m.file, m.sha256, m.size = Provision.UPLOADED, stored.path, stored.sha256, stored.size
            m.content_type, m.supplied_at = stored.content_type, now
    CaseMaterial.objects.bulk_create(rows)
    fetched.save()  # datahub2 hook
    facts = _submission_facts(case, item, rows)
    if channel in VISIT_CHANNELS:
        facts.update(_record_visit(case, VisitKind.SUBMISSION, actor=actor, now=now, window=_actor_window(actor, case)))
        case.save(update_fields=list(_VISIT_FIELDS))
    # A new case has no chain yet: open it at seq 1 without reading a head (no savepoint, no SELECT).
    events_start_chains([{"obj": case, "actor": actor, "action": "submit",
                          "data": {"from": None, "to": case.status, "at": now, **facts}}])
    case.submitted_materials = rows  # the receipt shows them without reading them back
    return case


def _submit_bundle(*, actor, bundle_code, applicant, channel, form, materials, now) -> Case:
    from onevisit.catalog.bundles import bundle_plan

    bundle = Bundle.objects.filter(code=bundle_code, status=VersionStatus.PUBLISHED).select_related(
        "lead_department").first()
    if bundle is None:
        raise ValidationError({"bundle_code": f"一件事 {bundle_code} 不存在或未发布"})
    plan = bundle_plan(bundle)
    if plan.problems:
        raise DomainError("该一件事暂不能申请：" + "；".join(plan.problems), code="bundle_not_ready")
    lead = plan.stages[0][0]
    fields = _clean_applicant(applicant, sorted({t for i in plan.items for t in i.targets}))
    parent = _new_case(actor=actor, item=lead, fields=fields, channel=channel, form=form, now=now, bundle=bundle)
    parent.department_id = bundle.lead_department_id
    _check_submitter(actor, fields, channel, parent)
    problems, keys = [], set()
    for item in plan.items:
        part = {k: v for k, v in form.items() if k in {f.key for f in item.fields.all()}}
        for p in form_problems(item.fields.all(), part):
            if p["kind"] not in ("field_missing", "field_unknown") and p["key"] not in keys:
                keys.add(p["key"])
                problems.append(p)
    known = {f.key for f in plan.fields}
    problems += [{"key": k, "reason": "该一件事没有此字段"} for k in form if k not in known]
    raise_form_problems(problems)
    day = now.astimezone(SHANGHAI).date()
    parent.number = _next_number(lead.implementation_code, day)
    parent.save(force_insert=True)
    rows = _material_rows(parent, plan.materials, materials, all(i.allows_commitment for i in plan.items))
    CaseMaterial.objects.bulk_create(rows)
    facts = {
        "channel": channel, "bundle": bundle.code, "materials": {m.key: m.provision for m in rows},
        "promised_limit": [bundle.promised_limit, bundle.promised_limit_unit],
        "promised_visits": bundle.promised_visits,
    }
    if channel in VISIT_CHANNELS:
        facts.update(_record_visit(parent, VisitKind.SUBMISSION, actor=actor, now=now,
                                   window=_actor_window(actor, parent)))
        parent.save(update_fields=list(_VISIT_FIELDS))
    record_change(obj=parent, actor=actor, action="submit", data={"from": None, "to": parent.status, "at": now, **facts})
    by_key = {m.key: m for m in rows}
    for stage_no, stage in enumerate(plan.stages, start=1):
        for item in stage:
            item_keys = {f.key for f in item.fields.all()}
            child = _new_case(actor=actor, item=item, fields=fields, channel=channel, now=now, bundle=bundle,
                              parent=parent, stage=stage_no, form={k: v for k, v in form.items() if k in item_keys})
            child.number = _next_number(item.implementation_code, day)
            child.save(force_insert=True)
            shared = [by_key[m.key] for m in plan.materials_for(item.implementation_code)]
            child.distributed_materials.add(*shared)
            record_change(obj=child, actor=actor, action="submit", data={
                "from": None, "to": child.status, "at": now, "parent": parent.number, "stage": stage_no,
                **_submission_facts(child, item, shared),
            })
    return parent


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
        for p in form_problems(item.fields.all(), data):
            if p["kind"] != "field_unknown" and p["key"] not in seen:
                seen.add(p["key"])
                problems.append(p)
    return problems


# ------------------------------------------------------------------------------------------------
# Intake: notice, supplement, refusal, acceptance


def _problem_id(p: dict) -> tuple[str, str]:
    return (p["kind"], p["key"])


@transaction.atomic
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
    notice = Notice.objects.create(case=case, seq=len(previous) + 1, problems=problems, issued_at=now, issued_by=actor)
    _move(case, "notice", actor=actor, now=now, data={"notice": notice.seq, "problems": problems})
    for child in _children(case):
        _move(child, "child_notice", actor=actor, now=now, data={"parent": case.number, "notice": notice.seq})
    return notice


@transaction.atomic
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
        keys = {f.key for f in item.fields.all()}
        problems += [p for p in form_problems(item.fields.all(), {k: v for k, v in merged.items() if k in keys})
                     if p["kind"] == "field_invalid"]
    if not case.is_bundle_parent:
        problems += [p for p in form_problems(case.item.fields.all(), merged) if p["kind"] == "field_unknown"]
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
        keys = {f.key for f in child.item.fields.all()}
        child.form_data = {k: v for k, v in merged.items() if k in keys}
        _move(child, "child_supplement", actor=actor, now=now, data={"parent": case.number}, fields=("form_data",))
    return case


@transaction.atomic
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


@transaction.atomic
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


def _is_barred(case: Case) -> bool:
    return ApplicantBar.objects.filter(applicant_key=case.applicant_key).exists()


def _start_clock(case: Case, *, actor, now: dt.datetime, on_the_spot: bool = False) -> dict:
    """Set the due moments and instantiate the item's steps; the acceptance step is done now."""
    item = case.item
    case.accepted_at = now
    d = clock.deadlines_at_acceptance(
        accepted_at=now, promised=item.promised_limit, promised_unit=item.promised_limit_unit,
        legal=item.legal_limit, legal_unit=item.legal_limit_unit,
    )
    case.promised_due, case.legal_due, case.warn_at = d.promised_due, d.legal_due, d.warn_at
    steps = list(item.steps.all())
    dues = clock.step_dues(accepted_at=now, promised=item.promised_limit, unit=item.promised_limit_unit,
                           shares=[s.share for s in steps])
    rows = []
    for index, (s, due) in enumerate(zip(steps, dues, strict=True)):
        done = on_the_spot or (index == 0 and s.role == StepRole.WINDOW_CLERK)
        rows.append(CaseStep(
            case=case, position=s.position, key=s.key, name=s.name, role=s.role, department_id=case.department_id,
            share=s.share, due_at=due, completed_at=now if done else None, completed_by=actor if done else None,
        ))
    CaseStep.objects.bulk_create(rows)
    return {
        "accepted_at": now, "promised_due": case.promised_due, "legal_due": case.legal_due,
        "promised_limit": [item.promised_limit, item.promised_limit_unit],
        "legal_limit": [item.legal_limit, item.legal_limit_unit],
    }


_CLOCK_FIELDS = ("accepted_at", "promised_due", "legal_due", "warn_at")


def _material_sources(case: Case, gaps: bool, materials: list[CaseMaterial] | None = None) -> dict[str, str]:
    names = {Provision.UPLOADED: "brought", Provision.SHARED_DATA: "shared_data", Provision.COMMITMENT: "commitment"}
    out = {}
    for m in CaseMaterial.objects.filter(case=case) if materials is None else materials:
        if m.provision in names:
            out[m.key] = names[m.provision]
        elif m.necessity == Necessity.DEFERRABLE and gaps:
            out[m.key] = "missing_under_gaps"
        else:
            out[m.key] = "not_provided"
    return out


@transaction.atomic
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
    if deferrable:
        items = [c.item for c in Case.objects.filter(parent=case).select_related("item")] or [case.item]
        if not all(i.allows_gaps for i in items):
            raise DomainError("该事项不允许容缺受理", code="gaps_not_allowed")
        if on_the_spot:
            raise DomainError("即办件须材料齐全当场办结，不适用容缺受理", code="gaps_not_allowed")
        if _is_barred(case):
            raise DomainError("申请人在容缺受理限制名单上，不能容缺受理", code="applicant_barred")
        case.gaps_outstanding = True
        case.gaps_due = gaps_due or add_working_days(now, DEFAULT_GAP_DAYS)
        facts["gaps"] = {"materials": [p["key"] for p in deferrable], "due": case.gaps_due}
    if any(m.provision == Provision.COMMITMENT for m in materials):
        case.post_check_required = True
    facts["material_sources"] = _material_sources(case, bool(deferrable), materials)
    flags = ("gaps_outstanding", "gaps_due", "post_check_required")
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


# ------------------------------------------------------------------------------------------------
# Materials


@transaction.atomic
def case_material_upload(*, actor, case: Case, key: str, upload, now: dt.datetime | None = None) -> CaseMaterial:
    """Store a file for a material: before acceptance, or after 容缺受理 for a missing material."""
    now = _now(now)
    case = _lock(case)
    who = who_is(actor, case)
    if not who & {Who.APPLICANT, Who.INTAKE}:
        raise PermissionDenied("只有申请人（代办人）或受理窗口可以提交材料")
    _require_not_child(case, "提交材料")
    material = CaseMaterial.objects.select_for_update().filter(case=case, key=key).first()
    if material is None:
        raise ValidationError({"key": f"该办件没有标识为“{key}”的材料"})
    before_acceptance = case.status in (*PENDING_ACCEPTANCE, S.AWAITING_SUPPLEMENT)
    gap = case.gaps_outstanding and material.provision == Provision.MISSING and material.necessity == Necessity.DEFERRABLE
    requested = case.status == S.AWAITING_APPLICANT and key in _requested_keys(case, "material")
    if requested:
        gap = False
    if not before_acceptance and not gap and not requested:
        raise DomainError(f"办件当前状态为“{case.get_status_display()}”，不能再提交“{material.name}”",
                          code="illegal_transition")
    if gap:
        _check("supply_gap", actor, case)
    content, content_type, ext = check_upload(upload, "file")
    stored = store(case_number=case.number, key=key, content=content, ext=ext, content_type=content_type)
    material.provision = Provision.UPLOADED
    material.file, material.sha256, material.size = stored.path, stored.sha256, stored.size
    material.content_type, material.supplied_at = stored.content_type, now
    material.save()
    facts = {"material": key, "sha256": stored.sha256, "size": stored.size, "content_type": content_type}
    if gap:
        remaining = CaseMaterial.objects.filter(
            case=case, provision=Provision.MISSING, necessity=Necessity.DEFERRABLE).exists()
        case.gaps_outstanding = remaining
        facts["gaps_outstanding"] = remaining
        _move(case, "supply_gap", actor=actor, now=now, data=facts, fields=("gaps_outstanding",))
    else:
        record_change(obj=case, actor=actor, action="material_uploaded", data={"at": now, **facts})
    return material


# ------------------------------------------------------------------------------------------------
# 补正 after acceptance: the department asks, the clock stops until the applicant supplies


def _open_applicant_pause(case: Case) -> ClockPause | None:
    return ClockPause.objects.filter(case=case, kind=PauseKind.APPLICANT, ended_at__isnull=True).first()


def _requested_keys(case: Case, kind: str) -> set[str]:
    pause = _open_applicant_pause(case)
    return {r["key"] for r in pause.requested if r["kind"] == kind} if pause else set()


@transaction.atomic
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
    known_fields = {f.key: f.label for f in case.item.fields.all()}
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


@transaction.atomic
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
    raise_form_problems([p for p in form_problems(case.item.fields.all(), merged)
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


# ------------------------------------------------------------------------------------------------
# Back office: steps, suspension, extension, decision


def _open_steps(case: Case) -> list[CaseStep]:
    return list(CaseStep.objects.filter(case=case, completed_at__isnull=True).order_by("position"))


def _decision_position(case: Case) -> int | None:
    step = CaseStep.objects.filter(case=case, role=StepRole.APPROVER).order_by("position").first()
    return step.position if step else None


@transaction.atomic
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
    step.completed_at, step.completed_by = now, actor
    step.save(update_fields=["completed_at", "completed_by"])
    _move(case, "complete_step", actor=actor, now=now, reason=note,
          data={"step": step.key, "due_at": step.due_at, "on_time": now <= step.due_at if step.due_at else None})
    return step


@transaction.atomic
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


def _shift_deadlines(case: Case, days: int) -> None:
    case.promised_due = clock.shift(case.promised_due, days)
    case.legal_due = clock.shift(case.legal_due, days)
    case.warn_at = clock.shift(case.warn_at, days)
    for step in _open_steps(case):
        step.due_at = clock.shift(step.due_at, days)
        step.save(update_fields=["due_at"])


@transaction.atomic
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


@transaction.atomic
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


def _complete_decision_step(case: Case, actor, now: dt.datetime) -> None:
    position = _decision_position(case)
    if position is None:
        return
    earlier = [s for s in _open_steps(case) if s.position < position]
    if earlier:
        raise DomainError(f"须先完成环节“{earlier[0].name}”才能作出决定", code="step_order")
    CaseStep.objects.filter(case=case, position=position).update(completed_at=now, completed_by=actor)


def _decision_facts(case: Case, now: dt.datetime) -> dict:
    return {
        "days_used": clock.days_used(case, now), "paused_working_days": case.paused_days,
        "extended_working_days": case.extended_days, "promised_due": case.promised_due, "legal_due": case.legal_due,
        "on_time": case.promised_due is None or now <= case.promised_due,
        "within_legal": case.legal_due is None or now <= case.legal_due,
    }


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
def case_issue_result(*, actor, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    """出具结果 (licence or the denial decision). 容缺 materials must be in by now."""
    now = _now(now)
    case = _lock(case)
    _check("issue_result", actor, case)
    owner = Case.objects.get(pk=case.parent_id) if case.parent_id else case
    if owner.gaps_outstanding:
        raise DomainError("容缺后补材料尚未补齐，不能出具结果", code="gaps_outstanding")
    deliver_position = (
        CaseStep.objects.filter(case=case, role=StepRole.WINDOW_CLERK, position__gt=1).order_by("position")
        .values_list("position", flat=True).first()
    )
    open_before = CaseStep.objects.filter(case=case, completed_at__isnull=True)
    if deliver_position:
        open_before = open_before.filter(position__lt=deliver_position)
    open_before.update(completed_at=now, completed_by=actor)
    data = {}
    if case.status == S.APPROVED:
        from onevisit.licences.results import licence_issue_for_case  # the item's result e-licence, if any

        licence = licence_issue_for_case(case=case)
        if licence is not None:
            data["licence"] = licence.identifier
    _move(case, "issue_result", actor=actor, now=now, reason=note, data=data)
    if case.parent_id:
        parent = _lock(Case(pk=case.parent_id))
        _roll_up(parent, _children(parent), actor=actor, now=now)
    return case


@transaction.atomic
def case_deliver(
    *, actor, case: Case, method: str, tracking_number: str = "", now: dt.datetime | None = None
) -> Case:
    """Deliver the result once: at the window (a visit), by post (tracking number) or electronically.
    A bundle delivers every child's result together, through its parent."""
    now = _now(now)
    case = _lock(case)
    _check("deliver", actor, case)
    _require_not_child(case, "送达")
    method = method or case.delivery_method  # the applicant's choice (case_choose_delivery) unless overridden
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": "送达方式应为 window、post 或 electronic"})
    if method == DeliveryMethod.POST and not tracking_number.strip():
        raise ValidationError({"tracking_number": "邮寄送达必须填写快递单号"})
    case.delivery_method, case.tracking_number, case.delivered_at = method, tracking_number.strip(), now
    facts: dict[str, Any] = {"method": method, "tracking_number": case.tracking_number}
    fields: tuple[str, ...] = ("delivery_method", "tracking_number", "delivered_at")
    if method == DeliveryMethod.WINDOW:
        facts.update(_record_visit(case, VisitKind.PICKUP, actor=actor, now=now, window=_actor_window(actor, case)))
        fields += _VISIT_FIELDS
    CaseStep.objects.filter(case=case, completed_at__isnull=True).update(completed_at=now, completed_by=actor)
    _move(case, "deliver", actor=actor, now=now, data=facts, fields=fields)
    for child in _children(case):
        if child.status == S.RESULT_ISSUED:
            child.delivery_method, child.tracking_number, child.delivered_at = method, case.tracking_number, now
            CaseStep.objects.filter(case=child, completed_at__isnull=True).update(completed_at=now, completed_by=actor)
            _move(child, "child_delivered", actor=actor, now=now, data={"parent": case.number, "method": method},
                  fields=("delivery_method", "tracking_number", "delivered_at"))
    return case


@transaction.atomic
def case_archive(*, actor, case: Case, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    case = _lock(case)
    _check("archive", actor, case)
    _require_not_child(case, "归档")
    _move(case, "archive", actor=actor, now=now)
    from onevisit.archive.services import archive_package  # datahub2 hook: 电子档案
    archive_package(case=case, now=now)  # datahub2 hook
    for child in _children(case):
        if child.status in TABLE["child_archived"].sources:
            _move(child, "child_archived", actor=actor, now=now, data={"parent": case.number})
    return case


@transaction.atomic
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


@transaction.atomic
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


def require_intake(actor, case: Case) -> None:
    if Who.INTAKE not in who_is(actor, case):
        raise PermissionDenied("无权办理该办件")



_POST_ADDRESS_PLACE = ("省", "市", "区", "县", "镇", "乡")
_POST_ADDRESS_SPOT = ("路", "街", "巷", "号", "村", "弄", "室", "栋", "幢", "组")


def clean_post_address(address: str) -> str:
    """A postal address the courier can use: a place (省/市/区/县…) and a spot (路/街/号…)."""
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": "邮寄送达必须填写收件地址"})
    if not 8 <= len(address) <= 200:
        raise ValidationError({"address": "收件地址应为8到200个字"})
    if not any(c in address for c in _POST_ADDRESS_PLACE) or not any(c in address for c in _POST_ADDRESS_SPOT):
        raise ValidationError({"address": "收件地址不完整：请写明省、市、区（县）和街道门牌号"})
    return address


@transaction.atomic
def case_choose_delivery(*, actor, case: Case, method: str, address: str = "", now: dt.datetime | None = None) -> Case:
    """The applicant chooses how the result reaches them (window, post with address, electronic);
    case_deliver uses this choice when the clerk gives no other method. The status does not change."""
    now = _now(now)
    case = _lock(case)
    if Who.APPLICANT not in who_is(actor, case):
        raise PermissionDenied("只有申请人（代办人）可以选择送达方式")
    if case.delivered_at is not None or case.status in (S.ARCHIVED, S.WITHDRAWN, S.REFUSED, S.CANCELLED):
        raise DomainError(f"办件当前状态为“{case.get_status_display()}”，不能再更改送达方式", code="illegal_transition")
    if method not in DeliveryMethod.values:
        raise ValidationError({"delivery_method": "送达方式应为窗口领取、邮寄送达或电子送达"})
    fields = ["delivery_method", "updated_at"]
    case.delivery_method = method
    if method == DeliveryMethod.POST:
        case.contact_address = clean_post_address(address)
        fields.append("contact_address")
    case.save(update_fields=fields)
    record_change(obj=case, actor=actor, action="choose_delivery",
                  data={"at": now, "method": method, "address": case.contact_address if method == "post" else ""})
    return case
@transaction.atomic
def case_material_commit(*, actor, case: Case, key: str, now: dt.datetime | None = None) -> CaseMaterial:
    """告知承诺 for one material before acceptance (e.g. ticked at the window): the applicant's written
    commitment replaces it, and the case will need a post-check after approval."""
    now = _now(now)
    case = _lock(case)
    if not who_is(actor, case) & {Who.APPLICANT, Who.INTAKE}:
        raise PermissionDenied("只有申请人（代办人）或受理窗口可以选择承诺替代")
    _require_not_child(case, "承诺替代")
    if case.status not in (*PENDING_ACCEPTANCE, S.AWAITING_SUPPLEMENT):
        raise DomainError(f"办件当前状态为“{case.get_status_display()}”，不能再选择承诺替代", code="illegal_transition")
    material = CaseMaterial.objects.select_for_update().filter(case=case, key=key).first()
    if material is None:
        raise ValidationError({"key": f"该办件没有标识为“{key}”的材料"})
    items = [c.item for c in Case.objects.filter(parent=case).select_related("item")] or [case.item]
    if not (material.commitment_allowed and all(i.allows_commitment for i in items)):
        raise ValidationError({f"materials.{key}": f"“{material.name}”不能以告知承诺替代"})
    material.provision, material.supplied_at = Provision.COMMITMENT, now
    material.save(update_fields=["provision", "supplied_at"])
    record_change(obj=case, actor=actor, action="material_committed", data={"at": now, "material": key})
    return material

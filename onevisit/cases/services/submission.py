"""Submission: a case (or a bundle's parent and its children) created from an application, with its
number, its materials (uploaded, fetched through the seam's enrichers, committed or missing), the
first visit when it is made at a window, and the idempotency key that makes a retry return the same case.
Reactions to the submission (秒批 among them) run after the commit, through the seam."""

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)

from onevisit.cases import hooks
from onevisit.cases.access import who_is
from onevisit.cases.forms import form_problems, raise_form_problems
from onevisit.cases.models import (
    VISIT_CHANNELS,
    ApplicantClaim,
    ApplicantKind,
    Case,
    CaseChannel,
    CaseMaterial,
    CaseStatus,
    IdempotencyKey,
    Provision,
    VisitKind,
)
from onevisit.cases.services.core import (
    _VISIT_FIELDS,
    _actor_window,
    _now,
    _record_visit,
)
from onevisit.cases.services.core import (
    item_fields as item_fields_of,
)
from onevisit.cases.services.core import (
    item_materials as item_materials_of,
)
from onevisit.cases.transitions import Who
from onevisit.cases.uploads import check_upload, store
from onevisit.catalog.models import Bundle, ServiceItem, VersionStatus
from onevisit.errors import DomainError
from onevisit.history.services import events_start_chains, record_change
from onevisit.validators import clean_credit_code, clean_id_number
from onevisit.workdays.calendar import SHANGHAI

S = CaseStatus


# ------------------------------------------------------------------------------------------------
# Submission


_COUNTER_SQL = (
    "INSERT INTO cases_casecounter (code, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (code, day) DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last"
)
_numbering = threading.local()


def _numbering_connection():
    """A connection of its own (per thread) that takes case numbers in autocommit: the counter row is
    locked for the one statement, not until the submission commits (docs/decisions/0003)."""
    conn = getattr(_numbering, "connection", None)
    if conn is None:
        conn = _numbering.connection = connections.create_connection(DEFAULT_DB_ALIAS)
    return conn


def close_numbering_connection(**_signal) -> None:
    """Close this thread's numbering connection (tests end with it; a worker simply exits)."""
    conn = getattr(_numbering, "connection", None)
    if conn is not None:
        conn.close()
        _numbering.connection = None


def numbering_request_finished(**_signal) -> None:
    """Keep the numbering connection as long as the default connection is kept (DB_CONN_MAX_AGE): a gunicorn
    worker keeps both; a server that opens a connection per request closes this one after each request too."""
    if not connections[DEFAULT_DB_ALIAS].settings_dict.get("CONN_MAX_AGE"):
        close_numbering_connection()


def _take_serial(code: str, day: dt.date) -> int:
    if connection.vendor != "postgresql" or not getattr(settings, "ONEVISIT_NUMBERS_OUTSIDE_TRANSACTION", True):
        # SQLite has one writer at a time anyway (and a second connection would wait for ours): in-transaction.
        with connection.cursor() as cursor:
            cursor.execute(_COUNTER_SQL, [code, day])
            return cursor.fetchone()[0]
    for attempt in (1, 2):
        conn = _numbering_connection()
        try:
            with conn.cursor() as cursor:
                cursor.execute(_COUNTER_SQL, [code, day])
                return cursor.fetchone()[0]
        except (OperationalError, InterfaceError):
            conn.close()  # a dropped connection (server restart, idle timeout): open a fresh one once
            _numbering.connection = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _next_number(code: str, day: dt.date) -> str:
    """实施编码 + YYYYMMDD + 6-digit serial per (code, day). Unique and increasing; on PostgreSQL taken in its
    own short transaction, so a submission that fails after taking its number leaves a gap (decision 0003)."""
    return f"{code}{day:%Y%m%d}{_take_serial(code, day):06d}"


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
        try:
            out["agent_id_number"] = clean_id_number(agent.get("id_number") or "")
        except ValidationError as exc:
            errors["agent.id_number"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return out


_ITEM_CHANNEL = {CaseChannel.AGENT: "window"}


def _check_submitter(actor, fields: dict[str, Any], channel: str, probe: Case) -> None:
    """Who may apply in whose name (the claim is recorded on the case):
    - at a window (window, agent channels): a clerk whose window accepts the item, who checks the identity
      of the person in front of them;
    - a signed-in person: for themself; in anyone else's name (a principal, a company) only with an
      entitlement a source of the seam finds: a mandate from the principal covering the item, or being the
      company's legal representative in the legal-entity register. A typed "authorisation" is not one;
    - a department's system or staff (no personal identity): for anyone, recorded as the submitter."""
    if channel not in CaseChannel.values:
        raise ValidationError({"channel": "申请渠道应为 window、online、mobile、kiosk 或 agent"})
    if channel in VISIT_CHANNELS:
        if Who.INTAKE not in who_is(actor, probe):
            raise PermissionDenied("窗口申请须由受理该事项的窗口人员录入")
        if probe.agent_id_number and not probe.agent_authorisation:
            raise ValidationError({"agent.authorisation": "代办须有申请人的授权委托：请登记委托书"})
        probe.claim, probe.identity_verified = ApplicantClaim.WINDOW, True
        return
    own = getattr(actor, "id_number", None)
    if own:
        if probe.applicant_kind == ApplicantKind.PERSON and probe.applicant_id_number == own:
            if probe.agent_id_number and probe.agent_id_number != own:
                raise ValidationError({"agent.id_number": "本人申请无需填写代办人"})
            probe.claim, probe.agent_name, probe.agent_id_number = ApplicantClaim.SELF, "", ""
            return
        if probe.agent_id_number and probe.agent_id_number != own:
            raise PermissionDenied("代办人须为登录的本人：不能以他人的名义代办")
        probe.agent_id_number = own
        probe.agent_name = probe.agent_name or getattr(actor, "real_name", "") or ""
        found = hooks.authorise(actor, probe)
        if found is None:
            if probe.applicant_kind == ApplicantKind.COMPANY:
                raise PermissionDenied("以单位名义申请，须为该单位在法人库登记的法定代表人，或持有该单位对本事项的有效授权委托")
            raise PermissionDenied("只能以本人名义申请；代他人申请须持有申请人对本事项的有效授权委托")
        probe.claim, probe.claim_ref = found
        return
    who = who_is(actor, probe)
    if Who.APPLICANT not in who and Who.INTAKE not in who:
        raise PermissionDenied("只能以本人身份申请，或由受理该事项的窗口、部门录入")
    probe.claim = ApplicantClaim.DEPARTMENT


def _material_rows(case: Case, materials, requested: dict[str, str], allows_commitment: bool) -> list[CaseMaterial]:
    errors: dict[str, str] = {}
    rows = []
    known = {m.key for m in materials}
    for key in requested:
        if key not in known:
            errors[f"materials.{key}"] = "该事项没有此材料"
    for m in materials:
        produced_by = (getattr(m, "produced_by", None) or [""])[0]  # a bundle sibling's result (内部流转)
        provision = Provision.INTERNAL if produced_by else Provision.MISSING
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
            shared_data_key=m.shared_data_key, provision=provision, produced_by=produced_by,
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
        if getattr(case, "_onevisit_reacted", False) and not connection.in_atomic_block:
            case.refresh_from_db()  # the reactions (秒批) ran after the commit: answer what they decided
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


def _submit_item(*, actor, item_code, applicant, channel, form, materials, now, uploads=None, key_row=None) -> Case:
    uploads = uploads or {}
    item = ServiceItem.objects.filter(implementation_code=item_code, status=VersionStatus.PUBLISHED).first()
    if item is None:
        raise ValidationError({"item_code": f"事项 {item_code} 不存在或未发布"})
    item_fields, item_materials = item_fields_of(item), item_materials_of(item)
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
    for m in rows:
        if m.key in uploads:  # brought by the applicant: nothing to fetch for it (its file is stored below)
            m.provision = Provision.UPLOADED
    case.number = _next_number(item_code, now.astimezone(SHANGHAI).date())
    after_insert = hooks.enrich(hooks.Submission(actor=actor, case=case, item=item, materials=rows, channel=channel,
                                                 fields=item_fields))
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
    for then in after_insert:
        then()
    facts = _submission_facts(case, item, rows)
    if channel in VISIT_CHANNELS:
        facts.update(_record_visit(case, VisitKind.SUBMISSION, actor=actor, now=now, window=_actor_window(actor, case)))
        case.save(update_fields=list(_VISIT_FIELDS))
    # A new case has no chain yet: open it at seq 1 without reading a head (no savepoint, no SELECT).
    [event] = events_start_chains([{"obj": case, "actor": actor, "action": "submit",
                                    "data": {"from": None, "to": case.status, "at": now, **facts}}])
    _submitted(case, actor, now, event)
    case.submitted_materials = rows  # the receipt shows them without reading them back
    return case


def _submitted(case: Case, actor, now: dt.datetime, event) -> None:
    hooks.transitioned(hooks.Moved(case=case, verb="submit", before=None, after=case.status, actor=actor, at=now,
                                   data=event.data, seq=event.seq))


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
        part = {k: v for k, v in form.items() if k in {f.key for f in item_fields_of(item)}}
        for p in form_problems(item_fields_of(item), part):
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
    event = record_change(obj=parent, actor=actor, action="submit",
                          data={"from": None, "to": parent.status, "at": now, **facts})
    _submitted(parent, actor, now, event)
    by_key = {m.key: m for m in rows}
    for stage_no, stage in enumerate(plan.stages, start=1):
        for item in stage:
            item_keys = {f.key for f in item_fields_of(item)}
            child = _new_case(actor=actor, item=item, fields=fields, channel=channel, now=now, bundle=bundle,
                              parent=parent, stage=stage_no, form={k: v for k, v in form.items() if k in item_keys})
            child.number = _next_number(item.implementation_code, day)
            child.save(force_insert=True)
            shared = [by_key[m.key] for m in plan.materials_for(item.implementation_code)]
            child.distributed_materials.add(*shared)
            event = record_change(obj=child, actor=actor, action="submit", data={
                "from": None, "to": child.status, "at": now, "parent": parent.number, "stage": stage_no,
                **_submission_facts(child, item, shared),
            })
            _submitted(child, actor, now, event)
    return parent


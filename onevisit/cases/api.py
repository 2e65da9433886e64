"""/api/v1/cases: thin adapters over onevisit.cases.services and selectors."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onevisit.accounts.auth import staff_auth
from onevisit.cases import clock, services, worklists
from onevisit.cases.models import Case, CaseStatus, Refusal
from onevisit.cases.selectors import (
    case_actions,
    case_get,
    case_history,
    case_list,
    case_materials,
    refusal_get,
    refusals_register,
)

# Department systems use bearer tokens; the browser its session (with CSRF on writes).
router = Router(tags=["办件"], auth=staff_auth)


class AgentIn(Schema):
    name: str = ""
    id_number: str = ""
    authorisation: str = ""


class ApplicantIn(Schema):
    kind: str = "person"
    name: str
    id_number: str = ""
    credit_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    agent: AgentIn | None = None


class CaseCreateIn(Schema):
    item_code: str | None = None
    bundle_code: str | None = None
    channel: str
    applicant: ApplicantIn
    form: dict[str, Any] = {}
    materials: dict[str, str] = {}


class NoticeIn(Schema):
    rejected: dict[str, str] = {}


class SupplementIn(Schema):
    form: dict[str, Any] = {}
    at_window: bool = False


class AcceptIn(Schema):
    gaps: bool = False
    gaps_due: dt.datetime | None = None


class RefuseIn(Schema):
    reasons: str
    legal_basis: str


class NoteIn(Schema):
    note: str = ""


class SuspendIn(Schema):
    procedure: str
    reason: str


class RequestSupplementIn(Schema):
    materials: dict[str, str] = {}
    fields: dict[str, str] = {}


class SupplyIn(Schema):
    form: dict[str, Any] = {}
    at_window: bool = False


class ExtendIn(Schema):
    days: int
    reason: str


class DeliverIn(Schema):
    method: str
    tracking_number: str = ""


class WithdrawIn(Schema):
    reason: str = ""


class PostCheckIn(Schema):
    result: str
    passed: bool


class OverturnIn(Schema):
    reason: str


def _summary(case: Case, now: dt.datetime) -> dict:
    return {
        "id": case.pk, "number": case.number, "status": case.status, "status_label": case.get_status_display(),
        "item_code": case.item_code, "item_name": case.item.name, "department_id": case.department_id,
        "bundle": case.bundle.code if case.bundle_id else None, "parent_id": case.parent_id, "stage": case.stage,
        "channel": case.channel, "applicant_name": case.applicant_name,
        "submitted_at": case.submitted_at, "promised_due": case.promised_due,
        "colour": clock.colour_of(case, now),
    }


def _material(m) -> dict:
    return {"key": m.key, "name": m.name, "necessity": m.necessity, "provision": m.provision, "sha256": m.sha256,
            "size": m.size, "content_type": m.content_type, "supplied_at": m.supplied_at}


def _detail(user, case: Case) -> dict:
    now = timezone.now()
    out = _summary(case, now)
    promised_visits = case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits
    out.update({
        "item_version": case.item.version,
        "applicant": {
            "kind": case.applicant_kind, "name": case.applicant_name, "id_number": case.applicant_id_number,
            "credit_code": case.applicant_credit_code, "phone": case.contact_phone, "email": case.contact_email,
            "address": case.contact_address, "agent_name": case.agent_name, "agent_id_number": case.agent_id_number,
        },
        "form": case.form_data,
        "materials": [_material(m) for m in case_materials(case)],
        "deadlines": {
            "accepted_at": case.accepted_at, "promised_due": case.promised_due, "legal_due": case.legal_due,
            "warn_at": case.warn_at, "decided_at": case.decided_at, "paused_working_days": case.paused_days,
            "extended_working_days": case.extended_days, "working_days_used": clock.days_used(case, now),
            "colour": clock.colour_of(case, now),
            "pauses": [{"kind": p.kind, "requested": p.requested, "procedure": p.procedure, "started_at": p.started_at, "ended_at": p.ended_at,
                        "shifted_days": p.shifted_days, "reason": p.reason} for p in case.pauses.all()],
        },
        "steps": [{"key": s.key, "name": s.name, "role": s.role, "due_at": s.due_at, "completed_at": s.completed_at}
                  for s in case.steps.all()],
        "visits": {
            "promised": promised_visits, "actual": case.visits, "exceeded": case.visits_exceeded,
            "reason": case.visits_exceeded_reason,
            "log": [{"kind": v.kind, "at": v.at} for v in case.visit_log.all()],
        },
        "notices": [{"seq": n.seq, "issued_at": n.issued_at, "problems": n.problems, "resolved_at": n.resolved_at}
                    for n in case.notices.all()],
        "refusals": [_refusal(r) for r in case.refusals.all()],
        "flags": {
            "gaps_outstanding": case.gaps_outstanding, "gaps_due": case.gaps_due, "gaps_overdue": case.gaps_overdue,
            "post_check_required": case.post_check_required, "post_check_done_at": case.post_check_done_at,
            "visits_exceeded": case.visits_exceeded,
        },
        "delivery": {"method": case.delivery_method, "tracking_number": case.tracking_number,
                     "delivered_at": case.delivered_at},
        "children": [_summary(c, now) for c in case.children.select_related("item", "bundle").order_by("stage", "id")]
        if case.is_bundle_parent else [],
        "actions": case_actions(user, case),
        "history": case_history(case),
    })
    return out


def _refusal(r: Refusal) -> dict:
    return {
        "id": r.pk, "case_id": r.case_id, "kind": r.kind, "reasons": r.reasons, "legal_basis": r.legal_basis,
        "department_id": r.department_id, "registered_at": r.registered_at, "overturned_at": r.overturned_at,
        "overturn_reason": r.overturn_reason,
    }


def _state(case: Case, now: dt.datetime) -> dict:
    """What a transition answers: the case summary with its deadlines, visits, flags and delivery, from the
    case row alone (plus the children of a bundle). Materials, steps, notices, refusals, the visit log and
    the history are at GET /cases/{id} (`detail`)."""
    out = _summary(case, now)
    out.update({
        "deadlines": {
            "accepted_at": case.accepted_at, "promised_due": case.promised_due, "legal_due": case.legal_due,
            "warn_at": case.warn_at, "decided_at": case.decided_at, "paused_working_days": case.paused_days,
            "extended_working_days": case.extended_days, "colour": clock.colour_of(case, now),
        },
        "visits": {
            "promised": case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits,
            "actual": case.visits, "exceeded": case.visits_exceeded, "reason": case.visits_exceeded_reason,
        },
        "flags": {
            "gaps_outstanding": case.gaps_outstanding, "gaps_due": case.gaps_due, "gaps_overdue": case.gaps_overdue,
            "post_check_required": case.post_check_required, "post_check_done_at": case.post_check_done_at,
            "visits_exceeded": case.visits_exceeded,
        },
        "delivery": {"method": case.delivery_method, "tracking_number": case.tracking_number,
                     "delivered_at": case.delivered_at},
        "children": [_summary(c, now) for c in case.children.select_related("item", "bundle").order_by("stage", "id")]
        if case.is_bundle_parent else [],
        "detail": f"/api/v1/cases/{case.pk}",
    })
    return out


def _reload(request, case: Case, *, fresh: bool = False) -> dict:
    """The transition's answer. The services lock and re-read the case, so the caller's instance is stale
    unless the service returned it (fresh=True); one query re-reads the row (the actor has just acted on
    it, so it was visible to them)."""
    if not fresh:
        case = Case.objects.select_related("item", "bundle").get(pk=case.pk)
    return _state(case, timezone.now())


@router.post("/cases", response={200: dict, 201: dict}, summary="提交申请（事项或一件事），支持 Idempotency-Key")
def create_case(request, payload: CaseCreateIn):
    data = payload.dict()
    applicant = data.pop("applicant")
    case, created = services.case_submit(
        actor=request.user, item_code=data["item_code"], bundle_code=data["bundle_code"], applicant=applicant,
        channel=data["channel"], form=data["form"], materials=data["materials"],
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return Status(201 if created else 200, _detail(request.user, case_get(user=request.user, pk=case.pk)))


@router.post("/cases/multipart", response={200: dict, 201: dict},
             summary="提交申请并同时上传材料（multipart：payload 为 JSON，每份材料一个以材料标识命名的文件）")
def create_case_multipart(request):
    """The same submission as POST /cases, with the files in the same request: a `payload` part holding
    the JSON of POST /cases and one file part per material key. Answers a receipt (no history)."""
    import json

    from django.core.exceptions import ValidationError

    try:
        data = CaseCreateIn.model_validate(json.loads(request.POST.get("payload") or "")).dict()
    except (ValueError, TypeError) as exc:
        raise ValidationError({"payload": f"payload 部分应为申请的 JSON：{str(exc)[:200]}"}) from None
    applicant = data.pop("applicant")
    case, created = services.case_submit(
        actor=request.user, item_code=data["item_code"], bundle_code=data["bundle_code"], applicant=applicant,
        channel=data["channel"], form=data["form"], materials=data["materials"], uploads=dict(request.FILES.items()),
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    receipt = _summary(case, timezone.now())
    rows = getattr(case, "submitted_materials", None) if created else None
    receipt["materials"] = [_material(m) for m in (case_materials(case) if rows is None else rows)]
    return Status(201 if created else 200, receipt)


@router.get("/cases", summary="办件列表与检索（游标分页）")
def list_cases(request, status: str | None = None, item_code: str | None = None, department: int | None = None,
               colour: str | None = None, applicant: str | None = None, order: str = "new",
               cursor: str | None = None, limit: int = 20):
    now = timezone.now()
    rows, next_cursor = case_list(
        user=request.user, status=status, item_code=item_code, department=department, colour=colour,
        applicant=applicant, order=order, cursor=cursor, limit=limit, now=now,
    )
    return {"results": [_summary(c, now) for c in rows], "next_cursor": next_cursor}


@router.get("/cases/{case_id}", summary="办件详情：材料、期限、跑动、告知、历史")
def read_case(request, case_id: int):
    return _detail(request.user, case_get(user=request.user, pk=case_id))


@router.post("/cases/{case_id}/materials/{key}", response={201: dict}, summary="上传材料（multipart）")
def upload_material(request, case_id: int, key: str, file: UploadedFile = File(...)):  # noqa: B008
    case = case_get(user=request.user, pk=case_id)
    material = services.case_material_upload(actor=request.user, case=case, key=key, upload=file)
    return Status(201, _material(material))


@router.post("/cases/{case_id}/notice", summary="一次性告知（问题由系统计算；答复含本次告知 notice）")
def issue_notice(request, case_id: int, payload: NoticeIn):
    case = case_get(user=request.user, pk=case_id)
    n = services.case_issue_notice(actor=request.user, case=case, rejected=payload.rejected)
    out = _reload(request, case)
    out["notice"] = {"seq": n.seq, "issued_at": n.issued_at, "problems": n.problems, "resolved_at": n.resolved_at}
    return out


@router.post("/cases/{case_id}/supplement", summary="补正")
def supplement(request, case_id: int, payload: SupplementIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_supplement(actor=request.user, case=case, form=payload.form, at_window=payload.at_window)
    return _reload(request, case)


@router.post("/cases/{case_id}/accept", summary="受理（或容缺受理；即办件当场办结）")
def accept(request, case_id: int, payload: AcceptIn):
    case = case_get(user=request.user, pk=case_id)
    case = services.case_accept(actor=request.user, case=case, gaps=payload.gaps, gaps_due=payload.gaps_due)
    return _reload(request, case, fresh=True)


@router.post("/cases/{case_id}/refuse", summary="不予受理（报备）")
def refuse(request, case_id: int, payload: RefuseIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_refuse(actor=request.user, case=case, reasons=payload.reasons, legal_basis=payload.legal_basis)
    return _reload(request, case)


@router.post("/cases/{case_id}/steps/{step_key}/complete", summary="完成办理环节")
def complete_step(request, case_id: int, step_key: str, payload: NoteIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_complete_step(actor=request.user, case=case, step_key=step_key, note=payload.note)
    return _reload(request, case)


@router.post("/cases/{case_id}/approve", summary="准予许可")
def approve(request, case_id: int, payload: NoteIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_approve(actor=request.user, case=case, note=payload.note)
    return _reload(request, case)


@router.post("/cases/{case_id}/deny", summary="不予许可（报备）")
def deny(request, case_id: int, payload: RefuseIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_deny(actor=request.user, case=case, reasons=payload.reasons, legal_basis=payload.legal_basis)
    return _reload(request, case)


@router.post("/cases/{case_id}/suspend", summary="特别程序中止计时")
def suspend(request, case_id: int, payload: SuspendIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_suspend(actor=request.user, case=case, procedure=payload.procedure, reason=payload.reason)
    return _reload(request, case)


@router.post("/cases/{case_id}/resume", summary="恢复计时")
def resume(request, case_id: int, payload: NoteIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_resume(actor=request.user, case=case, note=payload.note)
    return _reload(request, case)


@router.post("/cases/{case_id}/request-supplement", summary="受理后要求申请人补正（暂停计时）")
def request_supplement(request, case_id: int, payload: RequestSupplementIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_request_supplement(actor=request.user, case=case, materials=payload.materials,
                                     fields=payload.fields)
    return _reload(request, case)


@router.post("/cases/{case_id}/supply", summary="申请人按要求补正（恢复计时，期限顺延）")
def supply_requested(request, case_id: int, payload: SupplyIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_supply_requested(actor=request.user, case=case, form=payload.form, at_window=payload.at_window)
    return _reload(request, case)


@router.post("/cases/{case_id}/extend", summary="延长时限")
def extend(request, case_id: int, payload: ExtendIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_extend(actor=request.user, case=case, days=payload.days, reason=payload.reason)
    return _reload(request, case)


@router.post("/cases/{case_id}/result", summary="出具结果")
def issue_result(request, case_id: int, payload: NoteIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_issue_result(actor=request.user, case=case, note=payload.note)
    return _reload(request, case)


@router.post("/cases/{case_id}/deliver", summary="送达（窗口、邮寄、电子）")
def deliver(request, case_id: int, payload: DeliverIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_deliver(actor=request.user, case=case, method=payload.method, tracking_number=payload.tracking_number)
    return _reload(request, case)


@router.post("/cases/{case_id}/archive", summary="归档")
def archive(request, case_id: int):
    case = case_get(user=request.user, pk=case_id)
    services.case_archive(actor=request.user, case=case)
    return _reload(request, case)


@router.post("/cases/{case_id}/withdraw", summary="撤回申请")
def withdraw(request, case_id: int, payload: WithdrawIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_withdraw(actor=request.user, case=case, reason=payload.reason)
    return _reload(request, case)


@router.post("/cases/{case_id}/post-check", summary="告知承诺事后核查")
def post_check(request, case_id: int, payload: PostCheckIn):
    case = case_get(user=request.user, pk=case_id)
    services.case_record_post_check(actor=request.user, case=case, result=payload.result, passed=payload.passed)
    return _reload(request, case)


@router.get("/refusals", summary="否定报备清单（监督）")
def list_refusals(request, open_only: bool = False, cursor: int | None = None, limit: int = 50):
    rows, next_cursor = refusals_register(user=request.user, open_only=open_only, cursor=cursor, limit=min(limit, 100))
    return {"results": [_refusal(r) for r in rows], "next_cursor": next_cursor}


@router.post("/refusals/{refusal_id}/overturn", summary="撤销不予受理（监督）")
def overturn(request, refusal_id: int, payload: OverturnIn):
    refusal = refusal_get(user=request.user, pk=refusal_id)
    refusal = services.refusal_overturn(actor=request.user, refusal=refusal, reason=payload.reason)
    return _refusal(refusal)


if getattr(settings, "ONEVISIT_BENCH_FLOOR", False):  # never in production: see bench_floor.py
    from onevisit.cases.bench_floor import floor_submit

    router.post("/bench/floor", response={201: dict}, include_in_schema=False)(floor_submit)


# ------------------------------------------------------------------------------------------------
# Worklists (onevisit.cases.worklists): keyset pages, filters by state, item, department, colour, applicant


class WorklistQuery(Schema):
    status: str | None = None
    item_code: str | None = None
    department: int | None = None
    colour: str | None = None
    applicant: str | None = None
    cursor: str | None = None
    limit: int = 20


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in CaseStatus.choices}


def _row(r: dict, now: dt.datetime, labels: dict[str, str]) -> dict:
    """A worklist row (worklists.ROW_COLUMNS) as the case summary, without a model instance."""
    return {
        "id": r["id"], "number": r["number"], "status": r["status"], "status_label": labels[r["status"]],
        "item_code": r["item_code"], "item_name": r["item__name"], "department_id": r["department_id"],
        "bundle": r["bundle__code"], "parent_id": r["parent_id"], "stage": r["stage"], "channel": r["channel"],
        "applicant_name": r["applicant_name"], "submitted_at": r["submitted_at"], "promised_due": r["promised_due"],
        "colour": clock.colour_at(r["status"], r["promised_due"], r["warn_at"], now),
    }


def _worklist(request, selector, q: WorklistQuery) -> dict:
    now = timezone.now()
    filters = worklists.Filters(status=q.status, item_code=q.item_code, department=q.department, colour=q.colour,
                                applicant=q.applicant)
    page = selector(user=request.user, filters=filters, cursor=q.cursor, limit=q.limit, now=now, compact=True)
    labels = _status_labels()
    return {"results": [_row(r, now, labels) for r in page.rows], "next_cursor": page.next_cursor}


@router.get("/worklists/clerk", summary="窗口受理工作台（本窗口的领域和事项）")
def clerk_worklist(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.clerk_worklist, q)


@router.get("/worklists/reviewer", summary="部门办理工作台（本部门已受理未决定的办件）")
def reviewer_worklist(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.reviewer_worklist, q)


@router.get("/worklists/supervisor/warnings", summary="黄灯、红灯预警（监督）")
def supervisor_warnings(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_warnings, q)


@router.get("/worklists/supervisor/broken-promises", summary="超出承诺跑动次数的办件（监督）")
def supervisor_broken_promises(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_broken_promises, q)


@router.get("/worklists/supervisor/overdue-gaps", summary="容缺承诺逾期未补（监督）")
def supervisor_overdue_gaps(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_overdue_gaps, q)


@router.get("/worklists/supervisor/refusals", summary="否定报备清单（监督）")
def supervisor_refusals(request, open_only: bool = False, cursor: int | None = None, limit: int = 50):
    return list_refusals(request, open_only=open_only, cursor=cursor, limit=limit)

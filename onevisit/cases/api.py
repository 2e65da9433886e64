"""/api/v1/cases: thin adapters over onevisit.cases.services and selectors. The transition routes are
built from the verb map (onevisit.cases.verbs); every answer is one of the typed read models
(onevisit.cases.schemas)."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from onevisit.accounts.auth import staff_auth
from onevisit.api_schemas import ERRORS
from onevisit.cases import services, worklists
from onevisit.cases.models import Case
from onevisit.cases.read import detail_of, material_of, notice_of, refusal_of, row_of, state_of, summary_of
from onevisit.cases.schemas import (
    CaseDetail,
    CasePage,
    CaseState,
    CaseSummary,
    MaterialOut,
    RefusalOut,
    RefusalPage,
)
from onevisit.cases.selectors import case_get, case_list, case_materials, refusal_get, refusals_register
from onevisit.cases.verbs import VERBS, Empty, Verb

# Department systems use bearer tokens; the browser its session (with CSRF on writes).
router = Router(tags=["办件"], auth=staff_auth)


class AgentIn(Schema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=18)
    authorisation: str = Field("", max_length=300)


class ApplicantIn(Schema):
    kind: str = Field("person", max_length=10)
    name: str = Field(..., max_length=200)
    id_number: str = Field("", max_length=18)
    credit_code: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    agent: AgentIn | None = None


class CaseCreateIn(Schema):
    item_code: str | None = Field(None, max_length=40)
    bundle_code: str | None = Field(None, max_length=40)
    channel: str = Field(..., max_length=10)
    applicant: ApplicantIn
    form: dict[str, Any] = {}
    materials: dict[str, str] = {}


class Receipt(CaseSummary):
    """The answer of a multipart submission: the case and its materials as received."""

    materials: list[MaterialOut]


class OverturnIn(Schema):
    reason: str = Field(..., max_length=2000)


def _submit(request, data: dict, uploads: dict | None = None) -> tuple[Case, bool]:
    applicant = data.pop("applicant")
    return services.case_submit(
        actor=request.user, item_code=data["item_code"], bundle_code=data["bundle_code"], applicant=applicant,
        channel=data["channel"], form=data["form"], materials=data["materials"], uploads=uploads,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )


@router.post("/cases", response={200: CaseDetail, 201: CaseDetail, **ERRORS},
             summary="提交申请（事项或一件事），支持 Idempotency-Key")
def create_case(request, payload: CaseCreateIn):
    """Create a case. With an `Idempotency-Key` header, a retry returns the first case (200) instead of a
    second one; the same key with a different payload is 409. Reactions such as 秒批 have run by the answer."""
    case, created = _submit(request, payload.dict())
    return Status(201 if created else 200, detail_of(request.user, case_get(user=request.user, pk=case.pk)))


@router.post("/cases/multipart", response={200: Receipt, 201: Receipt, **ERRORS},
             summary="提交申请并同时上传材料（multipart：payload 为 JSON，每份材料一个以材料标识命名的文件）")
def create_case_multipart(request):
    """The same submission as POST /cases, with the files in the same request: a `payload` part holding
    the JSON of POST /cases and one file part per material key. Answers a receipt (no history)."""
    try:
        data = CaseCreateIn.model_validate(json.loads(request.POST.get("payload") or "")).dict()
    except (ValueError, TypeError) as exc:
        raise ValidationError({"payload": f"payload 部分应为申请的 JSON：{str(exc)[:200]}"}) from None
    case, created = _submit(request, data, dict(request.FILES.items()))
    receipt = summary_of(case, timezone.now())
    rows = getattr(case, "submitted_materials", None) if created else None
    receipt["materials"] = [material_of(m) for m in (case_materials(case) if rows is None else rows)]
    return Status(201 if created else 200, receipt)


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="办件列表与检索（游标分页）")
def list_cases(request, status: str | None = None, item_code: str | None = None, department: int | None = None,
               colour: str | None = None, applicant: str | None = None, order: str = "new",
               cursor: str | None = None, limit: int = 20):
    now = timezone.now()
    rows, next_cursor = case_list(
        user=request.user, status=status, item_code=item_code, department=department, colour=colour,
        applicant=applicant, order=order, cursor=cursor, limit=limit, now=now,
    )
    return {"results": [summary_of(c, now) for c in rows], "next_cursor": next_cursor}


@router.get("/cases/{case_id}", response={200: CaseDetail, **ERRORS}, summary="办件详情：材料、期限、跑动、告知、历史")
def read_case(request, case_id: int):
    return detail_of(request.user, case_get(user=request.user, pk=case_id))


@router.post("/cases/{case_id}/materials/{key}", response={201: MaterialOut, **ERRORS}, summary="上传材料（multipart）")
def upload_material(request, case_id: int, key: str, file: UploadedFile = File(...)):  # noqa: B008
    case = case_get(user=request.user, pk=case_id)
    material = services.case_material_upload(actor=request.user, case=case, key=key, upload=file)
    return Status(201, material_of(material))


def _reload(case: Case, result=None) -> dict:
    """A transition's answer: the compact case state. The service's own instance is current when it returned
    the case and no reaction ran after the commit; otherwise the row is read again (one query)."""
    if not (isinstance(result, Case) and result.pk == case.pk and not getattr(result, "_onevisit_reacted", False)):
        result = Case.objects.select_related("item", "bundle").get(pk=case.pk)
    return state_of(result, timezone.now())


def _transition_endpoint(v: Verb) -> None:
    """One POST route per verb of the map, with the verb's input schema, answering the compact state."""

    def answer(request, case_id: int, payload, param=None) -> dict:
        case = case_get(user=request.user, pk=case_id)
        result = v.call(actor=request.user, case=case, payload=payload, param=param)
        out = _reload(case, result)
        if v.verb == "notice":
            out["notice"] = notice_of(result)
        return out

    if v.param == "key":  # a material's route: the key in the path, no body
        def endpoint(request, case_id: int, key: str):
            return answer(request, case_id, Empty(), key)
    elif v.param == "step_key":
        def endpoint(request, case_id: int, step_key: str, payload: v.payload):
            return answer(request, case_id, payload, step_key)
    elif v.payload is Empty:
        def endpoint(request, case_id: int):
            return answer(request, case_id, Empty())
    else:
        def endpoint(request, case_id: int, payload: v.payload):
            return answer(request, case_id, payload)

    endpoint.__name__ = f"case_{v.verb}"
    router.post(f"/cases/{{case_id}}/{v.path}", response={200: CaseState, **ERRORS}, summary=v.label,
                operation_id=f"case_{v.verb}", description=(v.service.__doc__ or "").strip())(endpoint)


for _verb in VERBS.values():
    _transition_endpoint(_verb)


@router.get("/refusals", response={200: RefusalPage, **ERRORS}, summary="否定报备清单（监督）")
def list_refusals(request, open_only: bool = False, cursor: int | None = None, limit: int = 50):
    rows, next_cursor = refusals_register(user=request.user, open_only=open_only, cursor=cursor,
                                          limit=max(1, min(limit, 100)))
    return {"results": [refusal_of(r) for r in rows], "next_cursor": next_cursor}


@router.post("/refusals/{refusal_id}/overturn", response={200: RefusalOut, **ERRORS}, summary="撤销不予受理（监督）")
def overturn(request, refusal_id: int, payload: OverturnIn):
    refusal = refusal_get(user=request.user, pk=refusal_id)
    refusal = services.refusal_overturn(actor=request.user, refusal=refusal, reason=payload.reason)
    return refusal_of(refusal)


# ------------------------------------------------------------------------------------------------
# Worklists (onevisit.cases.worklists): keyset pages, filters by state, item, department, colour, applicant


class WorklistQuery(Schema):
    status: str | None = None
    item_code: str | None = None
    department: int | None = None
    colour: str | None = None
    applicant: str | None = None
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=100)


def _worklist(request, selector, q: WorklistQuery) -> dict:
    now = timezone.now()
    filters = worklists.Filters(status=q.status, item_code=q.item_code, department=q.department, colour=q.colour,
                                applicant=q.applicant)
    page = selector(user=request.user, filters=filters, cursor=q.cursor, limit=q.limit, now=now, compact=True)
    return {"results": [row_of(r, now) for r in page.rows], "next_cursor": page.next_cursor}


@router.get("/worklists/clerk", response={200: CasePage, **ERRORS}, summary="窗口受理工作台（本窗口的领域和事项）")
def clerk_worklist(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.clerk_worklist, q)


@router.get("/worklists/reviewer", response={200: CasePage, **ERRORS}, summary="部门办理工作台（本部门已受理未决定的办件）")
def reviewer_worklist(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.reviewer_worklist, q)


@router.get("/worklists/supervisor/warnings", response={200: CasePage, **ERRORS}, summary="黄灯、红灯预警（监督）")
def supervisor_warnings(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_warnings, q)


@router.get("/worklists/supervisor/broken-promises", response={200: CasePage, **ERRORS}, summary="超出承诺跑动次数的办件（监督）")
def supervisor_broken_promises(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_broken_promises, q)


@router.get("/worklists/supervisor/overdue-gaps", response={200: CasePage, **ERRORS}, summary="容缺承诺逾期未补（监督）")
def supervisor_overdue_gaps(request, q: Query[WorklistQuery]):
    return _worklist(request, worklists.supervisor_overdue_gaps, q)


@router.get("/worklists/supervisor/refusals", response={200: RefusalPage, **ERRORS}, summary="否定报备清单（监督）")
def supervisor_refusals(request, open_only: bool = False, cursor: int | None = None, limit: int = 50):
    return list_refusals(request, open_only=open_only, cursor=cursor, limit=limit)

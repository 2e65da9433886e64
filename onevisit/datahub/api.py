"""/api/v1/datahub: the sharing list, department systems loading records, permission-checked reads,
and each person's record of who read their data."""

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from onevisit.datahub import onecard, selectors, services
from onevisit.datahub.auth import token_or_session
from onevisit.datahub.models import DataResource
from onevisit.errors import DomainError
from onevisit.orgs.models import Department
from onevisit.orgs.selectors import roles_of

router = Router(tags=["一库共享"])


class FieldOut(Schema):
    key: str
    label: str
    type: str = "string"
    required: bool = False


class ResourceOut(Schema):
    key: str
    name: str
    owner: str
    identifier_kind: str
    many: bool
    fields: list[FieldOut]


class SharingOut(Schema):
    resource: str
    resource_name: str
    department_id: int
    department: str
    fields: list[str]
    item_codes: list[str]


class RecordIn(Schema):
    identifier: str
    data: Any


class UpsertIn(Schema):
    records: list[RecordIn] = Field(..., max_length=10000)


class UpsertOut(Schema):
    resource: str
    upserted: int


class ReadOut(Schema):
    resource: str
    identifier: str
    found: bool
    data: dict | None
    fields: list[str]
    withheld: list[str]
    source: str
    updated_at: datetime | None
    fetched_at: datetime
    access_id: int
    extra: dict


class AccessOut(Schema):
    id: int
    at: datetime
    department: str
    resource: str
    fields: list[str]
    purpose_case_number: str
    purpose_item_code: str
    granted: bool


@router.get("/datahub/resources", response=list[ResourceOut], auth=None, summary="共享数据资源目录")
def list_resources(request):
    return [
        {"key": r.key, "name": r.name, "owner": r.owner.name, "identifier_kind": r.identifier_kind, "many": r.many,
         "fields": r.fields}
        for r in selectors.resources_list()
    ]


@router.get("/datahub/sharing", response=list[SharingOut], auth=None, summary="共享清单（公开）")
def list_sharing(request):
    return [
        {"resource": p.resource.key, "resource_name": p.resource.name, "department_id": p.department_id,
         "department": p.department.name, "fields": p.fields, "item_codes": p.item_codes}
        for p in selectors.sharing_list()
    ]


@router.post("/datahub/resources/{key}/records", response=UpsertOut, auth=token_or_session, summary="批量写入或更新记录")
def upsert_records(request, key: str, payload: UpsertIn):
    resource = get_object_or_404(DataResource, key=key)
    count = services.records_upsert(
        actor=request.user, resource=resource, records=[r.dict() for r in payload.records], source="api"
    )
    return {"resource": key, "upserted": count}


def _department_for(user, department_id: int | None) -> Department:
    # The roles are loaded once per request with their departments; no further query when the
    # department is one of the user's own (the usual case).
    held = {r.department_id: r.department for r in roles_of(user) if r.department_id}
    if department_id is None:
        if len(held) != 1:
            raise DomainError("请用 department 参数指明以哪个部门的名义读取", code="invalid", status=422,
                              fields=[{"field": "department", "reason": "必须指明部门"}])
        return next(iter(held.values()))
    department = held.get(department_id) or Department.objects.filter(pk=department_id).first()
    if department is None:
        raise DomainError("部门不存在", code="invalid", status=422, fields=[{"field": "department", "reason": "不存在"}])
    return department


@router.get("/datahub/records/{key}/{identifier}", response=ReadOut, auth=token_or_session, summary="读取共享数据（需权限与用途）")
def read_record(
    request, key: str, identifier: str, fields: str | None = None, case_number: str | None = None,
    item_code: str | None = None, department: int | None = None,
):
    dept = _department_for(request.user, department)
    result = services.datahub_read(
        actor=request.user, department=dept, resource=key, identifier=identifier,
        fields=[f for f in fields.split(",") if f] if fields else None,
        purpose_case_number=case_number, purpose_item_code=item_code,
    )
    return {
        "resource": result.resource_key, "identifier": result.identifier, "found": result.found, "data": result.data,
        "fields": result.fields, "withheld": result.withheld, "source": result.source,
        "updated_at": result.updated_at, "fetched_at": result.fetched_at, "access_id": result.access_id,
        "extra": result.extra,
    }


@router.get("/datahub/my-accesses", response=list[AccessOut], auth=token_or_session, summary="我的数据使用记录")
def my_accesses(request, before: int | None = None, limit: int = 50):
    return [
        {"id": a.id, "at": a.at, "department": a.department.name if a.department else "", "resource": a.resource_key,
         "fields": a.fields, "purpose_case_number": a.purpose_case_number, "purpose_item_code": a.purpose_item_code,
         "granted": a.granted}
        for a in selectors.accesses_about_me(user=request.user, before_id=before, limit=limit)
    ]


@router.get("/datahub/company-accesses", response=list[AccessOut], auth=token_or_session,
            summary="本单位的数据使用记录（法定代表人）")
def company_accesses(request, credit_code: str | None = None, before: int | None = None, limit: int = 50):
    """For the company the person acts for (the portal's session choice, or credit_code): only its legal
    representative as the legal-entity register names them."""
    acting = request.session.get("portal.acting_for") if hasattr(request, "session") else None
    code = credit_code or (acting or {}).get("credit_code") or ""
    return [
        {"id": a.id, "at": a.at, "department": a.department.name if a.department else "", "resource": a.resource_key,
         "fields": a.fields, "purpose_case_number": a.purpose_case_number, "purpose_item_code": a.purpose_item_code,
         "granted": a.granted}
        for a in selectors.accesses_about_company(user=request.user, credit_code=code, before_id=before, limit=limit)
    ]


@router.get("/datahub/applicant-proofs", auth=token_or_session, summary="窗口查询申请人可共享获取的材料（一证通办）")
def applicant_proofs(request, item: str, id_number: str):
    return onecard.applicant_proofs(actor=request.user, item_code=item, identifier=id_number)


@router.get("/items/{code}/prefill", auth=token_or_session, summary="申请表预填（本人或窗口代查）")
def item_prefill(request, code: str, id_number: str | None = None):
    return onecard.form_prefill(actor=request.user, item_code=code, identifier=id_number)


@router.get("/catalog/indicators/id-only", auth=None, summary="“一证通办”指标：仅需身份证即可办理的事项占比")
def id_only(request):
    return onecard.id_only_indicator()

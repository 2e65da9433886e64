"""The catalog API: public reads of published items, bundles and guides; catalog administration writes.

Endpoints are thin adapters: reads go through catalog.selectors, writes through catalog.services,
which check the catalog_admin role (403) and append the history event. Rows of child lists are
counted from 1 in error fields, e.g. "materials[2].necessity"."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from onevisit.accounts.auth import current_user, staff_auth
from onevisit.catalog import selectors, services
from onevisit.catalog.guides import bundle_guide, choice, department, item_guide, limit
from onevisit.catalog.models import Bundle, Channel, ItemType, ServiceItem
from onevisit.catalog.schemas import (
    BundleGuideOut,
    BundleIn,
    BundleOut,
    BundlePatch,
    ItemGuideOut,
    ItemIn,
    ItemOut,
    ItemPageOut,
    ItemPatch,
    ItemSummaryOut,
    ReasonIn,
    RetireIn,
)
from onevisit.orgs.models import Department, Domain, Region, RegionLevel

router = Router(tags=["事项目录"])


# Output ----------------------------------------------------------------------------------------


def _summary(item: ServiceItem) -> dict[str, Any]:
    return {
        "implementation_code": item.implementation_code, "version": item.version, "status": item.status,
        "name": item.name, "item_type": choice(ItemType, item.item_type), "domain": item.domain,
        "level": item.level, "region": item.region.code, "department": department(item.department),
        "promised_limit": limit(item.promised_limit, item.promised_limit_unit),
        "promised_visits": item.promised_visits, "channels": item.channels, "online_depth": item.online_depth,
        "published_at": item.published_at,
    }


def _detail(item: ServiceItem) -> dict[str, Any]:
    return services.item_snapshot(item)


def _bundle(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code, "name": bundle.name, "description": bundle.description, "keywords": bundle.keywords,
        "status": bundle.status, "promised_limit": limit(bundle.promised_limit, bundle.promised_limit_unit),
        "promised_visits": bundle.promised_visits, "lead_department": department(bundle.lead_department),
        "entries": [{"item_code": e.item_code, "stage": e.stage, "position": e.position} for e in bundle.entries.all()],
        "updated_at": bundle.updated_at,
    }


# Input -----------------------------------------------------------------------------------------


def _department(code: str, field: str, errors: dict) -> Department | None:
    dept = Department.objects.filter(credit_code=code).first()
    if dept is None:
        errors[field] = f"统一社会信用代码为 {code} 的部门不存在"
    return dept


def _item_args(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn the request body into the keyword arguments of the item services (codes into rows)."""
    data = dict(payload)
    data.pop("reason", None)
    children = {name: data.pop(name) for name in list(services.CHILD_MODELS) if name in data}
    children = {name: rows for name, rows in children.items() if rows is not None}
    errors: dict[str, str] = {}
    if "region" in data:
        data["region"] = Region.objects.filter(code=data["region"]).first()
        if data["region"] is None:
            errors["region"] = f"区划代码 {payload['region']} 不存在"
    if "department" in data:
        data["department"] = _department(data["department"], "department", errors)
    co = data.pop("co_departments", None)
    co_departments = None
    if co is not None:
        co_departments = [_department(c, f"co_departments[{i}]", errors) for i, c in enumerate(co, start=1)]
    if errors:
        raise ValidationError(errors)
    return {"data": data, "children": children, "co_departments": co_departments}


def _bundle_args(payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    data.pop("reason", None)
    entries = data.pop("entries", None)
    if entries is not None:
        entries = [{k: v for k, v in row.items() if v is not None} for row in entries]
    errors: dict[str, str] = {}
    if "lead_department" in data:
        data["lead_department"] = _department(data["lead_department"], "lead_department", errors)
    if errors:
        raise ValidationError(errors)
    return {"data": data, "entries": entries}


def _bundle_for_write(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        raise Http404(f"一件事 {code} 不存在")
    return bundle


def _reload(item: ServiceItem) -> dict[str, Any]:
    """The row the caller has just written, re-read with its children."""
    return _detail(selectors.item_detail_by_pk(item.pk))


# Reads -----------------------------------------------------------------------------------------


@router.get("/items", response=ItemPageOut, summary="已发布事项（检索、筛选、分页）")
def list_items(
    request, q: str = "", department: str = "", item_type: ItemType | None = None, level: RegionLevel | None = None,
    channel: Channel | None = None, promised_visits: int | None = None, domain: Domain | None = None,
    region: str = "", after: str = "", limit: int = 20, offset: int = 0,
):
    """Current published versions ordered by 实施编码. Page with `after` (keyset: the `next_after` of the
    previous page, fast at any depth) or with `limit`/`offset`. `limit` is at most 200."""
    current_user(request)
    qs = selectors.published_items(
        q=q, department=department, item_type=item_type or "", level=level or "", channel=channel or "",
        promised_visits=promised_visits, domain=domain or "", region=region,
    )
    rows, next_after = selectors.page(qs, key="implementation_code", after=after, limit=limit, offset=offset)
    return {"results": [_summary(i) for i in rows], "next_after": next_after, "limit": selectors.clamp(limit),
            "offset": 0 if after else offset}


@router.get("/items/{code}", response=ItemOut, summary="事项当前发布版本（按实施编码）")
def get_item(request, code: str):
    current_user(request)
    return _detail(selectors.published_item_detail(code))


@router.get("/items/{code}/versions", response=list[ItemSummaryOut], summary="事项的各版本")
def list_item_versions(request, code: str):
    """The public sees published and retired versions; catalog administrators also drafts."""
    rows = selectors.item_versions(code, user=current_user(request))
    return [_summary(i) for i in _with_region(rows)]


def _with_region(rows: list[ServiceItem]) -> list[ServiceItem]:
    regions = {r.pk: r for r in Region.objects.filter(pk__in={i.region_id for i in rows})}
    for i in rows:
        i.region = regions[i.region_id]
    return rows


@router.get("/items/{code}/versions/{version}", response=ItemOut, summary="事项的某一版本")
def get_item_version(request, code: str, version: int):
    return _detail(selectors.item_version(code, version, user=current_user(request)))


@router.get("/items/{code}/guide", response=ItemGuideOut, summary="事项办事指南")
def get_item_guide(request, code: str):
    current_user(request)
    return item_guide(selectors.published_item_detail(code))


@router.get("/items/{code}/versions/{version}/guide", response=ItemGuideOut, summary="事项某一版本的办事指南")
def get_item_version_guide(request, code: str, version: int):
    """Published and retired versions for everyone; a draft for those who may see drafts (catalog
    administrators of the item's department, staff), to read its guide before publishing it."""
    return item_guide(selectors.item_version(code, version, user=current_user(request)))


class BundlePageOut(Schema):
    results: list[BundleOut]
    next_after: str | None
    limit: int
    offset: int


@router.get("/bundles", response=BundlePageOut, summary="已发布的一件事")
def list_bundles(request, q: str = "", department: str = "", after: str = "", limit: int = 20, offset: int = 0):
    current_user(request)
    qs = selectors.published_bundles(q=q, department=department).prefetch_related("entries")
    rows, next_after = selectors.page(qs, key="code", after=after, limit=limit, offset=offset)
    return {"results": [_bundle(b) for b in rows], "next_after": next_after, "limit": selectors.clamp(limit),
            "offset": 0 if after else offset}


@router.get("/bundles/{code}", response=BundleOut, summary="一件事")
def get_bundle(request, code: str):
    return _bundle(selectors.bundle_detail(code, user=current_user(request)))


@router.get("/bundles/{code}/guide", response=BundleGuideOut, summary="一件事办事指南（合并表单与材料）")
def get_bundle_guide(request, code: str):
    return bundle_guide(selectors.bundle_detail(code, user=current_user(request), published_only=True))


# Writes (catalog administrators) ---------------------------------------------------------------


@router.post("/items", response={201: ItemOut}, auth=staff_auth, summary="新建事项草稿")
def create_item(request, payload: ItemIn):
    args = _item_args(payload.model_dump())
    item = services.item_create(
        actor=request.auth, data={"implementation_code": payload.implementation_code, **args["data"]},
        co_departments=args["co_departments"] or [], children=args["children"], reason=payload.reason,
    )
    return Status(201, _reload(item))


@router.patch("/items/{code}/versions/{version}", response=ItemOut, auth=staff_auth, summary="修改事项草稿")
def update_item(request, code: str, version: int, payload: ItemPatch):
    item = selectors.item_for_write(code, version)
    body = payload.model_dump(exclude_unset=True)
    args = _item_args(body)
    item = services.item_update(actor=request.auth, item=item, reason=body.get("reason") or "", **args)
    return _reload(item)


@router.post("/items/{code}/versions", response={201: ItemOut}, auth=staff_auth, summary="从已发布版本建立新版本草稿")
def new_item_version(request, code: str, payload: ReasonIn | None = None):
    item = selectors.item_for_write(code)
    draft = services.item_new_version(actor=request.auth, item=item, reason=payload.reason if payload else "")
    return Status(201, _reload(draft))


@router.post("/items/{code}/versions/{version}/publish", response=ItemOut, auth=staff_auth, summary="发布事项草稿")
def publish_item(request, code: str, version: int, payload: ReasonIn | None = None):
    item = selectors.item_for_write(code, version)
    item = services.item_publish(actor=request.auth, item=item, reason=payload.reason if payload else "")
    return _reload(item)


@router.post("/items/{code}/retire", response=ItemOut, auth=staff_auth, summary="停用事项（须说明原因）")
def retire_item(request, code: str, payload: RetireIn):
    item = selectors.item_for_write(code)
    item = services.item_retire(actor=request.auth, item=item, reason=payload.reason)
    return _reload(item)


@router.post("/bundles", response={201: BundleOut}, auth=staff_auth, summary="新建一件事草稿")
def create_bundle(request, payload: BundleIn):
    args = _bundle_args(payload.model_dump())
    bundle = services.bundle_create(
        actor=request.auth, data={"code": payload.code, **args["data"]}, entries=args["entries"],
        reason=payload.reason,
    )
    return Status(201, _bundle(bundle))


@router.patch("/bundles/{code}", response=BundleOut, auth=staff_auth, summary="修改一件事")
def update_bundle(request, code: str, payload: BundlePatch):
    body = payload.model_dump(exclude_unset=True)
    args = _bundle_args(body)
    bundle = services.bundle_update(
        actor=request.auth, bundle=_bundle_for_write(code), reason=body.get("reason") or "", **args
    )
    return _bundle(bundle)


@router.post("/bundles/{code}/publish", response=BundleOut, auth=staff_auth, summary="发布一件事")
def publish_bundle(request, code: str, payload: ReasonIn | None = None):
    bundle = services.bundle_publish(
        actor=request.auth, bundle=_bundle_for_write(code), reason=payload.reason if payload else ""
    )
    return _bundle(bundle)


@router.post("/bundles/{code}/retire", response=BundleOut, auth=staff_auth, summary="停用一件事（须说明原因）")
def retire_bundle(request, code: str, payload: RetireIn):
    bundle = services.bundle_retire(actor=request.auth, bundle=_bundle_for_write(code), reason=payload.reason)
    return _bundle(bundle)

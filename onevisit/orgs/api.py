"""Public reads of organisations: the region tree, departments and comprehensive windows."""

from django.http import Http404
from ninja import Router

from onevisit.accounts.auth import current_user
from onevisit.catalog.schemas import DepartmentOut, RegionOut, WindowOut
from onevisit.orgs.models import Department, Domain, Region, RegionLevel, Window

router = Router(tags=["机构"])


def _region(r: Region) -> dict:
    return {
        "code": r.code, "name": r.name, "level": r.level, "level_label": r.get_level_display(),
        "parent": r.parent.code if r.parent_id else None,
    }


@router.get("/regions", response=list[RegionOut], summary="行政区划（按上级或层级筛选）")
def list_regions(request, parent: str = "", level: RegionLevel | None = None, root: bool = False):
    """`parent` gives the children of a region; `root=true` gives the top of the tree."""
    current_user(request)
    qs = Region.objects.select_related("parent").order_by("code")
    if parent:
        qs = qs.filter(parent__code=parent)
    if root:
        qs = qs.filter(parent__isnull=True)
    if level:
        qs = qs.filter(level=level)
    return [_region(r) for r in qs[:2000]]


@router.get("/regions/{code}", response=RegionOut, summary="一个行政区划")
def get_region(request, code: str):
    current_user(request)
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404(f"区划 {code} 不存在")
    return _region(region)


@router.get("/departments", response=list[DepartmentOut], summary="部门（按区划筛选）")
def list_departments(request, region: str = ""):
    current_user(request)
    qs = Department.objects.select_related("region").order_by("region__code", "name", "id")
    if region:
        qs = qs.filter(region__code=region)
    return [
        {"name": d.name, "short_name": d.short_name, "credit_code": d.credit_code, "region": d.region.code,
         "region_name": d.region.name}
        for d in qs[:2000]
    ]


@router.get("/windows", response=list[WindowOut], summary="综合窗口（受理领域与无差别受理）")
def list_windows(request, region: str = "", domain: Domain | None = None, item_code: str = ""):
    """`domain` and `item_code` keep the windows that accept them (any-item windows accept all)."""
    current_user(request)
    qs = Window.objects.select_related("centre__region").order_by("centre_id", "number")
    if region:
        qs = qs.filter(centre__region__code=region)
    rows = []
    for w in qs[:2000]:
        if (domain or item_code) and not w.accepts(domain=domain or "", item_code=item_code):
            continue
        rows.append({
            "id": w.pk, "number": w.number, "name": w.name, "accepts_any": w.accepts_any,
            "domains": w.domains, "item_codes": w.item_codes,
            "centre": {"id": w.centre_id, "name": w.centre.name, "region": w.centre.region.code,
                       "address": w.centre.address, "hours": w.centre.hours},
        })
    return rows

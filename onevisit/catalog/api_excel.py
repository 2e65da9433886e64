"""Excel export and import of the whole catalog over the API (thin adapters over catalog.excel)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.security import django_auth

from onevisit.catalog.excel import CatalogImportError, can_import, export_catalog, import_catalog
from onevisit.errors import DomainError
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import has_role

router = Router(tags=["事项目录 Excel"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Counts(Schema):
    created: int
    updated: int
    skipped: int


class ImportOut(Schema):
    dry_run: bool
    regions: Counts
    departments: Counts
    items: Counts
    bundles: Counts


@router.get("/catalog/export.xlsx", auth=django_auth, summary="导出整个事项目录（Excel）")
def export_xlsx(request):
    if not has_role(request.auth, Role.CATALOG_ADMIN):
        raise PermissionDenied("只有事项管理员可以导出事项目录")
    response = HttpResponse(content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    export_catalog(response)
    return response


@router.post(
    "/catalog/import", auth=django_auth, response=ImportOut, summary="导入事项目录（Excel）",
    description="上传 export.xlsx 格式的文件（字段名 file）。先校验全部行；有任何错误时返回 422，"
    "error.fields 列出每个错误，field 形如“事项!R12C5 承诺时限”，且不导入任何内容。dry_run=true 时只校验。",
)
def import_xlsx(request, file: UploadedFile = File(...), dry_run: bool = False):  # noqa: B008
    if not can_import(request.auth):
        raise PermissionDenied("只有不限部门的事项管理员可以导入事项目录")
    try:
        result = import_catalog(file, actor=request.auth, dry_run=dry_run)
    except CatalogImportError as exc:
        raise DomainError(
            str(exc), code="invalid_file", status=422,
            fields=[{"field": e.field, "reason": e.reason} for e in exc.errors],
        )
    return {"dry_run": result.dry_run, **result.counts}

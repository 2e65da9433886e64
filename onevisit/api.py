"""The JSON API (/api/v1). Each app contributes a router from its own api module; errors are JSON
that name the field and the reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from onevisit.errors import DomainError, error_body, validation_error_body

api = NinjaAPI(
    title="OneVisit 政务服务平台接口",
    version="1",
    description="最多跑一次：事项目录、办件、共享数据与电子证照的开放接口。错误以 JSON 返回，"
    "形如 {\"error\": {\"code\": …, \"message\": …, \"fields\": [{\"field\": …, \"reason\": …}]}}。",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return api.create_response(request, validation_error_body(exc), status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    from onevisit.errors import schema_error_fields

    fields = schema_error_fields(exc.errors)
    summary = "；".join(f"{f['field']}: {f['reason']}" for f in fields)
    return api.create_response(request, error_body("invalid", summary or "请求格式不正确", fields), status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, error_body("forbidden", str(exc) or "无权执行此操作"), status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, error_body("unauthenticated", "请先登录或提供有效的接口令牌"), status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", str(exc) or "对象不存在"), status=404)


def _mount_routers() -> None:
    from onevisit.catalog.api import router as catalog_router
    from onevisit.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)
    api.add_router("/", catalog_router)
    from onevisit.catalog.api_excel import router as catalog_excel_router
    api.add_router("/", catalog_excel_router)

    from onevisit.cases.api import router as cases_router

    api.add_router("/", cases_router)
    from onevisit.datahub.api import router as datahub_router
    from onevisit.licences.api import router as licences_router

    api.add_router("/", datahub_router)
    api.add_router("/", licences_router)
    from onevisit.archive.api import router as archive_router
    from onevisit.rules.api import router as rules_router

    api.add_router("/", rules_router)
    api.add_router("/", archive_router)
    from onevisit.mandates.api import router as mandates_router

    api.add_router("/", mandates_router)
    from onevisit.events.api import router as events_router

    api.add_router("/", events_router)


_mount_routers()

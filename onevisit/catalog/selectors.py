"""Reads of the catalog: each selector owns its query, its permission filter and its query count.

The public sees published versions (and, by version number, retired ones); catalog administrators of
the item's department (or global ones) and staff accounts see drafts too."""

from django.db.models import Q, QuerySet
from django.http import Http404

from onevisit.catalog.models import Bundle, ServiceItem, VersionStatus
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import has_role

PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
MAX_PAGE = 200


def can_see_drafts(user, department=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or has_role(user, Role.CATALOG_ADMIN, department=department))


def _detail(qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    """Everything a detail page or a guide shows, in a fixed number of queries (1 + 5 prefetches)."""
    return qs.select_related("department", "region").prefetch_related(
        "co_departments", "materials", "fields", "steps", "special_procedures"
    )


def published_items(
    *, q: str = "", department: str = "", item_type: str = "", level: str = "", channel: str = "",
    promised_visits: int | None = None, domain: str = "", region: str = "",
) -> QuerySet[ServiceItem]:
    """Current published versions, filtered, in the stable order of their 实施编码 (unique among them)."""
    qs = ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).select_related("department", "region")
    q = (q or "").strip()
    if q:
        for word in q.split():
            qs = qs.filter(
                Q(name__icontains=word) | Q(keywords__icontains=word) | Q(implementation_code=word)
                | Q(basic_code=word)
            )
    if department:
        qs = qs.filter(department__credit_code=department)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if level:
        qs = qs.filter(level=level)
    if region:
        qs = qs.filter(region__code=region)
    if domain:
        qs = qs.filter(domain=domain)
    if promised_visits is not None:
        qs = qs.filter(promised_visits=promised_visits)
    if channel:
        # JSON text search works on both SQLite and PostgreSQL; the quotes match a whole list element.
        qs = qs.filter(channels__icontains=f'"{channel}"')
    return qs.order_by("implementation_code")


def clamp(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def page(qs: QuerySet, *, key: str, after: str = "", limit: int = 20, offset: int = 0) -> tuple[list, str | None]:
    """Keyset page (after the given key value) or limit/offset page; returns the rows and the next key."""
    limit = clamp(limit)
    if after:
        qs = qs.filter(**{f"{key}__gt": after})
        offset = 0
    rows = list(qs[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (getattr(rows[-1], key) if more and rows else None)


def published_item_detail(code: str) -> ServiceItem:
    item = _detail(ServiceItem.objects.filter(implementation_code=code, status=VersionStatus.PUBLISHED)).first()
    if item is None:
        raise Http404(f"事项 {code} 不存在或未发布")
    return item


def item_detail_by_pk(pk: int) -> ServiceItem:
    return _detail(ServiceItem.objects.filter(pk=pk)).get()


def item_versions(code: str, *, user) -> list[ServiceItem]:
    rows = list(
        ServiceItem.objects.filter(implementation_code=code).select_related("department").order_by("-version")
    )
    if not rows:
        raise Http404(f"事项 {code} 不存在")
    if not can_see_drafts(user, rows[0].department):
        rows = [r for r in rows if r.status in PUBLIC_STATUSES]
        if not rows:
            raise Http404(f"事项 {code} 不存在或未发布")
    return rows


def item_version(code: str, version: int, *, user) -> ServiceItem:
    item = _detail(ServiceItem.objects.filter(implementation_code=code, version=version)).first()
    if item is None or (item.status not in PUBLIC_STATUSES and not can_see_drafts(user, item.department)):
        raise Http404(f"事项 {code} 第{version}版不存在")
    return item


def item_for_write(code: str, version: int | None = None) -> ServiceItem:
    """The row a write acts on (the services check the permission and the status)."""
    qs = ServiceItem.objects.filter(implementation_code=code).select_related("department")
    item = qs.filter(version=version).first() if version is not None else qs.filter(
        status=VersionStatus.PUBLISHED
    ).first()
    if item is None:
        raise Http404(f"事项 {code}{f' 第{version}版' if version is not None else ''} 不存在")
    return item


def published_bundles(*, q: str = "", department: str = "") -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(status=VersionStatus.PUBLISHED).select_related("lead_department")
    for word in (q or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(keywords__icontains=word) | Q(code=word))
    if department:
        qs = qs.filter(
            Q(lead_department__credit_code=department)
            | Q(entries__item_code__in=ServiceItem.objects.filter(
                status=VersionStatus.PUBLISHED, department__credit_code=department
            ).values("implementation_code"))
        ).distinct()
    return qs.order_by("code")


def bundle_detail(code: str, *, user, published_only: bool = False) -> Bundle:
    bundle = (
        Bundle.objects.filter(code=code).select_related("lead_department").prefetch_related("entries").first()
    )
    if bundle is None:
        raise Http404(f"一件事 {code} 不存在")
    if published_only and bundle.status != VersionStatus.PUBLISHED:
        raise Http404(f"一件事 {code} 不存在或未发布")
    if bundle.status not in PUBLIC_STATUSES and not can_see_drafts(user, bundle.lead_department):
        raise Http404(f"一件事 {code} 不存在或未发布")
    return bundle

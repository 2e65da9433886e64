"""Reads of the data hub's own tables (the shared data itself is read only through datahub_read)."""

from django.db.models import QuerySet

from onevisit.datahub.models import AccessRecord, DataResource, SharingPermission


def sharing_list() -> QuerySet[SharingPermission]:
    """The published sharing list (共享清单): public by design."""
    return SharingPermission.objects.select_related("department", "resource", "resource__owner").order_by(
        "resource__key", "department__name"
    )


def resources_list() -> QuerySet[DataResource]:
    return DataResource.objects.select_related("owner").order_by("key")


def accesses_about_me(*, user, before_id: int | None = None, limit: int = 50) -> list[AccessRecord]:
    """Every read of the person's own records, newest first, keyset-paginated by id. Never anyone else's:
    the filter is the user's own verified id_number, not a parameter."""
    id_number = getattr(user, "id_number", None)
    if not getattr(user, "is_authenticated", False) or not id_number:
        return []
    qs = AccessRecord.objects.filter(identifier=id_number).select_related("department")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return list(qs.order_by("-id")[: max(1, min(limit, 200))])


def represents(*, user, credit_code: str) -> bool:
    """The person is the company's legal representative in the legal-entity register (by ID number). The
    platform checks its own register here (like a sign-in check), not a department's read for a case."""
    from onevisit.datahub.providers import provider_for

    id_number = getattr(user, "id_number", None)
    resource = DataResource.objects.filter(key="legal_entity").first()
    if not (getattr(user, "is_authenticated", False) and id_number and credit_code and resource):
        return False
    fetched = provider_for(resource.key).fetch(resource=resource, identifier=credit_code.strip().upper())
    return fetched is not None and (fetched.data or {}).get("legal_representative_id_number") == id_number


def accesses_about_company(*, user, credit_code: str, before_id: int | None = None, limit: int = 50) -> list[AccessRecord]:
    """Every read of a company's records, for its legal representative only; anyone else is refused."""
    from django.core.exceptions import PermissionDenied

    if not represents(user=user, credit_code=credit_code):
        raise PermissionDenied("只有该单位登记的法定代表人可以查看本单位的数据使用记录")
    qs = AccessRecord.objects.filter(identifier=credit_code.strip().upper()).select_related("department")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return list(qs.order_by("-id")[: max(1, min(limit, 200))])

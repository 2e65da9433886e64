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

"""Reads of mandates: which one entitles an agent to act for a principal on a matter, today."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from onevisit.mandates.models import Mandate


def _today(at: dt.datetime | None) -> dt.date:
    return timezone.localdate(at) if at else timezone.localdate()


def active_mandates(*, agent_id_number: str, principal_id: str | None = None,
                    at: dt.datetime | None = None) -> QuerySet[Mandate]:
    """Accepted, not revoked, in force today."""
    today = _today(at)
    qs = Mandate.objects.filter(agent_id_number=agent_id_number, revoked_at__isnull=True,
                                accepted_at__isnull=False, valid_from__lte=today, valid_until__gte=today)
    return qs.filter(principal_id=principal_id) if principal_id else qs


def mandate_for(*, principal_id: str, agent_id_number: str, item_code: str = "", bundle_code: str = "",
                item_type: str = "", project_code: str = "", at: dt.datetime | None = None) -> Mandate | None:
    """The mandate in force that covers the matter, or None."""
    for mandate in active_mandates(agent_id_number=agent_id_number, principal_id=principal_id, at=at).order_by("id"):
        if mandate.covers(item_code=item_code, bundle_code=bundle_code, item_type=item_type, project_code=project_code):
            return mandate
    return None


def mandates_of(*, user, credit_codes: list[str] | None = None) -> QuerySet[Mandate]:
    """The mandates a person gave (or their companies gave) and received, newest first."""
    id_number = getattr(user, "id_number", None)
    if not id_number:
        return Mandate.objects.none()
    q = Q(principal_id=id_number) | Q(agent_id_number=id_number)
    if credit_codes:
        q |= Q(principal_id__in=credit_codes)
    return Mandate.objects.filter(q).order_by("-id")

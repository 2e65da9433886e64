"""Reads of the hall queue."""

import datetime as dt

from django.utils import timezone

from onevisit.queue.models import Ticket, TicketStatus
from onevisit.workdays.calendar import SHANGHAI


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()


def waiting_count(*, domain: str, now: dt.datetime | None = None, before: int | None = None) -> int:
    qs = Ticket.objects.filter(day=_today(now or timezone.now()), domain=domain, status=TicketStatus.WAITING)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    return qs.count()


def recently_called(*, now: dt.datetime | None = None, limit: int = 10) -> list[Ticket]:
    return list(Ticket.objects.filter(day=_today(now or timezone.now()), called_at__isnull=False)
                .select_related("window").order_by("-called_at", "-id")[:limit])


def window_current(*, window, now: dt.datetime | None = None) -> Ticket | None:
    return Ticket.objects.filter(window=window, status=TicketStatus.CALLED, day=_today(now or timezone.now())).first()


def waiting_by_domain(*, domains: list[str], now: dt.datetime | None = None) -> dict[str, int]:
    from django.db.models import Count

    rows = (Ticket.objects.filter(day=_today(now or timezone.now()), status=TicketStatus.WAITING, domain__in=domains)
            .values("domain").annotate(n=Count("id")))
    counts = {d: 0 for d in domains}
    counts.update({r["domain"]: r["n"] for r in rows})
    return counts

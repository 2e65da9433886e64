"""Writes to the hall queue: take a number, call the next, recall, skip, done. One transaction each,
each appending the history event."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from onevisit.cases.access import clerk_windows
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.orgs.models import Domain
from onevisit.queue.models import LETTERS, Ticket, TicketStatus
from onevisit.workdays.calendar import SHANGHAI


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()


def _next_seq(day: dt.date, domain: str) -> int:
    table = "queue_ticketcounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, domain, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (day, domain) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day, domain],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def ticket_take(*, domain: str, now: dt.datetime | None = None) -> Ticket:
    """A number at the kiosk. Unique per day and domain, also under concurrent takes."""
    now = now or timezone.now()
    if domain not in Domain.values:
        raise ValidationError({"domain": "请选择要办理的业务领域"})
    day = _today(now)
    seq = _next_seq(day, domain)
    ticket = Ticket.objects.create(day=day, domain=domain, seq=seq, number=f"{LETTERS[domain]}{seq:03d}", taken_at=now)
    record_change(obj=ticket, actor=None, action="take", data={"number": ticket.number, "domain": domain, "at": now})
    return ticket


def clerk_window(actor):
    windows = clerk_windows(actor)
    if not windows:
        raise PermissionDenied("只有窗口受理员可以叫号")
    return windows[0]


def window_domains(window) -> list[str]:
    return list(Domain.values) if window.accepts_any else [d for d in window.domains if d in Domain.values]


def _own(actor, ticket: Ticket) -> Ticket:
    window = clerk_window(actor)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.window_id != window.pk:
        raise PermissionDenied("该号码不是本窗口叫的号")
    return locked


@transaction.atomic
def ticket_call_next(*, actor, now: dt.datetime | None = None) -> Ticket | None:
    """The oldest waiting number of the window's domains, or None when nobody waits. Two windows calling
    at once never get the same number (the row is locked and re-checked)."""
    now = now or timezone.now()
    window = clerk_window(actor)
    current = Ticket.objects.filter(window=window, status=TicketStatus.CALLED, day=_today(now)).first()
    if current is not None:
        raise DomainError(f"请先办结或过号当前号码 {current.number}", code="ticket_open")
    qs = Ticket.objects.filter(day=_today(now), status=TicketStatus.WAITING, domain__in=window_domains(window))
    for _ in range(5):
        candidate = qs.order_by("taken_at", "id").values_list("pk", flat=True).first()
        if candidate is None:
            return None
        lock = Ticket.objects.select_for_update()
        if connection.features.has_select_for_update_skip_locked:
            lock = Ticket.objects.select_for_update(skip_locked=True)
        ticket = lock.filter(pk=candidate, status=TicketStatus.WAITING).first()
        if ticket is None:
            continue
        ticket.status, ticket.window, ticket.called_by, ticket.called_at = TicketStatus.CALLED, window, actor, now
        ticket.save(update_fields=["status", "window", "called_by", "called_at"])
        record_change(obj=ticket, actor=actor, action="call", data={"window": window.number, "at": now})
        return ticket
    return None


@transaction.atomic
def ticket_recall(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    ticket = _own(actor, ticket)
    if ticket.status != TicketStatus.CALLED:
        raise DomainError(f"号码 {ticket.number} 当前为“{ticket.get_status_display()}”，不能重呼", code="illegal_transition")
    ticket.recalls += 1
    ticket.called_at = now
    ticket.save(update_fields=["recalls", "called_at"])
    record_change(obj=ticket, actor=actor, action="recall", data={"recalls": ticket.recalls, "at": now})
    return ticket


def _finish(actor, ticket: Ticket, status: str, action: str, now: dt.datetime | None) -> Ticket:
    now = now or timezone.now()
    ticket = _own(actor, ticket)
    if ticket.status != TicketStatus.CALLED:
        raise DomainError(f"号码 {ticket.number} 当前为“{ticket.get_status_display()}”", code="illegal_transition")
    ticket.status, ticket.finished_at = status, now
    ticket.save(update_fields=["status", "finished_at"])
    record_change(obj=ticket, actor=actor, action=action, data={"at": now})
    return ticket


@transaction.atomic
def ticket_skip(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """过号: the visitor did not come to the window."""
    return _finish(actor, ticket, TicketStatus.SKIPPED, "skip", now)


@transaction.atomic
def ticket_done(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    return _finish(actor, ticket, TicketStatus.DONE, "done", now)

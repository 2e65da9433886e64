"""Webhook delivery: signed POSTs of the log's events to a subscription's callback URL, in position order.

Each subscription has a cursor (everything up to it is delivered or dead-lettered). A worker takes the
subscription's lease (no transaction spans an HTTP call), posts the next events after the cursor and moves
the cursor once the subscriber answered 2xx. A failure keeps the cursor: the same event is tried again after
1, 2, 4… seconds (at most ONEVISIT_WEBHOOK_BACKOFF_MAX), and after ONEVISIT_WEBHOOK_MAX_ATTEMPTS it goes to the
dead letters and the cursor moves on. A worker killed mid-delivery loses its lease when it expires; the next
worker starts from the cursor, so an event may arrive twice (same id), never zero times.

Signature: `X-OneVisit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>` (docs/events.md)."""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from onevisit.events.models import DeadLetter, Subscription, SubscriptionKind
from onevisit.events.publisher import Outgoing, head_position, sequenced
from onevisit.events.signing import SIGNATURE_HEADER, sign, verify  # noqa: F401 - verify: the subscribers' reference

logger = logging.getLogger("onevisit.events.webhooks")



FLUSH_EVENTS = 100
FLUSH_SECONDS = 1.0


def lease() -> dt.timedelta:
    """How long a worker may hold a subscription without a word (renewed at every delivered POST); a killed
    worker's subscription is taken over after this long."""
    return dt.timedelta(seconds=settings.ONEVISIT_WEBHOOK_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    base, cap = settings.ONEVISIT_WEBHOOK_BACKOFF_BASE, settings.ONEVISIT_WEBHOOK_BACKOFF_MAX
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


# ------------------------------------------------------------------------------------------------
# HTTP with kept-alive connections (one per host in each worker process)

_connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}


def _post(url: str, body: bytes, headers: dict) -> int:
    parts = urlsplit(url)
    key = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    timeout = settings.ONEVISIT_WEBHOOK_TIMEOUT
    for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: one fresh try
        conn = _connections.get(key)
        if conn is None:
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = _connections[key] = cls(key[1], key[2], timeout=timeout)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                _connections.pop(key, None)
            return response.status
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            conn.close()
            _connections.pop(key, None)
            if attempt == 2:
                raise exc
        except Exception:
            conn.close()
            _connections.pop(key, None)
            raise
    raise AssertionError("unreachable")


def post_events(sub: Subscription, events: list[Outgoing]) -> tuple[bool, str]:
    """One signed POST: a single event in structured mode, or a batch. (True, "") on 2xx."""
    if len(events) == 1:
        body, ctype = events[0].body, "application/cloudevents+json; charset=utf-8"
    else:
        body, ctype = b"[" + b",".join(e.body for e in events) + b"]", "application/cloudevents-batch+json; charset=utf-8"
    headers = {
        "Content-Type": ctype, SIGNATURE_HEADER: sign(sub.secret, body, int(time.time())),
        "X-OneVisit-Event-Id": events[0].event_id, "X-OneVisit-Position": str(events[-1].position),
        "X-OneVisit-Subscription": str(sub.pk), "User-Agent": "OneVisit-Webhooks/1",
    }
    try:
        status = _post(sub.callback_url, body, headers)
    except Exception as exc:  # noqa: BLE001 - any transport failure is a failed attempt
        return False, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= status < 300:
        return True, ""
    return False, f"HTTP {status}"


# ------------------------------------------------------------------------------------------------
# Which events a subscription receives


def filter_sql(sub: Subscription) -> tuple[str, list] | None:
    """The WHERE part selecting the subscription's events among what its owner may see; None when the owner
    may see nothing any more (their roles were taken away)."""
    from onevisit.events.selectors import event_scope

    scope = event_scope(sub.owner)
    if scope is not None and not scope:
        return None
    clauses, params = [], []
    departments = [d for d in sub.departments if scope is None or d in scope] if sub.departments else (
        sorted(scope) if scope is not None else [])
    if sub.departments and not departments:
        return None
    if departments:
        clauses.append(f"department_id IN ({', '.join(['%s'] * len(departments))})")
        params += departments
    if sub.item_codes:
        clauses.append(f"item_code IN ({', '.join(['%s'] * len(sub.item_codes))})")
        params += list(sub.item_codes)
    if sub.types:
        clauses.append(f"type IN ({', '.join(['%s'] * len(sub.types))})")
        params += list(sub.types)
    return " AND ".join(clauses), params


# ------------------------------------------------------------------------------------------------
# Delivering one subscription


def _take_lease(pk: int, token: str, *, now: dt.datetime, force: bool = False) -> bool:
    qs = Subscription.objects.filter(pk=pk, active=True, kind=SubscriptionKind.WEBHOOK).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now))
    if not force:
        qs = qs.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return qs.update(lease_token=token, leased_until=now + lease()) == 1


def _mine(pk: int, token: str):
    return Subscription.objects.filter(pk=pk, lease_token=token)


def deliver(pk: int, *, max_events: int = 5000, max_seconds: float = 20.0) -> dict:
    """Deliver what is due to one webhook subscription. Returns counts (delivered, dead, failed). Events
    published while the lease was held are taken too: a trigger that found the lease taken is not lost."""
    out = {"delivered": 0, "dead": 0, "failed": 0}
    started = time.monotonic()
    while time.monotonic() - started < max_seconds and out["delivered"] < max_events:
        cursor = _deliver_leased(pk, out, max_events=max_events, started=started, max_seconds=max_seconds)
        if cursor is None or out["failed"] or head_position() <= cursor:
            break
    return out


def _deliver_leased(pk: int, out: dict, *, max_events: int, started: float, max_seconds: float) -> int | None:
    """One lease: deliver after the cursor up to the head (re-read as it moves). Returns the cursor reached,
    or None when the lease could not be taken or was lost."""
    token = uuid.uuid4().hex
    if not _take_lease(pk, token, now=timezone.now()):
        return None
    try:
        sub = Subscription.objects.select_related("owner").get(pk=pk)
        where = filter_sql(sub)
        if where is None:
            Subscription.objects.filter(pk=pk).update(active=False, last_error="订阅人已无权接收这些事件，订阅已停用")
            return None
        cursor, attempts = sub.cursor, sub.attempts
        max_attempts = settings.ONEVISIT_WEBHOOK_MAX_ATTEMPTS
        # The cursor is saved every FLUSH_EVENTS delivered events or FLUSH_SECONDS, and before any return: one
        # UPDATE per event would cost a commit per POST. A crash re-sends at most what was not saved yet.
        unsaved, saved_at = 0, time.monotonic()

        def save() -> bool:
            nonlocal unsaved, saved_at
            if not unsaved:
                return True
            ok = _mine(pk, token).update(cursor=cursor, attempts=0, next_attempt_at=None, last_error="",
                                         delivered_count=F("delivered_count") + unsaved,
                                         leased_until=timezone.now() + lease())
            unsaved, saved_at = 0, time.monotonic()
            return bool(ok)

        while out["delivered"] < max_events and time.monotonic() - started < max_seconds:
            head = head_position()
            if head <= cursor:
                break
            events = sequenced(after=cursor, until=head, limit=max(sub.batch_size, 1) * 50, where=where[0],
                               params=where[1])
            if not events:  # nothing of ours up to the head: skip the cursor there
                if not save() or not _mine(pk, token).update(cursor=head):
                    return None
                cursor = head
                continue
            size = max(sub.batch_size, 1)
            for i in range(0, len(events), size):
                chunk = events[i:i + size]
                ok, error = post_events(sub, chunk)
                if ok:
                    cursor = chunk[-1].position
                    attempts = 0
                    unsaved += len(chunk)
                    out["delivered"] += len(chunk)
                    if (unsaved >= FLUSH_EVENTS or time.monotonic() - saved_at > FLUSH_SECONDS) and not save():
                        return None  # the lease was lost (expired and taken): the other worker goes on
                    continue
                if not save():
                    return None
                now = timezone.now()
                attempts += 1
                if attempts >= max_attempts:
                    DeadLetter.objects.bulk_create([
                        DeadLetter(subscription_id=pk, event_id=e.event_id, position=e.position, attempts=attempts,
                                   last_error=error) for e in chunk], ignore_conflicts=True)
                    cursor = chunk[-1].position
                    _mine(pk, token).update(cursor=cursor, attempts=0, next_attempt_at=None, last_error=error,
                                            leased_until=now + lease())
                    logger.warning("subscription %s: events up to position %s dead-lettered after %s attempts: %s",
                                   pk, cursor, attempts, error)
                    attempts = 0
                    out["dead"] += len(chunk)
                    continue
                _mine(pk, token).update(attempts=attempts, next_attempt_at=now + backoff(attempts), last_error=error)
                out["failed"] += 1
                return cursor
        return cursor if save() else None
    finally:
        _mine(pk, token).update(lease_token="", leased_until=None)


def due_subscriptions(*, now: dt.datetime | None = None) -> list[int]:
    """Active webhook subscriptions behind the head, not backing off, not being delivered."""
    now = now or timezone.now()
    head = head_position()
    return list(Subscription.objects.filter(kind=SubscriptionKind.WEBHOOK, active=True, cursor__lt=head)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now)).values_list("pk", flat=True))


def resend(dead: DeadLetter) -> bool:
    """Send one dead-lettered event again (an operator's resend). Records the outcome on the row."""
    sub = dead.subscription
    events = sequenced(after=dead.position - 1, until=dead.position)
    if not events:
        DeadLetter.objects.filter(pk=dead.pk).update(resend_error="事件已超过保留期，无法重新投递")
        return False
    ok, error = post_events(sub, events)
    if ok:
        DeadLetter.objects.filter(pk=dead.pk).update(resent_at=timezone.now(), resend_error="")
    else:
        DeadLetter.objects.filter(pk=dead.pk).update(resend_error=error)
    return ok

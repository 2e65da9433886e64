"""RabbitMQ plumbing shared by the publisher, the per-subscriber queues and the tests (py-amqp, the client
Celery itself uses). Nothing here runs unless ONEVISIT_AMQP_URL is set."""

from __future__ import annotations

import itertools
from urllib.parse import unquote, urlparse

from django.conf import settings

MAX_BINDINGS = 200


def connect(url: str, *, heartbeat: int = 0):
    """An open connection and channel for an amqp:// URL (vhost in the path, "/" when empty). With a heartbeat,
    the owner calls conn.heartbeat_tick() regularly (the publisher does, every round)."""
    import amqp

    u = urlparse(url)
    vhost = unquote(u.path[1:]) if u.path and u.path != "/" else "/"
    conn = amqp.Connection(host=f"{u.hostname or '127.0.0.1'}:{u.port or 5672}", userid=unquote(u.username or "guest"),
                           password=unquote(u.password or "guest"), virtual_host=vhost, heartbeat=heartbeat,
                           connect_timeout=10)
    conn.connect()
    return conn, conn.channel()


def declare_exchange(channel, exchange: str | None = None) -> None:
    channel.exchange_declare(exchange or settings.ONEVISIT_EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)


def binding_keys(subscription) -> list[str]:
    """Routing-key patterns of a subscription's filters: <department>.<item>.<type>, "*" / "#" for all."""
    from onevisit.events.publisher import department_code
    from onevisit.events.selectors import event_scope

    scope = event_scope(subscription.owner)
    wanted = subscription.departments or (sorted(scope) if scope is not None else [])
    departments = [department_code(d) for d in wanted if scope is None or d in scope] or (
        ["*"] if scope is None else [])
    if not departments:
        return []  # the owner may see nothing any more: no binding
    items = [c.replace(".", "_") for c in subscription.item_codes] or ["*"]
    types = list(subscription.types) or ["#"]
    keys = [f"{d}.{i}.{t}" for d, i, t in itertools.product(departments, items, types)]
    if len(keys) > MAX_BINDINGS:
        raise ValueError(f"订阅条件组合过多（{len(keys)} 个绑定，最多 {MAX_BINDINGS} 个）")
    return keys


def declare_subscriber_queue(channel, subscription) -> str:
    """The subscriber's own durable queue, bound to the exchange by its filters (idempotent)."""
    declare_exchange(channel)
    name = subscription.queue_name
    channel.queue_declare(name, durable=True, auto_delete=False, exclusive=False)
    for key in binding_keys(subscription):
        channel.queue_bind(name, exchange=settings.ONEVISIT_EVENTS_EXCHANGE, routing_key=key)
    return name


def delete_subscriber_queue(channel, subscription) -> None:
    channel.queue_delete(subscription.queue_name)


def declare_subscriber_queues(channel) -> int:
    """Every active AMQP subscription's queue (the publisher calls this when it starts)."""
    from onevisit.events.models import Subscription, SubscriptionKind

    n = 0
    for sub in Subscription.objects.filter(kind=SubscriptionKind.AMQP, active=True):
        declare_subscriber_queue(channel, sub)
        n += 1
    return n


def with_channel(fn):
    """Run fn(channel) on a fresh connection to the configured broker (for services: short-lived)."""
    conn, channel = connect(settings.ONEVISIT_AMQP_URL)
    try:
        return fn(channel)
    finally:
        conn.close()

"""Moving events from the outbox to the broker (docs/decisions/0020).

Two steps, each short:
1. sequence: unsequenced rows of the shards this publisher owns get the next global positions, in insertion
   order, under one database-wide lock held to the commit. Positions are therefore given in commit order and
   without gaps: whoever has read position P has read every position below it (replay never skips one).
2. publish: sequenced rows not yet published go to the topic exchange in position order on one channel with
   publisher confirms; once the broker has confirmed them all they are marked published. A crash between the
   two leaves them unmarked: they are sent again (at least once; consumers deduplicate by event id).

Several publisher processes share the work by shards (a session advisory lock per shard on PostgreSQL): each
owns about its share, takes over the shards of a publisher that dies (its session ends, its locks go), and
never publishes a shard another one owns, so nothing is sent twice in the normal case. The embedded default
(`make run`, no broker) runs both steps in-process after each commit, with the local transport: events stay
in the log, readable by position through the API and delivered to webhooks."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from onevisit.events.models import OutboxEvent

logger = logging.getLogger("onevisit.events.publisher")

SHARD_LOCK_CLASS = 0x0E0E  # pg advisory lock (class, shard): this session owns the shard
SEQUENCE_LOCK = (0x0E0F, 0)  # pg advisory xact lock: one sequencer at a time, to the commit
APPLICATION_NAME = "onevisit-publisher"


# ------------------------------------------------------------------------------------------------
# Step 1: positions


def _table() -> str:
    return OutboxEvent._meta.db_table


def sequence(*, shards: list[int] | None = None, limit: int = 1000) -> int:
    """Give positions to up to `limit` unsequenced events of the shards (all when None). Returns how many."""
    table = _table()
    where = "position IS NULL"
    params: list = []
    if shards is not None:
        if not shards:
            return 0
        where += f" AND shard IN ({', '.join(['%s'] * len(shards))})"
        params = list(shards)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCE_LOCK)
        # Under the lock (PostgreSQL) or in SQLite's single writer transaction: the head cannot move.
        cur.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT %s", [*params, limit])  # noqa: S608
        ids = [r[0] for r in cur.fetchall()]
        if not ids:
            return 0
        cur.execute(f"SELECT COALESCE(MAX(position), 0) FROM {table} WHERE position IS NOT NULL")  # noqa: S608
        head = cur.fetchone()[0]
        if connection.vendor == "postgresql":
            cur.execute(
                f"UPDATE {table} o SET position = %s + n.ord FROM unnest(%s::bigint[]) WITH ORDINALITY AS n(id, ord)"  # noqa: S608
                " WHERE o.id = n.id", [head, ids])
        else:
            cur.executemany(f"UPDATE {table} SET position = ? WHERE id = ?",  # noqa: S608
                            [(head + i, pk) for i, pk in enumerate(ids, start=1)])
    return len(ids)


# ------------------------------------------------------------------------------------------------
# What is sent


@dataclass
class Outgoing:
    id: int
    event_id: str
    position: int
    type: str
    subject: str
    department_id: int | None
    item_code: str
    body: bytes  # the CloudEvents JSON, structured mode
    routing_key: str = ""


_departments: dict[int, str] = {}


def department_code(department_id: int | None) -> str:
    """The department's 统一社会信用代码, the first word of routing keys ("-" for none)."""
    if department_id is None:
        return "-"
    code = _departments.get(department_id)
    if code is None:
        from onevisit.orgs.models import Department

        code = Department.objects.filter(pk=department_id).values_list("credit_code", flat=True).first() or "-"
        _departments[department_id] = code
    return code


def routing_key(department_id: int | None, item_code: str, type_: str) -> str:
    """<department credit code>.<item code>.<event type>: bind `91330000XXXX.#` for a department,
    `*.330100-XX-0001.#` for an item, `#.cn.onevisit.case.accepted` for a type."""
    return f"{department_code(department_id)}.{(item_code or '-').replace('.', '_')}.{type_}"


def _json_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def envelope_text(*, event_id, position, type_, source, subject, time_, department_id, item_code, data_text) -> str:
    """A CloudEvents 1.0 event in JSON (structured mode). `data_text` is the stored JSON, spliced in as is."""
    from onevisit.events.outbox import moment

    parts = [
        '{"specversion":"1.0"', f',"id":"{event_id}"', f',"source":{_json_str(source)}', f',"type":"{type_}"',
        f',"subject":{_json_str(subject)}', f',"time":"{moment(time_)}"', ',"datacontenttype":"application/json"',
        f',"position":{position}', f',"partitionkey":{_json_str(subject)}',
        f',"department":"{department_code(department_id)}"', f',"itemcode":{_json_str(item_code or "")}',
        f',"data":{data_text}}}',
    ]
    return "".join(parts)


def _data_column() -> str:
    return "data::text" if connection.vendor == "postgresql" else "data"


_SELECT = "id, event_id, position, type, source, subject, time, department_id, item_code, {data}"


def _rows_to_outgoing(rows) -> list[Outgoing]:
    out = []
    for pk, event_id, position, type_, source, subject, time_, dept, item_code, data_text in rows:
        if isinstance(time_, str):  # SQLite: naive UTC text
            time_ = parse_datetime(time_).replace(tzinfo=dt.UTC)
        eid = str(event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(event_id))
        body = envelope_text(event_id=eid, position=position, type_=type_, source=source, subject=subject,
                             time_=time_, department_id=dept, item_code=item_code, data_text=data_text)
        out.append(Outgoing(pk, eid, position, type_, subject, dept, item_code, body.encode("utf-8"),
                            routing_key(dept, item_code, type_)))
    return out


def sequenced(*, after: int = 0, until: int | None = None, limit: int = 500, where: str = "",
              params: list | None = None) -> list[Outgoing]:
    """Sequenced events after a position, in position order, as sent (for replay and webhooks)."""
    sql = f"SELECT {_SELECT.format(data=_data_column())} FROM {_table()} WHERE position > %s"  # noqa: S608
    args: list = [after]
    if until is not None:
        sql += " AND position <= %s"
        args.append(until)
    if where:
        sql += f" AND {where}"
        args += params or []
    sql += " ORDER BY position LIMIT %s"
    args.append(limit)
    with connection.cursor() as cur:
        cur.execute(sql, args)
        return _rows_to_outgoing(cur.fetchall())


def head_position() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(position), 0) FROM {_table()} WHERE position IS NOT NULL")  # noqa: S608
        return cur.fetchone()[0]


def _unpublished(shards: list[int] | None, limit: int, *, lock: bool) -> list[Outgoing]:
    where, params = "position IS NOT NULL AND published_at IS NULL", []
    if shards is not None:
        where += f" AND shard IN ({', '.join(['%s'] * len(shards))})"
        params = list(shards)
    sql = (f"SELECT {_SELECT.format(data=_data_column())} FROM {_table()} WHERE {where}"  # noqa: S608
           " ORDER BY position LIMIT %s")
    if lock and connection.vendor == "postgresql":
        sql += " FOR UPDATE"
    with connection.cursor() as cur:
        cur.execute(sql, [*params, limit])
        return _rows_to_outgoing(cur.fetchall())


def _mark_published(ids: list[int]) -> None:
    if not ids:
        return
    now = OutboxEvent._meta.get_field("published_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET published_at = %s WHERE id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
                    [now, *ids])


# ------------------------------------------------------------------------------------------------
# Transports


class LocalTransport:
    """No broker (the embedded default): the outbox itself is the log; nothing leaves the process."""

    name = "local"

    def publish(self, events: list[Outgoing]) -> None:
        return None

    def tick(self) -> None:
        return None

    def close(self) -> None:
        return None


class AmqpTransport:
    """RabbitMQ: a durable topic exchange, persistent messages, publisher confirms, one channel (so the
    broker keeps our order)."""

    name = "amqp"

    def __init__(self, url: str, *, exchange: str | None = None, confirm_timeout: float = 10.0):
        from onevisit.events import amqp as broker

        self.url = url
        self.exchange = exchange or settings.ONEVISIT_EVENTS_EXCHANGE
        self.confirm_timeout = confirm_timeout
        self.conn, self.channel = broker.connect(url, heartbeat=30)
        broker.declare_exchange(self.channel, self.exchange)
        self.channel.confirm_select()
        self._pending: set[int] = set()
        self._nacked = False
        self._tag = 0
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)

    def _on_ack(self, delivery_tag, multiple):
        if multiple:
            self._pending = {t for t in self._pending if t > delivery_tag}
        else:
            self._pending.discard(delivery_tag)

    def _on_nack(self, delivery_tag, multiple):
        self._nacked = True

    def publish(self, events: list[Outgoing]) -> None:
        import amqp

        self._nacked = False
        for e in events:
            msg = amqp.Message(
                e.body, content_type="application/cloudevents+json", content_encoding="utf-8", delivery_mode=2,
                message_id=e.event_id, type=e.type, application_headers={"position": e.position, "subject": e.subject},
            )
            self.channel.basic_publish(msg, exchange=self.exchange, routing_key=e.routing_key)
            self._tag += 1
            self._pending.add(self._tag)
        deadline = time.monotonic() + self.confirm_timeout
        while self._pending and not self._nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"broker left {len(self._pending)} messages unconfirmed")
            try:
                self.conn.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        if self._nacked:
            raise RuntimeError("broker refused (nack) a message; the batch will be sent again")

    def tick(self) -> None:
        """Keep the connection alive while idle (and notice a dead broker): call every round."""
        self.conn.heartbeat_tick()

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass


def transport_from_settings():
    url = settings.ONEVISIT_AMQP_URL
    return AmqpTransport(url) if url else LocalTransport()


# ------------------------------------------------------------------------------------------------
# One round (in-process) and the publisher process


def publish_round(transport, *, shards: list[int] | None = None, limit: int = 500, lock_rows: bool = False) -> int:
    """Publish up to `limit` sequenced events of the shards in position order; mark them once confirmed."""
    if lock_rows:  # in-process publishers of several web workers: one at a time per row, in order
        with transaction.atomic():
            events = _unpublished(shards, limit, lock=True)
            if events:
                transport.publish(events)
                _mark_published([e.id for e in events])
        return len(events)
    events = _unpublished(shards, limit, lock=False)
    if events:
        transport.publish(events)
        _mark_published([e.id for e in events])
    return len(events)


_inprocess_transport = None


def publish_inprocess() -> None:
    """After a commit that wrote events (embedded default): sequence, publish, then deliver webhooks."""
    global _inprocess_transport
    try:
        if _inprocess_transport is None:
            _inprocess_transport = transport_from_settings()
        while sequence(limit=1000):
            pass
        while publish_round(_inprocess_transport, limit=500, lock_rows=True) == 500:
            pass
    except Exception:  # never fail the request that committed; the next commit or run_publisher catches up
        logger.exception("in-process publishing failed; the events stay in the outbox")
        if _inprocess_transport is not None:
            _inprocess_transport.close()
        _inprocess_transport = None
        return
    from onevisit.events.tasks import trigger_webhooks

    trigger_webhooks()


@dataclass
class Publisher:
    """The publisher process (`manage.py run_publisher`): owns a share of the shards, loops."""

    transport_factory: object = transport_from_settings
    batch: int = 500
    idle_sleep: float = 0.05
    rebalance_every: float = 2.0
    held: set[int] = field(default_factory=set)
    stopping: bool = False
    published: int = 0

    def _setup_session(self) -> None:
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET application_name = %s", [APPLICATION_NAME])

    def rebalance(self) -> None:
        """Hold about N / (live publishers) shards: take free ones, give back extras."""
        n = settings.ONEVISIT_OUTBOX_SHARDS
        if connection.vendor != "postgresql":
            self.held = set(range(n))  # SQLite: one publisher process (documented)
            return
        with connection.cursor() as cur:
            cur.execute("SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
                        " AND pid = pg_backend_pid() AND granted", [SHARD_LOCK_CLASS])
            actually = {int(r[0]) for r in cur.fetchall()}
            if actually != self.held:
                logger.warning("shard locks changed under us (held %s, have %s)", sorted(self.held), sorted(actually))
                self.held = actually
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                        " AND datname = current_database()", [APPLICATION_NAME])
            live = max(cur.fetchone()[0], 1)
            target = math.ceil(n / live)
            for shard in sorted(self.held)[target:] if len(self.held) > target else []:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [SHARD_LOCK_CLASS, shard])
                self.held.discard(shard)
            if len(self.held) < target:
                start = random.randrange(n)
                for shard in [(start + i) % n for i in range(n)]:
                    if len(self.held) >= target:
                        break
                    if shard in self.held:
                        continue
                    cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [SHARD_LOCK_CLASS, shard])
                    if cur.fetchone()[0]:
                        self.held.add(shard)

    def release(self) -> None:
        if connection.vendor == "postgresql" and self.held:
            try:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock_all()")
            except Exception:  # noqa: BLE001 - the session is going anyway
                pass
        self.held = set()

    def run(self, *, seconds: float | None = None, max_events: int | None = None) -> int:
        deadline = time.monotonic() + seconds if seconds else None
        transport = None
        next_rebalance = 0.0
        backoff = 0.5
        from onevisit.events.tasks import trigger_webhooks

        while not self.stopping and (deadline is None or time.monotonic() < deadline):
            try:
                if transport is None:
                    self._setup_session()
                    transport = self.transport_factory()
                    if hasattr(transport, "channel"):
                        from onevisit.events.amqp import declare_subscriber_queues

                        declare_subscriber_queues(transport.channel)
                    backoff = 0.5
                if time.monotonic() >= next_rebalance:
                    self.rebalance()
                    next_rebalance = time.monotonic() + self.rebalance_every
                transport.tick()
                shards = sorted(self.held)
                sequence(shards=shards, limit=self.batch * 2)
                done = publish_round(transport, shards=shards, limit=self.batch)
                self.published += done
                if done:
                    trigger_webhooks()
                if max_events is not None and self.published >= max_events:
                    break
                if done < self.batch:
                    time.sleep(self.idle_sleep)
            except Exception:  # broker or database gone: start over (unconfirmed events are sent again)
                logger.exception("publisher round failed; reconnecting in %.1f s", backoff)
                if transport is not None:
                    transport.close()
                transport = None
                self.held = set()
                try:
                    connection.close()
                except Exception:  # noqa: BLE001
                    pass
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        if transport is not None:
            transport.close()
        self.release()
        return self.published

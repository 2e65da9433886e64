"""The append-only, hash-chained event log shared by the catalog, organisations and cases."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from onevisit.history.models import Event

_APPEND_ATTEMPTS = 5


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def normalise(data: Any) -> Any:
    """JSON round trip so that what is hashed is exactly what the database gives back."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(
    *, object_type: str, object_id: str, seq: int, at: datetime, actor_label: str, action: str,
    reason: str, data: Any, prev_hash: str,
) -> str:
    body = {
        "object_type": object_type,
        "object_id": object_id,
        "seq": seq,
        "at": _canonical_at(at),
        "actor": actor_label,
        "action": action,
        "reason": reason,
        "data": data,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain_month_of(at: datetime):
    """The month (China Standard Time) a chain opened at `at` is stored under (Event.chain_month)."""
    return timezone.localtime(at).date().replace(day=1)


def actor_label_of(actor) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "username", None) or str(actor)


def event_append(
    *, object_type: str, object_id: str | int, actor, action: str, reason: str = "", data: dict | None = None,
) -> Event:
    """Append one record to the object's chain. Two writers racing on the same object collide on the
    unique (object, seq) constraint; the loser re-reads the head and retries inside its savepoint."""
    object_id = str(object_id)
    data = normalise(data or {})
    label = actor_label_of(actor)
    user = actor if getattr(actor, "pk", None) is not None else None
    for attempt in range(_APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                head = (
                    Event.objects.filter(object_type=object_type, object_id=object_id)
                    .order_by("-seq")
                    .values_list("seq", "hash", "chain_month")
                    .first()
                )
                at = timezone.now()
                seq, prev, month = (head[0] + 1, head[1], head[2]) if head else (1, "", chain_month_of(at))
                digest = compute_hash(
                    object_type=object_type, object_id=object_id, seq=seq, at=at, actor_label=label,
                    action=action, reason=reason, data=data, prev_hash=prev,
                )
                return Event.objects.create(
                    object_type=object_type, object_id=object_id, seq=seq, at=at, actor=user,
                    actor_label=label, action=action, reason=reason, data=data, prev_hash=prev, hash=digest,
                    chain_month=month,
                )
        except IntegrityError:
            if attempt == _APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def record_change(*, obj: models.Model, actor, action: str, reason: str = "", data: dict | None = None,
                  locked: bool = False) -> Event:
    """Append to the object's chain. `locked=True`: the caller holds a lock that keeps every other writer off
    this chain (a case's row lock), so no savepoint and no retry are needed: one read of the head, one
    INSERT (a racing writer would still be refused by the unique (object, seq) constraint)."""
    if locked:
        return events_append_many(obj=obj, records=[{"actor": actor, "action": action, "reason": reason,
                                                     "data": data}])[0]
    return event_append(
        object_type=object_type_of(obj), object_id=obj.pk, actor=actor, action=action, reason=reason, data=data
    )


def events_of(obj: models.Model) -> models.QuerySet[Event]:
    return Event.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk)).order_by("seq")


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    object_type: str
    object_id: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"记录 #{self.event_id}（{self.object_type}:{self.object_id} 第 {self.seq} 条）：{self.problem}"


def verify_chains(*, object_type: str | None = None) -> Iterator[BrokenLink]:
    """Yield the first broken record of every chain that does not verify."""
    qs = Event.objects.order_by("object_type", "object_id", "seq")
    if object_type:
        qs = qs.filter(object_type=object_type)
    current: tuple[str, str] | None = None
    expected_seq, prev, broken = 1, "", False
    for ev in qs.iterator(chunk_size=5000):
        key = (ev.object_type, ev.object_id)
        if key != current:
            current, expected_seq, prev, broken = key, 1, "", False
        if broken:
            continue
        problem = None
        if ev.seq != expected_seq:
            problem = f"序号应为 {expected_seq}，实际为 {ev.seq}（记录缺失或被插入）"
        elif ev.prev_hash != prev:
            problem = "前一条记录的哈希不符（前面的记录被改动或删除）"
        else:
            digest = compute_hash(
                object_type=ev.object_type, object_id=ev.object_id, seq=ev.seq, at=ev.at,
                actor_label=ev.actor_label, action=ev.action, reason=ev.reason, data=ev.data, prev_hash=ev.prev_hash,
            )
            if digest != ev.hash:
                problem = "内容与哈希不符（记录被篡改）"
        if problem:
            broken = True
            yield BrokenLink(ev.pk, ev.object_type, ev.object_id, ev.seq, problem)
        else:
            expected_seq, prev = ev.seq + 1, ev.hash


def events_append_many(*, obj: models.Model, records: list[dict]) -> list[Event]:
    """Append several records to one object's chain in one INSERT: the head is read once and each record is
    chained to the one before. The caller holds a lock that keeps other writers off this chain (for a case,
    its row lock); a racing writer still cannot fork it: the unique (object, seq) constraint refuses the
    INSERT. Each record is a dict with actor, action and optionally reason and data."""
    object_type, object_id = object_type_of(obj), str(obj.pk)
    head = (Event.objects.filter(object_type=object_type, object_id=object_id).order_by("-seq")
            .values_list("seq", "hash", "chain_month").first())
    now = timezone.now()
    seq, prev, month = head if head else (0, "", chain_month_of(now))
    events = []
    for rec in records:
        seq += 1
        actor = rec.get("actor")
        label = actor_label_of(actor)
        data = normalise(rec.get("data") or {})
        at = now  # the moment of writing, as record_change does (the transition's own moment is in its data)
        reason = rec.get("reason", "")
        digest = compute_hash(object_type=object_type, object_id=object_id, seq=seq, at=at, actor_label=label,
                              action=rec["action"], reason=reason, data=data, prev_hash=prev)
        events.append(Event(object_type=object_type, object_id=object_id, seq=seq, at=at,
                            actor=actor if getattr(actor, "pk", None) is not None else None, actor_label=label,
                            action=rec["action"], reason=reason, data=data, prev_hash=prev, hash=digest,
                            chain_month=month))
        prev = digest
    Event.objects.bulk_create(events)
    return events


def events_start_chains(records: Iterable[dict], *, batch_size: int = 1000) -> list[Event]:
    """Open the chains of many new objects at once (bulk imports). A new object's chain starts at seq 1
    with an empty previous hash, so no head is read; an object that already has a chain makes the insert
    fail on the unique (object, seq) constraint instead of forking it. Each record is a dict with obj,
    actor, action and optionally reason and data, as for record_change. Returns the number appended."""
    at = timezone.now()
    month = chain_month_of(at)
    events = []
    for rec in records:
        obj, actor = rec["obj"], rec.get("actor")
        object_type, object_id = object_type_of(obj), str(obj.pk)
        data = normalise(rec.get("data") or {})
        label = actor_label_of(actor)
        reason = rec.get("reason", "")
        digest = compute_hash(
            object_type=object_type, object_id=object_id, seq=1, at=at, actor_label=label,
            action=rec["action"], reason=reason, data=data, prev_hash="",
        )
        events.append(Event(
            object_type=object_type, object_id=object_id, seq=1, at=at,
            actor=actor if getattr(actor, "pk", None) is not None else None, actor_label=label,
            action=rec["action"], reason=reason, data=data, prev_hash="", hash=digest, chain_month=month,
        ))
    Event.objects.bulk_create(events, batch_size=batch_size)
    return events

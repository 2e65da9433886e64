"""Writes on subscriptions (through these functions only): create, change, stop, replay, resend."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from onevisit.catalog.models import ServiceItem
from onevisit.errors import DomainError
from onevisit.events.models import DeadLetter, Subscription, SubscriptionKind
from onevisit.events.outbox import EVENT_TYPES
from onevisit.events.selectors import oldest_position, require_scope
from onevisit.history.services import record_change

MAX_FILTERS = 50


def _invalid(message: str, fields: list[dict]) -> DomainError:
    return DomainError(message, code="invalid", fields=fields, status=422)


def _clean(actor, data: dict, *, kind: str) -> tuple[dict, list[dict]]:
    scope = require_scope(actor)
    errors: list[dict] = []
    out: dict = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 100:
        errors.append({"field": "name", "reason": "名称必须填写，不超过 100 个字符"})
    out["name"] = name
    departments = data.get("departments") or []
    if not isinstance(departments, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in departments):
        errors.append({"field": "departments", "reason": "应为部门编号（整数）的列表"})
        departments = []
    elif len(departments) > MAX_FILTERS:
        errors.append({"field": "departments", "reason": f"最多 {MAX_FILTERS} 个部门"})
    outside = [d for d in departments if scope is not None and d not in scope]
    if outside:
        raise PermissionDenied(f"无权订阅这些部门的办件事件：{', '.join(map(str, outside))}")
    out["departments"] = sorted(set(departments))
    codes = data.get("item_codes") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) and 0 < len(c) <= 40 for c in codes):
        errors.append({"field": "item_codes", "reason": "应为事项实施编码（文本）的列表"})
        codes = []
    elif len(codes) > MAX_FILTERS:
        errors.append({"field": "item_codes", "reason": f"最多 {MAX_FILTERS} 个事项"})
    else:
        known = set(ServiceItem.objects.filter(implementation_code__in=codes).values_list("implementation_code", flat=True))
        for code in codes:
            if code not in known:
                errors.append({"field": "item_codes", "reason": f"事项实施编码 {code} 不存在"})
    out["item_codes"] = sorted(set(codes))
    types = data.get("types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        errors.append({"field": "types", "reason": "应为事件类型（文本）的列表"})
        types = []
    for t in types:
        if t not in EVENT_TYPES:
            errors.append({"field": "types", "reason": f"未知的事件类型 {t}（见 GET /api/v1/events/types）"})
    out["types"] = sorted(set(types))
    batch = data.get("batch_size", 1)
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 100:
        errors.append({"field": "batch_size", "reason": "应为 1 到 100 的整数"})
    out["batch_size"] = batch if isinstance(batch, int) else 1
    if kind == SubscriptionKind.WEBHOOK:
        url = (data.get("callback_url") or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            errors.append({"field": "callback_url", "reason": "应为 http:// 或 https:// 开头的完整地址，不超过 500 个字符"})
        elif parts.scheme == "http" and not settings.ONEVISIT_WEBHOOK_ALLOW_HTTP and not _loopback(parts.hostname):
            errors.append({"field": "callback_url", "reason": "回调地址须使用 https://"})
        out["callback_url"] = url
        secret = data.get("secret") or ""
        if not isinstance(secret, str) or not 16 <= len(secret) <= 200:
            errors.append({"field": "secret", "reason": "签名密钥应为 16 到 200 个字符"})
        out["secret"] = secret if isinstance(secret, str) else ""
    return out, errors


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _declare_queue(sub: Subscription) -> None:
    if settings.ONEVISIT_AMQP_URL:
        from onevisit.events.amqp import declare_subscriber_queue, with_channel

        with_channel(lambda ch: declare_subscriber_queue(ch, sub))


def subscription_create(*, actor, data: dict) -> Subscription:
    """A subscription of the actor (a department system's token, or a supervisor). The filters must stay
    within the departments the actor may see. A new webhook starts at the current head: it receives what
    happens from now on (replay reaches back)."""
    kind = data.get("kind") or SubscriptionKind.WEBHOOK
    if kind not in SubscriptionKind.values:
        raise _invalid("订阅方式不正确", [{"field": "kind", "reason": "应为 webhook 或 amqp"}])
    values, errors = _clean(actor, data, kind=kind)
    if errors:
        raise _invalid("订阅内容不合法", errors)
    from onevisit.events.publisher import head_position

    with transaction.atomic():
        sub = Subscription.objects.create(owner=actor, kind=kind, cursor=head_position(), **values)
        record_change(obj=sub, actor=actor, action="created", data={
            "kind": kind, "departments": sub.departments, "item_codes": sub.item_codes, "types": sub.types,
            "callback_url": sub.callback_url})
        if kind == SubscriptionKind.AMQP:
            transaction.on_commit(lambda: _declare_queue(sub))
    from onevisit.events.tasks import forget_active_check

    forget_active_check()
    return sub


def subscription_update(*, actor, subscription: Subscription, data: dict) -> Subscription:
    """Change the filters, the callback or the secret, or pause/resume (`active`)."""
    merged = {"name": subscription.name, "departments": subscription.departments,
              "item_codes": subscription.item_codes, "types": subscription.types,
              "callback_url": subscription.callback_url, "secret": subscription.secret,
              "batch_size": subscription.batch_size}
    merged.update({k: v for k, v in data.items() if k in merged})
    values, errors = _clean(actor, merged, kind=subscription.kind)
    active = data.get("active", subscription.active)
    if not isinstance(active, bool):
        errors.append({"field": "active", "reason": "应为 true 或 false"})
    if errors:
        raise _invalid("订阅内容不合法", errors)
    with transaction.atomic():
        for k, v in values.items():
            setattr(subscription, k, v)
        subscription.active = active
        if active:
            subscription.next_attempt_at = None
        subscription.save()
        record_change(obj=subscription, actor=actor, action="changed", data={
            "active": active, "departments": subscription.departments, "item_codes": subscription.item_codes,
            "types": subscription.types, "callback_url": subscription.callback_url,
            "secret_changed": "secret" in data})
        if subscription.kind == SubscriptionKind.AMQP:
            transaction.on_commit(lambda: _declare_queue(subscription))
    return subscription


def subscription_delete(*, actor, subscription: Subscription) -> None:
    with transaction.atomic():
        record_change(obj=subscription, actor=actor, action="deleted", reason="订阅人删除")
        subscription.active = False
        subscription.save(update_fields=["active"])
        if subscription.kind == SubscriptionKind.AMQP and settings.ONEVISIT_AMQP_URL:
            from onevisit.events.amqp import delete_subscriber_queue, with_channel

            transaction.on_commit(lambda: with_channel(lambda ch: delete_subscriber_queue(ch, subscription)))


def subscription_replay(*, actor, subscription: Subscription, from_position: int) -> Subscription:
    """Deliver again everything from a position on (in order): a webhook's cursor goes back; an AMQP
    subscriber's queue receives the events again. Consumers drop the ids they have already seen."""
    oldest = oldest_position()
    if not isinstance(from_position, int) or isinstance(from_position, bool) or from_position < 1:
        raise _invalid("重放位置不正确", [{"field": "from_position", "reason": "应为正整数"}])
    if oldest and from_position < oldest:
        raise DomainError(f"位置 {from_position} 之前的事件已超过保留期，最早可从位置 {oldest} 重放",
                          code="gone", fields=[{"field": "from_position", "reason": f"最早为 {oldest}"}], status=410)
    if not subscription.active:
        raise DomainError("订阅已停用，先恢复再重放", code="inactive")
    from onevisit.events import tasks

    with transaction.atomic():
        record_change(obj=subscription, actor=actor, action="replayed", data={"from_position": from_position})
        if subscription.kind == SubscriptionKind.WEBHOOK:
            Subscription.objects.filter(pk=subscription.pk).update(
                cursor=from_position - 1, attempts=0, next_attempt_at=None, last_error="")
            transaction.on_commit(tasks.trigger_webhooks)
        else:
            transaction.on_commit(lambda: tasks.replay_to_queue.delay(subscription.pk, from_position))
    subscription.refresh_from_db()
    return subscription


def dead_letter_resend(*, actor, dead_letter: DeadLetter) -> DeadLetter:
    """An operator sends a dead-lettered event again (now, once; the outcome is recorded on the row)."""
    from onevisit.events import tasks

    if dead_letter.resent_at is not None:
        raise DomainError("该事件已重新投递成功", code="already_resent")
    record_change(obj=dead_letter.subscription, actor=actor, action="dead_letter_resend",
                  data={"position": dead_letter.position, "event_id": str(dead_letter.event_id)})
    tasks.resend_dead_letter.delay(dead_letter.pk)
    dead_letter.refresh_from_db()
    return dead_letter


def outbox_prune(*, batch: int = 10000) -> int:
    """Delete published events older than ONEVISIT_EVENTS_RETENTION_DAYS (replay reaches back that far)."""
    import datetime as dt

    from django.utils import timezone

    from onevisit.events.models import OutboxEvent

    cutoff = timezone.now() - dt.timedelta(days=settings.ONEVISIT_EVENTS_RETENTION_DAYS)
    total = 0
    while True:
        ids = list(OutboxEvent.objects.filter(published_at__isnull=False, time__lt=cutoff).order_by("id")
                   .values_list("id", flat=True)[:batch])
        if not ids:
            return total
        total += OutboxEvent.objects.filter(id__in=ids)._raw_delete(OutboxEvent.objects.db)

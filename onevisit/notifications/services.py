"""Writes for notifications: store the message, then deliver it after the caller's transaction commits."""

import functools
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from onevisit.history.services import record_change
from onevisit.notifications.backends import BACKENDS, DeliveryError
from onevisit.notifications.models import Channel, Notification, NotificationStatus

logger = logging.getLogger("onevisit.notifications")

MAX_ATTEMPTS = 5


def notify(
    *,
    recipient: str,
    channel: Channel | str,
    subject: str,
    body: str,
    template: str = "",
    user=None,
    related=None,
    dedupe_key: str | None = None,
    actor=None,
) -> Notification:
    """Store one message and deliver it once the surrounding transaction commits (at once outside one).
    A rolled-back caller sends nothing; a failed send leaves a failed row that notifications_retry resends.
    The same dedupe_key twice returns the first message and sends nothing more."""
    channel = Channel(channel)
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                channel=channel, recipient=recipient, subject=subject, body=body, template=template,
                user=user, dedupe_key=dedupe_key or None,
                object_type=related._meta.label_lower if related is not None else "",
                object_id=str(related.pk) if related is not None else "",
            )
            record_change(
                obj=notification, actor=actor, action="notification.queued",
                data={"channel": channel.value, "template": template},
            )
    except IntegrityError:
        if dedupe_key:
            return Notification.objects.get(dedupe_key=dedupe_key)
        raise
    transaction.on_commit(functools.partial(_dispatch, notification.pk), robust=True)
    return notification


def _dispatch(pk: int) -> None:
    """Send a stored message after the commit: in-process by default, or through the function named by
    ONEVISIT_NOTIFICATION_DISPATCHER (the task queue's). A message that is never sent stays pending for
    notifications_retry."""
    path = getattr(settings, "ONEVISIT_NOTIFICATION_DISPATCHER", "")
    (import_string(path) if path else _deliver_quietly)(pk)


def _deliver_quietly(pk: int) -> None:
    notification = Notification.objects.filter(pk=pk).first()
    if notification is not None:
        notification_deliver(notification=notification)


def notification_deliver(*, notification: Notification, actor=None) -> Notification:
    """Try the channel's backend once. Never raises for a delivery failure: the row records it."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status == NotificationStatus.SENT:
            return notification
        notification.attempts += 1
        try:
            BACKENDS[Channel(notification.channel)](notification)
        except DeliveryError as exc:
            logger.warning("通知 #%s 发送失败：%s", notification.pk, exc)
            notification.status = NotificationStatus.FAILED
            notification.last_error = str(exc)[:2000]
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["attempts", "status", "last_error", "sent_at"])
        record_change(
            obj=notification, actor=actor, action=f"notification.{notification.status}",
            data={"attempt": notification.attempts, "error": notification.last_error},
        )
    return notification


def notifications_retry(*, max_attempts: int = MAX_ATTEMPTS, limit: int = 500) -> dict[str, int]:
    """Resend pending and failed messages that have attempts left (run by a scheduled command)."""
    pending = list(
        Notification.objects.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED], attempts__lt=max_attempts
        ).order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0}
    for pk in pending:
        result = notification_deliver(notification=Notification(pk=pk))
        counts["sent" if result.status == NotificationStatus.SENT else "failed"] += 1
    return counts

"""Background work as Celery tasks (docs/decisions/0020). Every task is idempotent: it takes its row under a
lock or a lease and checks whether the work is done, so a task delivered twice (a worker killed after the work
committed and before the broker heard the acknowledgement) does nothing the second time. Tasks are
acknowledged after they ran (acks_late) and given back when their worker dies (reject_on_worker_lost): a
killed worker loses nothing. Whatever sends a task can fail too (the broker down, the web node killed after
its commit): the durable rows (CaseReaction, Notification, the outbox, the subscriptions' cursors) are swept
by the scheduled tasks, so a lost message delays work and never loses it."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from onevisit.celery import app

logger = logging.getLogger("onevisit.events.tasks")


# ------------------------------------------------------------------------------------------------
# The case engine's after-commit reactions (秒批, archive packages…): hooks.run_reaction(pk)


@app.task(name="onevisit.run_reaction")
def run_reaction(pk: int) -> bool | None:
    from onevisit.cases.hooks import run_reaction as run

    return run(pk)


def dispatch_reactions(ids) -> None:
    """ONEVISIT_REACTION_DISPATCHER for a cluster: each reaction row becomes a task. If the broker cannot take
    one, the row stays pending and the scheduled sweep (run_due_reactions) runs it."""
    for pk in ids:
        try:
            run_reaction.delay(pk)
        except Exception:  # noqa: BLE001 - the row is durable; the sweeper will run it
            logger.exception("reaction %s could not be queued; the sweep will run it", pk)


@app.task(name="onevisit.run_due_reactions")
def run_due_reactions() -> dict:
    from onevisit.cases.hooks import run_pending

    return run_pending()


# ------------------------------------------------------------------------------------------------
# Notifications


@app.task(name="onevisit.deliver_notification")
def deliver_notification(pk: int) -> str | None:
    from onevisit.notifications.models import Notification
    from onevisit.notifications.services import notification_deliver

    if not Notification.objects.filter(pk=pk).exists():
        return None
    return notification_deliver(notification=Notification(pk=pk)).status


def dispatch_notification(pk: int) -> None:
    """ONEVISIT_NOTIFICATION_DISPATCHER for a cluster (a stored message becomes a task)."""
    try:
        deliver_notification.delay(pk)
    except Exception:  # noqa: BLE001 - the message row is pending; retry_notifications sends it
        logger.exception("notification %s could not be queued; the retry job will send it", pk)


@app.task(name="onevisit.retry_notifications")
def retry_notifications() -> dict:
    from onevisit.notifications.services import notifications_retry

    return notifications_retry()


# ------------------------------------------------------------------------------------------------
# Scheduled jobs of the case engine


@app.task(name="onevisit.flag_overdue_gaps")
def flag_overdue_gaps() -> int:
    from onevisit.cases.services import cases_flag_overdue_gaps

    return len(cases_flag_overdue_gaps())


# ------------------------------------------------------------------------------------------------
# Events: webhooks, replay to a subscriber's queue, the outbox's retention


_active_check = {"at": 0.0, "any": False}


def forget_active_check() -> None:
    _active_check["at"] = 0.0


def trigger_webhooks() -> None:
    """After events were published: deliver to the webhooks that are behind (a task; in-process without a
    broker). Skipped cheaply when no webhook subscription is active."""
    from onevisit.events.models import Subscription, SubscriptionKind

    now = time.monotonic()
    if now - _active_check["at"] > 1.0:
        _active_check["any"] = Subscription.objects.filter(kind=SubscriptionKind.WEBHOOK, active=True).exists()
        _active_check["at"] = now
    if not _active_check["any"]:
        return
    try:
        webhooks_due()  # straight to one delivery task per subscription that is behind (no extra hop)
    except Exception:  # noqa: BLE001 - the scheduled webhooks_due comes a few seconds later
        logger.exception("webhook delivery could not be queued")


@app.task(name="onevisit.webhooks_due")
def webhooks_due() -> int:
    from onevisit.events.webhooks import due_subscriptions

    due = due_subscriptions()
    for pk in due:
        deliver_webhook.delay(pk)
    return len(due)


@app.task(name="onevisit.deliver_webhook")
def deliver_webhook(pk: int) -> dict:
    from onevisit.events.webhooks import deliver

    return deliver(pk)


@app.task(name="onevisit.resend_dead_letter")
def resend_dead_letter(pk: int) -> bool:
    from onevisit.events.models import DeadLetter
    from onevisit.events.webhooks import resend

    dead = DeadLetter.objects.select_related("subscription").filter(pk=pk, resent_at__isnull=True).first()
    return resend(dead) if dead is not None else False


@app.task(name="onevisit.replay_to_queue")
def replay_to_queue(subscription_id: int, from_position: int) -> int:
    """Publish the events of an AMQP subscription from a position straight to its queue, in order."""
    from onevisit.events.amqp import connect, declare_subscriber_queue
    from onevisit.events.models import Subscription
    from onevisit.events.publisher import head_position, sequenced
    from onevisit.events.webhooks import filter_sql

    sub = Subscription.objects.select_related("owner").get(pk=subscription_id)
    where = filter_sql(sub)
    if where is None or not settings.ONEVISIT_AMQP_URL:
        return 0
    import amqp

    conn, channel = connect(settings.ONEVISIT_AMQP_URL)
    sent = 0
    try:
        queue = declare_subscriber_queue(channel, sub)
        channel.confirm_select()
        head, after = head_position(), from_position - 1
        while after < head:
            events = sequenced(after=after, until=head, limit=500, where=where[0], params=where[1])
            if not events:
                break
            for e in events:
                channel.basic_publish_confirm(amqp.Message(
                    e.body, content_type="application/cloudevents+json", delivery_mode=2, message_id=e.event_id,
                    type=e.type, application_headers={"position": e.position, "subject": e.subject,
                                                       "replay": True}), exchange="", routing_key=queue)
                sent += 1
            after = events[-1].position
    finally:
        conn.close()
    return sent


@app.task(name="onevisit.prune_outbox")
def prune_outbox() -> int:
    from onevisit.events.services import outbox_prune

    return outbox_prune()


@app.task(name="onevisit.ensure_partitions")
def ensure_partitions() -> list[str]:
    from onevisit.scale.partitions import partitions_ensure

    return partitions_ensure()

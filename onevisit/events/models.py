"""The outbox of outbound events and the subscriptions of department systems (docs/decisions/0020).

An `OutboxEvent` row is written in the same transaction as the change it reports (one INSERT). A publisher
later gives it its global `position` (in commit order: positions are handed out under one lock, so a reader
that has seen position P has seen every position below it), moves it to RabbitMQ and marks it published.
Webhook subscriptions read the same log by position, so delivery order, retries and replay come from one
place."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class OutboxEvent(models.Model):
    """One CloudEvents 1.0 event, as it will be sent (docs/events.md)."""

    id = models.BigAutoField(primary_key=True)  # insertion order, internal
    event_id = models.UUIDField("事件标识", default=uuid.uuid4, editable=False)
    position = models.BigIntegerField("全局位置", null=True, blank=True)
    type = models.CharField("事件类型", max_length=120)
    source = models.CharField("来源", max_length=200)
    subject = models.CharField("主题（办件编号）", max_length=120)
    time = models.DateTimeField("发生时间")
    # Routing: the department (id; its credit code is the first word of the routing key) and the item.
    department_id = models.BigIntegerField("部门", null=True, blank=True)
    item_code = models.CharField("事项实施编码", max_length=40, blank=True)
    # Events of one subject (a case) share a shard, and one publisher owns a shard at a time: order per case.
    shard = models.PositiveSmallIntegerField("分片")
    data = models.JSONField("内容", encoder=DjangoJSONEncoder)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "出站事件"
        verbose_name_plural = "出站事件"
        constraints = [
            models.UniqueConstraint(fields=["position"], name="events_outbox_position",
                                    condition=Q(position__isnull=False)),
        ]
        indexes = [
            # What the publisher sequences next, per shard, in insertion order.
            models.Index(fields=["shard", "id"], name="events_outbox_unsequenced", condition=Q(position__isnull=True)),
            # Sequenced, not yet confirmed by the broker.
            models.Index(fields=["shard", "position"], name="events_outbox_unpublished",
                         condition=Q(position__isnull=False, published_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.position or '-'} {self.type} {self.subject}"


class SubscriptionKind(models.TextChoices):
    WEBHOOK = "webhook", "回调地址（Webhook）"
    AMQP = "amqp", "专用消息队列（AMQP）"


class Subscription(models.Model):
    """A department system's subscription: which events (departments, items, types; empty = all it may see)
    and where (a callback URL signed with its secret, or a queue of its own on the broker)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="订阅人")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("方式", max_length=10, choices=SubscriptionKind.choices, default=SubscriptionKind.WEBHOOK)
    departments = models.JSONField("部门（空为订阅人可见的全部）", default=list, blank=True)
    item_codes = models.JSONField("事项实施编码（空为全部）", default=list, blank=True)
    types = models.JSONField("事件类型（空为全部）", default=list, blank=True)
    callback_url = models.URLField("回调地址", max_length=500, blank=True)
    secret = models.CharField("签名密钥", max_length=200, blank=True)
    batch_size = models.PositiveSmallIntegerField("每次投递事件数", default=1)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Delivery state of a webhook: everything up to `cursor` has been delivered (or dead-lettered).
    cursor = models.BigIntegerField("已投递到的位置", default=0)
    attempts = models.PositiveIntegerField("当前事件失败次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    delivered_count = models.BigIntegerField("已投递事件数", default=0)
    # A worker delivering this subscription holds a lease (no database transaction spans an HTTP call).
    lease_token = models.CharField(max_length=40, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "事件订阅"
        verbose_name_plural = "事件订阅"
        indexes = [models.Index(fields=["kind", "active", "cursor"], name="events_subscription_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def queue_name(self) -> str:
        return f"onevisit.sub.{self.pk}"


class DeadLetter(models.Model):
    """An event a webhook could not take after every retry. The cursor moved on; an operator resends it."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="dead_letters",
                                     verbose_name="订阅")
    event_id = models.UUIDField("事件标识")
    position = models.BigIntegerField("位置")
    attempts = models.PositiveIntegerField("尝试次数")
    last_error = models.CharField("最近错误", max_length=500)
    created_at = models.DateTimeField("进入死信时间", auto_now_add=True)
    resent_at = models.DateTimeField("重新投递成功时间", null=True, blank=True)
    resend_error = models.CharField("重新投递错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "死信"
        verbose_name_plural = "死信"
        constraints = [models.UniqueConstraint(fields=["subscription", "position"], name="events_deadletter_once")]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.position}"

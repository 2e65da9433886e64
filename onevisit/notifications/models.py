from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    """One message to one recipient. Stored before any backend is tried, so a failed send is retried
    from this row and nothing is lost."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    recipient = models.CharField("接收方", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="notifications", verbose_name="用户",
    )
    template = models.CharField("模板", max_length=100, blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    object_type = models.CharField("关联对象类型", max_length=100, blank=True)
    object_id = models.CharField("关联对象", max_length=64, blank=True)
    # A caller that may run twice (a retried request) passes a key; the second call returns the first row.
    dedupe_key = models.CharField("去重键", max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_status_created"),
            models.Index(fields=["user", "-created_at"], name="notif_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}：{self.subject}"

"""缴费: one row per payment the platform asked for, whichever provider takes the money."""

import uuid

from django.conf import settings
from django.db import models


def new_reference() -> str:
    return uuid.uuid4().hex


class PaymentStatus(models.TextChoices):
    CREATED = "created", "待支付"
    PAID = "paid", "已支付"
    FAILED = "failed", "支付失败"


class Payment(models.Model):
    reference = models.CharField("支付单号", max_length=40, unique=True, default=new_reference)
    # What the money is for: the application wizard's idempotency key, so one application pays once.
    purpose_key = models.CharField("缴费事由键", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments",
                             verbose_name="缴费人")
    item_code = models.CharField("事项实施编码", max_length=40, blank=True)
    subject = models.CharField("缴费项目", max_length=200)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    provider = models.CharField("支付渠道", max_length=40)
    provider_ref = models.CharField("渠道流水号", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payments", verbose_name="办件")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)

    class Meta:
        verbose_name = "缴费记录"
        verbose_name_plural = "缴费记录"
        constraints = [models.UniqueConstraint(fields=["user", "purpose_key"], name="payments_user_purpose")]

    def __str__(self) -> str:
        return f"{self.subject} {self.amount} 元（{self.get_status_display()}）"

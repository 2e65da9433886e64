"""预约: a time slot at a window for an item that needs a visit. Slots are computed from settings and
the working-day calendar; only bookings and the per-slot counter are stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from onevisit.orgs.models import Window


class BookingStatus(models.TextChoices):
    ACTIVE = "active", "已预约"
    CANCELLED = "cancelled", "已取消"


class SlotCount(models.Model):
    """How many active bookings a (window, start) slot holds; incremented by one conditional upsert."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField("开始时间")
    booked = models.PositiveIntegerField("已约人数", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "start"], name="appointments_slot_unique")]

    def __str__(self) -> str:
        return f"{self.window_id} {self.start:%Y-%m-%d %H:%M} ({self.booked})"


class Booking(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings",
                             verbose_name="预约人")
    item_code = models.CharField("事项实施编码", max_length=40)
    item_name = models.CharField("事项名称", max_length=200)
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="bookings", verbose_name="窗口")
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    status = models.CharField("状态", max_length=10, choices=BookingStatus.choices, default=BookingStatus.ACTIVE)
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        constraints = [
            models.UniqueConstraint(fields=["user", "item_code"], condition=Q(status="active"),
                                    name="appointments_one_active_per_item"),
        ]
        indexes = [models.Index(fields=["user", "status", "start"], name="appointments_user_status")]

    def __str__(self) -> str:
        return f"{self.item_name} {self.start:%Y-%m-%d %H:%M}"

"""Hall queue (排队叫号): a ticket per visitor, numbered per day and window domain (B012)."""

from django.conf import settings
from django.db import models

from onevisit.orgs.models import Domain, Window

# One letter per domain, printed before the serial.
LETTERS = {
    Domain.INVESTMENT: "A", Domain.BUSINESS: "B", Domain.REAL_ESTATE: "C", Domain.SOCIAL: "D",
    Domain.PUBLIC_SECURITY: "E", Domain.INSURANCE: "F", Domain.HOUSING_FUND: "G", Domain.TRANSPORT: "H",
    Domain.TAX: "J", Domain.OTHER: "K",
}


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SKIPPED = "skipped", "已过号"
    DONE = "done", "已办结"


class TicketCounter(models.Model):
    """Per-(day, domain) serial, incremented by one upsert that locks only this row."""

    day = models.DateField()
    domain = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "domain"], name="queue_counter_day_domain")]

    def __str__(self) -> str:
        return f"{self.day} {self.domain} #{self.last}"


class Ticket(models.Model):
    day = models.DateField("日期")
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("号码", max_length=10)
    status = models.CharField("状态", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    taken_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    recalls = models.PositiveSmallIntegerField("重呼次数", default=0)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="窗口")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="叫号人")

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        constraints = [models.UniqueConstraint(fields=["day", "domain", "seq"], name="queue_ticket_unique_number")]
        indexes = [
            models.Index(fields=["day", "status", "domain", "seq"], name="queue_ticket_waiting"),
            models.Index(fields=["day", "called_at"], name="queue_ticket_called"),
        ]

    def __str__(self) -> str:
        return self.number

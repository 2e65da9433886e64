"""秒批: an item version's auto-approval rule, and each automatic decision with its trace."""

from django.db import models

from onevisit.catalog.models import ServiceItem


class LicenceAction(models.TextChoices):
    NONE = "none", "不出具电子证照"
    ISSUE = "issue", "签发新证"
    RENEW = "renew", "换发（延续）申请人现有的证"


class AutoRule(models.Model):
    """Belongs to one item version (copied into the next version; immutable once that version is published).
    `definition` is a tree of the rule language (onevisit.rules.language); `licence_data` maps the e-licence's
    fields to facts, e.g. {"name": "population.name"}."""

    item = models.OneToOneField(ServiceItem, on_delete=models.CASCADE, related_name="auto_rule", verbose_name="事项（版本）")
    definition = models.JSONField("规则")
    description = models.CharField("规则说明", max_length=300, blank=True)
    licence_type = models.ForeignKey(
        "licences.LicenceType", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="出具证照"
    )
    licence_action = models.CharField("证照操作", max_length=10, choices=LicenceAction.choices, default=LicenceAction.NONE)
    licence_data = models.JSONField("证照字段来源", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "秒批规则"
        verbose_name_plural = "秒批规则"

    def __str__(self) -> str:
        return f"{self.item} 秒批规则"


class Outcome(models.TextChoices):
    APPROVED = "approved", "自动准予"
    MANUAL = "manual", "转人工审核"


class AutoDecision(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="auto_decision", verbose_name="办件")
    rule = models.ForeignKey(AutoRule, on_delete=models.PROTECT, related_name="decisions", verbose_name="规则")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    reasons = models.JSONField("未通过原因", default=list)
    trace = models.JSONField("判定过程", default=list)
    decided_at = models.DateTimeField("判定时间")
    licence_identifier = models.CharField("电子证照标识", max_length=120, blank=True)

    class Meta:
        verbose_name = "自动判定"
        verbose_name_plural = "自动判定"

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"

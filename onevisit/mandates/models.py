"""授权委托: a person (or a company, through its legal representative) authorises an agent, by 身份证号,
for chosen items or bundles (or all items of a kind), from and until given dates. The agent accepts it; the
principal revokes it at any moment, effective at once. Every action under a mandate records both."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PrincipalKind(models.TextChoices):
    PERSON = "person", "自然人"
    COMPANY = "company", "法人"


class Mandate(models.Model):
    principal_kind = models.CharField("委托人类型", max_length=10, choices=PrincipalKind.choices)
    principal_id = models.CharField("委托人身份证号或统一社会信用代码", max_length=18)
    principal_name = models.CharField("委托人", max_length=200)
    agent_id_number = models.CharField("受托人身份证号", max_length=18)
    agent_name = models.CharField("受托人", max_length=50)
    item_codes = models.JSONField("委托事项（实施编码）", default=list, blank=True)
    bundle_codes = models.JSONField("委托一件事", default=list, blank=True)
    item_types = models.JSONField("委托事项类型（该类全部事项）", default=list, blank=True)
    project_codes = models.JSONField("委托项目（项目代码）", default=list, blank=True)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    note = models.CharField("委托说明", max_length=300, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="授权人（登录账号）")
    granted_at = models.DateTimeField("授权时间")
    accepted_at = models.DateTimeField("受托确认时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="撤销人")
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "授权委托"
        verbose_name_plural = "授权委托"
        indexes = [
            models.Index(fields=["agent_id_number", "principal_id"], name="mandates_active_agent",
                         condition=Q(revoked_at__isnull=True)),
            models.Index(fields=["principal_id", "id"], name="mandates_principal"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="mandates_dates_ordered"),
            models.CheckConstraint(condition=~Q(principal_id=models.F("agent_id_number")), name="mandates_not_self"),
            models.CheckConstraint(condition=Q(principal_kind__in=["person", "company"]), name="mandates_principal_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.principal_name} → {self.agent_name}"

    def covers(self, *, item_code: str = "", bundle_code: str = "", item_type: str = "", project_code: str = "") -> bool:
        return bool(
            (item_code and item_code in self.item_codes)
            or (bundle_code and bundle_code in self.bundle_codes)
            or (item_type and item_type in self.item_types)
            or (project_code and project_code in self.project_codes)
        )

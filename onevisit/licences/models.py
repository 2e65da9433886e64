"""电子证照: licence types, departments' signing keys (private halves encrypted), and licences."""

import datetime

from django.db import models
from django.db.models import Q

from onevisit.constraints import in_choices
from onevisit.datahub.models import IdentifierKind
from onevisit.orgs.models import Department


class LicenceType(models.Model):
    code = models.CharField("证照类型代码", max_length=20, unique=True)
    name = models.CharField("证照名称", max_length=100)
    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licence_types", verbose_name="签发部门")
    holder_kind = models.CharField("持证主体类型", max_length=20, choices=IdentifierKind.choices[:2])
    fields = models.JSONField("照面字段", default=list)
    validity_days = models.PositiveIntegerField("有效期（天）", null=True, blank=True, help_text="空为长期有效")
    next_serial = models.PositiveBigIntegerField("下一个流水号", default=1, editable=False)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def resource_key(self) -> str:
        return f"licence:{self.code}"


class SigningKey(models.Model):
    """A department's SM2 key pair. Only the active key signs; retired keys stay to verify old licences."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="signing_keys", verbose_name="部门")
    key_id = models.CharField("密钥标识", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=20)
    public_key_pem = models.TextField("公钥（PEM）")
    private_key_encrypted = models.BinaryField("私钥（加密）")
    active = models.BooleanField("当前签名密钥", default=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签名密钥"
        verbose_name_plural = "签名密钥"
        constraints = [
            models.UniqueConstraint(fields=["department"], condition=Q(active=True), name="licences_one_active_key"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.key_id}"


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已注销"
    SUPERSEDED = "superseded", "已换发"


class Licence(models.Model):
    identifier = models.CharField("证照标识", max_length=120, unique=True)
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences", verbose_name="证照类型")
    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licences", verbose_name="签发部门")
    serial = models.PositiveBigIntegerField("流水号")
    version = models.PositiveIntegerField("版本号", default=1)
    holder = models.CharField("持证主体代码", max_length=64)
    data = models.JSONField("照面信息", default=dict)
    issued_at = models.DateTimeField("签发时间")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=LicenceStatus.choices, default=LicenceStatus.VALID)
    predecessor = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor", verbose_name="前一版本"
    )
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+", verbose_name="签名密钥")
    signature = models.TextField("签名（Base64）")
    revoked_reason = models.CharField("注销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        indexes = [models.Index(fields=["licence_type", "holder", "status"], name="licences_holder_idx")]
        constraints = [
            in_choices("status", LicenceStatus, name="licences_licence_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="licences_licence_version_from_1"),
            models.CheckConstraint(condition=~Q(signature=""), name="licences_licence_signed"),
            # A revoked licence says why.
            models.CheckConstraint(condition=~Q(status="revoked") | ~Q(revoked_reason=""),
                                   name="licences_licence_revoked_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.identifier}"

    def is_expired(self, today: datetime.date) -> bool:
        return self.status == LicenceStatus.EXPIRED or (self.valid_until is not None and self.valid_until < today)


class ResultLicence(models.Model):
    """The e-licence an item's approved case results in: which type, and where each licence field comes
    from ("form.<key>", "applicant.name", "applicant.address" or "case.number")."""

    item_code = models.CharField("事项实施编码", max_length=40, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="result_of", verbose_name="证照类型"
    )
    field_map = models.JSONField("照面字段来源", default=dict)

    class Meta:
        verbose_name = "办件结果证照"
        verbose_name_plural = "办件结果证照"

    def __str__(self) -> str:
        return f"{self.item_code} → {self.licence_type}"

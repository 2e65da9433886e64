"""电子档案: the signed package of an archived case, the platform's signing key, retention overrides."""

from django.db import models


class ArchiveKey(models.Model):
    """The platform's SM2 key for archive manifests (private half encrypted like departments' licence keys)."""

    key_id = models.CharField("密钥标识", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=20)
    public_key_pem = models.TextField("公钥（PEM）")
    private_key_encrypted = models.BinaryField("私钥（加密）")
    active = models.BooleanField("当前签名密钥", default=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "档案签名密钥"
        verbose_name_plural = "档案签名密钥"
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="archive_one_active_key")]

    def __str__(self) -> str:
        return self.key_id


class RetentionOverride(models.Model):
    """An item (by implementation code) kept longer or shorter than its item type's default."""

    implementation_code = models.CharField("事项实施编码", max_length=40, unique=True)
    years = models.PositiveSmallIntegerField("保管期限（年）", help_text="0 为永久")
    reason = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "保管期限例外"
        verbose_name_plural = "保管期限例外"

    def __str__(self) -> str:
        return f"{self.implementation_code}: {self.years}"


class ArchivePackage(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="archive_package", verbose_name="办件")
    path = models.CharField("存储路径", max_length=300)
    sha256 = models.CharField("包摘要", max_length=64)
    manifest = models.JSONField("清单")
    key = models.ForeignKey(ArchiveKey, on_delete=models.PROTECT, related_name="+", verbose_name="签名密钥")
    signature = models.TextField("清单签名（Base64）")
    retain_until = models.DateField("保管至", null=True, blank=True, help_text="空为永久保存")
    created_at = models.DateTimeField("归档时间")

    class Meta:
        verbose_name = "电子档案"
        verbose_name_plural = "电子档案"

    def __str__(self) -> str:
        return self.path

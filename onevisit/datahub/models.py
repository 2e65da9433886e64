"""一库共享: shared data resources, their records, who may read what (共享清单), and every read."""

from django.conf import settings
from django.db import models

from onevisit.orgs.models import Department


class IdentifierKind(models.TextChoices):
    ID_NUMBER = "id_number", "身份证号"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    OTHER = "other", "其他标识"


class DataResource(models.Model):
    """A shared resource such as the population register. `fields` is its schema: a list of
    {"key", "label", "type", "required"}; when `many` is set a record holds a list of entries under
    "items" (e.g. one owner's real-estate rights) and each entry follows the schema."""

    key = models.CharField("资源标识", max_length=80, unique=True)
    name = models.CharField("资源名称", max_length=100)
    owner = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="data_resources", verbose_name="责任部门")
    identifier_kind = models.CharField("主键类型", max_length=20, choices=IdentifierKind.choices)
    fields = models.JSONField("字段", default=list)
    many = models.BooleanField("一个主键多条", default=False)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "共享数据资源"
        verbose_name_plural = "共享数据资源"
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key}）"

    @property
    def field_keys(self) -> list[str]:
        return [f["key"] for f in self.fields]

    def label_of(self, field_key: str) -> str:
        for f in self.fields:
            if f["key"] == field_key:
                return f.get("label", field_key)
        return field_key


class DataRecord(models.Model):
    """One record of a resource in the embedded local store. The unique (resource, identifier) index is
    the only index a look-up needs: one probe at 10,000,000 rows per resource."""

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="records", verbose_name="资源")
    identifier = models.CharField("主键", max_length=64)
    data = models.JSONField("数据", default=dict)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "共享数据记录"
        verbose_name_plural = "共享数据记录"
        constraints = [
            models.UniqueConstraint(fields=["resource", "identifier"], name="datahub_record_unique_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.identifier}"


class SharingPermission(models.Model):
    """One line of the published sharing list (共享清单): a department may read these fields of a resource,
    for these items (implementation codes), or for every item when `item_codes` is empty."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sharing_permissions", verbose_name="使用部门"
    )
    resource = models.ForeignKey(
        DataResource, on_delete=models.PROTECT, related_name="permissions", verbose_name="资源"
    )
    fields = models.JSONField("可读字段", default=list)
    item_codes = models.JSONField("限定事项实施编码（空为全部事项）", default=list, blank=True)
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享权限"
        verbose_name_plural = "共享权限（共享清单）"
        ordering = ["resource__key", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "resource"], name="datahub_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.resource.key}"


class AccessRecord(models.Model):
    """Every read of shared data, granted or refused. Append-only; a citizen reads those about them."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="读取人"
    )
    actor_label = models.CharField("读取人", max_length=150)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="使用部门"
    )
    resource_key = models.CharField("资源", max_length=80)
    identifier = models.CharField("主键", max_length=64)
    fields = models.JSONField("字段", default=list)
    purpose_case_number = models.CharField("办件编号", max_length=64, blank=True)
    purpose_item_code = models.CharField("事项实施编码", max_length=40, blank=True)
    granted = models.BooleanField("已准许")
    found = models.BooleanField("找到记录", default=False)
    reason = models.CharField("拒绝原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "数据使用记录"
        verbose_name_plural = "数据使用记录"
        indexes = [models.Index(fields=["identifier", "-id"], name="datahub_access_ident_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.department_id} {self.resource_key}:{self.identifier}"


class FetchedProof(models.Model):
    """一证通办: a material of a case satisfied by a proof the government already holds, fetched from the
    hub instead of asked for. Keeps what was seen (a snapshot), where it came from and when."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="fetched_proofs", verbose_name="办件")
    material_key = models.CharField("材料标识", max_length=60)
    shared_data_key = models.CharField("共享数据标识", max_length=80)
    licence_identifier = models.CharField("证照标识", max_length=120, blank=True)
    source = models.CharField("来源", max_length=200)
    record_updated_at = models.DateTimeField("数据更新时间", null=True, blank=True)
    fetched_at = models.DateTimeField("获取时间")
    access_id = models.BigIntegerField("数据使用记录")
    snapshot = models.JSONField("获取的数据", default=dict)

    class Meta:
        verbose_name = "共享获取的材料"
        verbose_name_plural = "共享获取的材料"
        constraints = [models.UniqueConstraint(fields=["case", "material_key"], name="datahub_proof_case_material")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.material_key}"


class CasePrefill(models.Model):
    """Which form fields of a case were filled from the registers: {field key: {"prefill_key", "source",
    "fetched_at"}}. The values themselves are in the case's form."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="prefill", verbose_name="办件")
    fields = models.JSONField("预填字段", default=dict)

    class Meta:
        verbose_name = "预填记录"
        verbose_name_plural = "预填记录"

    def __str__(self) -> str:
        return f"{self.case_id}: {', '.join(self.fields)}"

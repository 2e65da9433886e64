from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from onevisit.constraints import in_choices
from onevisit.validators import validate_credit_code


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇（街道）级"
    VILLAGE = "village", "村（社区）级"


LEVEL_ORDER = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
# GB/T 2260 codes are 6 digits down to county level; townships and villages use the 9- and 12-digit
# statistical division codes that extend them.
CODE_LENGTH = {
    RegionLevel.PROVINCE: 6, RegionLevel.CITY: 6, RegionLevel.COUNTY: 6, RegionLevel.TOWNSHIP: 9, RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级区划"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [in_choices("level", RegionLevel, name="orgs_region_level_valid")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self):
        errors = {}
        if not self.code.isdigit() or len(self.code) != CODE_LENGTH.get(self.level, 0):
            errors["code"] = f"{self.get_level_display()}区划代码应为{CODE_LENGTH.get(self.level, '?')}位数字"
        if self.level == RegionLevel.PROVINCE:
            if self.parent_id:
                errors["parent"] = "省级区划不能有上级"
        elif self.parent is None:
            errors["parent"] = "除省级外必须指定上级区划"
        elif LEVEL_ORDER.index(self.parent.level) != LEVEL_ORDER.index(self.level) - 1:
            errors["parent"] = f"{self.get_level_display()}的上级应为{LEVEL_ORDER[LEVEL_ORDER.index(self.level) - 1].label}"
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> list["Region"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def full_name(self) -> str:
        return "".join(r.name for r in reversed([self, *self.ancestors()]))


class Department(models.Model):
    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name="所属区划")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class Domain(models.TextChoices):
    """Comprehensive-window domains (7+1 / 3+X)."""

    INVESTMENT = "investment", "投资项目"
    BUSINESS = "business", "商事登记"
    REAL_ESTATE = "real_estate", "不动产登记"
    SOCIAL = "social", "社会事务"
    PUBLIC_SECURITY = "public_security", "公安"
    INSURANCE = "insurance", "医保社保"
    HOUSING_FUND = "housing_fund", "公积金"
    TRANSPORT = "transport", "交通运输"
    TAX = "tax", "税务"
    OTHER = "other", "其他"


class ServiceCentre(models.Model):
    name = models.CharField("服务中心名称", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="centres", verbose_name="所属区划")
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("办公时间", max_length=200, blank=True)

    class Meta:
        verbose_name = "政务服务中心"
        verbose_name_plural = "政务服务中心"

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A comprehensive window (综合窗口). It accepts items of its domains and the items listed by code,
    or, in any-item (无差别/全科) mode, every item."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="windows", verbose_name="服务中心")
    number = models.CharField("窗口号", max_length=20)
    name = models.CharField("窗口名称", max_length=100)
    accepts_any = models.BooleanField("无差别（全科）受理", default=False)
    domains = models.JSONField("受理领域", default=list, blank=True)
    item_codes = models.JSONField("另可受理的事项实施编码", default=list, blank=True)

    class Meta:
        verbose_name = "综合窗口"
        verbose_name_plural = "综合窗口"
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="orgs_window_unique_number")]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.number}号窗口 {self.name}"

    def clean(self):
        bad = [d for d in self.domains if d not in Domain.values]
        if bad:
            raise ValidationError({"domains": f"未知的受理领域：{'、'.join(bad)}"})

    def accepts(self, *, domain: str, item_code: str) -> bool:
        return self.accepts_any or domain in self.domains or item_code in self.item_codes


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理员"
    REVIEWER = "reviewer", "审查员"
    APPROVER = "approver", "审批人"
    SUPERVISOR = "supervisor", "监督员"
    CATALOG_ADMIN = "catalog_admin", "事项管理员"
    DATA_ADMIN = "data_admin", "数据管理员"


class StaffRole(models.Model):
    """A role held by a staff account, bound to a department and, for window clerks, to a window."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name="工作人员"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles", verbose_name="部门"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles", verbose_name="窗口"
    )

    class Meta:
        verbose_name = "工作人员角色"
        verbose_name_plural = "工作人员角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department", "window"], name="orgs_staffrole_unique"),
        ]

    def __str__(self) -> str:
        where = self.window or self.department or "全局"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self):
        if self.role == Role.WINDOW_CLERK and self.window_id is None:
            raise ValidationError({"window": "窗口受理员必须绑定窗口"})
        if self.role in (Role.REVIEWER, Role.APPROVER) and self.department_id is None:
            raise ValidationError({"department": "审查员和审批人必须绑定部门"})

"""The item catalog (事项清单/实施清单): items with every standard element, their materials, form
fields, procedure steps and special procedures, and 一件事 bundles.

An item is versioned: each row of ServiceItem is one version of the item identified by its
实施编码 (implementation_code). Editing a published item makes a new draft row; publishing it
retires the old one, and whatever was made under the old row keeps pointing to it."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from onevisit.catalog.codes import FORMAT_HELP, MAX_LENGTH, implementation_code_problem
from onevisit.constraints import in_choices
from onevisit.orgs.models import Department, Domain, Region, RegionLevel

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ItemType(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    PAYMENT = "payment", "行政给付"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"
    # 行政处罚/强制/征收/检查 exist in the lists too but are not applied for; they are not in the catalog.


class Target(models.TextChoices):
    PERSON = "person", "自然人"
    COMPANY = "company", "法人"


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日"
    NATURAL_DAYS = "natural_days", "自然日"
    ON_THE_SPOT = "on_the_spot", "即办"


class Channel(models.TextChoices):
    WINDOW = "window", "窗口办理"
    ONLINE = "online", "网上办理"
    MOBILE = "mobile", "掌上办理"
    KIOSK = "kiosk", "自助终端"
    POST = "post", "邮寄申请"


class OnlineDepth(models.IntegerChoices):
    INFO = 1, "一级：信息公开"
    DOWNLOAD = 2, "二级：表格下载"
    PRE_REVIEW = 3, "三级：网上预审"
    FULLY_ONLINE = 4, "四级：全程网办"


class ServiceScope(models.TextChoices):
    LOCAL = "local", "属地办理"
    CITY = "city", "全市通办"
    PROVINCE = "province", "全省通办"
    CROSS_PROVINCE = "cross_province", "跨省通办"


class ResultType(models.TextChoices):
    LICENCE = "licence", "证照"
    APPROVAL = "approval", "批准文书"
    CERTIFICATE = "certificate", "证明"
    REPORT = "report", "报告"
    OTHER = "other", "其他"


class SpecialProcedureKind(models.TextChoices):
    SITE_SURVEY = "site_survey", "现场勘查"
    EXPERT_REVIEW = "expert_review", "专家评审"
    PUBLIC_NOTICE = "public_notice", "公示"
    HEARING = "hearing", "听证"


class ServiceItem(models.Model):
    # Identity and codes
    implementation_code = models.CharField(
        "实施编码", max_length=MAX_LENGTH, db_index=True, help_text=FORMAT_HELP,
        error_messages={"max_length": "实施编码最长%(limit_value)d个字符，实为%(show_value)d个（办件编号由实施编码加8位日期"
                                      "和6位流水号组成，最长64个字符）"},
    )
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField("事项名称", max_length=200)
    basic_code = models.CharField("基本编码", max_length=40)
    business_code = models.CharField("业务办理项编码", max_length=60, blank=True)
    item_type = models.CharField("事项类型", max_length=20, choices=ItemType.choices)
    domain = models.CharField("受理领域", max_length=20, choices=Domain.choices, default=Domain.OTHER)
    keywords = models.CharField("检索关键词", max_length=300, blank=True)
    # Who exercises it
    level = models.CharField("行使层级", max_length=10, choices=RegionLevel.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="items", verbose_name="实施区划")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name="实施部门"
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_items", verbose_name="联办部门"
    )
    # Law and conditions
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    targets = models.JSONField("服务对象", default=list)
    # Time limits
    legal_limit = models.PositiveIntegerField("法定时限", default=0)
    legal_limit_unit = models.CharField(
        "法定时限单位", max_length=15, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_limit = models.PositiveIntegerField("承诺时限", default=0)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=15, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    limit_note = models.CharField("时限说明", max_length=300, blank=True)
    # Visits and channels
    promised_visits = models.PositiveSmallIntegerField("承诺跑动次数", default=1)
    visits_reason = models.CharField("跑动次数多于一次的原因", max_length=300, blank=True)
    channels = models.JSONField("办理渠道", default=list)
    online_depth = models.PositiveSmallIntegerField("网上办理深度", choices=OnlineDepth.choices, default=OnlineDepth.PRE_REVIEW)
    scope = models.CharField("通办范围", max_length=20, choices=ServiceScope.choices, default=ServiceScope.LOCAL)
    # Fees
    charges_fee = models.BooleanField("是否收费", default=False)
    fee_amount = models.DecimalField("收费金额（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    fee_standard = models.CharField("收费标准", max_length=300, blank=True)
    fee_basis = models.CharField("收费依据", max_length=300, blank=True)
    fee_waivable = models.BooleanField("可减免", default=False)
    # Reform switches
    allows_gaps = models.BooleanField("允许容缺受理", default=False)
    allows_commitment = models.BooleanField("允许告知承诺", default=False)
    # Result
    result_type = models.CharField("结果类型", max_length=15, choices=ResultType.choices, default=ResultType.OTHER)
    result_name = models.CharField("结果名称", max_length=100, blank=True)
    # In a 一件事, a sibling item that needs one of these materials gets it from this item's result (内部流转):
    # the applicant is never asked for it.
    result_materials = models.JSONField("结果可替代的材料标识", default=list, blank=True,
                                        help_text="一件事中其他事项需要这些材料时，由本事项的办理结果内部流转，申请人无需提交")
    # Where and whom to ask
    place = models.CharField("办理地点", max_length=300, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询方式", max_length=200, blank=True)
    complaint_phone = models.CharField("投诉方式", max_length=200, blank=True)
    # Bookkeeping
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["implementation_code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["implementation_code", "version"], name="catalog_item_code_version"),
            models.UniqueConstraint(
                fields=["implementation_code"],
                condition=Q(status="published"),
                name="catalog_item_one_published",
            ),
            models.UniqueConstraint(
                fields=["implementation_code"],
                condition=Q(status="draft"),
                name="catalog_item_one_draft",
            ),
            in_choices("status", VersionStatus, name="catalog_item_status_valid"),
            in_choices("item_type", ItemType, name="catalog_item_type_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="catalog_item_version_from_1"),
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="catalog_item_status_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.implementation_code} v{self.version}）"

    @property
    def is_on_the_spot(self) -> bool:
        return self.promised_limit_unit == LimitUnit.ON_THE_SPOT

    def clean(self):
        errors: dict[str, str] = {}
        code = self.implementation_code or ""
        # A new row's code is judged here (empty and too long are the field's own messages). A stored code
        # is the item's identity and cannot change, so it is not judged again at every edit.
        if self._state.adding and 0 < len(code) <= MAX_LENGTH:
            problem = implementation_code_problem(code)
            if problem:
                errors["implementation_code"] = problem
        if self.promised_visits > 1 and not self.visits_reason.strip():
            errors["visits_reason"] = "承诺跑动次数多于一次时必须说明原因"
        bad_targets = [t for t in self.targets if t not in Target.values]
        if not self.targets or bad_targets:
            errors["targets"] = "服务对象必须从“自然人”“法人”中选择至少一项"
        bad_channels = [c for c in self.channels if c not in Channel.values]
        if not self.channels or bad_channels:
            errors["channels"] = "办理渠道必须从窗口、网上、掌上、自助终端、邮寄中选择至少一项"
        if self.legal_limit_unit != LimitUnit.ON_THE_SPOT and self.legal_limit == 0:
            errors["legal_limit"] = "法定时限必须大于0（即办件请选择“即办”）"
        if self.promised_limit_unit != LimitUnit.ON_THE_SPOT and self.promised_limit == 0:
            errors["promised_limit"] = "承诺时限必须大于0（即办件请选择“即办”）"
        if (
            self.promised_limit_unit == self.legal_limit_unit
            and self.promised_limit_unit != LimitUnit.ON_THE_SPOT
            and self.promised_limit > self.legal_limit
        ):
            errors["promised_limit"] = "承诺时限不能长于法定时限"
        if self.charges_fee and self.fee_amount <= 0 and not self.fee_standard.strip():
            errors["fee_standard"] = "收费事项必须填写收费标准或金额"
        if not self.charges_fee and self.fee_amount > 0:
            errors["fee_amount"] = "不收费事项的收费金额应为0"
        if self.region_id and self.level and self.region.level != self.level:
            errors["region"] = f"实施区划的层级（{self.region.get_level_display()}）与行使层级不一致"
        keys = self.result_materials
        if not isinstance(keys, list) or not all(isinstance(k, str) and _SLUG.fullmatch(k) for k in keys):
            errors["result_materials"] = "应为材料标识的列表（字母、数字、下划线或连字符）"
        if errors:
            raise ValidationError(errors)


class MaterialKind(models.TextChoices):
    CERTIFICATE = "certificate", "证件证书证明"
    FORM = "form", "申请表格文书"
    OTHER = "other", "其他"


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    BOTH = "both", "纸质和电子"


class Necessity(models.TextChoices):
    REQUIRED = "required", "必要"
    OPTIONAL = "optional", "非必要"
    DEFERRABLE = "deferrable", "容缺后补"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人自备"
    GOVERNMENT = "government", "政府部门核发"
    OTHER = "other", "其他"


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials", verbose_name="事项")
    key = models.SlugField("材料标识", max_length=60, help_text="同一材料在不同事项中使用相同标识，一件事据此合并")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("材料名称", max_length=200)
    kind = models.CharField("材料类型", max_length=15, choices=MaterialKind.choices, default=MaterialKind.OTHER)
    form = models.CharField("材料形式", max_length=15, choices=MaterialForm.choices, default=MaterialForm.BOTH)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    necessity = models.CharField("必要性", max_length=15, choices=Necessity.choices, default=Necessity.REQUIRED)
    source = models.CharField("来源渠道", max_length=15, choices=MaterialSource.choices, default=MaterialSource.APPLICANT)
    standard = models.TextField("受理标准", blank=True)
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    legal_basis = models.CharField("设定依据", max_length=300, blank=True)
    commitment_allowed = models.BooleanField("可用承诺替代", default=False)
    shared_data_key = models.CharField(
        "共享数据标识", max_length=60, blank=True, help_text="可由哪一共享数据资源或电子证照类型提供，免于申请人提交"
    )

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="catalog_material_unique_key"),
            in_choices("necessity", Necessity, name="catalog_material_necessity_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def applicant_need_not_bring(self) -> bool:
        """The applicant need not bring it: the government holds it and can fetch it itself."""
        return bool(self.shared_data_key)


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    TEXTAREA = "textarea", "多行文本"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "金额/小数"
    DATE = "date", "日期"
    CHOICE = "choice", "单选"
    BOOLEAN = "boolean", "是/否"
    ID_NUMBER = "id_number", "身份证号"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PHONE = "phone", "手机号"
    ADDRESS = "address", "地址"


class FormField(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fields", verbose_name="事项")
    key = models.SlugField("字段标识", max_length=60)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    label = models.CharField("中文名称", max_length=100)
    field_type = models.CharField("类型", max_length=15, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField("必填", default=True)
    choices = models.JSONField("可选值", default=list, blank=True)
    max_length = models.PositiveIntegerField("最大长度", null=True, blank=True)
    min_value = models.DecimalField("最小值", max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField("最大值", max_digits=14, decimal_places=2, null=True, blank=True)
    pattern = models.CharField("格式（正则）", max_length=200, blank=True)
    help_text = models.CharField("填写说明", max_length=200, blank=True)
    prefill_key = models.CharField("预填来源", max_length=60, blank=True, help_text="如 population.name")

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段"
        ordering = ["item", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_field_unique_key")]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        if self.field_type == FieldType.CHOICE and not self.choices:
            raise ValidationError({"choices": "单选字段必须给出可选值"})


class StepRole(models.TextChoices):
    """Which role handles a procedure step (mirrors orgs.Role for the back-office roles)."""

    WINDOW_CLERK = "window_clerk", "窗口受理员"
    REVIEWER = "reviewer", "审查员"
    APPROVER = "approver", "审批人"


DEFAULT_STEPS = [
    ("accept", "受理", StepRole.WINDOW_CLERK, 10),
    ("review", "审查", StepRole.REVIEWER, 40),
    ("decide", "决定", StepRole.APPROVER, 30),
    ("issue", "制证", StepRole.REVIEWER, 10),
    ("deliver", "送达", StepRole.WINDOW_CLERK, 10),
]


class ProcedureStep(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps", verbose_name="事项")
    position = models.PositiveSmallIntegerField("顺序")
    key = models.SlugField("环节标识", max_length=30)
    name = models.CharField("环节名称", max_length=30)
    role = models.CharField("办理角色", max_length=20, choices=StepRole.choices)
    share = models.PositiveSmallIntegerField(
        "占时限比例（%）", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_step_unique_key")]

    def __str__(self) -> str:
        return self.name


class SpecialProcedure(models.Model):
    """A special procedure the item allows; its time is not counted in the limit, up to the cap."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="special_procedures", verbose_name="事项"
    )
    kind = models.CharField("特别程序", max_length=20, choices=SpecialProcedureKind.choices)
    cap = models.PositiveIntegerField("时限上限")
    cap_unit = models.CharField("上限单位", max_length=15, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        constraints = [models.UniqueConstraint(fields=["item", "kind"], name="catalog_special_unique_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Bundle(models.Model):
    """一件事: several items in stages (stages in series, items in one stage in parallel). The merged
    form and material list are computed from the items' published versions (catalog.bundles)."""

    code = models.SlugField("一件事编码", max_length=60, unique=True)
    name = models.CharField("一件事名称", max_length=200)
    description = models.TextField("说明", blank=True)
    keywords = models.CharField("检索关键词", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    promised_limit = models.PositiveIntegerField("承诺时限", default=0)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=15, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_visits = models.PositiveSmallIntegerField("承诺跑动次数", default=1)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lead_bundles", verbose_name="牵头部门"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]
        constraints = [in_choices("status", VersionStatus, name="catalog_bundle_status_valid")]

    def __str__(self) -> str:
        return self.name


class BundleEntry(models.Model):
    """One item of a bundle, by its 实施编码, resolved to the published version when used."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries", verbose_name="一件事")
    stage = models.PositiveSmallIntegerField("阶段", default=1, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField("顺序", default=0)
    item_code = models.CharField("事项实施编码", max_length=40)

    class Meta:
        verbose_name = "一件事事项"
        verbose_name_plural = "一件事事项"
        ordering = ["bundle", "stage", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item_code"], name="catalog_bundle_unique_item")]

    def __str__(self) -> str:
        return f"{self.bundle.code} 阶段{self.stage}: {self.item_code}"

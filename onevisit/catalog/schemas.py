"""Pydantic schemas of the catalog API: what integrators send (strict: unknown keys are refused) and
what they get back. Choice fields use the model enums, so the OpenAPI document lists the values."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from onevisit.catalog.codes import FORMAT_HELP
from onevisit.catalog.models import (
    Channel,
    FieldType,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialKind,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    ServiceScope,
    SpecialProcedureKind,
    StepRole,
    Target,
    VersionStatus,
)
from onevisit.orgs.models import Domain, RegionLevel


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Loose(Schema):
    model_config = ConfigDict(extra="ignore")


# Organisations ---------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    level_label: str
    parent: str | None = Field(None, description="上级区划代码")


class DepartmentOut(Schema):
    name: str
    short_name: str
    credit_code: str
    region: str = Field(description="所属区划代码")
    region_name: str


class CentreOut(Schema):
    id: int
    name: str
    region: str
    address: str
    hours: str


class WindowOut(Schema):
    id: int
    centre: CentreOut
    number: str
    name: str
    accepts_any: bool = Field(description="无差别（全科）受理：受理所有事项")
    domains: list[Domain]
    item_codes: list[str]


# Catalog writes --------------------------------------------------------------------------------


class MaterialIn(Strict):
    key: str = Field(description="材料标识；同一材料在不同事项中用同一标识，一件事据此合并")
    name: str
    position: int = 0
    kind: MaterialKind = MaterialKind.OTHER
    form: MaterialForm = MaterialForm.BOTH
    copies: int = Field(1, ge=0)
    necessity: Necessity = Necessity.REQUIRED
    source: MaterialSource = MaterialSource.APPLICANT
    standard: str = ""
    legal_basis: str = ""
    commitment_allowed: bool = False
    shared_data_key: str = Field("", description="非空时申请人无需提交，由部门通过数据共享获取")


class FieldIn(Strict):
    key: str
    label: str
    position: int = 0
    field_type: FieldType = FieldType.TEXT
    required: bool = True
    choices: list[str] = []
    max_length: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    pattern: str = ""
    help_text: str = ""
    prefill_key: str = ""


class StepIn(Strict):
    key: str
    name: str
    role: StepRole
    share: int = Field(ge=0, le=100, description="占时限比例（%），各环节之和为100")
    position: int = 0


class SpecialProcedureIn(Strict):
    kind: SpecialProcedureKind
    cap: int = Field(ge=0)
    cap_unit: LimitUnit = LimitUnit.WORKING_DAYS
    note: str = ""


class ItemBody(Strict):
    name: str
    basic_code: str
    business_code: str = ""
    item_type: ItemType
    domain: Domain = Domain.OTHER
    keywords: str = ""
    level: RegionLevel
    region: str = Field(description="实施区划代码")
    department: str = Field(description="实施部门统一社会信用代码")
    co_departments: list[str] = Field([], description="联办部门统一社会信用代码")
    legal_basis: str = ""
    conditions: str = ""
    targets: list[Target]
    legal_limit: int = Field(0, ge=0)
    legal_limit_unit: LimitUnit = LimitUnit.WORKING_DAYS
    promised_limit: int = Field(0, ge=0)
    promised_limit_unit: LimitUnit = LimitUnit.WORKING_DAYS
    limit_note: str = ""
    promised_visits: int = Field(1, ge=0)
    visits_reason: str = ""
    channels: list[Channel]
    online_depth: OnlineDepth = OnlineDepth.PRE_REVIEW
    scope: ServiceScope = ServiceScope.LOCAL
    charges_fee: bool = False
    fee_amount: Decimal = Decimal("0")
    fee_standard: str = ""
    fee_basis: str = ""
    fee_waivable: bool = False
    allows_gaps: bool = False
    allows_commitment: bool = False
    result_type: ResultType = ResultType.OTHER
    result_name: str = ""
    result_materials: list[str] = Field([], description="本事项结果可替代的材料标识：同一件事中其他事项需要这些材料时由本事项结果内部流转，申请人无需提交")
    place: str = ""
    hours: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    materials: list[MaterialIn] = []
    fields: list[FieldIn] = []
    steps: list[StepIn] | None = Field(None, description="省略时为默认的 受理→审查→决定→制证→送达")
    special_procedures: list[SpecialProcedureIn] = []


class ItemIn(ItemBody):
    implementation_code: str = Field(description="实施编码：" + FORMAT_HELP)
    reason: str = ""


ItemPatch = create_model(
    "ItemPatch",
    __base__=Strict,
    __doc__="修改草稿：只改给出的字段；给出的子表（materials、fields、steps、special_procedures）整体替换。",
    reason=(str, ""),
    **{name: (info.annotation | None, None) for name, info in ItemBody.model_fields.items()},
)


class ReasonIn(Strict):
    reason: str = ""


class RetireIn(Strict):
    reason: str = Field(description="停用原因（必填）")


class EntryIn(Strict):
    item_code: str = Field(description="事项实施编码")
    stage: int = Field(1, description="阶段：不同阶段依次办理（串联），同一阶段并联办理")
    position: int | None = None


class BundleBody(Strict):
    name: str
    description: str = ""
    keywords: str = ""
    promised_limit: int = Field(0, ge=0)
    promised_limit_unit: LimitUnit = LimitUnit.WORKING_DAYS
    promised_visits: int = Field(1, ge=0)
    lead_department: str = Field(description="牵头部门统一社会信用代码")
    entries: list[EntryIn]


class BundleIn(BundleBody):
    code: str
    reason: str = ""


BundlePatch = create_model(
    "BundlePatch",
    __base__=Strict,
    __doc__="修改一件事：只改给出的字段；给出 entries 时整体替换。",
    reason=(str, ""),
    **{name: (info.annotation | None, None) for name, info in BundleBody.model_fields.items()},
)


# Catalog reads ---------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str | int
    label: str


class LimitOut(Schema):
    value: int
    unit: LimitUnit
    unit_label: str
    text: str = Field(description="如“5个工作日”或“即办”")


class DepartmentRef(Schema):
    name: str
    credit_code: str


class ItemSummaryOut(Schema):
    implementation_code: str
    version: int
    status: VersionStatus
    name: str
    item_type: ChoiceOut
    domain: Domain
    level: RegionLevel
    region: str
    department: DepartmentRef
    promised_limit: LimitOut
    promised_visits: int
    channels: list[Channel]
    online_depth: int
    published_at: datetime | None


class ItemPageOut(Schema):
    results: list[ItemSummaryOut]
    next_after: str | None = Field(description="下一页的 after 参数；为空表示没有更多")
    limit: int
    offset: int


class MaterialOut(MaterialIn):
    model_config = ConfigDict(extra="ignore")
    blank_form: str = ""
    sample: str = ""


class FieldOut(FieldIn):
    model_config = ConfigDict(extra="ignore")


class StepOut(StepIn):
    model_config = ConfigDict(extra="ignore")


class SpecialProcedureOut(SpecialProcedureIn):
    model_config = ConfigDict(extra="ignore")


class ItemOut(ItemBody):
    model_config = ConfigDict(extra="ignore")
    implementation_code: str
    version: int
    status: VersionStatus
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    materials: list[MaterialOut]
    fields: list[FieldOut]
    steps: list[StepOut]
    special_procedures: list[SpecialProcedureOut]


class EntryOut(Schema):
    item_code: str
    stage: int
    position: int


class BundleOut(Schema):
    code: str
    name: str
    description: str
    keywords: str
    status: VersionStatus
    promised_limit: LimitOut
    promised_visits: int
    lead_department: DepartmentRef
    entries: list[EntryOut]
    updated_at: datetime


# Guides ----------------------------------------------------------------------------------------


class GuideMaterial(Schema):
    key: str
    name: str
    kind: ChoiceOut
    necessity: ChoiceOut
    form: ChoiceOut
    copies: int
    source: ChoiceOut
    standard: str
    legal_basis: str
    commitment_allowed: bool
    shared_data_key: str
    need_not_bring: bool = Field(description="为真时申请人无需提交，由部门通过数据共享获取")
    need_not_bring_note: str


class GuideField(Schema):
    key: str
    label: str
    field_type: ChoiceOut
    required: bool
    choices: list[str]
    help_text: str
    prefill_key: str


class GuideStep(Schema):
    position: int
    key: str
    name: str
    role: str
    share: int


class GuideFee(Schema):
    charges_fee: bool
    amount: str
    standard: str
    basis: str
    waivable: bool
    text: str


class GuideSpecial(Schema):
    kind: ChoiceOut
    cap: LimitOut
    note: str


class GuideResult(Schema):
    type: ChoiceOut
    name: str


class GuideCondition(Schema):
    text: str = Field(description="条件，如“年满60周岁”")
    source: str = Field(description="核验依据的数据，如“人口基础信息库”")
    checked_by: str = Field(description="由什么自动核验，如“秒批规则”")


class GuideRegion(Schema):
    code: str
    name: str


class ItemGuideOut(Schema):
    kind: str
    name: str
    implementation_code: str
    basic_code: str
    business_code: str
    version: int
    status: VersionStatus
    published_at: datetime | None
    item_type: ChoiceOut
    level: ChoiceOut
    region: GuideRegion
    department: DepartmentRef
    co_departments: list[DepartmentRef]
    legal_basis: str
    checked_conditions: list[GuideCondition] = Field(
        description="系统依据共享数据自动核验的受理条件（由该版本的秒批规则生成，与规则一致），列在文字说明之前"
    )
    conditions_note: str = Field(description="有自动核验的条件时的说明；没有时为空")
    conditions: str = Field(description="事项管理员填写的受理条件文字说明")
    targets: list[ChoiceOut]
    materials: list[GuideMaterial]
    form_fields: list[GuideField]
    steps: list[GuideStep]
    legal_limit: LimitOut
    promised_limit: LimitOut
    limit_note: str
    fee: GuideFee
    promised_visits: int
    visits_text: str
    visits_reason: str
    channels: list[ChoiceOut]
    online_depth: ChoiceOut
    scope: ChoiceOut
    allows_gaps: bool
    allows_commitment: bool
    special_procedures: list[GuideSpecial]
    result: GuideResult
    place: str
    hours: str
    consult: str
    complaint: str


class ItemRef(Schema):
    implementation_code: str
    name: str


class BundleGuideMaterial(GuideMaterial):
    used_by: list[ItemRef] = Field(description="该材料分发给哪些事项（只需提交一次）")


class BundleGuideField(GuideField):
    used_by: list[ItemRef] = Field(description="该字段供哪些事项使用（只需填写一次）")


class BundleStageItem(Schema):
    implementation_code: str
    name: str
    version: int
    department: DepartmentRef
    promised_limit: LimitOut
    promised_visits: int


class BundleStage(Schema):
    stage: int
    mode: str
    items: list[BundleStageItem]


class BundleGuideOut(Schema):
    kind: str
    code: str
    name: str
    description: str
    status: VersionStatus
    updated_at: datetime
    lead_department: DepartmentRef
    promised_limit: LimitOut
    promised_visits: int
    visits_text: str
    stages: list[BundleStage]
    departments: list[DepartmentRef]
    form_fields: list[BundleGuideField]
    materials: list[BundleGuideMaterial]
    problems: list[str]

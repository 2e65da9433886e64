"""Demo catalog: items drawn from what the seed documents name (商事登记, 不动产登记, 二手房交易, 社保医保,
公积金, 公安/出入境, 港航船舶营运证, 公交老年卡, 生育登记, 高龄津贴 ...), with their materials, form fields,
special procedures, and the 一件事 bundles built from them.

Codes: a basic code (基本编码) is "33" + item type (2 digits) + sector (2) + sequence (3) + "000"; the
same basic code is shared by every department that implements the item. The implementation code (实施编码)
is the basic code + "-" + the department's region code and organisation number, so it is unique."""

from decimal import Decimal

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
)
from onevisit.orgs.models import Domain

# Shared data resources and e-licence types a material may be fetched from (the data hub's vocabulary).
SHARED_RESOURCES = {"population", "legal_entity", "death", "real_estate", "marriage", "social_insurance"}
LICENCE_TYPES = {
    "business_licence", "birth_medical_certificate", "ship_operation_certificate", "real_estate_certificate",
    "marriage_certificate", "household_register",
}
SHARED_DATA_KEYS = SHARED_RESOURCES | {f"licence:{t}" for t in LICENCE_TYPES}

_TYPE_DIGITS = {
    ItemType.LICENSING: "01", ItemType.PAYMENT: "02", ItemType.CONFIRMATION: "03", ItemType.REWARD: "04",
    ItemType.ADJUDICATION: "05", ItemType.OTHER_POWER: "06", ItemType.PUBLIC_SERVICE: "07",
}
SECTORS = {
    "market": "01", "estate": "02", "housing": "03", "tax": "04", "hrss": "05", "medical": "06", "fund": "07",
    "police": "08", "transport": "09", "civil": "10", "health": "11", "drc": "12", "port": "13",
}


def basic_code(item_type: str, sector: str, seq: int) -> str:
    return f"33{_TYPE_DIGITS[item_type]}{SECTORS[sector]}{seq:03d}000"


# Materials: the same document has the same key in every item ------------------------------------------
CERT, FORM, OTHER = MaterialKind.CERTIFICATE, MaterialKind.FORM, MaterialKind.OTHER
GOV, APPLICANT, OTHER_SOURCE = MaterialSource.GOVERNMENT, MaterialSource.APPLICANT, MaterialSource.OTHER

MATERIALS = {
    "id_card": dict(
        name="申请人居民身份证", kind=CERT, form=MaterialForm.BOTH, source=GOV, shared_data_key="population",
        standard="原件核验，在有效期内；可出示电子身份证（浙里办亮证）", legal_basis="《中华人民共和国居民身份证法》",
    ),
    "agent_id_card": dict(
        name="经办人身份证明及授权委托书", kind=CERT, source=GOV, shared_data_key="population",
        standard="经办人身份信息由人口库核验；委托书加盖单位公章或电子签章", necessity=Necessity.OPTIONAL,
    ),
    "business_licence": dict(
        name="营业执照", kind=CERT, source=GOV, shared_data_key="licence:business_licence",
        standard="在有效期内；由电子证照库调取，无需提交纸质件",
    ),
    "legal_rep_proof": dict(
        name="法定代表人身份证明", kind=CERT, source=GOV, shared_data_key="legal_entity",
        standard="由法人库核验法定代表人信息",
    ),
    "household_register": dict(
        name="居民户口簿", kind=CERT, source=GOV, shared_data_key="licence:household_register",
        standard="户主页及本人页；由电子证照库调取",
    ),
    "marriage_certificate": dict(
        name="结婚证", kind=CERT, source=GOV, shared_data_key="licence:marriage_certificate",
        standard="由婚姻登记信息共享核验，无需提交原件",
    ),
    "real_estate_certificate": dict(
        name="不动产权证书（房屋所有权证）", kind=CERT, source=GOV,
        shared_data_key="licence:real_estate_certificate", standard="权利人与申请人一致；由电子证照库调取",
    ),
    "birth_medical_certificate": dict(
        name="出生医学证明", kind=CERT, source=GOV, shared_data_key="licence:birth_medical_certificate",
        standard="由助产机构签发的电子出生医学证明",
    ),
    "ship_operation_certificate": dict(
        name="船舶营业运输证", kind=CERT, source=GOV, shared_data_key="licence:ship_operation_certificate",
        standard="原证在有效期内或到期前30日内",
    ),
    "death_proof": dict(
        name="死亡医学证明或火化证明", kind=CERT, source=GOV, shared_data_key="death",
        standard="由公安、卫健、民政死亡信息共享核验",
    ),
    "insurance_record": dict(
        name="社会保险参保缴费记录", kind=CERT, source=GOV, shared_data_key="social_insurance",
        standard="由社保参保信息库调取，无需申请人打印",
    ),
    "property_record": dict(
        name="不动产登记信息", kind=CERT, source=GOV, shared_data_key="real_estate",
        standard="由不动产登记信息库查询核验",
    ),
    "marriage_record": dict(
        name="婚姻状况信息", kind=CERT, source=GOV, shared_data_key="marriage",
        standard="由民政婚姻登记信息共享核验", necessity=Necessity.OPTIONAL,
    ),
    "company_application": dict(
        name="公司登记（备案）申请书", kind=FORM, source=APPLICANT,
        standard="在浙江政务服务网在线填写，法定代表人电子签名", legal_basis="《中华人民共和国市场主体登记管理条例实施细则》",
    ),
    "articles_of_association": dict(
        name="公司章程", kind=OTHER, source=APPLICANT, standard="全体股东签署；可选用章程范本",
    ),
    "residence_proof": dict(
        name="住所（经营场所）使用证明", kind=CERT, source=APPLICANT, commitment_allowed=True,
        standard="自有房产由不动产登记信息核验；租赁的提交租赁合同；可书面承诺住所真实有效",
    ),
    "shareholder_resolution": dict(
        name="股东会决议或股东决定", kind=OTHER, source=APPLICANT, standard="符合章程规定的表决程序",
    ),
    "food_safety_rules": dict(
        name="食品安全管理制度", kind=OTHER, source=APPLICANT, commitment_allowed=True,
        standard="含从业人员健康管理、进货查验记录、食品安全自查等制度",
    ),
    "premises_layout": dict(
        name="经营场所平面布局图及设备布局、工艺流程图", kind=OTHER, source=APPLICANT,
        standard="标明面积、功能分区和主要设备位置",
    ),
    "house_contract": dict(
        name="存量房买卖合同（网签）", kind=OTHER, source=APPLICANT,
        standard="经住建部门网签备案的合同，买卖双方签字", legal_basis="《中华人民共和国城市房地产管理法》",
    ),
    "tax_invoice": dict(
        name="契税完税凭证", kind=CERT, source=GOV, standard="税务部门开具；一窗受理时由税务窗口内部流转",
    ),
    "photo": dict(
        name="近期免冠彩色证件照片", kind=OTHER, source=APPLICANT, copies=2, form=MaterialForm.PAPER,
        standard="2寸，白色背景；在窗口现场采集的无需提交",
    ),
    "delivery_record": dict(
        name="助产机构分娩记录", kind=CERT, source=OTHER_SOURCE, standard="由助产机构在院内系统推送",
    ),
    "personnel_archive": dict(
        name="职工人事档案", kind=OTHER, source=OTHER_SOURCE, form=MaterialForm.PAPER,
        standard="由档案保管单位提供，用于核定出生时间、参加工作时间和特殊工种",
    ),
    "income_statement": dict(
        name="家庭收入和财产状况声明", kind=FORM, source=APPLICANT, commitment_allowed=True,
        standard="共同生活家庭成员签字；可用书面承诺代替，由民政部门核对",
    ),
    "ship_nationality_certificate": dict(
        name="船舶国籍证书", kind=CERT, source=GOV, standard="海事管理机构核发，在有效期内",
    ),
    "ship_inspection_certificate": dict(
        name="船舶检验证书", kind=CERT, source=GOV, standard="船舶检验机构核发，在有效期内",
    ),
    "safety_management_docs": dict(
        name="安全管理制度文本", kind=OTHER, source=APPLICANT, commitment_allowed=True,
        standard="含安全生产责任制、应急预案等",
    ),
    "vehicle_list": dict(
        name="拟投入车辆情况及承诺书", kind=OTHER, source=APPLICANT, commitment_allowed=True,
        standard="列明车辆类型、数量、技术等级",
    ),
    "driver_licence": dict(
        name="机动车驾驶证", kind=CERT, source=GOV, standard="3年以上驾龄；由公安交管信息核验",
    ),
    "project_info": dict(
        name="项目基本情况表", kind=FORM, source=APPLICANT,
        standard="在浙江省投资项目在线审批监管平台填报", legal_basis="《企业投资项目核准和备案管理条例》",
    ),
    "drainage_plan": dict(
        name="排水户内部排水管网、专用检测井、污水排放口位置和口径图纸", kind=OTHER, source=APPLICANT,
        standard="标明隔油设施位置",
    ),
    "medical_qualification": dict(
        name="医师资格证书", kind=CERT, source=GOV, standard="由国家医师资格信息核验原件",
    ),
    "health_certificate": dict(
        name="近6个月内的健康体检证明", kind=CERT, source=OTHER_SOURCE, standard="县级以上医疗机构出具",
    ),
    "inspection_report": dict(
        name="产品检验报告", kind=CERT, source=OTHER_SOURCE, standard="具备资质的检验机构出具，1年内有效",
    ),
    "quality_manual": dict(
        name="质量手册和程序文件", kind=OTHER, source=APPLICANT, standard="符合资质认定评审准则",
    ),
    "presale_plan": dict(
        name="预售方案及工程施工进度证明", kind=OTHER, source=APPLICANT,
        standard="投入开发建设资金达到工程建设总投资25%以上",
    ),
    "land_certificate": dict(
        name="国有土地使用权证（不动产权证书）", kind=CERT, source=GOV,
        shared_data_key="licence:real_estate_certificate", standard="由电子证照库调取",
    ),
    "loss_statement": dict(
        name="遗失声明", kind=FORM, source=APPLICANT, standard="在窗口或网上填写，无需登报",
    ),
    "residence_declaration": dict(
        name="居住证明（租赁合同或单位证明）", kind=OTHER, source=APPLICANT, commitment_allowed=True,
        standard="自有房屋由不动产信息核验；租住的可由出租人或单位出具，或书面承诺",
    ),
}


def mat(key: str, **over) -> dict:
    row = {"key": key, **MATERIALS[key]}
    row.update(over)
    return row


# Form fields: a key means the same thing (and has the same type) in every item ----------------------------
T = FieldType
SEX = ["男", "女"]
DELIVERY = ["窗口领取", "快递送达", "电子证照"]

FIELDS = {
    "applicant_name": dict(label="申请人姓名", field_type=T.TEXT, max_length=50, prefill_key="population.name"),
    "id_number": dict(label="身份证号", field_type=T.ID_NUMBER),
    "sex": dict(label="性别", field_type=T.CHOICE, choices=SEX, prefill_key="population.sex"),
    "birth_date": dict(label="出生日期", field_type=T.DATE, prefill_key="population.birth_date"),
    "phone": dict(label="联系电话", field_type=T.PHONE),
    "address": dict(label="联系地址", field_type=T.ADDRESS, max_length=200, prefill_key="population.address"),
    "company_name": dict(label="企业名称", field_type=T.TEXT, max_length=100, prefill_key="legal_entity.name"),
    "credit_code": dict(label="统一社会信用代码", field_type=T.CREDIT_CODE),
    "legal_representative": dict(
        label="法定代表人", field_type=T.TEXT, max_length=50, prefill_key="legal_entity.legal_representative"
    ),
    "company_address": dict(label="企业住所", field_type=T.ADDRESS, max_length=200, prefill_key="legal_entity.address"),
    "registered_capital": dict(
        label="注册资本（万元）", field_type=T.DECIMAL, min_value=Decimal("0"),
        prefill_key="legal_entity.registered_capital",
    ),
    "business_scope": dict(label="经营范围", field_type=T.TEXTAREA, max_length=2000),
    "employee_count": dict(label="职工人数", field_type=T.INTEGER, min_value=Decimal("0"), required=False),
    "property_address": dict(label="房屋坐落", field_type=T.ADDRESS, max_length=200),
    "certificate_number": dict(
        label="不动产权证书号", field_type=T.TEXT, max_length=60, prefill_key="real_estate.certificate_number"
    ),
    "transaction_price": dict(label="成交价格（元）", field_type=T.DECIMAL, min_value=Decimal("0")),
    "building_area": dict(label="建筑面积（平方米）", field_type=T.DECIMAL, min_value=Decimal("0")),
    "buyer_name": dict(label="买受人姓名", field_type=T.TEXT, max_length=50),
    "buyer_id_number": dict(label="买受人身份证号", field_type=T.ID_NUMBER),
    "child_name": dict(label="新生儿姓名", field_type=T.TEXT, max_length=50),
    "child_birth_date": dict(label="新生儿出生日期", field_type=T.DATE),
    "child_sex": dict(label="新生儿性别", field_type=T.CHOICE, choices=SEX),
    "spouse_name": dict(label="配偶姓名", field_type=T.TEXT, max_length=50, required=False),
    "retire_date": dict(label="拟退休日期", field_type=T.DATE),
    "bank_account": dict(label="待遇发放银行账号", field_type=T.TEXT, max_length=30, pattern=r"^\d{12,30}$"),
    "ship_name": dict(label="船舶名称", field_type=T.TEXT, max_length=60),
    "ship_number": dict(label="船舶识别号", field_type=T.TEXT, max_length=20, pattern=r"^CN\d{11}$",
                        help_text="以CN开头的13位船舶识别号"),
    "shop_name": dict(label="店铺名称（字号）", field_type=T.TEXT, max_length=100),
    "business_address": dict(label="经营场所", field_type=T.ADDRESS, max_length=200),
    "destination": dict(label="前往国家或地区", field_type=T.TEXT, max_length=100, required=False),
    "delivery_method": dict(label="结果领取方式", field_type=T.CHOICE, choices=DELIVERY),
    "project_name": dict(label="项目名称", field_type=T.TEXT, max_length=200),
    "total_investment": dict(label="总投资（万元）", field_type=T.DECIMAL, min_value=Decimal("0")),
    "family_size": dict(label="共同生活家庭人口", field_type=T.INTEGER, min_value=Decimal("1")),
    "monthly_income": dict(label="家庭月人均收入（元）", field_type=T.DECIMAL, min_value=Decimal("0")),
    "deceased_name": dict(label="逝者姓名", field_type=T.TEXT, max_length=50),
    "deceased_id_number": dict(label="逝者身份证号", field_type=T.ID_NUMBER),
}


def fld(key: str, **over) -> dict:
    row = {"key": key, **FIELDS[key]}
    row.update(over)
    return row


PERSON_FIELDS = ["applicant_name", "id_number", "phone"]
COMPANY_FIELDS = ["company_name", "credit_code", "legal_representative", "phone"]


def fields(*keys: str) -> list[dict]:
    return [fld(k) for k in keys]


# Steps: the default 受理→审查→决定→制证→送达 unless an item says otherwise --------------------------
ON_THE_SPOT_STEPS = [
    {"key": "accept", "name": "受理", "role": StepRole.WINDOW_CLERK, "share": 40},
    {"key": "decide", "name": "审核办结", "role": StepRole.WINDOW_CLERK, "share": 60},
]
SHORT_STEPS = [
    {"key": "accept", "name": "受理", "role": StepRole.WINDOW_CLERK, "share": 20},
    {"key": "review", "name": "审核", "role": StepRole.REVIEWER, "share": 50},
    {"key": "decide", "name": "办结", "role": StepRole.APPROVER, "share": 30},
]
SURVEY_STEPS = [
    {"key": "accept", "name": "受理", "role": StepRole.WINDOW_CLERK, "share": 10},
    {"key": "review", "name": "材料审查", "role": StepRole.REVIEWER, "share": 30},
    {"key": "survey", "name": "现场核查", "role": StepRole.REVIEWER, "share": 30},
    {"key": "decide", "name": "审批决定", "role": StepRole.APPROVER, "share": 20},
    {"key": "deliver", "name": "制证送达", "role": StepRole.WINDOW_CLERK, "share": 10},
]

WIN, NET, MOB, KIOSK, POST = Channel.WINDOW, Channel.ONLINE, Channel.MOBILE, Channel.KIOSK, Channel.POST
ALL_CHANNELS = [WIN, NET, MOB, KIOSK]
PERSON, COMPANY = Target.PERSON, Target.COMPANY
WD, ND, SPOT = LimitUnit.WORKING_DAYS, LimitUnit.NATURAL_DAYS, LimitUnit.ON_THE_SPOT

# Consultation phones by department key; 12345 always.
PHONES = {
    "zj_market": "0571-85157000", "zj_transport": "0571-87804000", "market": "0578-2139025",
    "estate": "0578-2176116", "housing": "0578-2123021", "tax": "12366", "hrss": "0578-12333",
    "medical": "0578-2085890", "fund": "0578-12329", "police": "0578-2061110", "transport": "0578-2116101",
    "civil": "0578-2123610", "health": "0578-2682061", "drc": "0578-2091031", "port": "0577-88966261",
    "ld_market": "0578-2151315", "ld_civil": "0578-2136126", "ld_health": "0578-2188101",
    "ld_police": "0578-2128110", "zijin": "0578-2222602", "yz_market": "0574-88225315",
}


def item(
    key: str, *, dept: str, sector: str, seq: int, name: str, item_type: str, domain: str, targets: list,
    legal: tuple, promised: tuple, basis: str, conditions: str, materials: list, fields: list,
    result: tuple, visits: int = 0, channels: list | None = None, depth: int | None = None,
    scope: str = ServiceScope.LOCAL, **extra,
) -> dict:
    """One item spec. legal/promised are (limit, unit); result is (result type, result name)."""
    data = dict(
        name=name, basic_code=basic_code(item_type, sector, seq), item_type=item_type, domain=domain,
        targets=targets, legal_basis=basis, conditions=conditions,
        legal_limit=legal[0], legal_limit_unit=legal[1], promised_limit=promised[0], promised_limit_unit=promised[1],
        promised_visits=visits, channels=channels or ([WIN, NET, MOB] if visits == 0 else [WIN, NET]),
        online_depth=depth or (OnlineDepth.FULLY_ONLINE if visits == 0 else OnlineDepth.PRE_REVIEW),
        scope=scope, result_type=result[0], result_name=result[1],
    )
    steps = extra.pop("steps", ON_THE_SPOT_STEPS if promised[1] == SPOT else None)
    special = extra.pop("special_procedures", [])
    co = extra.pop("co", [])
    data.update(extra)
    return {
        "key": key, "dept": dept, "data": data, "materials": materials, "fields": fields, "steps": steps,
        "special_procedures": special, "co": co,
    }


REGISTRATION_FEE = dict(
    charges_fee=True, fee_amount=Decimal("80"), fee_standard="住宅类每件80元；非住宅类每件550元；小微企业免收",
    fee_basis="《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
    fee_waivable=True,
)

ITEMS = [
    # 商事登记 -------------------------------------------------------------------------------------------
    item(
        "company_setup", dept="market", sector="market", seq=1, name="企业设立登记（有限责任公司）",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[PERSON, COMPANY],
        legal=(3, WD), promised=(1, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国公司法》；《中华人民共和国市场主体登记管理条例》第十九条；"
        "《中华人民共和国市场主体登记管理条例实施细则》",
        conditions="名称经自主申报通过；股东、法定代表人符合任职条件；住所真实；经营范围符合规范表述",
        materials=[
            mat("id_card", name="法定代表人及股东身份证件"), mat("company_application"),
            mat("articles_of_association"), mat("residence_proof"),
        ],
        fields=fields(
            "company_name", "legal_representative", "id_number", "phone", "company_address",
            "registered_capital", "business_scope", "delivery_method",
        ),
        result=(ResultType.LICENCE, "营业执照（含电子营业执照）"), allows_commitment=True,
        keywords="开公司 注册公司 营业执照 企业开办", limit_note="材料齐全的当场或1个工作日内办结",
    ),
    item(
        "company_change", dept="market", sector="market", seq=2, name="企业变更登记（备案）",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(3, WD), promised=(1, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国市场主体登记管理条例》第二十四条",
        conditions="变更事项依法需经批准的已取得批准文件；决议程序合法",
        materials=[mat("business_licence"), mat("legal_rep_proof"), mat("shareholder_resolution"),
                   mat("company_application", name="公司变更登记申请书")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "company_address"),
        result=(ResultType.LICENCE, "营业执照（换发）"), keywords="变更 改名 迁址 增资",
    ),
    item(
        "company_cancel", dept="market", sector="market", seq=3, name="企业简易注销登记",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(3, WD), promised=(1, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国市场主体登记管理条例》第三十三条",
        conditions="未发生债权债务或已清偿完毕；经20日公示无异议；全体投资人书面承诺",
        materials=[mat("business_licence"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone"),
        result=(ResultType.CERTIFICATE, "准予简易注销登记通知书"), allows_commitment=True,
        special_procedures=[{"kind": SpecialProcedureKind.PUBLIC_NOTICE, "cap": 20, "cap_unit": ND,
                             "note": "通过国家企业信用信息公示系统公示20日"}],
    ),
    item(
        "licence_replace", dept="market", sector="market", seq=4, name="营业执照遗失补领",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(3, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《中华人民共和国市场主体登记管理条例实施细则》第五十九条",
        conditions="营业执照遗失或损毁", materials=[mat("business_licence"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "phone", "delivery_method"),
        result=(ResultType.LICENCE, "营业执照（补发）"),
    ),
    item(
        "sole_trader", dept="ld_market", sector="market", seq=5, name="个体工商户设立登记",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[PERSON],
        legal=(3, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
        conditions="有经营能力的自然人；经营场所符合要求",
        materials=[mat("id_card", name="经营者身份证件"), mat("residence_proof", name="经营场所使用证明")],
        fields=fields("applicant_name", "id_number", "phone", "shop_name", "business_address", "business_scope"),
        result=(ResultType.LICENCE, "营业执照"), allows_commitment=True, keywords="个体户 开店 小店",
    ),
    item(
        "sole_trader_yz", dept="yz_market", sector="market", seq=5, name="个体工商户设立登记",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[PERSON],
        legal=(3, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
        conditions="有经营能力的自然人；经营场所符合要求",
        materials=[mat("id_card", name="经营者身份证件"), mat("residence_proof", name="经营场所使用证明")],
        fields=fields("applicant_name", "id_number", "phone", "shop_name", "business_address", "business_scope"),
        result=(ResultType.LICENCE, "营业执照"), allows_commitment=True,
        place="宁波市鄞州区行政服务中心（鄞州区惠风东路568号）",
    ),
    item(
        "food_business", dept="ld_market", sector="market", seq=6, name="食品经营许可",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[PERSON, COMPANY],
        legal=(10, WD), promised=(3, WD), visits=0,
        basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        conditions="有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和管理制度",
        materials=[
            mat("business_licence"), mat("id_card", name="法定代表人（负责人）身份证件"),
            mat("food_safety_rules"), mat("premises_layout", necessity=Necessity.DEFERRABLE),
        ],
        fields=fields("company_name", "credit_code", "applicant_name", "id_number", "phone", "business_address"),
        result=(ResultType.LICENCE, "食品经营许可证"), allows_gaps=True, allows_commitment=True,
        steps=SURVEY_STEPS, keywords="餐馆 饭店 食品 开餐馆",
        special_procedures=[{"kind": SpecialProcedureKind.SITE_SURVEY, "cap": 10, "cap_unit": WD,
                             "note": "仅销售预包装食品的免于现场核查"}],
    ),
    item(
        "industrial_licence", dept="zj_market", sector="market", seq=7, name="工业产品生产许可证核发",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(20, WD), promised=(10, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国工业产品生产许可证管理条例》；《工业产品生产许可证管理条例实施办法》",
        conditions="有与生产相适应的专业技术人员、生产条件、检验检测手段和质量管理制度",
        materials=[mat("business_licence"), mat("inspection_report"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "company_address"),
        result=(ResultType.LICENCE, "全国工业产品生产许可证"), allows_commitment=True,
        place="浙江政务服务网在线申请；浙江省市场监督管理局行政审批处（杭州市莫干山路77号）",
        special_procedures=[{"kind": SpecialProcedureKind.SITE_SURVEY, "cap": 30, "cap_unit": ND,
                             "note": "企业承诺后30日内进行现场核查"}],
    ),
    item(
        "lab_accreditation", dept="zj_market", sector="market", seq=8, name="检验检测机构资质认定",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(10, WD), promised=(5, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国计量法》第二十二条；《检验检测机构资质认定管理办法》",
        conditions="依法成立并能承担法律责任；具备相应的人员、场所、设备和管理体系",
        materials=[mat("business_licence"), mat("quality_manual"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone"),
        result=(ResultType.LICENCE, "检验检测机构资质认定证书"),
        place="浙江政务服务网在线申请；浙江省市场监督管理局（杭州市莫干山路77号）",
        special_procedures=[{"kind": SpecialProcedureKind.EXPERT_REVIEW, "cap": 45, "cap_unit": WD,
                             "note": "技术评审时间不计入审批时限"}],
    ),
    item(
        "seal_filing", dept="police", sector="police", seq=1, name="印章刻制备案",
        item_type=ItemType.OTHER_POWER, domain=Domain.BUSINESS, targets=[COMPANY],
        legal=(1, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《国务院对确需保留的行政审批项目设定行政许可的决定》；《浙江省公章刻制治安管理办法》",
        conditions="已取得营业执照；选择已备案的印章刻制企业",
        materials=[mat("business_licence"), mat("agent_id_card")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone"),
        result=(ResultType.CERTIFICATE, "印章备案信息（公章、财务章、发票专用章）"),
        keywords="刻章 公章 企业开办", limit_note="企业开办套餐内免费刻制首套印章",
    ),
    # 税务 ------------------------------------------------------------------------------------------------
    item(
        "new_taxpayer", dept="tax", sector="tax", seq=1, name="新办纳税人涉税事项套餐（信息确认、发票领用）",
        item_type=ItemType.OTHER_POWER, domain=Domain.TAX, targets=[COMPANY],
        legal=(5, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国税收征收管理法》第十五条；《中华人民共和国发票管理办法》第十五条",
        conditions="已领取营业执照的新办纳税人",
        materials=[mat("business_licence"), mat("agent_id_card")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "employee_count"),
        result=(ResultType.OTHER, "税务登记信息确认、税控设备及首批发票"), keywords="发票 税务登记 企业开办",
    ),
    item(
        "house_tax", dept="tax", sector="tax", seq=2, name="存量房交易税费申报缴纳（契税、个人所得税）",
        item_type=ItemType.OTHER_POWER, domain=Domain.TAX, targets=[PERSON, COMPANY],
        legal=(5, WD), promised=(0, SPOT), visits=1,
        basis="《中华人民共和国契税法》；《中华人民共和国个人所得税法》；《中华人民共和国税收征收管理法》",
        conditions="存量房买卖合同已网签备案",
        materials=[mat("id_card", name="买卖双方身份证件"), mat("house_contract"), mat("real_estate_certificate"),
                   mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "property_address", "certificate_number",
                      "transaction_price", "building_area", "buyer_name", "buyer_id_number"),
        result=(ResultType.CERTIFICATE, "税收完税证明"), keywords="契税 二手房 过户",
        result_materials=["tax_invoice"],  # 二手房一件事: the transfer gets the receipt from this item, not the buyer
    ),
    item(
        "tax_record", dept="tax", sector="tax", seq=3, name="个人所得税纳税记录开具",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.TAX, targets=[PERSON],
        legal=(1, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, KIOSK, WIN], scope=ServiceScope.CROSS_PROVINCE,
        basis="《国家税务总局关于将个人所得税〈税收完税证明〉（文书式）调整为〈纳税记录〉有关事项的公告》",
        conditions="在中国境内负有个人所得税纳税义务", materials=[mat("id_card")],
        fields=fields("applicant_name", "id_number", "phone"),
        result=(ResultType.CERTIFICATE, "个人所得税纳税记录"),
    ),
    # 不动产 ------------------------------------------------------------------------------------------------
    item(
        "estate_transfer", dept="estate", sector="estate", seq=1, name="不动产转移登记（存量房买卖）",
        item_type=ItemType.CONFIRMATION, domain=Domain.REAL_ESTATE, targets=[PERSON, COMPANY],
        legal=(30, WD), promised=(1, WD), visits=1,
        basis="《中华人民共和国民法典》第二百零九条；《不动产登记暂行条例》第二十条；《不动产登记暂行条例实施细则》",
        conditions="房屋已网签备案；税费已缴纳；不动产无查封、异议登记",
        materials=[mat("id_card", name="买卖双方身份证件"), mat("real_estate_certificate"), mat("house_contract"),
                   mat("tax_invoice", necessity=Necessity.DEFERRABLE), mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "property_address", "certificate_number",
                      "transaction_price", "buyer_name", "buyer_id_number", "delivery_method"),
        result=(ResultType.LICENCE, "不动产权证书（含电子证照）"), allows_gaps=True,
        limit_note="存量房交易登记“60分钟取证”", keywords="二手房 过户 房产证", **REGISTRATION_FEE,
    ),
    item(
        "estate_mortgage", dept="estate", sector="estate", seq=2, name="不动产抵押登记（首次）",
        item_type=ItemType.CONFIRMATION, domain=Domain.REAL_ESTATE, targets=[PERSON, COMPANY],
        legal=(30, WD), promised=(1, WD), visits=0, channels=[WIN, NET, MOB],
        basis="《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》",
        conditions="抵押合同已签订；抵押物权属清楚", co=["fund"],
        materials=[mat("id_card", name="抵押人身份证件"), mat("real_estate_certificate"),
                   mat("property_record")],
        fields=fields("applicant_name", "id_number", "phone", "property_address", "certificate_number"),
        result=(ResultType.CERTIFICATE, "不动产登记证明（抵押权）"),
        limit_note="银行网点“一站式”办理，抵押登记不用跑", **REGISTRATION_FEE,
    ),
    item(
        "estate_first", dept="estate", sector="estate", seq=3,
        name="国有建设用地使用权及房屋所有权首次登记", item_type=ItemType.CONFIRMATION,
        domain=Domain.REAL_ESTATE, targets=[COMPANY], legal=(30, WD), promised=(5, WD), visits=1,
        basis="《不动产登记暂行条例》；《不动产登记暂行条例实施细则》第三十五条",
        conditions="房屋已竣工验收；规划核实合格",
        materials=[mat("business_licence"), mat("land_certificate"), mat("legal_rep_proof"),
                   mat("premises_layout", name="房屋测绘报告及竣工验收材料")],
        fields=fields("company_name", "credit_code", "phone", "property_address", "building_area"),
        result=(ResultType.LICENCE, "不动产权证书"), **REGISTRATION_FEE,
    ),
    item(
        "estate_query", dept="estate", sector="estate", seq=4, name="不动产登记资料查询（产权证明）",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.REAL_ESTATE, targets=[PERSON, COMPANY],
        legal=(1, WD), promised=(0, SPOT), visits=0, channels=[WIN, NET, MOB, KIOSK], scope=ServiceScope.CITY,
        basis="《不动产登记资料查询暂行办法》",
        conditions="权利人查询本人名下不动产", materials=[mat("id_card"), mat("property_record")],
        fields=fields("applicant_name", "id_number", "phone"),
        result=(ResultType.CERTIFICATE, "不动产登记信息查询结果证明"), keywords="房产证明 有无房",
    ),
    item(
        "estate_reissue", dept="estate", sector="estate", seq=5, name="不动产权证书补发",
        item_type=ItemType.CONFIRMATION, domain=Domain.REAL_ESTATE, targets=[PERSON, COMPANY],
        legal=(30, WD), promised=(3, WD), visits=1, steps=SHORT_STEPS,
        basis="《不动产登记暂行条例实施细则》第二十二条",
        conditions="不动产权证书遗失、灭失", materials=[mat("id_card"), mat("loss_statement"), mat("property_record")],
        fields=fields("applicant_name", "id_number", "phone", "property_address", "certificate_number"),
        result=(ResultType.LICENCE, "不动产权证书（补发）"),
        special_procedures=[{"kind": SpecialProcedureKind.PUBLIC_NOTICE, "cap": 15, "cap_unit": WD,
                             "note": "在门户网站公告遗失声明15个工作日"}],
    ),
    # 住建 ------------------------------------------------------------------------------------------------
    item(
        "house_filing", dept="housing", sector="housing", seq=1, name="存量房交易网签备案",
        item_type=ItemType.OTHER_POWER, domain=Domain.REAL_ESTATE, targets=[PERSON, COMPANY],
        legal=(5, WD), promised=(0, SPOT), visits=1,
        basis="《中华人民共和国城市房地产管理法》；《房屋交易合同网签备案业务规范（试行）》",
        conditions="房屋权属清晰，无查封；交易双方签订买卖合同",
        materials=[mat("id_card", name="买卖双方身份证件"), mat("real_estate_certificate"), mat("house_contract"),
                   mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "property_address", "certificate_number",
                      "transaction_price", "building_area", "buyer_name", "buyer_id_number"),
        result=(ResultType.CERTIFICATE, "存量房买卖合同网签备案证明"), keywords="二手房 网签",
    ),
    item(
        "presale_permit", dept="housing", sector="housing", seq=2, name="商品房预售许可",
        item_type=ItemType.LICENSING, domain=Domain.INVESTMENT, targets=[COMPANY],
        legal=(10, WD), promised=(5, WD), visits=1,
        basis="《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》",
        conditions="已交付全部土地使用权出让金；持有建设工程规划许可证和施工许可证；投入资金达总投资25%以上",
        materials=[mat("business_licence"), mat("land_certificate"), mat("presale_plan"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "project_name",
                      "property_address", "building_area"),
        result=(ResultType.LICENCE, "商品房预售许可证"), steps=SURVEY_STEPS,
        special_procedures=[{"kind": SpecialProcedureKind.SITE_SURVEY, "cap": 5, "cap_unit": WD,
                             "note": "核验工程形象进度"}],
    ),
    item(
        "public_rental", dept="housing", sector="housing", seq=3, name="公共租赁住房保障资格申请",
        item_type=ItemType.PAYMENT, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(30, WD), promised=(15, WD), visits=0,
        basis="《公共租赁住房管理办法》（住房和城乡建设部令第11号）；《浙江省公共租赁住房管理办法》",
        conditions="本市户籍或稳定就业的外来务工人员；家庭人均收入和住房面积低于规定标准",
        materials=[mat("id_card"), mat("household_register"), mat("marriage_record"),
                   mat("income_statement"), mat("property_record")],
        fields=fields("applicant_name", "id_number", "phone", "address", "family_size", "monthly_income"),
        result=(ResultType.CERTIFICATE, "公共租赁住房保障资格确认通知"), allows_commitment=True,
        special_procedures=[{"kind": SpecialProcedureKind.PUBLIC_NOTICE, "cap": 5, "cap_unit": WD,
                             "note": "在居住地社区公示5个工作日"}],
    ),
    item(
        "drainage_permit", dept="housing", sector="housing", seq=4, name="城镇污水排入排水管网许可",
        item_type=ItemType.LICENSING, domain=Domain.BUSINESS, targets=[PERSON, COMPANY],
        legal=(15, WD), promised=(3, WD), visits=0,
        basis="《城镇排水与污水处理条例》第二十一条；《城镇污水排入排水管网许可管理办法》",
        conditions="餐饮等排水户已设置隔油设施并接入市政污水管网",
        materials=[mat("business_licence"), mat("drainage_plan", commitment_allowed=True)],
        fields=fields("company_name", "credit_code", "phone", "business_address"),
        result=(ResultType.LICENCE, "城镇污水排入排水管网许可证"), allows_commitment=True,
        keywords="排水 餐馆 开餐馆",
    ),
    # 人力社保 --------------------------------------------------------------------------------------------
    item(
        "employer_insurance", dept="hrss", sector="hrss", seq=1, name="单位社会保险参保登记",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.INSURANCE, targets=[COMPANY],
        legal=(15, ND), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《中华人民共和国社会保险法》第五十七条；《社会保险费征缴暂行条例》",
        conditions="依法成立的用人单位自成立之日起30日内办理",
        materials=[mat("business_licence"), mat("agent_id_card")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "employee_count"),
        result=(ResultType.CERTIFICATE, "社会保险登记信息"), keywords="社保登记 企业开办",
    ),
    item(
        "social_card", dept="hrss", sector="hrss", seq=2, name="社会保障卡申领",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(20, WD), promised=(5, WD), visits=0, channels=[WIN, NET, MOB, KIOSK, POST], scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》",
        conditions="已参加社会保险或新生儿已参加城乡居民医保", materials=[mat("id_card"), mat("household_register",
                                                                    necessity=Necessity.OPTIONAL)],
        fields=fields("applicant_name", "id_number", "phone", "address", "delivery_method"),
        result=(ResultType.LICENCE, "社会保障卡（含电子社保卡）"), steps=SHORT_STEPS,
        limit_note="即时制卡网点可当场领卡",
    ),
    item(
        "retirement_approval", dept="hrss", sector="hrss", seq=3, name="企业职工正常退休（职）核准",
        item_type=ItemType.CONFIRMATION, domain=Domain.INSURANCE, targets=[PERSON, COMPANY],
        legal=(20, WD), promised=(5, WD), visits=0,
        basis="《中华人民共和国社会保险法》第十六条；《国务院关于工人退休、退职的暂行办法》",
        conditions="达到法定退休年龄；累计缴费满15年",
        materials=[mat("id_card"), mat("insurance_record"), mat("personnel_archive")],
        fields=fields("applicant_name", "id_number", "birth_date", "phone", "retire_date"),
        result=(ResultType.APPROVAL, "职工退休审批表"), keywords="退休 办退休",
    ),
    item(
        "pension_claim", dept="hrss", sector="hrss", seq=4, name="基本养老保险待遇申领",
        item_type=ItemType.PAYMENT, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(20, WD), promised=(3, WD), visits=0,
        basis="《中华人民共和国社会保险法》第十六条；《浙江省职工基本养老保险条例》",
        conditions="退休已核准；累计缴费满15年", materials=[mat("id_card"), mat("insurance_record")],
        fields=fields("applicant_name", "id_number", "phone", "bank_account"),
        result=(ResultType.OTHER, "养老金核定表，次月起按月发放"), steps=SHORT_STEPS, keywords="退休 养老金",
    ),
    item(
        "unemployment_benefit", dept="hrss", sector="hrss", seq=5, name="失业保险金申领",
        item_type=ItemType.PAYMENT, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(10, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, WIN], scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》",
        conditions="非本人意愿中断就业；失业前缴费满1年；已办理失业登记",
        materials=[mat("id_card"), mat("insurance_record")],
        fields=fields("applicant_name", "id_number", "phone", "bank_account"),
        result=(ResultType.OTHER, "失业保险金按月发放"),
    ),
    item(
        "funeral_grant", dept="hrss", sector="hrss", seq=6, name="参保人员死亡丧葬补助金、抚恤金申领",
        item_type=ItemType.PAYMENT, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(20, WD), promised=(3, WD), visits=0,
        basis="《中华人民共和国社会保险法》第十七条", conditions="参保人员因病或非因工死亡",
        materials=[mat("id_card", name="申领人身份证件"), mat("death_proof"), mat("household_register",
                                                                           name="亲属关系证明（户口簿）")],
        fields=fields("applicant_name", "id_number", "phone", "deceased_name", "deceased_id_number",
                      "bank_account"),
        result=(ResultType.OTHER, "丧葬补助金和抚恤金一次性发放"), steps=SHORT_STEPS, keywords="身后事 死亡",
    ),
    # 医保 ------------------------------------------------------------------------------------------------
    item(
        "resident_medical", dept="medical", sector="medical", seq=1, name="城乡居民基本医疗保险参保登记",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(10, WD), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《中华人民共和国社会保险法》第二十五条；《浙江省城乡居民基本医疗保险办法》",
        conditions="未参加职工医保的本市户籍居民、新生儿及持居住证人员",
        materials=[mat("id_card"), mat("household_register"),
                   mat("birth_medical_certificate", necessity=Necessity.OPTIONAL, name="出生医学证明（新生儿）")],
        fields=fields("applicant_name", "id_number", "phone", "child_name", "child_birth_date"),
        result=(ResultType.CERTIFICATE, "参保登记信息"), keywords="医保 新生儿 参保",
    ),
    item(
        "retiree_medical", dept="medical", sector="medical", seq=2, name="职工医保退休人员待遇核定",
        item_type=ItemType.CONFIRMATION, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(15, WD), promised=(3, WD), visits=0, steps=SHORT_STEPS,
        basis="《中华人民共和国社会保险法》第二十七条；《浙江省职工基本医疗保险办法》",
        conditions="退休时职工医保累计缴费年限达到规定年限",
        materials=[mat("id_card"), mat("insurance_record")],
        fields=fields("applicant_name", "id_number", "phone", "retire_date"),
        result=(ResultType.CERTIFICATE, "退休人员医保待遇核定结果"), keywords="退休 医保",
    ),
    item(
        "medical_abroad", dept="medical", sector="medical", seq=3, name="异地就医备案",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(5, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, WIN], scope=ServiceScope.CROSS_PROVINCE,
        basis="《国家医疗保障局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
        conditions="异地长期居住、异地安置退休、临时外出就医的参保人员",
        materials=[mat("id_card"), mat("insurance_record")],
        fields=fields("applicant_name", "id_number", "phone", "address"),
        result=(ResultType.CERTIFICATE, "异地就医备案信息"),
    ),
    item(
        "maternity_allowance", dept="medical", sector="medical", seq=4, name="生育津贴申领",
        item_type=ItemType.PAYMENT, domain=Domain.INSURANCE, targets=[PERSON],
        legal=(20, WD), promised=(5, WD), visits=0, steps=SHORT_STEPS, scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国社会保险法》第五十四条；《浙江省职工生育保险办法》",
        conditions="参加职工生育保险且符合法律法规规定生育的",
        materials=[mat("id_card"), mat("birth_medical_certificate"), mat("insurance_record")],
        fields=fields("applicant_name", "id_number", "phone", "child_name", "child_birth_date", "bank_account"),
        result=(ResultType.OTHER, "生育津贴一次性发放"),
    ),
    # 公积金 ------------------------------------------------------------------------------------------------
    item(
        "fund_account", dept="fund", sector="fund", seq=1, name="单位住房公积金缴存登记（开户）",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.HOUSING_FUND, targets=[COMPANY],
        legal=(20, ND), promised=(0, SPOT), visits=0, scope=ServiceScope.CITY,
        basis="《住房公积金管理条例》第十四条", conditions="新设立的单位自设立之日起30日内办理",
        materials=[mat("business_licence"), mat("agent_id_card")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "employee_count"),
        result=(ResultType.CERTIFICATE, "住房公积金单位缴存登记信息"), keywords="公积金开户 企业开办",
    ),
    item(
        "fund_retire_withdrawal", dept="fund", sector="fund", seq=2, name="离退休提取住房公积金",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.HOUSING_FUND, targets=[PERSON],
        legal=(3, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, WIN, KIOSK], scope=ServiceScope.PROVINCE,
        basis="《住房公积金管理条例》第二十四条", conditions="已办理退休手续",
        materials=[mat("id_card"), mat("insurance_record", name="退休信息（社保共享）")],
        fields=fields("applicant_name", "id_number", "phone", "bank_account"),
        result=(ResultType.OTHER, "公积金账户余额转入本人银行账户并销户"), keywords="退休 公积金",
    ),
    item(
        "fund_house_withdrawal", dept="fund", sector="fund", seq=3, name="购买存量房提取住房公积金",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.HOUSING_FUND, targets=[PERSON],
        legal=(3, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, WIN],
        basis="《住房公积金管理条例》第二十四条", conditions="购买自住住房，房屋已办理转移登记",
        materials=[mat("id_card"), mat("real_estate_certificate"), mat("tax_invoice", name="购房契税完税凭证", necessity=Necessity.OPTIONAL,
                                           standard="已在本市一窗办理过户的由税务信息核验，无需提交")],
        fields=fields("applicant_name", "id_number", "phone", "certificate_number", "bank_account"),
        result=(ResultType.OTHER, "提取金额转入本人银行账户"),
    ),
    # 公安 ------------------------------------------------------------------------------------------------
    item(
        "birth_registration", dept="police", sector="police", seq=2, name="出生登记（新生儿入户）",
        item_type=ItemType.CONFIRMATION, domain=Domain.PUBLIC_SECURITY, targets=[PERSON],
        legal=(5, WD), promised=(0, SPOT), visits=0, channels=[WIN, NET, MOB],
        basis="《中华人民共和国户口登记条例》第七条", conditions="婴儿出生后一个月以内，由户主、亲属或监护人申报",
        materials=[mat("birth_medical_certificate"), mat("id_card", name="父母身份证件"),
                   mat("household_register"), mat("marriage_certificate")],
        fields=fields("applicant_name", "id_number", "phone", "child_name", "child_sex", "child_birth_date",
                      "address"),
        result=(ResultType.CERTIFICATE, "户口登记（户口簿增页）"), keywords="上户口 新生儿 报户口",
    ),
    item(
        "passport", dept="police", sector="police", seq=3, name="普通护照签发",
        item_type=ItemType.LICENSING, domain=Domain.PUBLIC_SECURITY, targets=[PERSON],
        legal=(15, ND), promised=(7, WD), visits=1, channels=[WIN, MOB, POST], scope=ServiceScope.CROSS_PROVINCE,
        basis="《中华人民共和国护照法》第五条、第六条", conditions="中国公民因前往外国定居、探亲、学习、就业、旅行等",
        materials=[mat("id_card"), mat("photo", name="出入境证件数字相片",
                                       standard="窗口免费现场采集或使用合格回执", necessity=Necessity.OPTIONAL)],
        fields=fields("applicant_name", "id_number", "phone", "destination", "delivery_method"),
        result=(ResultType.LICENCE, "中华人民共和国普通护照"), charges_fee=True, fee_amount=Decimal("120"),
        fee_standard="每本120元", fee_basis="《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》",
        limit_note="需本人到场采集指纹和相片，证件可邮寄送达", keywords="出入境 护照 出国",
    ),
    item(
        "hk_macau_permit", dept="police", sector="police", seq=4, name="往来港澳通行证及签注签发",
        item_type=ItemType.LICENSING, domain=Domain.PUBLIC_SECURITY, targets=[PERSON],
        legal=(15, ND), promised=(7, WD), visits=1, channels=[WIN, MOB, POST], scope=ServiceScope.CROSS_PROVINCE,
        basis="《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
        conditions="内地居民因私前往香港、澳门", materials=[mat("id_card")],
        fields=fields("applicant_name", "id_number", "phone", "destination", "delivery_method"),
        result=(ResultType.LICENCE, "往来港澳通行证"), charges_fee=True, fee_amount=Decimal("60"),
        fee_standard="通行证每证60元；签注每次15元", fee_basis="《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》",
        keywords="出入境 港澳",
    ),
    item(
        "residence_permit", dept="ld_police", sector="police", seq=5, name="居住证签发",
        item_type=ItemType.CONFIRMATION, domain=Domain.PUBLIC_SECURITY, targets=[PERSON],
        legal=(15, ND), promised=(5, WD), visits=0, channels=[WIN, NET, MOB, POST],
        basis="《居住证暂行条例》；《浙江省流动人口居住登记条例》",
        conditions="离开常住户口所在地到莲都区居住半年以上，有合法稳定就业、住所或连续就读",
        materials=[mat("id_card"), mat("property_record", necessity=Necessity.OPTIONAL),
                   mat("residence_declaration", necessity=Necessity.OPTIONAL)],
        fields=fields("applicant_name", "id_number", "phone", "address", "delivery_method"),
        result=(ResultType.LICENCE, "浙江省居住证"), allows_commitment=True,
    ),
    # 交通运输 ------------------------------------------------------------------------------------------------
    item(
        "senior_bus_card", dept="transport", sector="transport", seq=1, name="公交老年卡（老年人优待卡）办理",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.TRANSPORT, targets=[PERSON],
        legal=(10, WD), promised=(5, WD), visits=1, channels=[WIN],
        basis="《中华人民共和国老年人权益保障法》第五十七条；《浙江省实施〈中华人民共和国老年人权益保障法〉办法》",
        conditions="年满60周岁、户籍在丽水市的老年人；在丽水市居住的外地老年人年满60周岁的，可到窗口申请，由工作人员审核",
        materials=[mat("id_card"), mat("photo")],
        fields=fields("applicant_name", "id_number", "sex", "birth_date", "phone", "address"),
        result=(ResultType.LICENCE, "老年人公交优待卡"), steps=SHORT_STEPS, keywords="老年卡 敬老卡 公交",
    ),
    item(
        "freight_licence", dept="transport", sector="transport", seq=2, name="道路货物运输经营许可",
        item_type=ItemType.LICENSING, domain=Domain.TRANSPORT, targets=[PERSON, COMPANY],
        legal=(20, ND), promised=(5, WD), visits=2,
        visits_reason="取得许可后需携带拟投入车辆到场查验并领取《道路运输证》",
        basis="《中华人民共和国道路运输条例》第二十四条；《道路货物运输及站场管理规定》",
        conditions="有与经营业务相适应并经检测合格的车辆；有符合规定条件的驾驶人员；有健全的安全生产管理制度",
        materials=[mat("business_licence"), mat("vehicle_list"), mat("safety_management_docs"),
                   mat("driver_licence", name="拟聘驾驶人员机动车驾驶证")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "company_address"),
        result=(ResultType.LICENCE, "道路运输经营许可证"), allows_commitment=True,
    ),
    item(
        "ride_hailing_driver", dept="transport", sector="transport", seq=3, name="网络预约出租汽车驾驶员证核发",
        item_type=ItemType.LICENSING, domain=Domain.TRANSPORT, targets=[PERSON],
        legal=(20, ND), promised=(10, WD), visits=2, visits_reason="须本人参加全国公共科目和区域科目考试，考试合格后领证",
        basis="《网络预约出租汽车经营服务管理暂行办法》；《出租汽车驾驶员从业资格管理规定》",
        conditions="取得相应准驾车型驾驶证并具有3年以上驾驶经历；无交通肇事犯罪、危险驾驶犯罪记录",
        materials=[mat("id_card"), mat("driver_licence"), mat("photo", copies=1)],
        fields=fields("applicant_name", "id_number", "phone", "address"),
        result=(ResultType.LICENCE, "网络预约出租汽车驾驶员证"),
        special_procedures=[{"kind": SpecialProcedureKind.EXPERT_REVIEW, "cap": 20, "cap_unit": WD,
                             "note": "考试时间不计入时限"}],
    ),
    item(
        "waterway_annual", dept="port", sector="port", seq=1, name="国内水路运输经营者年度核查",
        item_type=ItemType.OTHER_POWER, domain=Domain.TRANSPORT, targets=[COMPANY],
        legal=(20, WD), promised=(1, WD), visits=0, steps=SHORT_STEPS,
        basis="《国内水路运输管理条例》；《国内水路运输管理规定》第三十六条",
        conditions="持有国内水路运输经营许可证的经营者",
        materials=[mat("business_licence"), mat("ship_operation_certificate"),
                   mat("safety_management_docs", necessity=Necessity.OPTIONAL, standard="上年度以来有变化的提交")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "ship_name"),
        result=(ResultType.CERTIFICATE, "年度核查结果"), place="温州市行政审批服务中心 12号港航服务窗口",
        hours="工作日 8:45-12:00，13:30-17:30", keywords="港航 年审 船舶",
    ),
    item(
        "ship_certificate_renewal", dept="port", sector="port", seq=2, name="国内船舶营业运输证延续",
        item_type=ItemType.LICENSING, domain=Domain.TRANSPORT, targets=[COMPANY],
        legal=(20, WD), promised=(0, SPOT), visits=0,
        basis="《国内水路运输管理条例》第十五条；《国内水路运输管理规定》",
        conditions="船舶营业运输证有效期届满前申请；年度核查合格",
        materials=[mat("ship_operation_certificate"), mat("business_licence"),
                   mat("ship_nationality_certificate", necessity=Necessity.DEFERRABLE),
                   mat("ship_inspection_certificate", necessity=Necessity.DEFERRABLE)],
        fields=fields("company_name", "credit_code", "phone", "ship_name", "ship_number", "delivery_method"),
        result=(ResultType.LICENCE, "船舶营业运输证"), allows_gaps=True,
        place="温州市行政审批服务中心 12号港航服务窗口", hours="工作日 8:45-12:00，13:30-17:30",
        limit_note="网上预审通过后到窗口1小时内取证", keywords="港航 船舶营运证",
    ),
    item(
        "waterway_scope_change", dept="port", sector="port", seq=3, name="国内水路运输经营许可变更（经营范围扩大）",
        item_type=ItemType.LICENSING, domain=Domain.TRANSPORT, targets=[COMPANY],
        legal=(20, WD), promised=(3, WD), visits=0, steps=SHORT_STEPS,
        basis="《国内水路运输管理条例》第九条、第十条", conditions="具备扩大后经营范围相应的船舶、人员和安全管理条件；不再设现场核查环节",
        materials=[mat("business_licence"), mat("safety_management_docs"), mat("ship_operation_certificate")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "business_scope"),
        result=(ResultType.LICENCE, "国内水路运输经营许可证（变更）"), allows_commitment=True,
        place="温州市行政审批服务中心 12号港航服务窗口",
    ),
    item(
        "waterway_provincial", dept="zj_transport", sector="port", seq=4, name="省际普通货船运输经营许可",
        item_type=ItemType.LICENSING, domain=Domain.TRANSPORT, targets=[COMPANY],
        legal=(20, WD), promised=(10, WD), visits=0, scope=ServiceScope.PROVINCE,
        basis="《国内水路运输管理条例》第八条", conditions="有符合要求的船舶、海务机务管理人员和安全管理制度",
        materials=[mat("business_licence"), mat("safety_management_docs"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "company_address"),
        result=(ResultType.LICENCE, "国内水路运输经营许可证"),
        place="浙江政务服务网在线申请；浙江省交通运输厅（杭州市梅花碑4号）",
    ),
    # 民政 ------------------------------------------------------------------------------------------------
    item(
        "longevity_allowance", dept="ld_civil", sector="civil", seq=1, name="高龄津贴申领",
        item_type=ItemType.PAYMENT, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(20, WD), promised=(5, WD), visits=0, channels=[WIN, NET, MOB], steps=SHORT_STEPS,
        basis="《中华人民共和国老年人权益保障法》第三十三条；《浙江省老年人优待办法》",
        conditions="具有莲都区户籍、年满80周岁的老年人", materials=[mat("id_card"), mat("household_register")],
        fields=fields("applicant_name", "id_number", "birth_date", "phone", "address", "bank_account"),
        result=(ResultType.OTHER, "高龄津贴按月发放"), keywords="高龄 老人 补贴",
        limit_note="每月由死亡信息核验在世状态，无需本人年审",
    ),
    item(
        "marriage_registration", dept="civil", sector="civil", seq=2, name="内地居民结婚登记",
        item_type=ItemType.CONFIRMATION, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(1, WD), promised=(0, SPOT), visits=1, channels=[WIN], scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第七条",
        conditions="男女双方共同到场；达到法定婚龄；双方均无配偶",
        materials=[mat("id_card", name="双方居民身份证"), mat("household_register", necessity=Necessity.OPTIONAL),
                   mat("photo", name="双方近期半身免冠合影照片", copies=3,
                            necessity=Necessity.OPTIONAL, standard="可在登记处免费现场拍摄")],
        fields=fields("applicant_name", "id_number", "phone", "spouse_name"),
        result=(ResultType.LICENCE, "结婚证"), limit_note="材料齐全、符合条件的当场登记发证",
    ),
    item(
        "subsistence", dept="ld_civil", sector="civil", seq=3, name="最低生活保障申请",
        item_type=ItemType.PAYMENT, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(30, WD), promised=(15, WD), visits=0, steps=SURVEY_STEPS,
        basis="《社会救助暂行办法》第九条至第十一条；《浙江省社会救助条例》",
        conditions="共同生活家庭成员月人均收入低于当地最低生活保障标准，且财产状况符合规定",
        materials=[mat("id_card"), mat("household_register"), mat("income_statement"), mat("property_record"),
                   mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "address", "family_size", "monthly_income",
                      "bank_account"),
        result=(ResultType.APPROVAL, "最低生活保障审批决定"), allows_commitment=True,
        special_procedures=[
            {"kind": SpecialProcedureKind.SITE_SURVEY, "cap": 10, "cap_unit": WD, "note": "入户调查"},
            {"kind": SpecialProcedureKind.PUBLIC_NOTICE, "cap": 7, "cap_unit": ND, "note": "在村（社区）公示7日"},
        ],
    ),
    item(
        "temporary_relief", dept="zijin", sector="civil", seq=4, name="临时救助申请（小额）",
        item_type=ItemType.PAYMENT, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(15, WD), promised=(3, WD), visits=0, steps=SHORT_STEPS,
        basis="《社会救助暂行办法》第四十八条；《浙江省社会救助条例》",
        conditions="因火灾、交通事故、重大疾病等导致基本生活暂时出现严重困难的家庭",
        materials=[mat("id_card"), mat("income_statement", necessity=Necessity.DEFERRABLE)],
        fields=fields("applicant_name", "id_number", "phone", "address", "family_size"),
        result=(ResultType.OTHER, "临时救助金发放"), allows_gaps=True, allows_commitment=True,
        place="紫金街道便民服务中心全科受理窗口", limit_note="急难情形先行救助，24小时内发放",
    ),
    # 卫生健康 ------------------------------------------------------------------------------------------------
    item(
        "birth_certificate", dept="health", sector="health", seq=1, name="《出生医学证明》首次签发",
        item_type=ItemType.CONFIRMATION, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(5, WD), promised=(0, SPOT), visits=0, channels=[WIN, NET, MOB],
        basis="《中华人民共和国母婴保健法》第二十三条；《中华人民共和国母婴保健法实施办法》",
        conditions="在本市助产机构出生的新生儿", materials=[mat("id_card", name="父母身份证件"),
                                                      mat("delivery_record"), mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "child_name", "child_sex", "child_birth_date"),
        result=(ResultType.LICENCE, "出生医学证明（电子证照）"), keywords="出生证 新生儿",
        place="新生儿出生的助产机构（出生一件事联办点）",
    ),
    item(
        "birth_filing", dept="ld_health", sector="health", seq=2, name="生育登记",
        item_type=ItemType.PUBLIC_SERVICE, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(1, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB, WIN], scope=ServiceScope.PROVINCE,
        basis="《中华人民共和国人口与计划生育法》；《浙江省人口与计划生育条例》",
        conditions="夫妻双方（至少一方为本省户籍）生育子女", materials=[mat("id_card", name="夫妻双方身份证件"),
                                                      mat("marriage_record")],
        fields=fields("applicant_name", "id_number", "phone", "spouse_name", "address"),
        result=(ResultType.CERTIFICATE, "生育登记服务信息"), keywords="生育 新生儿",
    ),
    item(
        "doctor_registration", dept="health", sector="health", seq=3, name="医师执业注册",
        item_type=ItemType.LICENSING, domain=Domain.SOCIAL, targets=[PERSON],
        legal=(20, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB],
        basis="《中华人民共和国医师法》第十三条；《医师执业注册管理办法》",
        conditions="取得医师资格；拟执业医疗机构同意", materials=[mat("id_card"), mat("medical_qualification"),
                                                   mat("health_certificate")],
        fields=fields("applicant_name", "id_number", "phone", "sex"),
        result=(ResultType.LICENCE, "医师执业证书（电子化注册）"),
    ),
    # 投资项目 ------------------------------------------------------------------------------------------------
    item(
        "project_filing", dept="drc", sector="drc", seq=1, name="企业投资项目备案",
        item_type=ItemType.OTHER_POWER, domain=Domain.INVESTMENT, targets=[COMPANY],
        legal=(1, WD), promised=(0, SPOT), visits=0, channels=[NET, MOB],
        basis="《企业投资项目核准和备案管理条例》第十三条；《浙江省企业投资项目核准和备案管理办法》",
        conditions="不在政府核准的投资项目目录内的企业投资项目",
        materials=[mat("business_licence"), mat("legal_rep_proof")],
        fields=fields("company_name", "credit_code", "legal_representative", "phone", "project_name",
                      "total_investment"),
        result=(ResultType.CERTIFICATE, "浙江省企业投资项目备案（赋码）信息表"), keywords="项目 投资 最多100天",
    ),
]

# The versioning showcase: the senior bus card went from one visit to none, thanks to the death records.
SENIOR_CARD_V2 = dict(
    promised_limit=3, promised_visits=0, channels=[WIN, NET, MOB], online_depth=OnlineDepth.FULLY_ONLINE,
    scope=ServiceScope.CITY, limit_note="通过人口库和死亡信息核验资格，照片取自人口库，实现“一次都不跑”，卡片邮寄到家",
)
SENIOR_CARD_V2_MATERIALS = [mat("id_card"), mat("photo", necessity=Necessity.OPTIONAL,
                                                 standard="人口库已有近期相片的无需提交")]
SENIOR_CARD_V2_REASON = "死亡人员信息专题库上线，公交老年卡改为网上申请、邮寄送达"

# Bundles: (code, name, lead department key, promised limit (days), visits, description, [(stage, item key)])
BUNDLES = [
    ("enterprise-opening", "企业开办一件事", "market", 1, 0,
     "设立登记、印章刻制、发票申领、社保登记、公积金开户一表申请，一个工作日内办结，全程网办。",
     [(1, "company_setup"), (2, "seal_filing"), (2, "new_taxpayer"), (2, "employer_insurance"),
      (2, "fund_account")]),
    ("second-hand-house", "二手房交易过户一件事", "estate", 1, 1,
     "网签备案后，不动产转移登记与税费缴纳并联办理，一窗受理，60分钟取证。",
     [(1, "house_filing"), (2, "estate_transfer"), (2, "house_tax")]),
    ("newborn", "新生儿出生一件事", "health", 5, 0,
     "出生医学证明、户口登记、生育登记、医保参保、社保卡申领联办，一次不用跑。",
     [(1, "birth_certificate"), (2, "birth_registration"), (2, "birth_filing"), (3, "resident_medical"),
      (4, "social_card")]),
    ("retirement", "退休一件事", "hrss", 5, 0,
     "退休核准后，养老金申领、医保退休待遇核定、公积金退休提取并联办理。",
     [(1, "retirement_approval"), (2, "pension_claim"), (2, "retiree_medical"), (2, "fund_retire_withdrawal")]),
    ("ship-certificate-renewal", "船舶营运证延续一件事", "port", 1, 0,
     "年度核查与船舶营业运输证延续一次申请，网上预审，窗口一小时取证。",
     [(1, "waterway_annual"), (2, "ship_certificate_renewal")]),
    ("open-restaurant", "开餐馆一件事", "ld_market", 5, 1,
     "个体工商户登记后，食品经营许可与排水许可并联办理。",
     [(1, "sole_trader"), (2, "food_business"), (2, "drainage_permit")]),
]

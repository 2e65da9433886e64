"""Synthetic registers for the demo region (丽水): 10,000 people and 2,000 companies with valid check digits,
deaths, real estate, marriages, social insurance, a few hundred signed e-licences, the sharing list the demo
items need, and 秒批 rules on five items. Idempotent (skips what exists) and fast (bulk upserts, a seeded
random generator so every load produces the same people)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onevisit.catalog.models import ServiceItem, VersionStatus
from onevisit.catalog.services import item_new_version, item_publish
from onevisit.datahub.models import DataRecord, DataResource, SharingPermission
from onevisit.datahub.schema import LICENCE_ALIASES, STANDARD_RESOURCES, canonical_key
from onevisit.datahub.services import records_write, resource_create
from onevisit.demo import orgs_data as org
from onevisit.history.services import record_change
from onevisit.licences.models import Licence, LicenceType
from onevisit.licences.services import licence_type_create, licences_import
from onevisit.orgs.models import Department
from onevisit.validators import clean_id_number, make_credit_code, make_id_number

PEOPLE, COMPANIES = 10_000, 2_000
REASON = "加载演示数据：共享数据"
OWNERS = {"population": "police", "legal_entity": "market", "death": "civil", "real_estate": "estate",
          "marriage": "civil", "social_insurance": "hrss"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈"
GIVEN = "建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华红玉兰文辉晓燕志鹏浩然思远雨欣子涵梓轩"
STREETS = ["紫金路", "丽青路", "中山街", "大洋路", "解放街", "花园路", "人民街", "括苍路", "灯塔街", "万象街"]
TODAY = datetime.date(2026, 11, 1)

# (code, name, issuer key, holder kind, fields, validity days)
_NAME = {"key": "name", "label": "名称", "type": "string", "required": True}
LICENCE_TYPES = [
    ("business_licence", "营业执照", "market", "credit_code",
     [_NAME, {"key": "legal_representative", "label": "法定代表人", "type": "string", "required": True},
      {"key": "address", "label": "住所", "type": "string"}], None),
    ("ship_operation_certificate", "船舶营业运输证", "port", "credit_code",
     [_NAME, {"key": "ship_name", "label": "船舶名称", "type": "string", "required": True}], 1095),
    ("real_estate_certificate", "不动产权证书", "estate", "id_number",
     [{"key": "name", "label": "权利人", "type": "string", "required": True},
      {"key": "address", "label": "坐落", "type": "string", "required": True}], None),
    ("marriage_certificate", "结婚证", "civil", "id_number",
     [{"key": "name", "label": "姓名", "type": "string", "required": True},
      {"key": "spouse_name", "label": "配偶姓名", "type": "string"}], None),
    ("household_register", "居民户口簿", "police", "id_number",
     [{"key": "name", "label": "姓名", "type": "string", "required": True},
      {"key": "address", "label": "住址", "type": "string"}], None),
    ("birth_medical_certificate", "出生医学证明", "health", "id_number",
     [{"key": "name", "label": "新生儿姓名", "type": "string", "required": True}], None),
    ("senior_bus_card", "老年人公交优待卡", "transport", "id_number",
     [{"key": "name", "label": "姓名", "type": "string", "required": True},
      {"key": "birth_date", "label": "出生日期", "type": "date", "required": True}], 1825),
]

# item key -> (rule, description, licence type code, licence action, licence data)
_ALIVE = {"fact": "death", "op": "absent"}
RULES = {
    "senior_bus_card": ({"all": [{"fact": "population.birth_date", "op": "age_at_least", "value": 60}, _ALIVE,
                                 {"fact": "population.region_code", "op": "starts_with", "value": "3311"}]},
                        "年满60周岁、无死亡记录、户籍在丽水市", "LNGJK", "issue",
                        {"name": "population.name", "birth_date": "population.birth_date"}),
    "longevity_allowance": ({"all": [{"fact": "population.birth_date", "op": "age_at_least", "value": 80}, _ALIVE,
                                     {"fact": "population.region_code", "op": "starts_with", "value": "331102"}]},
                            "年满80周岁、无死亡记录、莲都区户籍", None, "none", {}),
    "birth_filing": ({"all": [{"fact": "marriage.status", "op": "eq", "value": "已婚"}, _ALIVE]},
                     "婚姻登记信息为已婚、无死亡记录", None, "none", {}),
    "licence_replace": ({"all": [{"fact": "licence:business_licence", "op": "present"},
                                 {"fact": "legal_entity.status", "op": "eq", "value": "存续"}]},
                        "持有有效营业执照、登记状态为存续：补发（换发新版本）", "YYZZ", "renew", {}),
    "waterway_annual": ({"all": [{"fact": "licence:ship_operation_certificate", "op": "present"},
                                 {"fact": "licence:ship_operation_certificate.valid_until", "op": "date_on_or_after_today"},
                                 {"fact": "legal_entity.status", "op": "eq", "value": "存续"}]},
                        "船舶营业运输证有效、企业存续", None, "none", {}),
}


def _valid_people(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(id number, sex, birth date) checked with clean_id_number: stdnum knows when each region code existed."""
    out, seen = [], set()
    while len(out) < count:
        region = rng.choice(["332501", "332502"])
        birth = datetime.date(1925, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 75))
        seq = rng.randrange(0, 1000)
        number = make_id_number(f"{region}{birth:%Y%m%d}{seq:03d}")
        if number in seen:
            continue
        try:
            clean_id_number(number)
        except Exception:  # noqa: BLE001 - an invalid combination: draw again
            continue
        seen.add(number)
        out.append((number, "男" if seq % 2 else "女", birth.isoformat()))
    return out


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _departments() -> dict[str, Department]:
    from onevisit.demo.loader import department_codes

    codes = department_codes()
    by_code = {d.credit_code: d for d in Department.objects.filter(credit_code__in=[c for c, _s in codes.values()])}
    return {key: by_code[c] for key, (c, _s) in codes.items() if c in by_code}


def _resources_and_types(depts: dict) -> tuple[dict, dict]:
    with transaction.atomic():
        resources = {}
        for key, spec in STANDARD_RESOURCES.items():
            res = DataResource.objects.filter(key=key).first() or resource_create(
                actor=None, key=key, owner=depts[OWNERS[key]], check_permission=False, **spec)
            resources[key] = res
        types = {}
        for code, name, issuer, kind, fields, days in LICENCE_TYPES:
            lt = LicenceType.objects.filter(code=LICENCE_ALIASES[code]).first() or licence_type_create(
                actor=None, code=LICENCE_ALIASES[code], name=name, issuer=depts[issuer], holder_kind=kind,
                fields=fields, validity_days=days)
            types[code] = lt
    return resources, types


def rule_on_draft(*, key: str, draft: ServiceItem, admin) -> None:
    """Give a draft demo item version its rule before it is published (the loader's bus-card version 2)."""
    from onevisit.rules.services import rule_set

    _resources_and_types(_departments())
    definition, description, licence_code, action, data = RULES[key]
    rule_set(actor=admin, item=draft, definition=definition, description=description,
             licence_type_code=licence_code, licence_action=action, licence_data=data)


def load_registers(report=None, admin=None) -> dict:
    """Called by load_demo after the catalog. Returns counts of what it created."""
    created: dict[str, int] = {}
    depts = _departments()
    resources, types = _resources_and_types(depts)
    if not DataRecord.objects.filter(resource=resources["population"]).count() >= PEOPLE:
        created.update(_records(resources, types))
    created["permissions"] = _sharing(depts, resources, types)
    created["rules"] = _rules(admin)
    created["result_licences"] = _result_licences(types)
    if report is not None:
        for k, v in created.items():
            report.created[f"datahub_{k}"] += v
    return created


def _records(resources: dict, types: dict) -> dict:
    rng = random.Random(20261122)
    people = _valid_people(rng, PEOPLE)
    demo = [(make_id_number(prefix), real_name) for _u, real_name, prefix, _p, _n in org.CITIZENS]
    names = {number: _name(rng) for number, _s, _b in people}
    rows = {"population": [], "death": [], "real_estate": [], "marriage": [], "social_insurance": []}
    for i, (number, sex, birth) in enumerate(people):
        street = rng.choice(STREETS)
        rows["population"].append((number, {
            "name": names[number], "sex": sex, "birth_date": birth, "region_code": "331102",
            "household_address": f"丽水市莲都区{street}{rng.randrange(1, 300)}号",
            "household_members": [names[number]]}))
        if i % 50 == 7:
            rows["death"].append((number, {"id_number": number, "name": names[number], "death_date": "2025-06-01"}))
        age = TODAY.year - int(birth[:4])
        if age >= 22 and i % 2 == 0:
            spouse = people[i + 1][0] if i + 1 < len(people) else None
            rows["marriage"].append((number, {"status": "已婚", "spouse_id_number": spouse, "registered_on": "2010-05-20"}))
        if 18 <= age < 60:
            rows["social_insurance"].append((number, {"status": "参保缴费", "insured_since": "2015-01-01",
                                                      "region_code": "331102"}))
        if i % 3 == 0:
            rows["real_estate"].append((number, {"items": [{
                "certificate_number": f"浙（2020）丽水市不动产权第{i:07d}号", "owner_id_number": number,
                "address": f"丽水市莲都区{street}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}幢",
                "area": f"{rng.randrange(50, 180)}.00", "right_type": "国有建设用地使用权/房屋所有权"}]}))
    born_58 = [(n, name) for n, name in demo]
    for number, real_name in born_58:  # the two demo citizens are in the registers (and alive)
        birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        rows["population"].append((number, {"name": real_name, "sex": "男" if int(number[16]) % 2 else "女",
                                            "birth_date": birth, "region_code": "331102",
                                            "household_address": "丽水市莲都区紫金路18号",
                                            "household_members": [real_name]}))
        rows["marriage"].append((number, {"status": "已婚", "registered_on": "2015-10-01"}))
    companies = []
    for i in range(COMPANIES):
        code = make_credit_code(f"91331102{org._organisation_code(50_000 + i)}")
        rep_number, _s, _b = people[(i * 7) % len(people)]
        companies.append((code, {
            "name": f"丽水{rng.choice(STREETS)[:2]}{_name(rng)[1:]}{rng.choice(['商贸', '科技', '农业', '航运', '食品'])}有限公司",
            "credit_code": code, "legal_representative": names[rep_number], "legal_representative_id_number": rep_number,
            "registered_capital": f"{rng.randrange(10, 5000)}", "address": f"丽水市莲都区{rng.choice(STREETS)}{i + 1}号",
            "status": "存续" if i % 40 else "注销"}))
    # The demo citizen 李晓燕 represents the first company (for the company data-use record).
    companies[0][1]["legal_representative"], companies[0][1]["legal_representative_id_number"] = demo[1][1], demo[1][0]
    rows["legal_entity"] = companies
    counts = {}
    with transaction.atomic():
        for key, data in rows.items():
            counts[key] = records_write(actor=None, resource=resources[key], rows=data, source="demo")
        business = [{"holder": c, "data": {"name": d["name"], "legal_representative": d["legal_representative"],
                                            "address": d["address"]}, "issued_on": datetime.date(2021, 3, 1)}
                    for c, d in companies[:300] if d["status"] == "存续"]
        ships = [{"holder": c, "data": {"name": d["name"], "ship_name": f"丽航{n:03d}"},
                  "issued_on": timezone.localdate() - datetime.timedelta(days=400)}
                 for n, (c, d) in enumerate(companies[:60]) if d["status"] == "存续"]
        counts["licences"] = 0
        for code, batch in (("business_licence", business), ("ship_operation_certificate", ships)):
            if not Licence.objects.filter(licence_type=types[code]).exists():
                counts["licences"] += len(licences_import(actor=None, licence_type=types[code], rows=batch,
                                                          source="demo"))
    return counts


def _sharing(depts: dict, resources: dict, types: dict) -> int:
    """Grant each implementing department the resources its items' materials and prefill keys name."""
    from onevisit.datahub.onecard import PREFILL_ALIASES

    wanted: dict[tuple[int, str], None] = {}
    keys = {r.key: r for r in DataResource.objects.all()}
    for item in ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related("materials", "fields"):
        for m in item.materials.all():
            if canonical_key(m.shared_data_key) in keys:
                wanted[(item.department_id, canonical_key(m.shared_data_key))] = None
        for f in item.fields.all():
            if f.prefill_key:
                res = PREFILL_ALIASES.get(f.prefill_key, f.prefill_key).rsplit(".", 1)[0]
                if res in keys:
                    wanted[(item.department_id, res)] = None
        if item.implementation_code and any(m.shared_data_key for m in item.materials.all()):
            wanted[(item.department_id, "death")] = None  # rules check the death register
    existing = set(SharingPermission.objects.values_list("department_id", "resource__key"))
    count = 0
    for dept_id, key in wanted:
        if (dept_id, key) in existing:
            continue
        perm = SharingPermission.objects.create(department_id=dept_id, resource=keys[key], fields=keys[key].field_keys)
        record_change(obj=perm, actor=None, action="granted", reason=REASON,
                      data={"department": dept_id, "resource": key, "fields": keys[key].field_keys})
        count += 1
    return count


# item key -> (licence type, where each licence field comes from) for cases a human approves
RESULT_LICENCES = {
    "estate_transfer": ("real_estate_certificate", {"name": "applicant.name", "address": "form.property_address"}),
}


def _result_licences(types: dict) -> int:
    from onevisit.demo.loader import item_codes
    from onevisit.licences.models import ResultLicence

    codes, count = item_codes(), 0
    for key, (licence_code, field_map) in RESULT_LICENCES.items():
        _mapping, created = ResultLicence.objects.get_or_create(
            item_code=codes[key], defaults={"licence_type": types[licence_code], "field_map": field_map}
        )
        count += created
    return count


def _rules(admin) -> int:
    from onevisit.demo.loader import item_codes
    from onevisit.rules.models import AutoRule
    from onevisit.rules.services import rule_set

    codes = item_codes()
    count = 0
    for key, (definition, description, licence_code, action, data) in RULES.items():
        code = codes.get(key)
        item = ServiceItem.objects.filter(implementation_code=code, status=VersionStatus.PUBLISHED).first()
        if item is None or AutoRule.objects.filter(item=item).exists():
            continue
        draft = item_new_version(actor=admin, item=item, reason="接入秒批规则")
        rule_set(actor=admin, item=draft, definition=definition, description=description,
                 licence_type_code=licence_code, licence_action=action, licence_data=data)
        item_publish(actor=admin, item=draft, reason="接入秒批规则")
        count += 1
    return count

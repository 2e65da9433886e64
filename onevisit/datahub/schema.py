"""The fixed resource vocabulary and the validation of identifiers and field values against a schema.
Catalog materials (Material.shared_data_key) and form fields (FormField.prefill_key = "<resource>.<field>")
name these keys; e-licences appear as "licence:<type code>"."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from onevisit.validators import clean_credit_code, clean_id_number

FIELD_TYPES = {
    "string": "文本", "date": "日期", "integer": "整数", "decimal": "数值", "id_number": "身份证号",
    "credit_code": "统一社会信用代码", "region_code": "区划代码", "list": "列表",
}
LICENCE_PREFIX = "licence:"
# The catalog names licence types by what they are ("licence:business_licence"); the library keys them by
# their type code (GB/T 36904 identifiers allow only 0-9A-Z). Both spellings reach the same resource.
LICENCE_ALIASES = {
    "business_licence": "YYZZ", "ship_operation_certificate": "CBYYZ", "real_estate_certificate": "BDCQZ",
    "marriage_certificate": "JHZ", "household_register": "HKB", "birth_medical_certificate": "CSYXZM",
    "senior_bus_card": "LNGJK",
}


def canonical_key(key: str) -> str:
    if key.startswith(LICENCE_PREFIX):
        name = key[len(LICENCE_PREFIX):]
        return LICENCE_PREFIX + LICENCE_ALIASES.get(name, name)
    return key


def _f(key, label, type_="string", required=False):
    return {"key": key, "label": label, "type": type_, "required": required}


# key -> (name, identifier kind, many, fields)
STANDARD_RESOURCES: dict[str, dict] = {
    "population": {
        "name": "人口基础信息库", "identifier_kind": "id_number", "many": False,
        "fields": [
            _f("name", "姓名", required=True), _f("sex", "性别", required=True),
            _f("birth_date", "出生日期", "date", required=True), _f("household_address", "户籍地址"),
            _f("household_members", "户内成员", "list"), _f("region_code", "户籍区划代码", "region_code"),
        ],
    },
    "legal_entity": {
        "name": "法人单位基础信息库", "identifier_kind": "credit_code", "many": False,
        "fields": [
            _f("name", "名称", required=True), _f("credit_code", "统一社会信用代码", "credit_code", required=True),
            _f("legal_representative", "法定代表人", required=True), _f("registered_capital", "注册资本（万元）", "decimal"),
            _f("address", "住所"), _f("status", "登记状态", required=True),
            _f("legal_representative_id_number", "法定代表人身份证号", "id_number"),
        ],
    },
    "death": {
        "name": "死亡人口信息", "identifier_kind": "id_number", "many": False,
        "fields": [
            _f("id_number", "身份证号", "id_number", required=True), _f("name", "姓名", required=True),
            _f("death_date", "死亡日期", "date", required=True),
        ],
    },
    "real_estate": {
        "name": "不动产权利信息", "identifier_kind": "id_number", "many": True,
        "fields": [
            _f("certificate_number", "不动产权证号", required=True),
            _f("owner_id_number", "权利人身份证号", "id_number", required=True),
            _f("address", "坐落", required=True), _f("area", "面积（平方米）", "decimal"), _f("right_type", "权利类型"),
        ],
    },
    "marriage": {
        "name": "婚姻登记信息", "identifier_kind": "id_number", "many": False,
        "fields": [
            _f("status", "婚姻状况", required=True), _f("spouse_id_number", "配偶身份证号", "id_number"),
            _f("registered_on", "登记日期", "date"),
        ],
    },
    "social_insurance": {
        "name": "社会保险参保信息", "identifier_kind": "id_number", "many": False,
        "fields": [
            _f("status", "参保状态", required=True), _f("insured_since", "参保日期", "date"),
            _f("region_code", "参保地区划代码", "region_code"),
        ],
    },
}


def clean_identifier(kind: str, value: str) -> str:
    value = (value or "").strip().upper()
    if kind == "id_number":
        return clean_id_number(value)
    if kind == "credit_code":
        return clean_credit_code(value)
    if not value or len(value) > 64:
        raise ValidationError("主键不能为空且不超过64个字符")
    return value


def clean_value(field: dict, value):
    """Return the normalised JSON value of one field or raise ValidationError naming the reason."""
    label, type_ = field.get("label", field["key"]), field.get("type", "string")
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if field.get("required"):
            raise ValidationError(f"{label}为必填项")
        return None
    if type_ == "string":
        return str(value).strip()
    if type_ == "date":
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(f"{label}应为日期（年-月-日，如 2020-01-31），实际为“{value}”")
    if type_ == "integer":
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValidationError(f"{label}应为整数，实际为“{value}”")
    if type_ == "decimal":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(f"{label}应为数值，实际为“{value}”")
        if not number.is_finite():
            raise ValidationError(f"{label}应为数值，实际为“{value}”")
        return str(number)
    if type_ == "id_number":
        try:
            return clean_id_number(str(value).strip().upper())
        except ValidationError as exc:
            raise ValidationError(f"{label}：{exc.messages[0]}")
    if type_ == "credit_code":
        try:
            return clean_credit_code(str(value).strip().upper())
        except ValidationError as exc:
            raise ValidationError(f"{label}：{exc.messages[0]}")
    if type_ == "region_code":
        value = str(value).strip()
        if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", value):
            raise ValidationError(f"{label}应为6、9或12位数字")
        return value
    if type_ == "list":
        if isinstance(value, str):
            return [part.strip() for part in re.split(r"[;；,，]", value) if part.strip()]
        if isinstance(value, list):
            return value
        raise ValidationError(f"{label}应为列表")
    raise ValidationError(f"{label}的类型“{type_}”未知")


def clean_entry(fields: list[dict], data: dict) -> tuple[dict, list[dict]]:
    """Validate one entry against the schema: returns (clean data, errors as {"field", "reason"})."""
    if not isinstance(data, dict):
        return {}, [{"field": "data", "reason": "数据应为对象"}]
    clean, errors = {}, []
    known = {f["key"] for f in fields}
    for name in data:
        if name not in known:
            errors.append({"field": name, "reason": f"未知字段“{name}”"})
    for field in fields:
        try:
            value = clean_value(field, data.get(field["key"]))
        except ValidationError as exc:
            errors.append({"field": field["key"], "reason": exc.messages[0]})
            continue
        if value is not None:
            clean[field["key"]] = value
    return clean, errors


def clean_record_data(*, fields: list[dict], many: bool, data) -> tuple[dict, list[dict]]:
    if not many:
        return clean_entry(fields, data)
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return {}, [{"field": "items", "reason": "应为条目列表"}]
    clean_items, errors = [], []
    for i, item in enumerate(items, start=1):
        clean, errs = clean_entry(fields, item)
        clean_items.append(clean)
        errors += [{"field": f"items[{i}].{e['field']}", "reason": e["reason"]} for e in errs]
    return {"items": clean_items}, errors


def validate_schema(fields) -> list[dict]:
    errors = []
    if not isinstance(fields, list) or not fields:
        return [{"field": "fields", "reason": "字段清单不能为空"}]
    seen = set()
    for i, f in enumerate(fields, start=1):
        if not isinstance(f, dict) or not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", str(f.get("key", ""))):
            errors.append({"field": f"fields[{i}].key", "reason": "字段标识应为小写字母开头的字母、数字、下划线"})
            continue
        if f["key"] in seen:
            errors.append({"field": f"fields[{i}].key", "reason": f"字段“{f['key']}”重复"})
        seen.add(f["key"])
        if not f.get("label"):
            errors.append({"field": f"fields[{i}].label", "reason": "缺少中文名称"})
        if f.get("type", "string") not in FIELD_TYPES:
            errors.append({"field": f"fields[{i}].type", "reason": f"未知类型“{f.get('type')}”"})
    return errors

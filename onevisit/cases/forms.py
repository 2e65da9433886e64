"""Validation of a case's form data against the item's form fields. Problems name the field as
"form.<key>" and say why, in Chinese."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from onevisit.catalog.models import FieldType
from onevisit.validators import clean_credit_code, clean_id_number

_PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check(field, value) -> str | None:
    """The reason the value is wrong, or None."""
    t = field.field_type
    if t in (FieldType.TEXT, FieldType.TEXTAREA, FieldType.ADDRESS, FieldType.CHOICE, FieldType.PHONE,
             FieldType.ID_NUMBER, FieldType.CREDIT_CODE, FieldType.DATE) and not isinstance(value, str):
        return "应为文本"
    if t == FieldType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return "应为整数"
        number = Decimal(value)
    elif t == FieldType.DECIMAL:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return "应为数字"
        if isinstance(value, bool) or not number.is_finite():
            return "应为数字"
    else:
        number = None
    if number is not None:
        if field.min_value is not None and number < field.min_value:
            return f"不能小于{field.min_value.normalize()}"
        if field.max_value is not None and number > field.max_value:
            return f"不能大于{field.max_value.normalize()}"
    if t == FieldType.BOOLEAN and not isinstance(value, bool):
        return "应为是或否"
    if t == FieldType.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "日期格式应为 YYYY-MM-DD"
    if t == FieldType.CHOICE and value not in field.choices:
        return f"应为以下之一：{'、'.join(str(c) for c in field.choices)}"
    if t == FieldType.PHONE and not _PHONE.match(value):
        return "电话号码格式不正确"
    try:
        if t == FieldType.ID_NUMBER:
            clean_id_number(value)
        if t == FieldType.CREDIT_CODE:
            clean_credit_code(value)
    except ValidationError as exc:
        return exc.messages[0]
    if isinstance(value, str):
        if field.max_length and len(value) > field.max_length:
            return f"不能超过{field.max_length}个字"
        if field.pattern and not re.fullmatch(field.pattern, value):
            return "格式不符合要求"
    return None


def form_problems(fields, data: dict) -> list[dict]:
    """Every problem of the form at once: missing required fields, invalid values, unknown keys."""
    problems = []
    known = set()
    for field in fields:
        known.add(field.key)
        value = data.get(field.key)
        if _empty(value):
            if field.required:
                problems.append({"kind": "field_missing", "key": field.key, "name": field.label,
                                 "reason": f"必填项“{field.label}”未填写"})
            continue
        reason = _check(field, value)
        if reason:
            problems.append({"kind": "field_invalid", "key": field.key, "name": field.label,
                             "reason": f"“{field.label}”{reason}"})
    for key in data:
        if key not in known:
            problems.append({"kind": "field_unknown", "key": key, "name": key, "reason": "该事项没有此字段"})
    return problems


def raise_form_problems(problems: list[dict]) -> None:
    if problems:
        raise ValidationError({f"form.{p['key']}": p["reason"] for p in problems})

"""Errors that services raise and adapters (API, pages) turn into clear messages."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DomainError(Exception):
    """A refused business operation, e.g. an illegal state transition. Changes nothing."""

    status = 409

    def __init__(self, message: str, *, code: str = "conflict", fields: list[dict] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or []
        if status is not None:
            self.status = status


def error_body(code: str, message: str, fields: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or []}}


def validation_fields(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if name == NON_FIELD_ERRORS else name, "reason": msg}
            for name, errors in exc.message_dict.items()
            for msg in errors
        ]
    return [{"field": "", "reason": msg} for msg in exc.messages]


def validation_error_body(exc: ValidationError) -> dict:
    fields = validation_fields(exc)
    summary = "；".join(f"{f['field']}: {f['reason']}" if f["field"] else f["reason"] for f in fields)
    return error_body("invalid", summary or "数据不合法", fields)


# Pydantic error types in Chinese; anything not listed falls back to a generic reason.
_SCHEMA_REASONS = {
    "missing": "必填",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "json_invalid": "不是合法的 JSON",
    "string_too_long": "过长",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "enum": "取值无效，应为 {expected} 之一",
    "literal_error": "取值无效，应为 {expected} 之一",
}


def schema_field_path(loc) -> str:
    """("body", "payload", "materials", 1, "necessity") -> "materials[2].necessity" (rows from 1, as the
    services count them)."""
    out = ""
    for part in loc:
        if part in ("body", "query", "path", "form", "payload"):
            continue
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def schema_reason(err: dict) -> str:
    """One pydantic error's reason in Chinese."""
    reason = _SCHEMA_REASONS.get(err.get("type", ""))
    if reason:
        try:
            reason = reason.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            reason = err.get("msg", "格式不正确")
    return reason or "格式不正确"


def schema_error_fields(errors) -> list[dict]:
    return [{"field": schema_field_path(err.get("loc", [])) or "body", "reason": schema_reason(err)} for err in errors]

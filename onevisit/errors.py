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

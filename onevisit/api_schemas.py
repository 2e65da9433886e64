"""Schemas every router shares: the JSON error body, and the error responses each operation documents."""

from ninja import Schema


class ErrorField(Schema):
    field: str
    reason: str


class ErrorDetail(Schema):
    code: str
    message: str
    fields: list[ErrorField]


class ErrorOut(Schema):
    """{"error": {"code", "message", "fields": [{"field", "reason"}]}}: the reason in Chinese, the field by name."""

    error: ErrorDetail


# The error answers of an authenticated operation: not signed in / bad token, not allowed, not found (or not
# visible), illegal in the case's status, invalid input.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

"""Import, cell by cell: every cell of the file is parsed against its column (text, number, choice, list,
JSON, date-time, reference) and the model field's validators; a bad cell becomes a CellError naming the
sheet, row, column and reason. The errors a refused file reports, and the result of an accepted one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from onevisit.catalog.excel.columns import (
    BOOL,
    CODE_LIST,
    DATETIME,
    DECIMAL,
    ENUM,
    ENUM_LIST,
    INT,
    JSON,
    REF,
    SEP,
    TEXT,
    Column,
)


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: int  # 1-based position in the file; 0 when the problem is the whole row or sheet
    header: str
    reason: str

    @property
    def field(self) -> str:
        if self.column:
            return f"{self.sheet}!R{self.row}C{self.column} {self.header}"
        return f"{self.sheet}!R{self.row}"

    def __str__(self) -> str:
        return f"{self.field}：{self.reason}"


class CatalogImportError(Exception):
    """The file is refused; nothing was imported. `errors` lists every problem found."""

    def __init__(self, errors: list[CellError]):
        super().__init__(f"导入文件有 {len(errors)} 处错误，未导入任何内容")
        self.errors = errors


@dataclass
class ImportResult:
    dry_run: bool
    counts: dict[str, dict[str, int]]


class Bad(Exception):
    pass


BAD = object()
_INT_RE = re.compile(r"^[+-]?\d+$")


def _run_validators(col: Column, value: Any) -> Any:
    if value in (None, "", [], ()):
        return value
    for validator in col.validators:
        try:
            validator(value)
        except ValidationError as exc:
            raise Bad("；".join(exc.messages))
    return value


def _empty(col: Column) -> Any:
    if col.required:
        raise Bad("不能为空")
    if col.kind in (ENUM_LIST, CODE_LIST, JSON):
        return list(col.default or [])
    return list(col.default) if isinstance(col.default, list) else col.default


def parse_cell(col: Column, raw: Any) -> Any:  # noqa: C901 - one branch per kind is the clearest form
    if isinstance(raw, str) and not raw.strip() and col.kind != TEXT:
        raw = None
    if raw is None or raw == "":
        return _empty(col)
    kind = col.kind
    if kind == TEXT:
        if isinstance(raw, bool):
            raise Bad("应为文本")
        if isinstance(raw, int):
            raw = str(raw)
        elif isinstance(raw, float):
            raw = str(int(raw)) if raw.is_integer() else repr(raw)
        elif not isinstance(raw, str):
            raw = str(raw)
        if not raw.strip():
            return _empty(col)
        return _run_validators(col, raw)
    if kind == REF:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw).strip()
    if kind == INT:
        if isinstance(raw, bool):
            raise Bad("应为整数")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str) and _INT_RE.match(raw.strip()):
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise Bad(f"“{raw}”不是整数")
        return _run_validators(col, raw)
    if kind == DECIMAL:
        if isinstance(raw, bool):
            raise Bad("应为数字")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise Bad(f"“{raw}”不是数字")
        if not value.is_finite():
            raise Bad(f"“{raw}”不是数字")
        quantum = Decimal(1).scaleb(-(col.decimal_places or 0))
        rounded = value.quantize(quantum)
        if rounded != value:
            raise Bad(f"最多保留{col.decimal_places}位小数")
        return _run_validators(col, rounded)
    if kind == BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if text in ("是", "否"):
            return text == "是"
        raise Bad(f"“{text}”无效，应填写“是”或“否”")
    if kind == ENUM:
        text = str(raw).strip()
        mapping = col.label_to_value
        if text in mapping:
            return mapping[text]
        for value, _label in col.choices:
            if str(value) == text:
                return value
        raise Bad(f"“{text}”不是可选值，可选：{SEP.join(mapping)}")
    if kind == ENUM_LIST:
        mapping = col.label_to_value
        values = []
        for part in str(raw).split(SEP):
            part = part.strip()
            if not part:
                continue
            if part not in mapping:
                raise Bad(f"“{part}”不是可选值，可选：{SEP.join(mapping)}（多个用“、”分隔）")
            if mapping[part] in values:
                raise Bad(f"“{part}”重复")
            values.append(mapping[part])
        return values
    if kind == CODE_LIST:
        return [p.strip() for p in str(raw).split(SEP) if p.strip()]
    if kind == JSON:
        if not isinstance(raw, str):
            raise Bad("应为 JSON 数组，如 [\"是\", \"否\"]")
        try:
            value = json.loads(raw)
        except ValueError:
            raise Bad("不是有效的 JSON")
        if not isinstance(value, list):
            raise Bad("应为 JSON 数组，如 [\"是\", \"否\"]")
        return value
    if kind == DATETIME:
        if isinstance(raw, datetime):
            value = raw
        else:
            try:
                value = datetime.fromisoformat(str(raw).strip())
            except ValueError:
                raise Bad(f"“{raw}”不是日期时间，应如 2026-01-31T09:30:00+08:00")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    raise AssertionError(kind)

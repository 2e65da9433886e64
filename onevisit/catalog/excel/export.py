"""Export: the whole catalog (regions, departments, every item version, bundles) written to one workbook
in streaming (write-only) mode, plus the 说明 sheet describing every column."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from onevisit.catalog.excel.columns import (
    BOOL,
    BUNDLES,
    CHILD_SHEETS,
    CODE_LIST,
    DATETIME,
    DECIMAL,
    DEPARTMENTS,
    ENTRIES,
    ENUM,
    ENUM_LIST,
    INT,
    ITEMS,
    JSON,
    README,
    REF,
    REF_PATHS,
    REGIONS,
    SEP,
    SHEET,
    SHEETS,
    TEXT,
    Column,
    SheetSpec,
)
from onevisit.catalog.models import Bundle, BundleEntry, ServiceItem
from onevisit.catalog.services import CHILD_MODELS
from onevisit.orgs.models import Department, Region


def cell_value(col: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    kind = col.kind
    if kind == BOOL:
        return "是" if value else "否"
    if kind == ENUM:
        return col.value_to_label.get(value, value)
    if kind == ENUM_LIST:
        labels = col.value_to_label
        return SEP.join(labels.get(v, str(v)) for v in value)
    if kind == CODE_LIST:
        return SEP.join(value)
    if kind == JSON:
        return json.dumps(value, ensure_ascii=False)
    if kind == DATETIME:
        return timezone.localtime(value).isoformat()
    return value


def write_row(ws, cols: list[Column], values: Iterable[Any]) -> None:
    out = []
    for col, value in zip(cols, values, strict=True):
        v = cell_value(col, value)
        if isinstance(v, str) and v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"  # text, never a formula
            v = cell
        out.append(v)
    ws.append(out)


def start_sheet(wb, spec: SheetSpec):
    ws = wb.create_sheet(spec.name)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for col in spec.columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    return ws


def _values(qs, cols: list[Column], *, heads: Iterable[str] = (), before: Iterable[str] = ()):
    """values_list() for the columns; `heads` are the paths of the first columns (references through a join),
    `before` are extra leading values that are not columns."""
    heads = list(heads)
    paths = [*before, *heads]
    for col in cols[len(heads):]:
        paths.append(REF_PATHS.get(col.key, col.key) if col.kind == REF else col.key)
    return qs.values_list(*paths).iterator(chunk_size=5000)


def _describe(col: Column) -> str:
    parts = []
    kind = col.kind
    if kind == TEXT:
        parts.append("文本")
    elif kind == INT:
        parts.append("整数")
    elif kind == DECIMAL:
        parts.append(f"数字，最多{col.decimal_places}位小数")
    elif kind == BOOL:
        parts.append("填“是”或“否”")
    elif kind == ENUM:
        parts.append("可选：" + SEP.join(str(label) for _, label in col.choices))
    elif kind == ENUM_LIST:
        parts.append("可多选，用“、”分隔：" + SEP.join(str(label) for _, label in col.choices))
    elif kind == CODE_LIST:
        parts.append("编码列表，用“、”分隔")
    elif kind == JSON:
        parts.append("JSON")
    elif kind == DATETIME:
        parts.append("日期时间（ISO 8601，含时区），如 2026-01-31T09:30:00.000000+08:00")
    elif kind == REF:
        parts.append("引用")
    if col.required:
        parts.append("必填")
    elif col.default not in (None, "", []):
        parts.append(f"留空则为“{cell_value(col, col.default)}”")
    if col.note:
        parts.append(col.note)
    return "；".join(parts)


_README_HEAD = [
    "OneVisit 事项目录导出文件。每张工作表第一行为列名（字段中文名），其后每行一条记录；列的顺序可以调整，但不能缺列。",
    "事项表每行是一个事项版本，以（实施编码，版本）标识；材料、表单字段、办理环节、特别程序各行以这两列指明所属的事项版本。",
    "枚举值写中文名称；多选（服务对象、办理渠道）用“、”分隔；联办部门写统一社会信用代码，用“、”分隔；表单字段的可选值写 JSON 数组。",
    "导入时先校验全部行，任何一处有误则整份文件都不导入，并列出每个错误的工作表、行、列和原因。",
    "系统中已有的版本：内容相同则跳过；草稿则按文件更新；已发布或已停用的版本与文件不同则报错（已发布的版本不可修改）。",
]


def _write_readme(wb) -> None:
    ws = wb.create_sheet(README)
    for line in _README_HEAD:
        ws.append([line])
    ws.append([])
    bold = Font(bold=True)
    header = []
    for text in ("工作表", "列", "填写说明"):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for spec in SHEETS:
        for col in spec.columns:
            ws.append([spec.name, col.header, _describe(col)])


def export_catalog(target: str | IO[bytes]) -> None:
    """Write the whole catalog (regions, departments, every item version, bundles) to one workbook."""
    wb = Workbook(write_only=True)
    _write_readme(wb)

    spec = SHEET[REGIONS]
    ws = start_sheet(wb, spec)
    for row in _values(Region.objects.order_by("code"), spec.columns):
        write_row(ws, spec.columns, row)

    spec = SHEET[DEPARTMENTS]
    ws = start_sheet(wb, spec)
    for row in _values(Department.objects.order_by("credit_code"), spec.columns):
        write_row(ws, spec.columns, row)

    spec = SHEET[ITEMS]
    ws = start_sheet(wb, spec)
    co: dict[int, list[str]] = defaultdict(list)
    through = ServiceItem.co_departments.through
    for item_id, code in through.objects.order_by("department__credit_code").values_list(
        "serviceitem_id", "department__credit_code"
    ).iterator(chunk_size=5000):
        co[item_id].append(code)
    cols = [c for c in spec.columns if c.key != "co_departments"]
    co_at = [c.key for c in spec.columns].index("co_departments")
    for row in _values(ServiceItem.objects.order_by("implementation_code", "version"), cols, before=["id"]):
        values = list(row[1:])
        values.insert(co_at, co.get(row[0], []))
        write_row(ws, spec.columns, values)

    order = ["item__implementation_code", "item__version"]
    for name, sheet_name in CHILD_SHEETS.items():
        spec = SHEET[sheet_name]
        model = CHILD_MODELS[name]
        extra = ["position", "id"] if name != "special_procedures" else ["id"]
        qs = model.objects.order_by(*order, *extra)
        ws = start_sheet(wb, spec)
        for row in _values(qs, spec.columns, heads=order):
            write_row(ws, spec.columns, row)

    spec = SHEET[BUNDLES]
    ws = start_sheet(wb, spec)
    for row in _values(Bundle.objects.order_by("code"), spec.columns):
        write_row(ws, spec.columns, row)

    spec = SHEET[ENTRIES]
    ws = start_sheet(wb, spec)
    qs = BundleEntry.objects.order_by("bundle__code", "stage", "position", "id")
    for row in _values(qs, spec.columns, heads=["bundle__code"]):
        write_row(ws, spec.columns, row)
    wb.save(target)

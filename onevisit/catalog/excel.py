"""Export and import of the whole catalog as one Excel workbook (.xlsx).

One sheet per table: 区划, 部门, 事项 (every version), 材料, 表单字段, 办理环节, 特别程序, 一件事, 一件事事项,
plus a 说明 sheet describing every column. The column layout is derived from the models (headers are
their verbose names), so export and import cannot drift apart; docs/catalog-excel.md describes it.

The import validates every cell and every cross-sheet rule first and reports every problem with sheet,
row, column and reason; when there is any, it writes nothing. Otherwise it writes everything in one
transaction with bulk inserts, and opens the history chain of every new object in bulk."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from onevisit.catalog.models import (
    Bundle,
    BundleEntry,
    Channel,
    FormField,
    Material,
    ProcedureStep,
    ServiceItem,
    SpecialProcedure,
    Target,
    VersionStatus,
)
from onevisit.catalog.services import CHILD_MODELS, item_snapshot
from onevisit.catalog.xlsx_reader import XlsxError, XlsxReader
from onevisit.history.services import events_start_chains, record_change
from onevisit.orgs.models import LEVEL_ORDER, Department, Region, RegionLevel, Role
from onevisit.orgs.selectors import roles_of

SEP = "、"

TEXT, INT, DECIMAL, BOOL, ENUM, ENUM_LIST, CODE_LIST, JSON, DATETIME, REF = (
    "text", "int", "decimal", "bool", "enum", "enum_list", "code_list", "json", "datetime", "ref",
)


@dataclass(frozen=True)
class Column:
    key: str  # the model attribute it fills (field name)
    header: str
    kind: str
    required: bool = False
    default: Any = None
    choices: tuple = ()  # ((value, label), ...) for ENUM and ENUM_LIST
    validators: tuple = ()
    decimal_places: int | None = None
    note: str = ""

    @cached_property
    def label_to_value(self) -> dict:
        return {str(label): value for value, label in self.choices}

    @cached_property
    def value_to_label(self) -> dict:
        return {value: str(label) for value, label in self.choices}


def _col(model, name: str, *, kind: str | None = None, choices=None, header: str | None = None, note: str = "") -> Column:
    f = model._meta.get_field(name)
    if kind is None:
        if isinstance(f, models.ForeignKey):
            kind = REF
        elif f.choices:
            kind = ENUM
        elif isinstance(f, models.BooleanField):
            kind = BOOL
        elif isinstance(f, models.DecimalField):
            kind = DECIMAL
        elif isinstance(f, models.IntegerField):
            kind = INT
        elif isinstance(f, models.DateTimeField):
            kind = DATETIME
        else:
            kind = TEXT
    if f.has_default():
        required, default = False, f.get_default()
    elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        required, default = False, None
    elif f.null:
        required, default = False, None
    elif kind in (TEXT, REF):
        required, default = not f.blank, ""
    else:
        required, default = True, None
    validators = () if kind in (REF, ENUM, ENUM_LIST, CODE_LIST, JSON) else tuple(f.validators)
    return Column(
        key=name, header=header or str(f.verbose_name), kind=kind, required=required, default=default,
        choices=tuple(choices if choices is not None else (f.choices or ())), validators=validators,
        decimal_places=getattr(f, "decimal_places", None), note=note,
    )


def _model_cols(model, skip: Iterable[str] = (), **special) -> list[Column]:
    cols = []
    for f in model._meta.concrete_fields:
        if f.name in ("id", *skip):
            continue
        cols.append(_col(model, f.name, **special.get(f.name, {})))
    return cols


REGIONS, DEPARTMENTS, ITEMS, MATERIALS, FIELDS, STEPS, SPECIALS, BUNDLES, ENTRIES, README = (
    "区划", "部门", "事项", "材料", "表单字段", "办理环节", "特别程序", "一件事", "一件事事项", "说明",
)

_ITEM_REF = [
    Column("implementation_code", "实施编码", TEXT, required=True,
           validators=tuple(ServiceItem._meta.get_field("implementation_code").validators),
           note="所属事项的实施编码"),
    Column("version", "版本", INT, required=True, validators=tuple(ServiceItem._meta.get_field("version").validators),
           note="所属事项的版本号"),
]


def _item_cols() -> list[Column]:
    cols = _model_cols(
        ServiceItem,
        region={"note": "区划代码，须在“区划”表或系统中"},
        department={"note": "统一社会信用代码，须在“部门”表或系统中"},
        targets={"kind": ENUM_LIST, "choices": Target.choices},
        channels={"kind": ENUM_LIST, "choices": Channel.choices},
        created_at={"note": "导出时填写；留空则为导入时间"},
        updated_at={"note": "导出时填写；留空则为导入时间"},
    )
    at = next(i for i, c in enumerate(cols) if c.key == "department") + 1
    co = Column("co_departments", "联办部门", CODE_LIST, note="统一社会信用代码，多个用“、”分隔")
    return [*cols[:at], co, *cols[at:]]


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: list[Column]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SHEETS = [
    SheetSpec(REGIONS, _model_cols(Region, parent={"note": "上级区划代码；省级留空"})),
    SheetSpec(DEPARTMENTS, _model_cols(Department, region={"note": "区划代码"})),
    SheetSpec(ITEMS, _item_cols()),
    SheetSpec(MATERIALS, _ITEM_REF + _model_cols(Material, skip=("item",))),
    SheetSpec(FIELDS, _ITEM_REF + _model_cols(
        FormField, skip=("item",), choices={"kind": JSON, "note": "JSON 数组，如 [\"个人\", \"企业\"]"}
    )),
    SheetSpec(STEPS, _ITEM_REF + _model_cols(ProcedureStep, skip=("item",))),
    SheetSpec(SPECIALS, _ITEM_REF + _model_cols(SpecialProcedure, skip=("item",))),
    SheetSpec(BUNDLES, _model_cols(Bundle, lead_department={"note": "统一社会信用代码"})),
    SheetSpec(ENTRIES, [
        Column("bundle", "一件事编码", TEXT, required=True, note="所属一件事的编码"),
        *_model_cols(BundleEntry, skip=("bundle",), item_code={"note": "事项实施编码，须在“事项”表或系统中"}),
    ]),
]
SHEET = {s.name: s for s in SHEETS}
CHILD_SHEETS = {"materials": MATERIALS, "fields": FIELDS, "steps": STEPS, "special_procedures": SPECIALS}
_REF_PATHS = {"region": "region__code", "department": "department__credit_code", "parent": "parent__code",
              "lead_department": "lead_department__credit_code"}

# Export ----------------------------------------------------------------------------------------


def _cell_value(col: Column, value: Any) -> Any:
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


def _write_row(ws, cols: list[Column], values: Iterable[Any]) -> None:
    out = []
    for col, value in zip(cols, values, strict=True):
        v = _cell_value(col, value)
        if isinstance(v, str) and v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"  # text, never a formula
            v = cell
        out.append(v)
    ws.append(out)


def _sheet(wb, spec: SheetSpec):
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
        paths.append(_REF_PATHS.get(col.key, col.key) if col.kind == REF else col.key)
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
        parts.append(f"留空则为“{_cell_value(col, col.default)}”")
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
    ws = _sheet(wb, spec)
    for row in _values(Region.objects.order_by("code"), spec.columns):
        _write_row(ws, spec.columns, row)

    spec = SHEET[DEPARTMENTS]
    ws = _sheet(wb, spec)
    for row in _values(Department.objects.order_by("credit_code"), spec.columns):
        _write_row(ws, spec.columns, row)

    spec = SHEET[ITEMS]
    ws = _sheet(wb, spec)
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
        _write_row(ws, spec.columns, values)

    order = ["item__implementation_code", "item__version"]
    for name, sheet_name in CHILD_SHEETS.items():
        spec = SHEET[sheet_name]
        model = CHILD_MODELS[name]
        extra = ["position", "id"] if name != "special_procedures" else ["id"]
        qs = model.objects.order_by(*order, *extra)
        ws = _sheet(wb, spec)
        for row in _values(qs, spec.columns, heads=order):
            _write_row(ws, spec.columns, row)

    spec = SHEET[BUNDLES]
    ws = _sheet(wb, spec)
    for row in _values(Bundle.objects.order_by("code"), spec.columns):
        _write_row(ws, spec.columns, row)

    spec = SHEET[ENTRIES]
    ws = _sheet(wb, spec)
    qs = BundleEntry.objects.order_by("bundle__code", "stage", "position", "id")
    for row in _values(qs, spec.columns, heads=["bundle__code"]):
        _write_row(ws, spec.columns, row)
    wb.save(target)


# Import ----------------------------------------------------------------------------------------


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


class _Bad(Exception):
    pass


_BAD = object()
_INT_RE = re.compile(r"^[+-]?\d+$")


def _run_validators(col: Column, value: Any) -> Any:
    if value in (None, "", [], ()):
        return value
    for validator in col.validators:
        try:
            validator(value)
        except ValidationError as exc:
            raise _Bad("；".join(exc.messages))
    return value


def _empty(col: Column) -> Any:
    if col.required:
        raise _Bad("不能为空")
    if col.kind in (ENUM_LIST, CODE_LIST, JSON):
        return list(col.default or [])
    return list(col.default) if isinstance(col.default, list) else col.default


def _parse(col: Column, raw: Any) -> Any:  # noqa: C901 - one branch per kind is the clearest form
    if isinstance(raw, str) and not raw.strip() and col.kind != TEXT:
        raw = None
    if raw is None or raw == "":
        return _empty(col)
    kind = col.kind
    if kind == TEXT:
        if isinstance(raw, bool):
            raise _Bad("应为文本")
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
            raise _Bad("应为整数")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str) and _INT_RE.match(raw.strip()):
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise _Bad(f"“{raw}”不是整数")
        return _run_validators(col, raw)
    if kind == DECIMAL:
        if isinstance(raw, bool):
            raise _Bad("应为数字")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise _Bad(f"“{raw}”不是数字")
        if not value.is_finite():
            raise _Bad(f"“{raw}”不是数字")
        quantum = Decimal(1).scaleb(-(col.decimal_places or 0))
        rounded = value.quantize(quantum)
        if rounded != value:
            raise _Bad(f"最多保留{col.decimal_places}位小数")
        return _run_validators(col, rounded)
    if kind == BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if text in ("是", "否"):
            return text == "是"
        raise _Bad(f"“{text}”无效，应填写“是”或“否”")
    if kind == ENUM:
        text = str(raw).strip()
        mapping = col.label_to_value
        if text in mapping:
            return mapping[text]
        for value, _label in col.choices:
            if str(value) == text:
                return value
        raise _Bad(f"“{text}”不是可选值，可选：{SEP.join(mapping)}")
    if kind == ENUM_LIST:
        mapping = col.label_to_value
        values = []
        for part in str(raw).split(SEP):
            part = part.strip()
            if not part:
                continue
            if part not in mapping:
                raise _Bad(f"“{part}”不是可选值，可选：{SEP.join(mapping)}（多个用“、”分隔）")
            if mapping[part] in values:
                raise _Bad(f"“{part}”重复")
            values.append(mapping[part])
        return values
    if kind == CODE_LIST:
        return [p.strip() for p in str(raw).split(SEP) if p.strip()]
    if kind == JSON:
        if not isinstance(raw, str):
            raise _Bad("应为 JSON 数组，如 [\"是\", \"否\"]")
        try:
            value = json.loads(raw)
        except ValueError:
            raise _Bad("不是有效的 JSON")
        if not isinstance(value, list):
            raise _Bad("应为 JSON 数组，如 [\"是\", \"否\"]")
        return value
    if kind == DATETIME:
        if isinstance(raw, datetime):
            value = raw
        else:
            try:
                value = datetime.fromisoformat(str(raw).strip())
            except ValueError:
                raise _Bad(f"“{raw}”不是日期时间，应如 2026-01-31T09:30:00+08:00")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    raise AssertionError(kind)


class _NullBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[str, int | None], Any]


def _null_progress(desc: str, total: int | None) -> _NullBar:
    return _NullBar()


class _Reader:
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        self.positions: dict[str, dict[str, int]] = {}

    def error(self, sheet: str, row: int, key: str | None, reason: str) -> None:
        if key is None:
            self.errors.append(CellError(sheet, row, 0, "", reason))
            return
        pos = self.positions.get(sheet, {}).get(key)
        header = SHEET[sheet].column(key).header if sheet in SHEET else key
        self.errors.append(CellError(sheet, row, (pos + 1) if pos is not None else 0, header, reason))

    def read(self, wb, progress: ProgressFactory) -> dict[str, list[dict]]:
        parsed: dict[str, list[dict]] = {}
        for spec in SHEETS:
            parsed[spec.name] = self._sheet(wb, spec, progress)
        return parsed

    def _sheet(self, wb, spec: SheetSpec, progress: ProgressFactory) -> list[dict]:
        if spec.name not in wb.sheetnames:
            self.errors.append(CellError(spec.name, 1, 0, "", f"缺少工作表“{spec.name}”"))
            return []
        rows = wb.rows(spec.name)
        first = next(rows, None)
        header = first[1] if first and first[0] == 1 else ()
        if first and first[0] != 1:
            rows = itertools.chain([first], rows)
        by_header = {c.header: c for c in spec.columns}
        positions: dict[str, int] = {}
        for index, raw in enumerate(header):
            if raw is None or not str(raw).strip():
                continue
            text = str(raw).strip()
            col = by_header.get(text)
            if col is None:
                self.errors.append(CellError(spec.name, 1, index + 1, text, f"无法识别的列“{text}”"))
            elif col.key in positions:
                self.errors.append(CellError(spec.name, 1, index + 1, text, f"列“{text}”重复"))
            else:
                positions[col.key] = index
        self.positions[spec.name] = positions
        missing = [c.header for c in spec.columns if c.key not in positions]
        if missing:
            self.errors.append(CellError(spec.name, 1, 0, "", f"缺少列：{SEP.join(missing)}"))
            return []
        total = None
        bar = progress(spec.name, total)
        records = []
        plan = [(col, positions[col.key]) for col in spec.columns]
        pending = 0
        for rownum, values in rows:
            pending += 1
            if pending == 1000:
                bar.update(pending)
                pending = 0
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                continue
            rec: dict[str, Any] = {"_row": rownum, "_bad": False}
            width = len(values)
            for col, idx in plan:
                raw = values[idx] if idx < width else None
                try:
                    rec[col.key] = _parse(col, raw)
                except _Bad as exc:
                    rec[col.key] = _BAD
                    rec["_bad"] = True
                    self.errors.append(CellError(spec.name, rownum, idx + 1, col.header, str(exc)))
            records.append(rec)
        bar.update(pending)
        bar.close()
        return records


@dataclass
class _ItemPlan:
    rec: dict
    obj: ServiceItem
    region_code: str
    department_code: str
    co_codes: list[str]
    co_objs: list[Department]
    children: dict[str, list] = field(default_factory=lambda: {name: [] for name in CHILD_MODELS})
    child_recs: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in CHILD_MODELS})
    existing_id: int | None = None
    existing_status: str | None = None
    action: str = "create"  # create | update | skip

    def snapshot(self) -> dict[str, Any]:
        """The same shape as services.item_snapshot(), built from the file without the database."""
        obj = self.obj
        data = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "id"}
        data["region"] = self.region_code
        data["department"] = self.department_code
        data["co_departments"] = sorted(self.co_codes)
        for name, objs in self.children.items():
            data[name] = [_child_dict(o) for o in objs]
        return data


@dataclass
class _BundlePlan:
    rec: dict
    obj: Bundle
    lead_code: str
    entries: list[BundleEntry] = field(default_factory=list)
    entry_recs: list[dict] = field(default_factory=list)
    existing: Bundle | None = None
    action: str = "create"

    def snapshot(self) -> dict[str, Any]:
        return _bundle_data(self.obj, self.lead_code, [(e.stage, e.position, e.item_code) for e in self.entries])


def _child_dict(obj) -> dict:
    row = model_to_dict(obj, exclude=["id", "item"])
    for key, value in list(row.items()):
        if isinstance(value, FieldFile):
            row[key] = value.name or ""
    return row


def _bundle_data(bundle: Bundle, lead_code: str, entries: list[tuple]) -> dict[str, Any]:
    data = {c.key: getattr(bundle, c.key) for c in SHEET[BUNDLES].columns if c.kind != REF}
    data["lead_department"] = lead_code
    data["entries"] = [{"stage": s, "position": p, "item_code": c} for s, p, c in entries]
    return data


_BOOKKEEPING = ("created_at", "updated_at")


def _comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    from onevisit.history.services import normalise

    data = normalise(snapshot)
    for key in _BOOKKEEPING:
        data.pop(key, None)
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = sorted(value, key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
    return data


def _differences(a: dict, b: dict, headers: dict[str, str]) -> list[str]:
    return [headers.get(k, k) for k in a if a.get(k) != b.get(k)]


class _Importer(_Reader):
    def __init__(self, errors: list[CellError], actor):
        super().__init__(errors)
        self.actor = actor
        self.counts: dict[str, dict[str, int]] = {
            name: {"created": 0, "updated": 0, "skipped": 0} for name in ("regions", "departments", "items", "bundles")
        }

    def rec_error(self, sheet: str, rec: dict, key: str | None, reason: str) -> None:
        self.error(sheet, rec["_row"], key, reason)

    def map_validation(self, sheet: str, rec: dict, exc: ValidationError) -> None:
        keys = {c.key for c in SHEET[sheet].columns}
        for name, messages in exc.message_dict.items():
            for message in messages:
                self.rec_error(sheet, rec, name if name in keys else None, message)

    # validation --------------------------------------------------------------------------------

    def validate(self, parsed: dict[str, list[dict]]) -> None:
        self.parsed = parsed
        self._regions()
        self._departments()
        self._items()
        self._children()
        self._item_states()
        self._bundles()

    def _regions(self) -> None:
        existing = {r.code: r for r in Region.objects.select_related("parent")}
        self.regions: dict[str, Region] = dict(existing)
        self.new_regions: list[Region] = []
        seen: dict[str, int] = {}
        pending = []
        for rec in self.parsed[REGIONS]:
            code = rec["code"]
            if code is _BAD:
                continue
            if code in seen:
                self.rec_error(REGIONS, rec, "code", f"区划代码 {code} 与第{seen[code]}行重复")
                continue
            seen[code] = rec["_row"]
            old = existing.get(code)
            if old is not None:
                mine = {"name": rec["name"], "level": rec["level"], "parent": rec["parent"] or ""}
                theirs = {"name": old.name, "level": old.level, "parent": old.parent.code if old.parent else ""}
                if mine != theirs:
                    spec = SHEET[REGIONS]
                    diff = [k for k in mine if mine[k] != theirs[k]]
                    self.rec_error(REGIONS, rec, diff[0], "与系统中已有的区划不一致（"
                                   + SEP.join(spec.column(k).header for k in diff) + "），导入不修改区划，请在后台修改")
                else:
                    self.counts["regions"]["skipped"] += 1
                continue
            obj = Region(code=code, name=rec["name"], level=rec["level"])
            self.regions[code] = obj
            pending.append((rec, obj))
        for rec, obj in pending:
            self.new_regions.append(obj)
            parent_code = rec["parent"]
            if parent_code and parent_code is not _BAD:
                parent = self.regions.get(parent_code)
                if parent is None:
                    self.rec_error(REGIONS, rec, "parent", f"上级区划 {parent_code} 不存在（不在“区划”表中，也不在系统中）")
                    continue
                obj.parent = parent
            if rec["_bad"]:
                continue
            if obj.level == RegionLevel.PROVINCE and parent_code:
                self.rec_error(REGIONS, rec, "parent", "省级区划不能有上级")
                continue
            try:
                obj.clean()
            except ValidationError as exc:
                self.map_validation(REGIONS, rec, exc)
        self.counts["regions"]["created"] = len(self.new_regions)

    def _departments(self) -> None:
        existing = {d.credit_code: d for d in Department.objects.select_related("region")}
        self.departments: dict[str, Department] = dict(existing)
        self.new_departments: list[Department] = []
        seen: dict[str, int] = {}
        for rec in self.parsed[DEPARTMENTS]:
            code = rec["credit_code"]
            if code is _BAD:
                continue
            if code in seen:
                self.rec_error(DEPARTMENTS, rec, "credit_code", f"统一社会信用代码 {code} 与第{seen[code]}行重复")
                continue
            seen[code] = rec["_row"]
            old = existing.get(code)
            if old is not None:
                mine = {"name": rec["name"], "short_name": rec["short_name"], "region": rec["region"]}
                theirs = {"name": old.name, "short_name": old.short_name, "region": old.region.code}
                if mine != theirs:
                    spec = SHEET[DEPARTMENTS]
                    diff = [k for k in mine if mine[k] != theirs[k]]
                    self.rec_error(DEPARTMENTS, rec, diff[0], "与系统中已有的部门不一致（"
                                   + SEP.join(spec.column(k).header for k in diff) + "），导入不修改部门，请在后台修改")
                else:
                    self.counts["departments"]["skipped"] += 1
                continue
            region = self.regions.get(rec["region"]) if rec["region"] is not _BAD else None
            if region is None and rec["region"] is not _BAD:
                self.rec_error(DEPARTMENTS, rec, "region", f"区划 {rec['region']} 不存在（不在“区划”表中，也不在系统中）")
            obj = Department(credit_code=code, name=rec["name"], short_name=rec["short_name"])
            if region is not None:
                obj.region = region
            self.departments[code] = obj
            self.new_departments.append(obj)
        self.counts["departments"]["created"] = len(self.new_departments)

    def _resolve_department(self, sheet: str, rec: dict, key: str) -> Department | None:
        code = rec[key]
        if code is _BAD:
            return None
        dept = self.departments.get(code)
        if dept is None:
            self.rec_error(sheet, rec, key, f"部门 {code} 不存在（不在“部门”表中，也不在系统中）")
        return dept

    def _items(self) -> None:
        self.item_keys_db = {
            (code, version): (pk, status)
            for code, version, pk, status in ServiceItem.objects.values_list(
                "implementation_code", "version", "id", "status"
            ).iterator(chunk_size=10000)
        }
        self.items: dict[tuple[str, int], _ItemPlan] = {}
        plain = [c.key for c in SHEET[ITEMS].columns if c.kind not in (REF, CODE_LIST)]
        for rec in self.parsed[ITEMS]:
            key = (rec["implementation_code"], rec["version"])
            if _BAD in key:
                continue
            if key in self.items:
                self.rec_error(ITEMS, rec, "version", f"实施编码 {key[0]} 第{key[1]}版与第{self.items[key].rec['_row']}行重复")
                continue
            obj = ServiceItem(**{k: rec[k] for k in plain if rec[k] is not _BAD})
            region = None
            if rec["region"] is not _BAD:
                region = self.regions.get(rec["region"])
                if region is None:
                    self.rec_error(ITEMS, rec, "region", f"区划 {rec['region']} 不存在（不在“区划”表中，也不在系统中）")
                else:
                    obj.region = region
            dept = self._resolve_department(ITEMS, rec, "department")
            if dept is not None:
                obj.department = dept
            co_objs = []
            for code in rec["co_departments"] if rec["co_departments"] is not _BAD else []:
                other = self.departments.get(code)
                if other is None:
                    self.rec_error(ITEMS, rec, "co_departments", f"联办部门 {code} 不存在（不在“部门”表中，也不在系统中）")
                elif other in co_objs:
                    self.rec_error(ITEMS, rec, "co_departments", f"联办部门 {code} 重复")
                else:
                    co_objs.append(other)
            plan = _ItemPlan(
                rec=rec, obj=obj, region_code=rec["region"], department_code=rec["department"],
                co_codes=list(rec["co_departments"]) if rec["co_departments"] is not _BAD else [], co_objs=co_objs,
            )
            self.items[key] = plan
            if rec["_bad"] or region is None or dept is None:
                continue
            try:
                obj.clean()
            except ValidationError as exc:
                self.map_validation(ITEMS, rec, exc)
            if region.pk is None and obj.level != region.level:
                self.rec_error(ITEMS, rec, "region", f"实施区划的层级（{region.get_level_display()}）与行使层级不一致")

    def _children(self) -> None:
        for name, sheet in CHILD_SHEETS.items():
            model = CHILD_MODELS[name]
            ident = "kind" if name == "special_procedures" else "key"
            cols = [c.key for c in SHEET[sheet].columns[len(_ITEM_REF):]]
            has_clean = model.clean is not models.Model.clean
            seen: dict[tuple, int] = {}
            for rec in self.parsed[sheet]:
                key = (rec["implementation_code"], rec["version"])
                if _BAD in key:
                    continue
                plan = self.items.get(key)
                if plan is None:
                    self.rec_error(sheet, rec, "implementation_code",
                                   f"事项（实施编码 {key[0]}，第{key[1]}版）不在“事项”表中")
                    continue
                obj = model(**{k: rec[k] for k in cols if rec[k] is not _BAD})
                obj.item = plan.obj
                marker = (*key, rec[ident])
                if rec[ident] is not _BAD:
                    if marker in seen:
                        self.rec_error(sheet, rec, ident, f"同一事项版本内“{SHEET[sheet].column(ident).header}”"
                                       f"为“{rec[ident]}”的行与第{seen[marker]}行重复")
                        continue
                    seen[marker] = rec["_row"]
                if has_clean and not rec["_bad"]:
                    try:
                        obj.clean()
                    except ValidationError as exc:
                        self.map_validation(sheet, rec, exc)
                plan.children[name].append(obj)
                plan.child_recs[name].append(rec)

    def _item_states(self) -> None:
        headers = {c.key: c.header for c in SHEET[ITEMS].columns}
        headers.update({name: f"“{sheet}”表" for name, sheet in CHILD_SHEETS.items()})
        for plan in self.items.values():
            obj, rec = plan.obj, plan.rec
            if obj.status == VersionStatus.PUBLISHED:
                steps = plan.children["steps"]
                if not steps:
                    self.rec_error(ITEMS, rec, "status", "已发布的事项至少需要一个办理环节（见“办理环节”表）")
                elif sum(s.share or 0 for s in steps) != 100:
                    self.rec_error(STEPS, plan.child_recs["steps"][0], "share",
                                   f"事项 {obj.implementation_code} 第{obj.version}版已发布，各环节占时限比例之和应为100%，"
                                   f"实际为{sum(s.share or 0 for s in steps)}%")
            found = self.item_keys_db.get((obj.implementation_code, obj.version))
            if found is not None:
                plan.existing_id, plan.existing_status = found
                plan.action = "compare"
        # Existing versions: identical -> skip; draft -> update; published/retired and different -> error.
        to_compare = [p for p in self.items.values() if p.action == "compare" and not p.rec["_bad"]]
        for start in range(0, len(to_compare), 500):
            chunk = {p.existing_id: p for p in to_compare[start:start + 500]}
            qs = ServiceItem.objects.filter(id__in=list(chunk)).select_related("region", "department").prefetch_related(
                "co_departments", *CHILD_MODELS
            )
            for item in qs:
                plan = chunk[item.pk]
                theirs, mine = _comparable(item_snapshot(item)), _comparable(plan.snapshot())
                if theirs == mine:
                    plan.action = "skip"
                elif item.status == VersionStatus.DRAFT and plan.obj.status == VersionStatus.DRAFT:
                    plan.action = "update"
                    plan.obj.created_at = item.created_at
                elif item.status == VersionStatus.DRAFT:
                    self.rec_error(ITEMS, plan.rec, "status", "系统中该版本是草稿，导入只能更新草稿的内容而不能改变其状态；"
                                   "请导入为草稿后在系统中发布")
                else:
                    diff = SEP.join(_differences(mine, theirs, headers))
                    self.rec_error(ITEMS, plan.rec, "version",
                                   f"系统中该版本{item.get_status_display()}，已发布的版本不可修改；文件与系统不一致之处：{diff}"
                                   "。请改用新的版本号")
        # One published and one draft version per item at most, counting versions that stay in the database.
        final: dict[tuple[str, int], str] = {k: st for k, (_pk, st) in self.item_keys_db.items()}
        for key, plan in self.items.items():
            if plan.obj.status in VersionStatus.values:
                final[key] = plan.obj.status
        by_code: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for (code, version), status in final.items():
            by_code[code][status].append(version)
        self.published_codes = {code for code, st in by_code.items() if st.get(VersionStatus.PUBLISHED)}
        self.all_codes = set(by_code)
        for key, plan in self.items.items():
            for status in (VersionStatus.PUBLISHED, VersionStatus.DRAFT):
                versions = by_code[key[0]].get(status, [])
                if plan.obj.status == status and len(versions) > 1:
                    listed = SEP.join(f"第{v}版" for v in sorted(versions))
                    self.rec_error(ITEMS, plan.rec, "status",
                                   f"实施编码 {key[0]} 只能有一个{status.label}版本，合并系统中已有的版本后有{len(versions)}个：{listed}")
        for plan in self.items.values():
            if plan.action == "create":
                self.counts["items"]["created"] += 1
            elif plan.action == "update":
                self.counts["items"]["updated"] += 1
            elif plan.action == "skip":
                self.counts["items"]["skipped"] += 1

    def _bundles(self) -> None:
        existing = {b.code: b for b in Bundle.objects.select_related("lead_department").prefetch_related("entries")}
        self.bundles: dict[str, _BundlePlan] = {}
        plain = [c.key for c in SHEET[BUNDLES].columns if c.kind != REF]
        for rec in self.parsed[BUNDLES]:
            code = rec["code"]
            if code is _BAD:
                continue
            if code in self.bundles:
                self.rec_error(BUNDLES, rec, "code", f"一件事编码 {code} 与第{self.bundles[code].rec['_row']}行重复")
                continue
            obj = Bundle(**{k: rec[k] for k in plain if rec[k] is not _BAD})
            dept = self._resolve_department(BUNDLES, rec, "lead_department")
            if dept is not None:
                obj.lead_department = dept
            self.bundles[code] = _BundlePlan(rec=rec, obj=obj, lead_code=rec["lead_department"], existing=existing.get(code))
        seen: dict[tuple[str, str], int] = {}
        for rec in self.parsed[ENTRIES]:
            code, item_code = rec["bundle"], rec["item_code"]
            if code is _BAD:
                continue
            plan = self.bundles.get(code)
            if plan is None:
                self.rec_error(ENTRIES, rec, "bundle", f"一件事 {code} 不在“一件事”表中")
                continue
            if item_code is _BAD:
                continue
            if (code, item_code) in seen:
                self.rec_error(ENTRIES, rec, "item_code", f"事项 {item_code} 在一件事 {code} 中与第{seen[code, item_code]}行重复")
                continue
            seen[code, item_code] = rec["_row"]
            if item_code not in self.all_codes:
                self.rec_error(ENTRIES, rec, "item_code", f"事项实施编码 {item_code} 不存在（不在“事项”表中，也不在系统中）")
            elif plan.obj.status == VersionStatus.PUBLISHED and item_code not in self.published_codes:
                self.rec_error(ENTRIES, rec, "item_code", f"事项 {item_code} 没有已发布的版本，已发布的一件事不能包含它")
            plan.entries.append(BundleEntry(
                bundle=plan.obj, stage=rec["stage"], position=rec["position"], item_code=item_code
            ))
            plan.entry_recs.append(rec)
        headers = {c.key: c.header for c in SHEET[BUNDLES].columns} | {"entries": f"“{ENTRIES}”表"}
        for plan in self.bundles.values():
            if len(plan.entries) < 2:
                self.rec_error(BUNDLES, plan.rec, "code", "一件事至少包含两个事项（见“一件事事项”表）")
            if plan.obj.status == VersionStatus.PUBLISHED:
                self._field_conflicts(plan)
            old = plan.existing
            if old is None:
                self.counts["bundles"]["created"] += 1
                continue
            if plan.rec["_bad"]:
                continue
            theirs = _comparable(_bundle_data(
                old, old.lead_department.credit_code, [(e.stage, e.position, e.item_code) for e in old.entries.all()]
            ))
            mine = _comparable(plan.snapshot())
            if theirs == mine:
                plan.action = "skip"
                self.counts["bundles"]["skipped"] += 1
            elif old.status == VersionStatus.DRAFT and plan.obj.status == VersionStatus.DRAFT:
                plan.action = "update"
                plan.obj.created_at = old.created_at
                self.counts["bundles"]["updated"] += 1
            elif old.status == VersionStatus.DRAFT:
                self.rec_error(BUNDLES, plan.rec, "status", "系统中该一件事是草稿，导入只能更新草稿的内容而不能改变其状态")
            else:
                diff = SEP.join(_differences(mine, theirs, headers))
                self.rec_error(BUNDLES, plan.rec, "code",
                               f"系统中该一件事{old.get_status_display()}，不可修改；文件与系统不一致之处：{diff}")

    def _field_conflicts(self, plan: _BundlePlan) -> None:
        """The merged form of a published bundle must not ask one field key with two different types."""
        types: dict[str, tuple[str, str]] = {}
        for entry in plan.entries:
            fields = self._published_fields(entry.item_code)
            for key, field_type in fields:
                first = types.setdefault(key, (entry.item_code, field_type))
                if first[1] != field_type:
                    self.rec_error(BUNDLES, plan.rec, "status",
                                   f"表单字段“{key}”在事项 {first[0]} 中与事项 {entry.item_code} 中类型不同，无法合并为一张表单")

    def _published_fields(self, code: str) -> list[tuple[str, str]]:
        for key, item_plan in self.items.items():
            if key[0] == code and item_plan.obj.status == VersionStatus.PUBLISHED:
                return [(f.key, f.field_type) for f in item_plan.children["fields"]]
        return list(FormField.objects.filter(
            item__implementation_code=code, item__status=VersionStatus.PUBLISHED
        ).values_list("key", "field_type"))

    # writing -----------------------------------------------------------------------------------

    def write(self) -> None:
        actor = self.actor
        for level in LEVEL_ORDER:
            batch = [r for r in self.new_regions if r.level == level]
            Region.objects.bulk_create(batch, batch_size=1000)
        Department.objects.bulk_create(self.new_departments, batch_size=1000)
        events_start_chains(
            [{"obj": r, "actor": actor, "action": "region_imported", "data": {"code": r.code, "name": r.name}}
             for r in self.new_regions]
            + [{"obj": d, "actor": actor, "action": "department_imported",
                "data": {"credit_code": d.credit_code, "name": d.name}} for d in self.new_departments]
        )

        creates = [p for p in self.items.values() if p.action == "create"]
        updates = [p for p in self.items.values() if p.action == "update"]
        _bulk_create_keeping_stamps(ServiceItem, [p.obj for p in creates])
        for plan in updates:
            plan.obj.pk = plan.existing_id
            names = [f.name for f in ServiceItem._meta.concrete_fields if f.name not in ("id", "created_at")]
            plan.obj.save(update_fields=names)
            for model in CHILD_MODELS.values():
                model.objects.filter(item_id=plan.existing_id).delete()
            plan.obj.co_departments.clear()
        through = ServiceItem.co_departments.through
        for name, model in CHILD_MODELS.items():
            model.objects.bulk_create([o for p in creates + updates for o in p.children[name]], batch_size=2000)
        through.objects.bulk_create(
            [through(serviceitem_id=p.obj.pk, department_id=d.pk) for p in creates + updates for d in p.co_objs],
            batch_size=2000,
        )
        events_start_chains(
            {"obj": p.obj, "actor": actor, "action": "item_imported", "data": p.snapshot()} for p in creates
        )
        for plan in updates:
            record_change(obj=plan.obj, actor=actor, action="item_imported", data=plan.snapshot())

        bundle_creates = [p for p in self.bundles.values() if p.action == "create"]
        bundle_updates = [p for p in self.bundles.values() if p.action == "update"]
        _bulk_create_keeping_stamps(Bundle, [p.obj for p in bundle_creates])
        for plan in bundle_updates:
            plan.obj.pk = plan.existing.pk
            names = [f.name for f in Bundle._meta.concrete_fields if f.name not in ("id", "created_at")]
            plan.obj.save(update_fields=names)
            BundleEntry.objects.filter(bundle_id=plan.obj.pk).delete()
        BundleEntry.objects.bulk_create([e for p in bundle_creates + bundle_updates for e in p.entries])
        events_start_chains(
            {"obj": p.obj, "actor": actor, "action": "bundle_imported", "data": p.snapshot()} for p in bundle_creates
        )
        for plan in bundle_updates:
            record_change(obj=plan.obj, actor=actor, action="bundle_imported", data=plan.snapshot())


def _bulk_create_keeping_stamps(model, objs: list) -> None:
    """bulk_create() stamps auto_now fields with the current time; put back the times the file gave."""
    stamps = [(o.created_at, o.updated_at) for o in objs]
    model.objects.bulk_create(objs, batch_size=1000)
    restore = []
    now = timezone.now()
    for obj, (created, updated) in zip(objs, stamps, strict=True):
        if created is not None or updated is not None:
            obj.created_at = created or now
            obj.updated_at = updated or now
            restore.append(obj)
    if restore:
        model.objects.bulk_update(restore, ["created_at", "updated_at"], batch_size=1000)


def can_import(user) -> bool:
    """Importing rewrites the whole catalog: only a catalog administrator without a department may."""
    if getattr(user, "is_superuser", False):
        return True
    return any(r.role == Role.CATALOG_ADMIN and r.department_id is None for r in roles_of(user))


def import_catalog(
    source: str | IO[bytes], *, actor=None, dry_run: bool = False, progress: ProgressFactory | None = None,
    check_permission: bool = True,
) -> ImportResult:
    """Validate the whole workbook, then (unless dry_run) import it in one transaction.
    Raises CatalogImportError listing every problem; then nothing has changed. actor None = the system."""
    if check_permission and actor is not None and not can_import(actor):
        raise PermissionDenied("只有不限部门的事项管理员可以导入事项目录")
    errors: list[CellError] = []
    try:
        wb = XlsxReader(source)
    except (XlsxError, OSError):
        raise CatalogImportError([CellError("文件", 1, 0, "", "不是有效的 Excel（.xlsx）文件")])
    importer = _Importer(errors, actor)
    try:
        parsed = importer.read(wb, progress or _null_progress)
    finally:
        wb.close()
    with transaction.atomic():
        importer.validate(parsed)
        if errors:
            raise CatalogImportError(errors)
        if not dry_run:
            importer.write()
    return ImportResult(dry_run=dry_run, counts=importer.counts)

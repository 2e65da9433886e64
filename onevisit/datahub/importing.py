"""Bulk import of a resource's records from CSV or Excel: every row checked, every error listed with
its row number, nothing loaded unless all rows are valid."""

import csv
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError

from onevisit.datahub.models import DataResource
from onevisit.datahub.schema import clean_entry, clean_identifier

IDENTIFIER_HEADERS = {"identifier", "主键", "身份证号", "统一社会信用代码", "公民身份号码", "holder", "持证主体代码"}


def read_table(path: Path) -> Iterator[list]:
    """Rows of a .csv (UTF-8, BOM allowed) or .xlsx file, header first."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in book.active.iter_rows(values_only=True):
                yield ["" if v is None else v for v in row]
        finally:
            book.close()
        return
    if path.suffix.lower() != ".csv":
        raise ValidationError(f"不支持的文件类型“{path.suffix}”，请用 .csv 或 .xlsx")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.reader(fh)


def parse_rows(resource: DataResource, rows: Iterator[list]) -> tuple[list[tuple[str, dict]], list[str]]:
    """Return (identifier, data) rows ready to load, and the list of errors ("第N行 字段：原因")."""
    errors: list[str] = []
    header = next(rows, None)
    if not header:
        return [], ["文件为空"]
    by_name = {}
    for f in resource.fields:
        by_name[f["key"]] = f
        by_name[f.get("label", f["key"])] = f
    columns: list[dict | None] = []
    ident_col = None
    for i, name in enumerate(str(h).strip() for h in header):
        if name in IDENTIFIER_HEADERS and ident_col is None:
            ident_col = i
            columns.append(None)
        elif name in by_name:
            columns.append(by_name[name])
        else:
            columns.append(None)
            errors.append(f"第1行 表头：未知的列“{name}”")
    if ident_col is None:
        errors.append("第1行 表头：缺少主键列（identifier 或 身份证号 / 统一社会信用代码）")
        return [], errors
    missing = [f.get("label", f["key"]) for f in resource.fields if f.get("required") and f not in columns]
    if missing:
        errors.append(f"第1行 表头：缺少必填列 {'、'.join(missing)}")
    if errors:
        return [], errors
    grouped: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        if not any(str(v).strip() for v in row):
            continue
        raw = str(row[ident_col]).strip() if ident_col < len(row) else ""
        try:
            ident = clean_identifier(resource.identifier_kind, raw)
        except ValidationError as exc:
            errors.append(f"第{n}行 主键：{exc.messages[0]}（“{raw}”）")
            ident = None
        values = {col["key"]: row[i] if i < len(row) else "" for i, col in enumerate(columns) if col is not None}
        clean, errs = clean_entry(resource.fields, values)
        errors += [f"第{n}行 {resource.label_of(e['field'])}：{e['reason']}" for e in errs]
        if ident is None or errs:
            continue
        if resource.many:
            grouped.setdefault(ident, {"items": []})["items"].append(clean)
        elif ident in grouped:
            errors.append(f"第{n}行 主键：与第{first_row[ident]}行重复")
        else:
            grouped[ident] = clean
            first_row[ident] = n
    return list(grouped.items()), errors

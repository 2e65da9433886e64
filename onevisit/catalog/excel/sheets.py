"""Import, sheet by sheet: find each sheet and its columns by their headers (any order, none missing, none
unknown or repeated) and parse every non-empty row into a record {column key: value, "_row", "_bad"}."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from onevisit.catalog.excel.cells import BAD, Bad, CellError, parse_cell
from onevisit.catalog.excel.columns import SEP, SHEET, SHEETS, SheetSpec


class NullBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[str, int | None], Any]


def null_progress(desc: str, total: int | None) -> NullBar:
    return NullBar()


class SheetReader:
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
                    rec[col.key] = parse_cell(col, raw)
                except Bad as exc:
                    rec[col.key] = BAD
                    rec["_bad"] = True
                    self.errors.append(CellError(spec.name, rownum, idx + 1, col.header, str(exc)))
            records.append(rec)
        bar.update(pending)
        bar.close()
        return records

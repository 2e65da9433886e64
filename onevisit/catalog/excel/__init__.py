"""Export and import of the whole catalog as one Excel workbook (.xlsx).

One sheet per table: 区划, 部门, 事项 (every version), 材料, 表单字段, 办理环节, 特别程序, 一件事, 一件事事项,
plus a 说明 sheet describing every column. The column layout is derived from the models (headers are
their verbose names), so export and import cannot drift apart; docs/catalog-excel.md describes it.

The import validates every cell and every cross-sheet rule first and reports every problem with sheet,
row, column and reason; when there is any, it writes nothing. Otherwise it writes everything in one
transaction with bulk inserts, and opens the history chain of every new object in bulk.

The package, by concern:
    columns   the layout: sheets, columns, kinds of cell (shared by export and import)
    export    writing the workbook
    xlsx      a lean streaming reader of .xlsx cell values
    cells     parsing one cell against its column; CellError, CatalogImportError, ImportResult
    sheets    reading a sheet: headers to columns, rows to records
    plans     what the file says about each item version and bundle, compared with the database
    importer  the cross-sheet validation and import_catalog (all or nothing)
    writer    writing a validated plan in bulk with its history events
"""

from onevisit.catalog.excel.cells import CatalogImportError, CellError, ImportResult
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
    FIELDS,
    INT,
    ITEMS,
    JSON,
    MATERIALS,
    README,
    REF,
    REGIONS,
    SEP,
    SHEET,
    SHEETS,
    SPECIALS,
    STEPS,
    TEXT,
    Column,
    SheetSpec,
)
from onevisit.catalog.excel.export import export_catalog, start_sheet, write_row
from onevisit.catalog.excel.importer import can_import, import_catalog
from onevisit.catalog.excel.sheets import ProgressFactory

# The names scripts used before the module became a package (bench/catalog_import.py writes its files
# with them).
_sheet = start_sheet
_write_row = write_row

__all__ = [
    "BOOL", "BUNDLES", "CHILD_SHEETS", "CODE_LIST", "DATETIME", "DECIMAL", "DEPARTMENTS", "ENTRIES", "ENUM",
    "ENUM_LIST", "FIELDS", "INT", "ITEMS", "JSON", "MATERIALS", "README", "REF", "REGIONS", "SEP", "SHEET", "SHEETS",
    "SPECIALS", "STEPS", "TEXT", "CatalogImportError", "CellError", "Column", "ImportResult", "ProgressFactory",
    "SheetSpec", "can_import", "export_catalog", "import_catalog", "start_sheet", "write_row",
]

"""The streaming .xlsx reader now lives in the Excel package (onevisit.catalog.excel.xlsx); this path keeps
working for code that imports it from here."""

from onevisit.catalog.excel.xlsx import XlsxError, XlsxReader

__all__ = ["XlsxError", "XlsxReader"]

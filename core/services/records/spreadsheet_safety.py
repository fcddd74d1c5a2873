"""Cells that are safe to open in a spreadsheet. Every export writes its rows through
:func:`append_row` (XLSX) or :func:`csv_writer` (CSV), which pass each value through
:func:`safe_cell`, following OWASP's CSV injection guidance: text that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is given a leading apostrophe, so it shows as the text it is and never runs."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with text that could run as a formula made inert; numbers and dates as
    they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet, every value made safe: the one way an export
    writes a row of a workbook."""
    sheet.append(safe_row(values))


class SafeCsvWriter:
    """A ``csv.writer`` whose every value is made safe: the one way an export writes CSV."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(out) -> SafeCsvWriter:
    return SafeCsvWriter(out)

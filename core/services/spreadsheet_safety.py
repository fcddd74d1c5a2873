"""Cells that are safe to open in a spreadsheet. Every export (CSV, XLSX) passes each value
through :func:`safe_cell`, following OWASP's CSV injection guidance: text that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is given a leading apostrophe, so it shows as the text it is and never runs."""

from __future__ import annotations

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

"""A report's table written into a worksheet (openpyxl): its caption, a bold shaded header,
real dates and numbers, RAG fills with the letter and word written too, column widths, and
(for a sheet's first table) a frozen header and a filter; every text cell safe to open."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.hooks.report import Cell, Table
from core.services.records.rag_colours import RAG_FILLS, RAG_TEXT
from core.services.records.spreadsheet_safety import append_row

HEADER_FILL = PatternFill("solid", fgColor="DFE3E6")
WRAP = Alignment(wrap_text=True, vertical="top")


def write_table(sheet, table: Table, widths: dict[int, float], *, first: bool) -> None:
    """The table below what the sheet holds; the first table of a sheet gets the frozen header
    and the filter (Excel allows one filter a sheet)."""
    if table.caption:
        append_row(sheet, [table.caption])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    if not table.rows:
        append_row(sheet, [table.empty])
        return
    append_row(sheet, table.columns)
    header = sheet.max_row
    for index in range(1, len(table.columns) + 1):
        cell = sheet.cell(header, index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    for values in table.rows:
        append_row(sheet, [_value(value) for value in values])
        for index, value in enumerate(values, 1):
            cell = sheet.cell(sheet.max_row, index)
            _style(cell, value)
    if first:
        sheet.freeze_panes = sheet.cell(header + 1, 1)
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{header}:{last}{sheet.max_row}"
    hints = table.widths or [None] * len(table.columns)
    for index, (column, hint) in enumerate(zip(table.columns, hints, strict=False), 1):
        longest = max([len(column), *(len(row[index - 1].text) for row in table.rows)])
        wanted = min(60, max(10, hint or 0, min(longest, 60) + 2))
        widths[index] = max(widths.get(index, 0), wanted)


def _value(value: Cell):
    if value.date is not None:
        return value.date
    if value.number is not None and (value.text.isdigit() or value.text == "-"):
        return value.number
    return value.text


def _style(cell, value: Cell) -> None:
    cell.alignment = WRAP
    if value.date is not None:
        # Words after the date are part of its format: the cell stays a date to sort by.
        after = value.after_date.replace('"', "").replace("\\", "")
        cell.number_format = "DD/MM/YYYY" + (f' "{after}"' if after else "")
    elif value.number is not None and value.text == "-":
        cell.number_format = '0;-0;"-"'  # a count of none shows as "-", as the plans print it
    if value.rag is not None:
        cell.fill = PatternFill("solid", fgColor=RAG_FILLS[value.rag])
        cell.font = Font(bold=True, color=RAG_TEXT[value.rag])

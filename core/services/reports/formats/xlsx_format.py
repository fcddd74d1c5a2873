"""The report as a workbook: a sheet per section, real dates and numbers, frozen header rows,
filters, column widths and RAG fills (openpyxl); every text cell safe to open."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.hooks.report import Cell, ReportSection, Table
from core.services.records.spreadsheet_safety import append_row
from core.services.reports.formats.rag_colours import RAG_FILLS, RAG_TEXT

HEADER_FILL = PatternFill("solid", fgColor="DFE3E6")
WRAP = Alignment(wrap_text=True, vertical="top")


def render(report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = report.title
    book.properties.creator = f"{report.data.area_name} Child Protection Committee"
    names: set[str] = set()
    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section, names))
        write_section(sheet, report.title, section)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(section: ReportSection, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    wanted = section.short_title or section.title
    base = re.sub(r"[\[\]:*?/\\]", " ", wanted).strip()[:31] or section.key[:31]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[:28]} {n}"
    taken.add(name.lower())
    return name


def write_section(sheet, title: str, section: ReportSection) -> None:
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [section.title])
    sheet["A2"].font = Font(bold=True, size=12)
    widths: dict[int, float] = {}
    first_table = True
    for block in _one_table_of_repeats(section.blocks):
        if block.kind == "heading":
            append_row(sheet, [])
            append_row(sheet, [block.text])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        elif block.kind == "paragraph":
            append_row(sheet, [block.text])
        else:
            write_table(sheet, block, widths, first=first_table)
            first_table = False
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


HEADING_COLUMN = "Section heading"


def _one_table_of_repeats(blocks: list) -> list:
    """A section's blocks for a sheet. Tables that repeat one header (the plan's table under
    each outcome) become one table, first, with the heading each row stood under in a column of
    its own: Excel filters one table a sheet, and the filter then covers every row. The other
    blocks follow in their order."""
    tables = [b for b in blocks if isinstance(b, Table)]
    headers = [tuple(t.columns) for t in tables]
    repeated = {h for h in headers if headers.count(h) > 1}
    if not repeated:
        return blocks
    header = next(h for h in headers if h in repeated)
    rows, heading, rest = [], "", []
    for block in blocks:
        if isinstance(block, Table) and tuple(block.columns) == header:
            rows += [[Cell(heading), *row] for row in block.rows]
        else:
            if getattr(block, "kind", "") == "heading":
                heading = block.text
            rest.append(block)
    first = next(t for t in tables if tuple(t.columns) == header)
    widths = [40, *first.widths] if first.widths else None
    combined = Table([HEADING_COLUMN, *header], rows, widths=widths, key=first.key)
    return [combined, *rest]


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

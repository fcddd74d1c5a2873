"""The report as a workbook: a sheet per section, real dates and numbers, frozen header rows,
filters, column widths and RAG fills (openpyxl); every text cell safe to open."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.hooks.report import Cell, ReportSection, Table
from core.services.records.spreadsheet_safety import append_row
from core.services.records.spreadsheet_tables import write_table


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

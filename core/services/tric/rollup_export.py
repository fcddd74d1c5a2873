"""The TRIC rollup as JSON (the command line and the API), and as a table for CSV and XLSX."""

from __future__ import annotations

import io
from typing import Any

from core.enums import ProgressStatus, Rag
from core.hooks.report import Cell, Table
from core.hooks.rollup import RollupRow, TaysideStatus
from core.services.records.spreadsheet_safety import append_row, csv_writer
from core.services.tric.rollup import Rollup
from core.services.words import day_words, rag_words


def area_entry(row: RollupRow, slug: str) -> dict[str, Any]:
    """One area's part of a row, in the JSON shape."""
    cell = row.cells.get(slug)
    reason = row.not_applicable.get(slug)
    return {
        "action_code": cell.action_code if cell else None,
        "rag": cell.rag.value if cell and cell.rag else None,
        "status": cell.status.value if cell and cell.status else None,
        "last_update": cell.last_reported_on.isoformat()
        if cell and cell.last_reported_on
        else None,
        "direction": cell.direction.value if cell and cell.direction else None,
        "overdue": bool(cell and cell.overdue),
        "stale": bool(cell and cell.stale),
        "reported_this_period": bool(cell and cell.reported),
        "adopted": cell is not None,
        "not_applicable": reason is not None,
        "not_applicable_reason": reason,
    }


def as_json(rollup: Rollup) -> list[dict[str, Any]]:
    """A list of shared actions, each with its code, title, Tayside status, and per area slug
    the RAG, status, last update date, direction of travel, overdue, stale and not-applicable
    flags."""
    return [
        {
            "code": row.key,
            "title": row.title,
            "target_date": row.target_date.isoformat() if row.target_date else None,
            "tayside_status": row.tayside_status.value if row.tayside_status else None,
            "areas": {area.slug: area_entry(row, area.slug) for area in rollup.areas},
        }
        for row in rollup.rows
    ]


def _area_cells(row: RollupRow, slug: str) -> list[Cell]:
    """An area's cell in words, as the screen says them: number, RAG, status, last update,
    overdue, not reported this period (or "Does not apply" with the reason, or "Not
    adopted")."""
    cell = row.cells.get(slug)
    if cell is None:
        reason = row.not_applicable.get(slug)
        return [
            Cell(""),
            Cell("Does not apply" if reason is not None else "Not adopted"),
            Cell(reason or ""),
            Cell(""),
            Cell(""),
            Cell(""),
        ]
    if cell.stale and cell.last_reported_on is not None:
        rag = Cell(f"Not reported this period (last: {rag_words(cell.rag, cell.status)})")
    elif cell.rag is not None:
        rag = Cell.of_rag(cell.rag)
    elif cell.status is ProgressStatus.COMPLETED:
        rag = Cell("Completed")
    else:
        rag = Cell("No RAG" if cell.status else "Not reported")
    return [
        Cell(cell.action_code),
        rag,
        Cell(cell.status.label if cell.status else "Not reported"),
        Cell.of_date(cell.last_reported_on),
        Cell(f"Overdue since {day_words(cell.overdue_since)}" if cell.overdue_since else ""),
        Cell("Not reported this period" if cell.stale else ""),
    ]


TAYSIDE_RAG = {
    TaysideStatus.RED: Rag.RED,
    TaysideStatus.AMBER: Rag.AMBER,
    TaysideStatus.GREEN: Rag.GREEN,
}


def rollup_table(rollup: Rollup) -> Table:
    """The matrix as a table: a row per shared action, six columns per area."""
    columns = ["Shared action", "Code", "Tayside status"]
    for area in rollup.areas:
        columns += [
            f"{area.name}: number",
            f"{area.name}: RAG",
            f"{area.name}: status",
            f"{area.name}: last update",
            f"{area.name}: overdue",
            f"{area.name}: not reported this period",
        ]
    rows = []
    for row in rollup.rows:
        status = row.tayside_status
        cells = [
            Cell(row.title),
            Cell(row.key),
            Cell(status.label if status else "", rag=TAYSIDE_RAG.get(status)),
        ]
        for area in rollup.areas:
            cells += _area_cells(row, area.slug)
        rows.append(cells)
    widths = [50, 20, 14] + [10, 12, 12, 12, 9, 8] * len(rollup.areas)
    return Table(columns, rows, widths=widths, key="rollup")


def as_table(rollup: Rollup) -> tuple[list[str], list[list[str]]]:
    """The matrix as rows of text (dates as YYYY-MM-DD)."""
    table = rollup_table(rollup)
    rows = [[c.date.isoformat() if c.date else c.text for c in row] for row in table.rows]
    return table.columns, rows


def to_csv(rollup: Rollup) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([f"TRIC PG5 rollup as at {rollup.as_at.isoformat()}"])
    headers, rows = as_table(rollup)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(rollup: Rollup) -> bytes:
    """A workbook: the matrix (dates as dates, RAG and Tayside status coloured and written
    out, header frozen, filters, widths), and the trend."""
    from openpyxl import Workbook  # imported when a workbook is made, not at start-up
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from core.services.records.spreadsheet_tables import write_table

    book = Workbook()
    sheet = book.active
    sheet.title = "Rollup"
    append_row(sheet, [f"TRIC PG5 rollup as at {rollup.as_at.isoformat()}"])
    sheet["A1"].font = Font(bold=True)
    widths: dict[int, float] = {}
    write_table(sheet, rollup_table(rollup), widths, first=True)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    trend = book.create_sheet("Trend")
    trend_table = Table(
        ["Reporting date", "Red", "Amber", "Green", "No RAG"],
        [
            [
                Cell.of_date(point.reported_on),
                Cell.of_count(point.red),
                Cell.of_count(point.amber),
                Cell.of_count(point.green),
                Cell.of_count(point.no_rag),
            ]
            for point in rollup.trend
        ],
    )
    trend_widths: dict[int, float] = {}
    write_table(trend, trend_table, trend_widths, first=True)
    for column, width in trend_widths.items():
        trend.column_dimensions[get_column_letter(column)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

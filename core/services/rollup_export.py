"""The TRIC rollup as JSON (the command line and the API), and as a table for CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.enums import Rag
from core.report_formats.rag_colours import RAG_FILLS, RAG_TEXT
from core.rollup_types import RollupRow
from core.services.rollup import Rollup
from core.services.spreadsheet_safety import safe_row


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
        "overdue": bool(cell and cell.overdue),
        "stale": bool(cell and cell.stale),
        "adopted": cell is not None,
        "not_applicable": reason is not None,
        "not_applicable_reason": reason,
    }


def as_json(rollup: Rollup) -> list[dict[str, Any]]:
    """A list of shared actions, each with its code, title, Tayside status, and per area slug
    the RAG, status, last update date, overdue, stale and not-applicable flags."""
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


def cell_text(row: RollupRow, slug: str) -> list[str]:
    """An area's cell in words: number, RAG, status, last update, overdue, stale."""
    cell = row.cells.get(slug)
    if cell is None:
        reason = row.not_applicable.get(slug)
        return [
            "",
            "Does not apply" if reason is not None else "Not adopted",
            reason or "",
            "",
            "",
            "",
        ]
    return [
        cell.action_code,
        f"{cell.rag.value} {cell.rag.word}" if cell.rag else "No RAG",
        cell.status.label if cell.status else "Not reported",
        cell.last_reported_on.isoformat() if cell.last_reported_on else "",
        "Overdue" if cell.overdue else "",
        "Stale" if cell.stale else "",
    ]


def as_table(rollup: Rollup) -> tuple[list[str], list[list[str]]]:
    """The matrix as rows of cells for a spreadsheet, each safe to open (no formulas)."""
    headers, rows = _table(rollup)
    return safe_row(headers), [safe_row(row) for row in rows]


def _table(rollup: Rollup) -> tuple[list[str], list[list[str]]]:
    headers = ["Shared action", "Code", "Tayside status"]
    for area in rollup.areas:
        headers += [
            f"{area.name}: number",
            f"{area.name}: RAG",
            f"{area.name}: status",
            f"{area.name}: last update",
            f"{area.name}: overdue",
            f"{area.name}: stale",
        ]
    rows = []
    for row in rollup.rows:
        values = [row.title, row.key, row.tayside_status.label if row.tayside_status else ""]
        for area in rollup.areas:
            values += cell_text(row, area.slug)
        rows.append(values)
    return headers, rows


def to_csv(rollup: Rollup) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"TRIC PG5 rollup as at {rollup.as_at.isoformat()}"])
    headers, rows = as_table(rollup)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(rollup: Rollup) -> bytes:
    """A workbook: the matrix (RAG cells coloured, with letter and word), and the trend."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Rollup"
    sheet.append([f"TRIC PG5 rollup as at {rollup.as_at.isoformat()}"])
    sheet["A1"].font = Font(bold=True)
    headers, rows = as_table(rollup)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            rag = (
                Rag(cell.value[0]) if isinstance(cell.value, str) and _is_rag(cell.value) else None
            )
            if rag is not None:
                cell.fill = PatternFill("solid", fgColor=RAG_FILLS[rag])
                cell.font = Font(bold=True, color=RAG_TEXT[rag])
    sheet.column_dimensions["A"].width = 60
    trend = book.create_sheet("Trend")
    trend.append(["Reporting date", "Red", "Amber", "Green", "No RAG"])
    for point in rollup.trend:
        trend.append([point.reported_on, point.red, point.amber, point.green, point.no_rag])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _is_rag(value: str) -> bool:
    return value in {f"{r.value} {r.word}" for r in Rag}

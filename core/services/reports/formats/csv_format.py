"""The report's action table as CSV: every action, its RAG, status and latest commentary."""

from __future__ import annotations

import io

from core.services.records.spreadsheet_safety import csv_writer
from core.services.reports.cells import action_table


def render(report) -> bytes:
    table = action_table(report.data)
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(c.date.isoformat() if c.date else c.text for c in row)
    # With a byte order mark, Excel opens it as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")

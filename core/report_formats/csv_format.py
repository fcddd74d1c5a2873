"""The report's action table as CSV: every action, its RAG, status and latest commentary."""

from __future__ import annotations

import csv
import io

from core.default_plugins.report_sections import action_table
from core.services.spreadsheet_safety import safe_row


def render(report) -> bytes:
    table = action_table(report.data)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(table.columns))
    for row in table.rows:
        writer.writerow(safe_row(c.date.isoformat() if c.date else c.text for c in row))
    # With a byte order mark, Excel opens it as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")

"""``cpc rollup``: the TRIC PG5 rollup on the command line."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.cli.helpers import date_option, registry
from core.services.tric.rollup import Rollup, tayside_rollup


@click.command("rollup")
@with_appcontext
@click.option("--as-at", callback=date_option, help="Reporting date, YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rollup_command(as_at: dt.date | None, as_json: bool) -> None:
    """Print the TRIC PG5 rollup: each shared action, each area's state, the Tayside status."""
    demo = current_app.config["DEMO"]
    found = tayside_rollup(db.get_session(), registry(), as_at, include_synthetic=demo)
    if as_json:
        from core.services.tric import rollup_export  # openpyxl: only for this command

        click.echo(json.dumps(rollup_export.as_json(found), indent=2))
        return
    click.echo(_rollup_table(found))


def _rollup_table(rollup: Rollup) -> str:
    def cell(row, slug: str) -> str:
        found = row.cells.get(slug)
        if found is None:
            return "n/a" if slug in row.not_applicable else "-"
        when = f" {found.last_reported_on:%d/%m/%Y}" if found.last_reported_on else ""
        marks = ("*" if found.overdue else "") + ("~" if found.stale else "")
        rag = found.rag.value if found.rag else ("done" if found.status else "unreported")
        return f"{found.action_code} {rag}{when}{marks}"

    last = rollup.last_reporting_date
    lines = [
        f"TRIC PG5 rollup as at {rollup.as_at:%d/%m/%Y}"
        + (f" (last reporting date {last:%d/%m/%Y})" if last else " (nothing reported yet)")
    ]
    header = ["Shared action", "Tayside", *(area.name for area in rollup.areas)]
    table = [
        [
            row.title if len(row.title) <= 45 else row.title[:44] + "…",
            row.tayside_status.label if row.tayside_status else "",
            *(cell(row, area.slug) for area in rollup.areas),
        ]
        for row in rollup.rows
    ]
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for values in [header, *table]:
        lines.append("  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip())
    lines.append(
        "Each area: its number, RAG and last update. * overdue; ~ not reported this period (the "
        "RAG is last period's, and counts as not reported); n/a does not apply; - not adopted."
    )
    return "\n".join(lines)

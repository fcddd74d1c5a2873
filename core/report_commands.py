"""``cpc report``: a plan's committee progress report as a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.report_formats import FORMATS, render
from core.schemas.dates import parse_date
from core.services import plans
from core.services.report import build_report


def _date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


@click.command("report")
@with_appcontext
@click.argument("area")
@click.option("--plan", "plan_slug", help="Plan slug (default: the plan in force on the date).")
@click.option(
    "--as-at",
    callback=_date,
    help="YYYY-MM-DD (default: the latest reporting date, or the end of an ended plan, or today).",
)
@click.option(
    "--format", "format_key", type=click.Choice(list(FORMATS)), required=True, help="File format."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write.",
)
def report_command(
    area: str, plan_slug: str | None, as_at: dt.date | None, format_key: str, output: Path
) -> None:
    """Write the committee progress report of AREA's plan (its slug) to a file."""
    session = db.get_session()
    try:
        found = plans.area_by_slug(session, area)
        plan = (
            plans.plan_by_slug(session, area, plan_slug)
            if plan_slug
            else plans.current_plan(found, as_at)
        )
    except plans.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    report = build_report(session, current_app.extensions["cpc_plugins"], plan, as_at)
    output.write_bytes(render(report, format_key))
    for problem in report.problems:
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(f"Wrote {report.title} ({FORMATS[format_key].name}) to {output}.")

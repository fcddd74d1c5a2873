"""``cpc report``: a plan's committee progress report as a file; ``cpc annual-report``: an
area's annual report for a reporting year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.cli.helpers import date_option, plan_named
from core.services.plans import plans
from core.services.reports import annual
from core.services.reports.formats import FORMATS, annual_formats, render
from core.services.reports.report import CONTENTS, build_report


@click.command("report")
@with_appcontext
@click.argument("area")
@click.option("--plan", "plan_slug", help="Plan slug (default: the plan in force on the date).")
@click.option(
    "--as-at",
    callback=date_option,
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
@click.option(
    "--contents",
    type=click.Choice(list(CONTENTS)),
    default="full",
    show_default=True,
    help="The full paper, or the summary paper (what changed, updates not received, "
    "exceptions, the Progress/Update table, KPIs and the CYPFP page).",
)
def report_command(
    area: str,
    plan_slug: str | None,
    as_at: dt.date | None,
    format_key: str,
    output: Path,
    contents: str,
) -> None:
    """Write the committee progress report of AREA's plan (its slug) to a file."""
    session = db.get_session()
    plan = plan_named(session, area, plan_slug, as_at)
    plugins = current_app.extensions["cpc_plugins"]
    report = build_report(session, plugins, plan, as_at, contents)
    output.write_bytes(render(report, format_key))
    for problem in report.problems:
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(f"Wrote {report.title} ({FORMATS[format_key].name}) to {output}.")


@click.command("annual-report")
@with_appcontext
@click.argument("area")
@click.option("--year", required=True, help="The reporting year, like 2021-22.")
@click.option("--template", "template_key", help="A template's key (default: the report's own).")
@click.option(
    "--format",
    "format_key",
    type=click.Choice(list(annual_formats.FORMATS)),
    required=True,
    help="File format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write.",
)
def annual_report_command(
    area: str, year: str, template_key: str | None, format_key: str, output: Path
) -> None:
    """Write AREA's annual report (its slug; `tayside` for TRIC PG5's) for a reporting year
    to a file: the template's sections, the narrative written in the app, and the year's
    figures as at its end."""
    session = db.get_session()
    try:
        found = annual.TAYSIDE if area == annual.TAYSIDE.slug else plans.area_by_slug(session, area)
        chosen = annual.year_for(session, found, year)
    except (plans.NotFound, ValueError) as problem:
        raise click.UsageError(str(problem)) from None
    plugins = current_app.extensions["cpc_plugins"]
    document = annual.build(session, plugins, found, chosen, template_key=template_key)
    if template_key and document.template.key != template_key:
        raise click.UsageError(f"There is no annual report template {template_key!r}.")
    output.write_bytes(annual_formats.render(document, format_key))
    for problem in document.problems:
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(f"Wrote {document.title} ({format_key.upper()}) to {output}.")

"""``cpc kpi import``, ``cpc kpi import-national`` and ``cpc kpi pull``: KPI figures from a CSV
file, the published national statistics from a CSV or Excel table, or figures from each area's
own system through its plugin."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.enums import JobState
from core.models import Job
from core.services.errors import Conflict
from core.services.jobs import kpi_pulls
from core.services.kpis.kpi_transfer import KpiImportRefused, import_values
from core.services.kpis.national_import import import_national
from core.services.plans import plans
from core.worker import Worker


@click.group("kpi")
def kpi_group() -> None:
    """KPI figures: import a CSV file, or pull them from the area plugins."""


@kpi_group.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Record the figures in FILE, a CSV with the columns area, kpi (the KPI's key), period,
    value, numerator, denominator, source and edition. Every problem is listed with its row;
    nothing is stored unless every row is valid."""
    result = _imported(file, lambda session: import_values(session, file.read_bytes(), actor=None))
    click.echo(
        f"Recorded {result.recorded} figure(s) from {file.name}; "
        f"{result.unchanged} were already recorded as they are."
    )


@kpi_group.command("import-national")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_national_command(file: Path) -> None:
    """Record the national statistics in FILE, a CSV or Excel (.xlsx) table with the columns
    area (the council's official code or its name as the tables print it), year (2023-24),
    measure (a national measure's key), value, numerator, denominator, edition (2023-24),
    source and definition. A newer edition supersedes the figure in force, which stays in the
    history. Every problem is listed with its row; nothing is stored unless every row is
    valid."""
    result = _imported(
        file,
        lambda session: import_national(session, file.read_bytes(), actor=None, filename=file.name),
    )
    click.echo(f"From {file.name}: {result.words()}")


def _imported(file: Path, run):
    """Run an import of ``file`` in one transaction: every problem printed with its row, and
    nothing stored unless all of it is valid."""
    try:
        with db.transaction() as session:
            return run(session)
    except Conflict as clash:
        raise click.ClickException(clash.message) from None
    except KpiImportRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(refused.problems)} problem(s) in {file.name}."
        ) from None


@kpi_group.command("pull")
@with_appcontext
@click.option("--area", "area_slug", help="Only this area (its slug).")
@click.option("--period", help='Only this period ("2025-03", "2025-Q1", "2025" or a date).')
def pull_command(area_slug: str | None, period: str | None) -> None:
    """Ask each area plugin for its KPI figures (by default, each KPI's last period due) and
    record them, as a job on the queue (run now, or by a `cpc worker`). A coordinator's own
    entry is never overwritten: a differing pulled figure waits on the KPI's page for a
    decision. Says what could not be got."""
    session = db.get_session()
    try:
        area = plans.area_by_slug(session, area_slug) if area_slug else None
    except plans.NotFound as missing:
        raise click.ClickException(str(missing)) from None
    app = current_app._get_current_object()
    with db.transaction() as session:
        job_id = kpi_pulls.enqueue(session, area=area, period=period, today=dt.date.today()).id
    # Run it now (a `cpc worker` running elsewhere may take it; then this waits for it).
    Worker(app, name=f"cpc-kpi-pull:{os.getpid()}").run_until_idle(timeout=600)
    session = db.get_session()
    job = session.get(Job, job_id, populate_existing=True)
    if job.state is not JobState.DONE:
        reason = job.error or "it is still waiting: see the Jobs page"
        raise click.ClickException(f"The pull did not finish ({reason}).")
    result = job.result
    click.echo(f"Recorded {len(result['recorded'])} figure(s).")
    if result["unchanged"]:
        click.echo(f"{len(result['unchanged'])} were already recorded as they are.")
    for label in result["proposed"]:
        click.echo(f"Differs from a coordinator's entry, waiting for their decision: {label}")
    for label in result["not_found"]:
        click.echo(f"No plugin could supply: {label}")
    for problem in result["problems"]:
        click.echo(f"Problem: {problem}", err=True)

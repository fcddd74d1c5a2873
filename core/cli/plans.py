"""Plans on the command line: ``cpc export-plan`` and ``cpc import-plan`` (a plan as a
workbook or JSON file, and back), ``cpc summary`` (its Progress/Update Report row) and ``cpc
sync-plans`` (the installed plans against their plugins' files)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.cli.helpers import date_option, plan_named
from core.services.plans import loader, plan_sync, plans
from core.services.plans.summary import PlanSummary, plan_summary


@click.command("export-plan")
@with_appcontext
@click.argument("area")
@click.option("--plan", "plan_slug", help="Plan slug (default: the plan in force today).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="FILE.xlsx (a workbook) or FILE.json (the JSON plan format plugins use).",
)
def export_plan_command(area: str, plan_slug: str | None, output: Path) -> None:
    """Write AREA's plan with its outcomes, actions, leads, KPI measures, ongoing actions,
    evidence menu and updates."""
    if output.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter("Name the file .xlsx or .json.", param_hint="--output")
    session = db.get_session()
    plan = plan_named(session, area, plan_slug)
    from core.services.plans.plan_transfer import export_json, export_xlsx  # openpyxl: only here

    write = export_xlsx if output.suffix.lower() == ".xlsx" else export_json
    output.write_bytes(write(session, plan))
    click.echo(f"Wrote {plan.area.name}'s plan {plan.slug!r} to {output}.")


@click.command("import-plan")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--area", "area_slug", required=True, help="The area the plan is for (its slug).")
@click.option("--slug", help="The new plan's slug (default: the one in the file).")
def import_plan_command(file: Path, area_slug: str, slug: str | None) -> None:
    """Import FILE (.xlsx as export-plan writes it, or the JSON plan format) as a new plan.
    Every problem is listed; nothing is stored unless all of it is valid."""
    from core.services.plans.plan_transfer import ImportRefused, import_plan  # openpyxl: only here

    session = db.get_session()
    try:
        area = plans.area_by_slug(session, area_slug)
        plan = import_plan(
            session,
            file.read_bytes(),
            file.name,
            area=area,
            actor=None,
            slug=slug,
            frames=loader.plan_frames(current_app.extensions["cpc_plugins"]),
        )
    except plans.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    except ImportRefused as refused:
        session.rollback()
        for problem in refused.problems:
            click.echo(f"- {problem}", err=True)
        raise click.ClickException(
            f"{file.name} was not imported: {len(refused.problems)} problem(s) above."
        ) from None
    session.commit()
    click.echo(f"Imported {plan.title!r} as {area.name}'s plan {plan.slug!r}.")


@click.command("summary")
@with_appcontext
@click.argument("area")
@click.option("--as-at", callback=date_option, help="Reporting date, YYYY-MM-DD (default today).")
@click.option("--plan", "plan_slug", help="Plan slug (default: the plan in force on the date).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def summary_command(area: str, as_at: dt.date | None, plan_slug: str | None, as_json: bool):
    """Print a plan's Progress/Update Report row for AREA (its slug)."""
    session = db.get_session()
    plan = plan_named(session, area, plan_slug, as_at)
    summary = plan_summary(session, plan, as_at)
    if as_json:
        click.echo(json.dumps({"area": area, "plan": plan.slug, **summary.as_json()}, indent=2))
        return
    click.echo(f"{plan.area.committee_name}: {plan.title}")
    click.echo(_summary_table(summary))


def _summary_table(summary: PlanSummary) -> str:
    def dash(n: int) -> str:
        return str(n) if n else "-"

    years = " and ".join(f"Year {year}: {count}" for year, count in summary.by_year.items())
    rows = [
        ("Date", f"{summary.as_at:%d/%m/%Y}"),
        ("Total actions/tasks", str(summary.total)),
        ("Completed", dash(summary.completed)),
        ("Added", dash(summary.added)),
        ("Ongoing", f"{summary.ongoing}" + (f" ({years})" if years else "")),
        ("Ongoing/maintenance actions (listed apart)", str(summary.maintenance)),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)


@click.command("sync-plans")
@with_appcontext
@click.option("--apply", "apply_", is_flag=True, help="Apply the differences (recorded).")
def sync_plans_command(apply_: bool) -> None:
    """Compare every plugin's plan files with the plans in the database and show the
    differences: actions added, wording changed, items removed. With --apply, apply them as
    recorded changes (wording history and audit trail); progress updates are never touched,
    and a coordinator's own edit is never undone without saying so."""
    registry = current_app.extensions["cpc_plugins"]
    with db.transaction() as session:
        result = plan_sync.sync_plans(session, registry, apply=apply_)
        if not apply_:
            session.rollback()
    for line in result.lines():
        click.echo(line)
    for problem in result.problems:
        click.secho(f"Problem: {problem}", fg="red", err=True)
    if not result.differences:
        click.echo("Every plan in the database matches its plugin's file.")
    elif apply_:
        click.echo(f"Applied {len(result.applicable)} change(s).")
    else:
        click.echo(
            f"{len(result.differences)} difference(s), {len(result.applicable)} to apply: run "
            "with --apply to apply them."
        )

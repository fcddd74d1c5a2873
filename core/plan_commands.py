"""``cpc export-plan`` and ``cpc import-plan``: a plan as a workbook or JSON file, and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.cli_helpers import plan_named
from core.services import loader, plans


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
    from core.services.plan_transfer import export_json, export_xlsx  # openpyxl: only here

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
    from core.services.plan_transfer import ImportRefused, import_plan  # openpyxl: only here

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

"""``cpc new-plugin`` (a plugin package, scaffolded) and ``cpc sync-plans`` (the plugins' plan
files, compared with the database and applied as recorded changes)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.scaffold import ScaffoldError, module_name, scaffold
from core.services import plan_sync


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to make the package (a folder named NAME is made in it).",
)
def new_plugin_command(name: str, into: Path) -> None:
    """Make a pip-installable area plugin NAME (also its area's slug): a pyproject with the
    tayside_cpc entry point, a hook module registering the area, a small draft plan file and
    the plugin's own tests, which pass as generated."""
    try:
        root = scaffold(name, into)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Made {root}: the module {module_name(name)} and its tests.")
    click.echo(f"Next: pip install {root}, then cpc plugins --check and cpc init.")


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

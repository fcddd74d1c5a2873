"""Plugins on the command line: ``cpc plugins`` (each installed plugin, its hooks and any
problem) and ``cpc new-plugin`` (a plugin package, scaffolded)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.cli.helpers import registry
from core.hooks.registry import PluginProblem, PluginRegistry
from core.scaffold import ScaffoldError, module_name, scaffold


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


@click.command("plugins")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Also check every plugin's data files and hooks (in a throwaway database: yours is "
    "not changed); exit 1 if there is a problem.",
)
def plugins_command(as_json: bool, check: bool) -> None:
    """List each plugin, its version and the hooks it implements, and any problem."""
    installed = registry()
    rows = installed.describe()
    found = check_installed(installed) if check else installed.problems
    problems = [str(p) for p in found]
    if as_json:
        click.echo(json.dumps({"plugins": rows, "problems": problems}, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']} ({row['version']}): {', '.join(row['hooks']) or 'no hooks'}")
    for problem in problems:
        click.secho(f"Problem: {problem}", fg="red", err=True)
    if check:
        click.echo(f"{len(problems)} problem(s) found." if problems else "No problems found.")
        if problems:
            raise SystemExit(1)


def check_installed(registry: PluginRegistry) -> list[PluginProblem]:
    """Every problem with the plugins' hooks and data files, found without touching the
    database: the registry's own (a plugin that failed to load, an unknown hook, a hook whose
    arguments do not match, pages refused), then a load of every plugin's content into a
    throwaway database (each data file checked against its schema, plans against the areas
    their plugin registers, adoptions against the shared actions)."""
    import tempfile
    from pathlib import Path

    from sqlalchemy.orm import Session

    from core import db, migrate
    from core.services.plans import loader

    problems = list(registry.problems)
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'check.db'}")
        try:
            migrate.upgrade(engine)
            with Session(engine) as session:
                report = loader.load_plugin_content(session, registry)
                session.rollback()
        finally:
            engine.dispose()
    problems += [p for p in report.problems if p not in problems]
    return problems

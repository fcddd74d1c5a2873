"""Every `cpc` command, registered on the app (each checking first that the database has been
made), and `cpc init`."""

from __future__ import annotations

import functools

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from core import db, migrate
from core.cli.backup import backup_command, restore_command
from core.cli.demo import demo_data_command
from core.cli.helpers import registry
from core.cli.kpis import kpi_group
from core.cli.plans import (
    export_plan_command,
    import_plan_command,
    summary_command,
    sync_plans_command,
)
from core.cli.plugins import new_plugin_command, plugins_command
from core.cli.reminders import remind_command
from core.cli.reports import annual_report_command, report_command
from core.cli.serve import serve_command
from core.cli.tric import rollup_command
from core.cli.users import token_group, user_group
from core.cli.worker import worker_command
from core.services.accounts import accounts
from core.services.plans import loader


def init_app(app: Flask) -> None:
    commands = (
        init_command,
        backup_command,
        restore_command,
        serve_command,
        plugins_command,
        new_plugin_command,
        sync_plans_command,
        summary_command,
        rollup_command,
        report_command,
        annual_report_command,
        demo_data_command,
        export_plan_command,
        import_plan_command,
        user_group,
        token_group,
        kpi_group,
        remind_command,
        worker_command,
    )
    for command in commands:
        if command.name not in WITHOUT_DATABASE:
            _needs_database(command)
        app.cli.add_command(command)


# Commands that make the database, fill an empty one, or need none.
WITHOUT_DATABASE = frozenset({"init", "restore", "new-plugin", "plugins"})


def _needs_database(command: click.Command) -> None:
    """Before ``command`` (each of a group's) runs, check that the database has been made,
    and if not say so in one line rather than fail with a traceback."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _needs_database(sub)
        return
    original = command.callback
    if original is None:
        return

    @functools.wraps(original)
    def checked(*args, **kwargs):
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        with app.app_context():
            engine = db.engine()
            with engine.connect() as connection:
                made = sa.inspect(connection).has_table("alembic_version")
        if not made:
            where = engine.url.render_as_string(hide_password=True)
            raise click.ClickException(
                f"No database yet at {where}: run `cpc init` first (it makes the database and "
                "loads the three areas)."
            )
        return original(*args, **kwargs)

    command.callback = checked


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Migrate the database and load every plugin's areas and plans (safe to run again).
    On first run, create an admin account and print its generated password."""
    migrate.upgrade(db.engine())
    with db.transaction() as session:
        report = loader.load_plugin_content(session, registry())
        first_admin = accounts.ensure_first_admin(session, current_app.config["ADMIN_EMAIL"])
    click.echo(f"Database ready: {db.engine().url.render_as_string(hide_password=True)}")
    for label, items in (
        ("Areas added", report.areas_added),
        ("Shared actions added", report.shared_actions_added),
        ("Plans added", report.plans_added),
        ("Plans already loaded", report.plans_present),
        ("Quality frameworks added", report.frameworks_added),
    ):
        if items:
            click.echo(f"{label}: {', '.join(items)}")
    for problem in report.problems:
        click.secho(f"Problem: {problem}", fg="red", err=True)
    if first_admin is not None:
        user, password = first_admin
        click.echo(
            f"First run: created the admin account.\n"
            f"  Sign in as: {user.email}\n"
            f"  Password:   {password}\n"
            "  (shown only now: change it under 'Change password' after signing in; "
            f"`cpc user set-password {user.email}` sets a new one)"
        )

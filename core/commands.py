"""Command-line commands: init, serve, plugins, summary."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import socket
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from core import db, migrate
from core.cli_helpers import date_option, plan_named
from core.demo_commands import demo_data_command
from core.kpi_commands import kpi_group
from core.links import mail_settings_problem
from core.plan_commands import export_plan_command, import_plan_command
from core.plugin_commands import new_plugin_command, sync_plans_command
from core.plugins import check_installed
from core.reminder_commands import remind_command
from core.report_commands import report_command
from core.services import accounts, backup, loader
from core.services.rollup import Rollup, tayside_rollup
from core.services.summary import PlanSummary, plan_summary
from core.user_commands import token_group, user_group


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
        demo_data_command,
        export_plan_command,
        import_plan_command,
        user_group,
        token_group,
        kpi_group,
        remind_command,
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


def _registry():
    return current_app.extensions["cpc_plugins"]


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Migrate the database and load every plugin's areas and plans (safe to run again).
    On first run, create an admin account and print its generated password."""
    migrate.upgrade(db.engine())
    with db.transaction() as session:
        report = loader.load_plugin_content(session, _registry())
        first_admin = accounts.ensure_first_admin(session, current_app.config["ADMIN_EMAIL"])
    click.echo(f"Database ready: {db.engine().url.render_as_string(hide_password=True)}")
    for label, items in (
        ("Areas added", report.areas_added),
        ("Shared actions added", report.shared_actions_added),
        ("Plans added", report.plans_added),
        ("Plans already loaded", report.plans_present),
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


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(file: Path) -> None:
    """Write the whole database to FILE (a zip archive with the schema revision), as one
    consistent snapshot; the platform can keep serving meanwhile."""
    try:
        report = backup.backup(db.engine(), file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    file.chmod(0o600)  # it holds password hashes
    click.echo(
        f"Backed up {report.total} rows from {len(report.rows)} tables (schema revision "
        f"{report.schema_revision}) to {file}."
    )


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load a backup FILE into this empty database (SQLite or PostgreSQL, whichever the
    backup came from), then migrate it to the current schema."""
    try:
        report = backup.restore(db.engine(), file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {report.total} rows into {len(report.rows)} tables from schema revision "
        f"{report.schema_revision}; the database is now on the current schema."
    )


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes sharing the port (use PostgreSQL for more than one).",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 256), help="Per process."
)
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the platform with waitress: one process, or several sharing the port."""
    from waitress import create_server

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # One line per request, and the app's warnings, on stderr.
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    problem = mail_settings_problem(app.config)
    if problem:
        raise click.ClickException(f"Not serving: {problem}")
    if workers > 1 and app.extensions["cpc_engine"].dialect.name == "sqlite":
        raise click.ClickException(
            "Several web processes need PostgreSQL (set CPC_DATABASE_URL): SQLite lets one "
            "process write at a time."
        )
    limit = 4 * app.config["MAX_CONTENT_LENGTH"]
    try:
        listening = _listen(host, port)
    except OSError as error:
        raise click.ClickException(
            f"Cannot serve on {host}:{port}: {error.strerror or error}. Is the platform already "
            "running? Stop it, or choose another port with --port."
        ) from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"Tayside CPC improvement plans: open http://{shown}:{port}/ (Ctrl+C stops)")
    click.echo(
        "It answers to the host names " + ", ".join(app.config["TRUSTED_HOSTS"]) + " (others "
        "get 400: set CPC_TRUSTED_HOSTS, or CPC_BASE_URL, to the name people use)."
    )
    admins = accounts.admin_emails(db.get_session())
    if admins:
        click.echo(
            f"Sign in with your account. Administrators: {', '.join(admins)} (the first "
            "admin's password was printed by the first `cpc init`; `cpc user set-password "
            "EMAIL` sets a new one). `cpc user create EMAIL --role ...` adds accounts."
        )
    else:
        click.echo("There is no administrator account yet: run `cpc init` first.")
    db.get_session().close()
    # Waitress refuses a body far over the app's own limit before reading it into memory.
    if workers == 1:
        create_server(app, sockets=[listening], threads=threads, max_request_body_size=limit).run()
        return
    _run_workers(app, listening, workers, threads, limit)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(1024)
    except OSError:
        listening.close()
        raise
    return listening


def _run_workers(app, listening: socket.socket, workers: int, threads: int, limit: int) -> None:
    """Fork ``workers`` waitress processes that accept on one socket; each opens its own
    database connections. Stopping this process (Ctrl+C, SIGTERM) stops them all."""
    import os
    import signal

    from waitress import create_server

    app.extensions["cpc_engine"].dispose()
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                create_server(
                    app, sockets=[listening], threads=threads, max_request_body_size=limit
                ).run()
            finally:
                os._exit(0)
        children.append(pid)
    click.echo(f"{workers} web processes: {', '.join(map(str, children))}")

    def stop(_signum, _frame):
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


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
    registry = _registry()
    rows = registry.describe()
    found = check_installed(registry) if check else registry.problems
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


@click.command("rollup")
@with_appcontext
@click.option("--as-at", callback=date_option, help="Reporting date, YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rollup_command(as_at: dt.date | None, as_json: bool) -> None:
    """Print the TRIC PG5 rollup: each shared action, each area's state, the Tayside status."""
    demo = current_app.config["DEMO"]
    found = tayside_rollup(db.get_session(), _registry(), as_at, include_synthetic=demo)
    if as_json:
        from core.services import rollup_export  # openpyxl: only for this command

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

"""``cpc serve``: the platform served by several worker processes."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.links import mail_settings_problem
from core.services.accounts import accounts


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
@click.option(
    "--jobs/--no-jobs",
    default=True,
    show_default=True,
    help="Also run queued jobs (reports, emails) on a thread of each web process; --no-jobs "
    "when `cpc worker` processes run them.",
)
def serve_command(host: str, port: int, workers: int, threads: int, jobs: bool) -> None:
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
        if jobs:
            app.extensions["cpc_jobs"].start()
        try:
            create_server(
                app, sockets=[listening], threads=threads, max_request_body_size=limit
            ).run()
        finally:  # the server stopped: so does its job thread (the job in hand is finished)
            app.extensions["cpc_jobs"].stop()
        return
    _run_workers(app, listening, workers, threads, limit, jobs)


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


def _run_workers(
    app, listening: socket.socket, workers: int, threads: int, limit: int, jobs: bool
) -> None:
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
                if jobs:
                    app.extensions["cpc_jobs"].start()
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

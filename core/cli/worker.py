"""``cpc worker``: a process that runs queued jobs (reports in PDF and Word, emails, webhook
messages). Run any number, on any machines sharing the PostgreSQL database."""

from __future__ import annotations

import logging
import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from core.links import mail_settings_problem
from core.worker import Worker


@click.command("worker")
@with_appcontext
@click.option(
    "--until-idle", is_flag=True, help="Stop once no job is due, instead of waiting for more."
)
def worker_command(until_idle: bool) -> None:
    """Run queued jobs, one at a time, until stopped (Ctrl+C or SIGTERM: the job running is
    finished first). Jobs whose worker was killed are taken back after CPC_JOB_LEASE_SECONDS
    (60) without its heartbeat, and run again (an email that may have gone is left failed
    for an admin to retry, never sent twice). `cpc serve` also runs jobs on a thread of each
    web process unless given --no-jobs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    problem = mail_settings_problem(app.config)
    if problem:
        raise click.ClickException(f"Not running jobs: {problem}")
    worker = Worker(app)
    if until_idle:
        worker.run_until_idle(timeout=float("inf"))
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Running jobs as {worker.name} (Ctrl+C stops after the job in hand)")
    worker.run_forever(stop)

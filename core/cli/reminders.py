"""``cpc remind``: the reminder emails due today, each sent once (run it daily from cron or a
systemd timer): claimed in the sent-log, put on the job queue, and sent."""

from __future__ import annotations

import datetime as dt
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from core import db
from core.cli.helpers import date_option
from core.links import external_url, mail_settings_problem
from core.models import Action, Area, ReportingDate
from core.services import mail
from core.services.jobs import emails
from core.services.notify import reminders
from core.worker import Worker


@click.command("remind")
@with_appcontext
@click.option("--today", callback=date_option, help="Act as if today were this date (YYYY-MM-DD).")
def remind_command(today: dt.date | None) -> None:
    """Send the reminders due today, in the week before each reporting date's deadline and
    weekly after it until the meeting: each area's coordinators get a digest of the actions
    with no update, and each contributor (unless they switched reminders off) an email with a
    link to the update form of each of their actions with no update; and, weekly while any
    learning review stage is overdue or due within 7 days, each area's coordinators a digest
    of those stages. Each email is sent
    once, however often (and on however many machines) this runs; without CPC_SMTP_URL they
    are written to the log."""
    app = current_app._get_current_object()
    problem = mail_settings_problem(app.config)
    if problem:
        raise click.ClickException(problem)

    def link(record: ReportingDate) -> str:
        return external_url(
            app,
            "reporting.missing",
            slug=record.plan.area.slug,
            plan_slug=record.plan.slug,
            date_text=record.reported_on.isoformat(),
        )

    def update_link(action: Action) -> str:
        return external_url(app, "actions.new_update", action_id=action.id)

    def register_link(area: Area) -> str:
        return external_url(app, "learning_reviews.register", slug=area.slug)

    session = db.get_session()
    day = today or dt.date.today()
    due = reminders.due(session, day, link, update_link)
    due += reminders.review_digests(session, day, register_link)
    session.rollback()  # end the read before each claim commits on its own

    def queue(message: mail.Mail) -> None:
        with app.extensions["cpc_sessionmaker"]() as own:
            emails.enqueue(own, [message])
            own.commit()

    result = reminders.send_reminders(session, due, queue)
    # Send them now (a `cpc worker` running elsewhere may take some); one the mail server
    # refuses waits on the queue to be tried again, and shows on the Jobs page.
    Worker(app, name=f"cpc-remind:{os.getpid()}").run_until_idle(timeout=600)
    click.echo(
        f"Sent {len(result.sent)} reminder(s) through the job queue; "
        f"{len(result.already_sent)} had been sent already."
    )
    for line in result.sent:
        click.echo(f"Sent: {line}")
    for line in result.failed:
        click.echo(f"Not queued (will be tried again next run): {line}", err=True)
    if result.failed:
        raise SystemExit(1)

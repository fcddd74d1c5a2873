"""What a web or API write sets off once it is committed: the emails it produced, put on the
job queue (a worker sends them, so the answer never waits for the mail server, and neither
its slowness nor its failure shows to whoever made the request, nor tells by the time taken
whether an email was sent at all), and the plugins' ``after_change`` hook (a plugin that
raises is logged and skipped)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app

from core import db, worker
from core.enums import ReviewState
from core.hooks.change import ChangeEvent
from core.models import Action, ProgressUpdate, ReportingDate, SharedAction
from core.services import mail
from core.services.jobs import emails

log = logging.getLogger(__name__)


def send_all(mails: Iterable[mail.Mail | None]) -> None:
    """Queue ``mails`` (``None`` entries are skipped) once the change that made them is
    committed; a worker sends them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    messages = [message for message in mails if message is not None]
    if not messages:
        return

    def queue() -> None:
        with app.extensions["cpc_sessionmaker"]() as session:
            emails.enqueue(session, messages)
            session.commit()
        worker.wake(app)

    db.after_commit(queue)


def after_change(event: ChangeEvent) -> None:
    """Tell every plugin's ``after_change`` of a committed change (once it is committed)."""
    plugins = current_app.extensions["cpc_plugins"]

    def tell() -> None:
        for _name, _answer in plugins.call_each("after_change", change=event):
            pass  # the hook answers nothing; call_each logs and skips a plugin that raises

    db.after_commit(tell)


def action_event(action: Action, event: str) -> ChangeEvent:
    """The change event for an action ``event`` ("added", "reworded")."""
    return ChangeEvent(
        kind="action",
        event=event,
        area=action.plan.area.slug,
        record_id=action.id,
        summary=f"action {action.code} {event}",
    )


def update_event(update: ProgressUpdate, event: str) -> ChangeEvent:
    """The change event for a progress update ``event`` ("posted", "accepted", "returned",
    "corrected", "withdrawn", "redacted"); an update posted to wait for a coordinator's
    review is "submitted"."""
    action = update.action
    if event == "posted" and update.review is ReviewState.SUBMITTED:
        event = "submitted"
    return ChangeEvent(
        kind="progress_update",
        event=event,
        area=action.plan.area.slug,
        record_id=update.id,
        summary=f"progress update on action {action.code} {event}",
    )


def period_event(record: ReportingDate, event: str) -> ChangeEvent:
    """The change event for the period up to a plan's reporting date ``event`` ("locked",
    "unlocked")."""
    plan = record.plan
    assert plan is not None
    return ChangeEvent(
        kind="period",
        event=event,
        area=plan.area.slug,
        record_id=record.id,
        summary=f"the period up to the meeting on {record.reported_on.day} "
        f"{record.reported_on:%B %Y} {event} ({plan.title})",
    )


def shared_event(definition: SharedAction, event: str) -> ChangeEvent:
    """The change event for a TRIC PG5 shared action ``event`` ("reworded"): no one area's
    (``area`` is empty)."""
    return ChangeEvent(
        kind="shared_action",
        event=event,
        area="",
        record_id=definition.id,
        summary=f"TRIC PG5 shared action {definition.key} {event} (version {definition.version})",
    )

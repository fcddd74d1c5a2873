"""What a web or API write sets off once it is committed: the emails it produced (a mail
server that refuses one is logged, and the write still stands), and the plugins'
``after_change`` hook (a plugin that raises is logged and skipped)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app

from core.change_types import ChangeEvent
from core.models import Action, ProgressUpdate
from core.services import mail

log = logging.getLogger(__name__)


def send_all(mails: Iterable[mail.Mail | None]) -> None:
    for message in mails:
        if message is None:
            continue
        try:
            mail.send(
                message,
                smtp_url=current_app.config["SMTP_URL"],
                sender=current_app.config["MAIL_FROM"],
            )
        except Exception:  # the change is saved; the email is what failed
            log.exception("could not send %r to %s", message.subject, message.to)


def after_change(event: ChangeEvent) -> None:
    """Tell every plugin's ``after_change`` of a committed change."""
    for _name, _answer in current_app.extensions["cpc_plugins"].call_each(
        "after_change", change=event
    ):
        pass  # the hook answers nothing; call_each logs and skips a plugin that raises


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
    "corrected", "withdrawn", "redacted")."""
    action = update.action
    return ChangeEvent(
        kind="progress_update",
        event=event,
        area=action.plan.area.slug,
        record_id=update.id,
        summary=f"progress update on action {action.code} {event}",
    )

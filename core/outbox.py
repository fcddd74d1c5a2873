"""What a web or API write sets off once it is committed: the emails it produced, sent on a
thread of their own so that the answer never waits for the mail server (a server that refuses
one is logged, and the write still stands), and the plugins' ``after_change`` hook (a plugin
that raises is logged and skipped)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from flask import Flask, current_app

from core import db
from core.hooks.change import ChangeEvent
from core.models import Action, ProgressUpdate
from core.services import mail

log = logging.getLogger(__name__)


class Outbox:
    """Sends a request's emails on a thread of their own, so the answer goes out at once
    whatever the mail server does: neither its slowness nor its failure shows to whoever made
    the request (nor tells, by the time taken, whether an email was sent at all). An email
    still being sent when the process stops is lost; it is logged as it goes."""

    def __init__(self, app: Flask) -> None:
        self._config = app.config
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def send(self, mails: Iterable[mail.Mail | None]) -> None:
        messages = [message for message in mails if message is not None]
        if not messages:
            return
        thread = threading.Thread(target=self._deliver, args=(messages,), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _deliver(self, messages: list[mail.Mail]) -> None:
        for message in messages:
            try:
                mail.send(
                    message, smtp_url=self._config["SMTP_URL"], sender=self._config["MAIL_FROM"]
                )
            except Exception:  # the change is saved; the email is what failed
                log.exception("could not send %r to %s", message.subject, message.to)

    def sending(self) -> int:
        """How many batches of emails are still being sent."""
        with self._lock:
            return sum(1 for thread in self._threads if thread.is_alive())

    def wait(self, timeout: float = 30.0) -> None:
        """Wait until every email handed over so far has been sent (or has failed)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)


def init_app(app: Flask) -> None:
    app.extensions["cpc_outbox"] = Outbox(app)


def send_all(mails: Iterable[mail.Mail | None]) -> None:
    """Send ``mails`` (``None`` entries are skipped) after the answer, on a thread, once the
    change that made them is committed."""
    outbox, messages = current_app.extensions["cpc_outbox"], list(mails)
    db.after_commit(lambda: outbox.send(messages))


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
    "corrected", "withdrawn", "redacted")."""
    action = update.action
    return ChangeEvent(
        kind="progress_update",
        event=event,
        area=action.plan.area.slug,
        record_id=update.id,
        summary=f"progress update on action {action.code} {event}",
    )

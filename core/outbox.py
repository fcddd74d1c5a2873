"""Sending the emails a web or API write produced, after it has been committed: a mail server
that refuses one is logged, and the write still stands."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app

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

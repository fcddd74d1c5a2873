"""Emails as jobs: each saved on the queue once the change that made it is committed, then
sent by a worker, tried up to three times with back-off, and never sent twice (a worker that
stopped while sending leaves it failed, for an admin to retry)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable

from sqlalchemy.orm import Session

from core.services import mail
from core.services.jobs import queue

KIND = "email"


def enqueue(session: Session, messages: Iterable[mail.Mail]) -> list[int]:
    """Queue each message in ``session`` (the caller commits); their job ids."""
    made = [
        queue.enqueue(
            session,
            KIND,
            {"to": message.to, "subject": message.subject, "body": message.body},
            title=f"Email to {message.to}: {message.subject}",
        )
        for message in messages
    ]
    session.flush()
    return [job.id for job in made]


class NotSent(Exception):
    """The mail server refused the email or could not be reached: worth trying again."""


def send(args: dict, *, smtp_url: str | None, sender: str) -> dict:
    """The job: send the email. Answers the arguments to keep (without the body, which may
    hold a password-reset link)."""
    message = mail.Mail(to=args["to"], subject=args["subject"], body=args["body"])
    try:
        # Off the request, a slow server may take its time (a stall of 30 s is waited out).
        mail.send(message, smtp_url=smtp_url, sender=sender, timeout=60.0)
    except (OSError, smtplib.SMTPException) as problem:
        raise NotSent(f"The mail server did not take it: {problem}") from problem
    return {"to": args["to"], "subject": args["subject"]}

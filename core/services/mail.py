"""Sending email through SMTP, configured by one address (``CPC_SMTP_URL``); without one,
each message is written to the log instead (for a machine with no mail server)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)


class MailSettingsError(ValueError):
    """CPC_SMTP_URL cannot be understood; the message says why."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: ``smtp://[user:password@]host[:port][?starttls=1]`` (port 25;
    ``starttls=1`` upgrades the connection to TLS before signing in), or
    ``smtps://[user:password@]host[:port]`` (TLS from the start, port 465)."""

    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailSettingsError(
                "CPC_SMTP_URL must look like smtp://host:25 or smtps://user:password@host:465."
            )
        query = parse_qs(parts.query)
        try:
            port = parts.port
        except ValueError:
            raise MailSettingsError("CPC_SMTP_URL has a port that is not a number.") from None
        return cls(
            host=parts.hostname,
            port=port or (465 if parts.scheme == "smtps" else 25),
            tls=parts.scheme == "smtps",
            starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send(mail: Mail, *, smtp_url: str | None, sender: str, timeout: float = 10.0) -> None:
    """Send ``mail`` from ``sender``; without ``smtp_url``, write it to the log."""
    if not smtp_url:
        log.warning(
            "CPC_SMTP_URL is not set, so this email was not sent:\nTo: %s\nSubject: %s\n\n%s",
            mail.to,
            mail.subject,
            mail.body,
        )
        return
    settings = SmtpSettings.from_url(smtp_url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.to, mail.subject
    message.set_content(mail.body)
    context = ssl.create_default_context()
    if settings.tls:
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=timeout, context=context
        )
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with server:
        if settings.starttls:
            server.starttls(context=context)
        if settings.username:
            server.login(settings.username, settings.password or "")
        server.send_message(message)

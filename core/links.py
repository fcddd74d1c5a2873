"""Addresses of the platform's pages for emails, built from its configured address
(``CPC_BASE_URL``) only: never from a request's Host header, which whoever sends the request
chooses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

# Without a mail server, emails are written to the log, with links to this address.
LOCAL_BASE_URL = "http://localhost:5000"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


class BaseUrlMissing(RuntimeError):
    """Emails are sent but the platform's own address is not configured."""


def mail_settings_problem(config: Mapping[str, Any]) -> str | None:
    """Why emails cannot be sent with these settings, in one sentence, or None."""
    if config.get("SMTP_URL") and not config.get("BASE_URL"):
        return (
            "CPC_SMTP_URL is set but CPC_BASE_URL is not: links in emails are built from the "
            "platform's own address (for example https://cpc.example.gov.uk), never from a "
            "request, so set CPC_BASE_URL to it."
        )
    base = config.get("BASE_URL")
    if base and (urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc):
        return f"CPC_BASE_URL must be an address such as https://cpc.example.gov.uk, not {base!r}."
    return None


def base_url(config: Mapping[str, Any]) -> str:
    """The platform's address for links in emails."""
    problem = mail_settings_problem(config)
    if problem:
        raise BaseUrlMissing(problem)
    return config.get("BASE_URL") or LOCAL_BASE_URL


def trusted_hosts(config: Mapping[str, Any], listed: str | None) -> list[str]:
    """The Host headers a request may carry: ``CPC_TRUSTED_HOSTS`` (comma-separated) if set;
    otherwise the host of ``CPC_BASE_URL`` and this machine's own names."""
    if listed:
        return [name.strip() for name in listed.split(",") if name.strip()]
    base = config.get("BASE_URL")
    own = [urlsplit(base).hostname] if base and urlsplit(base).hostname else []
    return [*own, *LOOPBACK_HOSTS]


def external_url(app: Flask, endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint`` under the configured base URL, in or out of a
    request."""
    parts = urlsplit(base_url(app.config))
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def mail_link(endpoint: str, anchor: str = "", **values: Any) -> str | None:
    """The address of a page for an email sent from a request, or None (the email then goes
    without it) where the platform's address is not configured."""
    try:
        url = external_url(current_app, endpoint, **values)
    except BaseUrlMissing:
        return None
    return f"{url}#{anchor}" if anchor else url


def update_link(update) -> str | None:
    """A progress update on its action's page."""
    return mail_link("actions.show", anchor=f"update-{update.id}", action_id=update.action_id)


def action_link(action) -> str | None:
    return mail_link("actions.show", action_id=action.id)

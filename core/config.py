"""Settings: defaults, then the environment (CPC_*), then the test config."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core.enums import Role
from core.links import trusted_hosts
from core.services.accounts.accounts import Throttle
from core.services.accounts.sessions import SessionRules

MIB = 1024 * 1024


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    # The largest request body, in MiB: 2 unless CPC_MAX_REQUEST_MB says otherwise.
    max_request = int(float(os.environ.get("CPC_MAX_REQUEST_MB", "2")) * MIB)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("CPC_DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'cpc.sqlite'}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind https (any real deployment), cookies are sent over https only.
        SESSION_COOKIE_SECURE=os.environ.get("CPC_SECURE_COOKIES", "1") != "0",
        # Plugins come from the "tayside_cpc" entry points, plus any given here as
        # (name, plugin) pairs (tests register plugins in-process this way).
        PLUGINS_FROM_ENTRY_POINTS=True,
        EXTRA_PLUGINS=(),
        # Failed sign-ins allowed per email and per address before a pause.
        SIGN_IN_THROTTLE=Throttle(),
        # A signed-in session ends after this long unused, and after this long in all.
        SESSION_RULES=SessionRules(
            idle=dt.timedelta(hours=float(os.environ.get("CPC_SESSION_IDLE_HOURS", "8"))),
            lifetime=dt.timedelta(hours=float(os.environ.get("CPC_SESSION_LIFETIME_HOURS", "24"))),
        ),
        # The first-run admin account that `cpc init` creates when there are no accounts.
        ADMIN_EMAIL=os.environ.get("CPC_ADMIN_EMAIL", "admin@localhost"),
        # A form stays valid for a working day, so a long update is not lost.
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        # Behind N proxies (a load balancer), trust N X-Forwarded-For/-Proto headers.
        TRUSTED_PROXIES=int(os.environ.get("CPC_TRUSTED_PROXIES", "0")),
        # CPC_DEMO=1: a demonstration instance. Synthetic areas (cpc demo-data) count in the
        # rollup like real ones, and every page says that it shows demonstration data.
        DEMO=os.environ.get("CPC_DEMO", "0") == "1",
        # The largest request body accepted (forms and JSON): larger ones are refused with 413.
        MAX_CONTENT_LENGTH=max_request,
        MAX_FORM_MEMORY_SIZE=max_request,
        # Email (password-reset links): smtp://host:25, smtp://user:password@host:587?starttls=1
        # or smtps://user:password@host:465. Without it, each email is written to the log.
        SMTP_URL=os.environ.get("CPC_SMTP_URL") or None,
        MAIL_FROM=os.environ.get("CPC_MAIL_FROM", "cpc-platform@localhost"),
        # The platform's public address, for every link in an email (required with
        # CPC_SMTP_URL); a request's Host header is never used for one.
        BASE_URL=os.environ.get("CPC_BASE_URL") or None,
        # Whom the accessibility statement says to ask for another format or about a problem
        # (an email address, a phone number, a team); without it, the area's coordinator.
        ACCESSIBILITY_CONTACT=os.environ.get("CPC_ACCESSIBILITY_CONTACT", ""),
        # A Microsoft Teams or Slack incoming webhook: told of updates submitted for review,
        # updates returned, periods locked and PG5's rewordings (as jobs).
        WEBHOOK_URL=os.environ.get("CPC_WEBHOOK_URL") or None,
        # Seconds a running job goes without its worker's heartbeat before it counts as
        # abandoned (the worker was killed) and is taken back.
        JOB_LEASE_SECONDS=float(os.environ.get("CPC_JOB_LEASE_SECONDS", "60")),
        # The roles that must sign in with a second factor (CPC_REQUIRE_MFA=admin,coordinator):
        # a person in one is asked to set it up at sign-in.
        REQUIRE_MFA=_roles(os.environ.get("CPC_REQUIRE_MFA", "")),
        # CPC_LOCAL_PASSWORDS=0: nobody signs in with a password here (single sign-on only)
        # but break-glass administrators.
        LOCAL_PASSWORDS=os.environ.get("CPC_LOCAL_PASSWORDS", "1") != "0",
        # An account not signed in to for this many days is dormant: listed for review,
        # warned by email, and switched off this many days after the warning.
        DORMANT_DAYS=int(os.environ.get("CPC_DORMANT_DAYS", "180")),
        DORMANT_GRACE_DAYS=int(os.environ.get("CPC_DORMANT_GRACE_DAYS", "14")),
        # OpenID Connect providers: a JSON list in CPC_OIDC_PROVIDERS, or a file named by
        # CPC_OIDC_CONFIG holding one (checked when the app starts: core.web.sso).
        OIDC_PROVIDERS=_oidc_providers(),
        # Seconds a SQLite writer waits for another's lock before answering 503.
        SQLITE_BUSY_TIMEOUT=10.0,
        # A pooled connection idle for longer than this is checked before it is used.
        DB_PING_AFTER_SECONDS=1.0,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    if app.config.get("TRUSTED_HOSTS") is None:
        # A request whose Host header is not one of these is refused with 400.
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config, os.environ.get("CPC_TRUSTED_HOSTS"))
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("CPC_SECRET_KEY") or _instance_secret(app)


def _roles(text: str) -> tuple[Role, ...]:
    """Roles named in a comma-separated list; an unknown one stops the app, named."""
    found = []
    for name in (part.strip().lower() for part in text.split(",") if part.strip()):
        try:
            found.append(Role(name))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"CPC_REQUIRE_MFA names no role {name!r} (roles: {known}).") from None
    return tuple(found)


def _oidc_providers() -> Any:
    """The raw provider list from CPC_OIDC_PROVIDERS (JSON) or the CPC_OIDC_CONFIG file."""
    text = os.environ.get("CPC_OIDC_PROVIDERS")
    where = "CPC_OIDC_PROVIDERS"
    if not text and os.environ.get("CPC_OIDC_CONFIG"):
        where = os.environ["CPC_OIDC_CONFIG"]
        try:
            text = Path(where).read_text(encoding="utf-8")
        except OSError as problem:
            raise ValueError(f"CPC_OIDC_CONFIG: cannot read {where}: {problem.strerror}.") from None
    if not text:
        return []
    try:
        return json.loads(text)
    except json.JSONDecodeError as problem:
        raise ValueError(
            f"{where} is not valid JSON: {problem.msg} at line {problem.lineno}."
        ) from None


def _instance_secret(app: Flask) -> str:
    """A secret generated once per installation and kept in the instance folder (never in
    the repository). Several web processes on several machines need CPC_SECRET_KEY instead."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()

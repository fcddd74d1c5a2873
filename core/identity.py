"""Who is signed in, by browser session (a cookie naming a server-side session) or by personal
API token: the one module the web pages and the API both use, and that imports neither."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import LoginManager, current_user, login_user

from core import db
from core.db import MAX_ID
from core.models import User
from core.services.accounts import sessions, tokens
from core.services.records import audit

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


# Reachable without an account.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.sign_in",
        # The second step of a sign-in, and single sign-on (each checks its own state).
        "two_step.code",
        "two_step.set_up",
        "sso.start",
        "sso.callback",
        "static",
        "accessibility.statement",
        "password_reset.forgotten",
        "password_reset.reset",
        # A published plan its area made public (the view itself refuses every other plan).
        "public.plan",
        "public.print_view",
        "annual_reports.public_page",
        "annual_reports.public_pdf",
    }
)


def init_app(app: Flask) -> None:
    """Flask-Login for the app: sessions from the cookie, tokens from the Authorization
    header; every page but those in ``PUBLIC_ENDPOINTS`` needs an account."""
    manager = LoginManager(app)
    manager.login_view = "auth.sign_in"
    manager.login_message = "Sign in to see the improvement plans."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.request_loader(_load_user_from_token)

    @app.before_request
    def _audit_address():
        # Changes are audited with the address they came from; the user, once known.
        audit.act_as(db.get_session(), None, request.remote_addr or "")

    @app.before_request
    def _require_account():
        if is_api_request():
            return None  # the API answers 401 in JSON itself
        if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
            return manager.unauthorized()
        return None


def _load_user(user_id: str) -> User | None:
    """The signed-in user, if the cookie's session is still live on the server (not signed
    out, idle or too old, nor ended by a password change) and the account is active."""
    key = session.get("sid")
    if not user_id.isdigit() or not isinstance(key, str) or int(user_id) > MAX_ID:
        return None
    tx = db.get_session()
    user = sessions.user_for(tx, int(user_id), key, current_app.config["SESSION_RULES"])
    if user is not None:
        audit.act_as(tx, user, request.remote_addr or "")
    return user


def start_session(user: User) -> None:
    """Sign ``user`` in to this browser with a new server-side session (the caller has
    checked who they are)."""
    tx = db.get_session()
    key = sessions.start(tx, user, remote_addr=request.remote_addr or "unknown")
    tx.commit()
    session.clear()
    session["sid"] = key
    login_user(user)


def _load_user_from_token(req) -> User | None:
    """A personal API token (``Authorization: Bearer cpc_...``) signs in an API request."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not is_api_request():
        return None
    session = db.get_session()
    user = tokens.user_for_token(session, token.strip())
    if user is not None:
        if session.dirty:
            session.commit()  # when it was last used
        g.token_auth = True
        audit.act_as(session, user, req.remote_addr or "")
    return user


def signed_in_user() -> User:
    """The signed-in user as a model object (for services), not Flask-Login's proxy."""
    return current_user._get_current_object()  # type: ignore[attr-defined]

"""Signing in and out (Flask-Login), and the rule that every page but sign-in needs an account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user

from core import db
from core.api import is_api_request
from core.db import MAX_ID
from core.models import User
from core.schemas.forms import SignInForm
from core.services import accounts, audit, sessions, tokens
from core.web.forms import FormState, read_form

bp = Blueprint("auth", __name__)

# Reachable without an account.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.sign_in", "static", "password_reset.forgotten", "password_reset.reset"}
)


def init_app(app: Flask) -> None:
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
    if tx.dirty:
        tx.commit()  # when it was last seen, or that it has just expired
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


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere, nor one with control characters
    (which could split the redirect's headers)."""
    target = target or ""
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("pages.index")
    parts = urlsplit(target)
    local = not parts.scheme and not parts.netloc and target.startswith("/")
    if local and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.index"))
    form = FormState()
    status = 200
    if request.method == "POST":
        data, form = read_form(SignInForm)
        status = 400
        if data is not None:
            tx = db.get_session()
            try:
                user = accounts.sign_in(
                    tx,
                    email=data["email"],
                    password=data["password"],
                    remote_addr=request.remote_addr or "unknown",
                    throttle=current_app.config["SIGN_IN_THROTTLE"],
                )
            except accounts.SignInRefused as refused:
                tx.commit()  # the failed attempt counts towards the throttle
                form.add_error("email", str(refused))
                status = 429 if isinstance(refused, accounts.SignInThrottled) else 400
            else:
                start_session(user)
                if not request.args.get("next"):
                    from core.web.home import home_for

                    return redirect(home_for(user))
                return redirect(_safe_next(request.args.get("next")))
        form.values.pop("password", None)
    return render_template("sign_in.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    key = session.get("sid")
    if isinstance(key, str):
        with db.transaction() as tx:
            sessions.end(tx, key)
            if current_user.is_authenticated:
                audit.record_event(
                    tx,
                    kind="sign_in",
                    event_name="signed_out",
                    summary=f"{current_user.email} signed out",
                    record_id=current_user.id,
                )
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))

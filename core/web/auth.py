"""The sign-in and sign-out pages (who is signed in is ``core.identity``'s)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from core import db
from core.identity import signed_in_user, start_session
from core.services.accounts import accounts, sessions
from core.services.records import audit
from core.web.form_schemas import SignInForm
from core.web.forms import FormState, read_form
from core.web.home import home_for

__all__ = ["bp", "signed_in_user", "start_session"]

bp = Blueprint("auth", __name__)


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
                wanted = request.args.get("next")
                if not wanted or wanted in ("/", url_for("pages.index")):
                    return redirect(home_for(user))  # opening the site: go to one's own home
                return redirect(_safe_next(wanted))
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

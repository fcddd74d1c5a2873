"""Two-step sign-in for local accounts: the code asked for after the password, setting it up
(at sign-in when the role requires it, or from the account page), the recovery codes, and
turning it off. Between the password and the code, the browser's signed session holds only
who passed the password and when (for ``PENDING_FOR``): no process keeps any state."""

from __future__ import annotations

import datetime as dt
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from core import db
from core.identity import signed_in_user, start_session
from core.models import User
from core.services.accounts import accounts, mfa
from core.services.errors import FieldError
from core.web.forms import FormState
from core.web.home import home_for, safe_next

bp = Blueprint("two_step", __name__)

# How long, after the password, the second step may be taken.
PENDING_FOR = 600


def begin_pending(user: User, next_url: str | None) -> str:
    """Remember in the signed session that ``user`` passed the password; returns the page of
    the second step (the code, or setting it up)."""
    session.clear()
    session["pending"] = {"uid": user.id, "at": int(time.time()), "next": next_url or ""}
    return url_for("two_step.code" if mfa.enabled(user) else "two_step.set_up")


def _pending() -> User:
    """The user part-way through signing in, or back to the sign-in page."""
    pending = session.get("pending")
    if (
        not isinstance(pending, dict)
        or not isinstance(pending.get("uid"), int)
        or not isinstance(pending.get("at"), int)
        or time.time() - pending["at"] > PENDING_FOR
    ):
        session.pop("pending", None)
        abort(redirect(url_for("auth.sign_in")))
    user = db.get_session().get(User, pending["uid"])
    if user is None or not user.is_active:
        session.pop("pending", None)
        abort(redirect(url_for("auth.sign_in")))
    return user


def _finish(user: User, note: str = ""):
    wanted = session.get("pending", {}).get("next") or ""
    start_session(user)  # clears the pending step
    if note:
        flash(note, "important")
    return redirect(safe_next(wanted) if wanted else home_for(user))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def code():
    """The second step: a code from the authenticator app, or a recovery code."""
    user = _pending()
    form = FormState()
    if request.method == "POST":
        tx = db.get_session()
        try:
            how = accounts.second_step(
                tx,
                user,
                code=request.form.get("code", ""),
                remote_addr=request.remote_addr or "unknown",
                throttle=current_app.config["SIGN_IN_THROTTLE"],
            )
        except accounts.SignInRefused as refused:
            tx.commit()  # the failed try counts towards the throttle
            form.add_error("code", str(refused))
            status = 429 if isinstance(refused, accounts.SignInThrottled) else 400
            return render_template("sign_in_code.html", form=form), status
        tx.commit()
        note = ""
        if how == "recovery code":
            left = mfa.unused_recovery_codes(tx, user)
            note = (
                f"You signed in with a recovery code: {left} are left. If your phone is lost, "
                "ask an administrator to reset two-step sign-in, and set it up again."
            )
        return _finish(user, note)
    return render_template("sign_in_code.html", form=form)


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
def set_up():
    """Setting up the second step at sign-in, for a role that requires it."""
    user = _pending()
    if mfa.enabled(user):
        return redirect(url_for("two_step.code"))
    return _setting_up(user, signing_in=True)


@bp.route("/account/two-step", methods=["GET", "POST"])
def account():
    """Your two-step sign-in: set it up, see how many recovery codes are left, turn it off."""
    user = signed_in_user()
    required = mfa.required(user, current_app.config["REQUIRE_MFA"])
    if request.method == "POST" and request.form.get("action") == "off":
        if required:
            abort(403, "Your role must sign in with two steps: it cannot be turned off.")
        tx = db.get_session()
        form = FormState()
        try:  # a wrong password here counts towards the sign-in throttle, as everywhere
            accounts.admit(
                tx,
                user.email,
                request.remote_addr or "unknown",
                dt.datetime.now(dt.UTC),
                current_app.config["SIGN_IN_THROTTLE"],
            )
        except accounts.SignInThrottled as refused:
            form.add_error("password", str(refused))
            left = mfa.unused_recovery_codes(tx, user)
            return render_template(
                "two_step.html", user=user, form=form, required=required, left=left
            ), 429
        if accounts.verify_password(user.password_hash, request.form.get("password", "")):
            mfa.turn_off(tx, user, actor=user, why=f"{user.email} turned two-step sign-in off")
            tx.commit()
            flash("Two-step sign-in is off: you sign in with your password alone.", "success")
            return redirect(url_for("two_step.account"))
        tx.commit()  # the failed try counts
        form.add_error("password", "The password is not right.")
        left = mfa.unused_recovery_codes(tx, user)
        return render_template(
            "two_step.html", user=user, form=form, required=required, left=left
        ), 400
    if mfa.enabled(user):
        left = mfa.unused_recovery_codes(db.get_session(), user)
        return render_template(
            "two_step.html", user=user, form=FormState(), required=required, left=left
        )
    return _setting_up(user, signing_in=False)


def _setting_up(user: User, *, signing_in: bool):
    tx = db.get_session()
    form = FormState()
    if request.method == "POST" and request.form.get("action") == "confirm":
        try:
            codes = mfa.confirm(tx, user, request.form.get("code", ""))
        except FieldError as problem:
            tx.rollback()
            form.add_error(problem.field, problem.message)
        else:
            if signing_in:
                accounts.signed_in(tx, user, "setting up two-step sign-in")
            tx.commit()
            if signing_in:
                start_session(user)
            return render_template("recovery_codes.html", codes=codes, user=user)
    if mfa.pending_secret(user) is None:  # the same key until it is confirmed
        uri = mfa.begin(tx, user)
        tx.commit()
    else:
        uri = mfa.provisioning_uri(user)
    return render_template(
        "two_step_set_up.html",
        user=user,
        form=form,
        signing_in=signing_in,
        qr=Markup(mfa.qr_svg(uri)),
        secret=mfa.pending_secret(user),
    ), (400 if form.errors else 200)

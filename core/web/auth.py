"""The sign-in and sign-out pages (who is signed in is ``core.identity``'s)."""

from __future__ import annotations

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
from core.services.accounts import accounts, mfa, sessions
from core.services.records import audit
from core.web import sso, two_step
from core.web.form_schemas import SignInForm
from core.web.forms import FormState, read_form
from core.web.home import home_for, safe_next

__all__ = ["bp", "signed_in_user", "start_session"]

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.index"))
    form = FormState()
    status = 200
    providers = sso.providers()
    if request.method == "POST":
        # An email whose domain a provider serves, with no password: that provider signs in.
        email = request.form.get("email", "")
        serving = sso.provider_for_email(email)
        if serving is not None and not request.form.get("password"):
            return redirect(
                url_for("sso.start", key=serving.key, login_hint=email.strip()[:320],
                        next=request.args.get("next"))
            )  # fmt: skip
        data, form = read_form(SignInForm)
        status = 400
        if data is not None:
            tx = db.get_session()
            required = current_app.config["REQUIRE_MFA"]
            try:
                user = accounts.sign_in(
                    tx,
                    email=data["email"],
                    password=data["password"],
                    remote_addr=request.remote_addr or "unknown",
                    throttle=current_app.config["SIGN_IN_THROTTLE"],
                    local_passwords=current_app.config["LOCAL_PASSWORDS"],
                    second_step=lambda u: mfa.enabled(u) or mfa.required(u, required),
                )
            except accounts.SignInRefused as refused:
                tx.commit()  # the failed attempt counts towards the throttle
                form.add_error("email", str(refused))
                status = 429 if isinstance(refused, accounts.SignInThrottled) else 400
            else:
                wanted = request.args.get("next")
                local = None if not wanted or wanted in ("/", url_for("pages.index")) else wanted
                if mfa.enabled(user) or mfa.required(user, required):
                    tx.commit()
                    return redirect(two_step.begin_pending(user, local and safe_next(local)))
                start_session(user)
                if local is None:
                    return redirect(home_for(user))  # opening the site: go to one's own home
                return redirect(safe_next(local))
        form.values.pop("password", None)
    return render_template("sign_in.html", form=form, providers=providers), status


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

"""Your account: change your own password; make and revoke your API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from core import db
from core.identity import signed_in_user, start_session
from core.models import ApiToken
from core.services.accounts import accounts, tokens
from core.services.accounts.permissions import PermissionDenied
from core.web.form_schemas import PasswordForm, ReminderSettingForm, TokenForm
from core.web.forms import FormState, read_form, submit

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = FormState()
    if request.method == "POST":
        data, form = read_form(PasswordForm)
        if data is not None:
            user = signed_in_user()
            try:
                with db.transaction() as session:
                    changed = accounts.change_own_password(
                        session,
                        user,
                        current=data["current_password"],
                        new=data["new_password"],
                        confirm=data["confirm_password"],
                        remote_addr=request.remote_addr or "unknown",
                        throttle=current_app.config["SIGN_IN_THROTTLE"],
                    )
            except accounts.AccountError as error:
                form.add_error(error.field, error.message)
            else:
                start_session(user)  # this browser carries on; every other session has ended
                revoked = (
                    f" Your {changed.tokens_revoked} API token(s) have been revoked: make new "
                    "ones under Your API tokens."
                    if changed.tokens_revoked
                    else ""
                )
                flash(
                    "Your password has been changed. Your other sessions have been signed out."
                    + revoked,
                    "success",
                )
                return redirect(url_for("pages.index"))
        form.values.clear()  # never echo passwords back
        return render_template("password.html", form=form), 400
    return render_template("password.html", form=form)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens_page():
    user = signed_in_user()
    saved, made, form = submit(
        TokenForm, FormState(), lambda data: tokens.create_token(db.get_session(), user, **data)
    )
    return render_template(
        "tokens.html",
        form=form,
        new_token=made[1] if saved else None,
        tokens=tokens.tokens_of(db.get_session(), user),
    ), (400 if form.errors else 200)


@bp.post("/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int):
    record = db.get_session().get(ApiToken, token_id)
    if record is None:
        abort(404, "There is no such token.")
    try:
        with db.transaction() as session:
            tokens.revoke_token(session, record, actor=signed_in_user())
    except PermissionDenied as refusal:
        abort(403, str(refusal))
    flash(f"The token “{record.name}” has been revoked: it no longer works.", "success")
    return redirect(url_for("accounts.tokens_page"))


@bp.route("/reminders", methods=["GET", "POST"])
def reminders():
    """Switch reminder emails on or off. A coordinator's digest of missing updates is sent
    whatever this says: it is how the area's reporting gets done."""
    user = signed_in_user()
    form = FormState.with_defaults(reminders="off" if user.reminders_off else "on")
    saved, _, form = submit(
        ReminderSettingForm,
        form,
        lambda data: accounts.set_reminders(db.get_session(), user, on=data["reminders"] == "on"),
    )
    if saved:
        flash("Your reminder setting is saved.", "success")
        return redirect(url_for("accounts.reminders"))
    return render_template("reminders.html", form=form, user=user), (400 if form.errors else 200)

"""A forgotten password: ask for a reset link by email, then set a new password with it."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from core import db
from core.links import BaseUrlMissing, external_url
from core.outbox import send_all
from core.services.accounts import password_resets
from core.services.errors import FieldError
from core.services.mail import Mail
from core.web.form_schemas import ForgottenPasswordForm, ResetPasswordForm
from core.web.forms import FormState, read_form

bp = Blueprint("password_reset", __name__)
log = logging.getLogger(__name__)


def reset_mail(to: str, link: str) -> Mail:
    return Mail(
        to=to,
        subject="Reset your password: Tayside CPC improvement plans",
        body=(
            "Someone (we hope you) asked to reset the password of your account on the Tayside "
            "CPC improvement plans platform.\n\n"
            f"Set a new password here (the link works once, for an hour):\n{link}\n\n"
            "If it was not you, ignore this email: your password has not changed."
        ),
    )


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten():
    form = FormState()
    if request.method == "POST":
        data, form = read_form(ForgottenPasswordForm)
        if data is not None:
            try:
                with db.transaction() as session:
                    made = password_resets.request_reset(session, data["email"])
            except FieldError as problem:  # not an email address at all
                form.add_error("email", problem.message)
                return render_template("password_forgotten.html", form=form), 400
            if made is not None:
                user, token = made
                try:  # the link's address is the platform's own, never the request's Host
                    link = external_url(current_app, "password_reset.reset", token=token)
                except BaseUrlMissing as problem:
                    log.error("no reset email sent to %s: %s", user.email, problem)
                else:
                    send_all([reset_mail(user.email, link)])
            return render_template("password_reset_sent.html")
    return render_template("password_forgotten.html", form=form), (400 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str):
    session = db.get_session()
    try:
        password_resets.reset_for(session, token)
    except FieldError as refused:
        return render_template("password_reset.html", form=None, refused=refused.message), 404
    form = FormState()
    if request.method == "POST":
        data, form = read_form(ResetPasswordForm)
        if data is not None:
            try:
                with db.transaction():
                    password_resets.reset_password(
                        session, token, new=data["new_password"], confirm=data["confirm_password"]
                    )
            except FieldError as problem:
                form.add_error(problem.field, problem.message)
            else:
                flash("Your password has been changed. Sign in with it now.", "success")
                return redirect(url_for("auth.sign_in"))
    return render_template("password_reset.html", form=form, refused=None), (
        400 if form.errors else 200
    )

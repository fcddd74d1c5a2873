"""Your account: change your own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_user

from core import db
from core.schemas.forms import PasswordForm
from core.services import accounts
from core.web.auth import signed_in_user
from core.web.forms import FormState, read_form

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = FormState()
    if request.method == "POST":
        data, form = read_form(PasswordForm)
        if data is not None:
            user = signed_in_user()
            try:
                with db.transaction():
                    accounts.change_own_password(
                        user,
                        current=data["current_password"],
                        new=data["new_password"],
                        confirm=data["confirm_password"],
                    )
            except accounts.AccountError as error:
                form.add_error(error.field, error.message)
            else:
                login_user(user)  # this session carries on; every other one is signed out
                flash(
                    "Your password has been changed. Other sessions have been signed out.",
                    "success",
                )
                return redirect(url_for("pages.index"))
        form.values.clear()  # never echo passwords back
        return render_template("password.html", form=form), 400
    return render_template("password.html", form=form)

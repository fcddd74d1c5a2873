"""Managing accounts (admins only): list, create, change role and areas, reset a password."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from core import db
from core.identity import signed_in_user
from core.models import ApiToken, User
from core.services.accounts import accounts, dormancy, mfa, tokens
from core.services.plans import plans
from core.web.form_schemas import EditUserForm, UserForm
from core.web.forms import FormState, admins_only, read_form

bp = Blueprint("users", __name__, url_prefix="/admin/users")


bp.before_request(admins_only)


def _user(user_id: int) -> User:
    user = db.get_session().get(User, user_id)
    if user is None:
        abort(404, f"There is no account {user_id}.")
    return user


def _page(template: str, form: FormState, **context):
    areas = plans.areas(db.get_session())
    status = 400 if form.errors else 200
    return render_template(template, form=form, areas=areas, **context), status


@bp.get("/")
def index():
    session = db.get_session()
    days = current_app.config["DORMANT_DAYS"]
    return render_template(
        "users.html",
        users=accounts.users(session),
        last_sign_ins=dormancy.last_sign_ins(session),
        dormant=dormancy.dormant(session, now=dt.datetime.now(dt.UTC), days=days),
        dormant_days=days,
        grace_days=current_app.config["DORMANT_GRACE_DAYS"],
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = FormState()
    if request.method == "POST":
        data, form = read_form(UserForm)
        if data is not None:
            password = accounts.generate_password()
            try:
                with db.transaction() as session:
                    user = accounts.create_user(
                        session,
                        actor=signed_in_user(),
                        email=data["email"],
                        role=data["role"],
                        area_slugs=data["areas"],
                        password=password,
                    )
            except accounts.AccountError as error:
                form.add_error(error.field, error.message)
            else:
                return render_template("user_password.html", user=user, password=password)
    return _page("user_form.html", form, user=None)


@bp.route("/<id:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    user = _user(user_id)
    form = FormState.with_defaults(
        role=user.role.value,
        areas=[a.slug for a in user.areas],
        is_active="y" if user.is_active else None,
        sso_only=None if user.password_login else "y",
        break_glass="y" if user.break_glass else None,
    )
    if request.method == "POST":
        data, form = read_form(EditUserForm)
        if data is not None:
            try:
                with db.transaction() as session:
                    accounts.update_user(
                        session,
                        user,
                        actor=signed_in_user(),
                        role=data["role"],
                        area_slugs=data["areas"],
                        is_active=data["is_active"],
                        password_login=not data["sso_only"],
                        break_glass=data["break_glass"],
                    )
            except accounts.AccountError as error:
                form.add_error(error.field, error.message)
            else:
                flash(f"The account for {user.email} has been updated.", "success")
                return redirect(url_for("users.index"))
    return _page(
        "user_form.html", form, user=user, user_tokens=tokens.tokens_of(db.get_session(), user)
    )


@bp.post("/<id:user_id>/tokens/<id:token_id>/revoke")
def revoke_token(user_id: int, token_id: int):
    user = _user(user_id)
    record = db.get_session().get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        abort(404, f"{user.email} has no such token.")
    with db.transaction() as session:
        tokens.revoke_token(session, record, actor=signed_in_user())
    flash(f"{user.email}'s token “{record.name}” has been revoked: it no longer works.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<id:user_id>/reset-password")
def reset_password(user_id: int):
    """Asks first; only the confirmation's own form (``confirm=yes``) resets the password."""
    user = _user(user_id)
    if request.form.get("confirm") != "yes":
        return render_template("user_reset_confirm.html", user=user)
    with db.transaction() as session:
        password = accounts.reset_password(session, user, actor=signed_in_user())
    return render_template("user_password.html", user=user, password=password, reset=True)


@bp.post("/<id:user_id>/reset-two-step")
def reset_two_step(user_id: int):
    """Remove an account's second factor (a lost phone); audited."""
    user = _user(user_id)
    actor = signed_in_user()
    with db.transaction() as session:
        mfa.turn_off(
            session,
            user,
            actor=actor,
            why=f"{actor.email} reset the two-step sign-in of {user.email}",
        )
    flash(
        f"{user.email}'s two-step sign-in has been reset: they set it up again when they next "
        "sign in, if their role requires it, or from their account page.",
        "success",
    )
    return redirect(url_for("users.edit", user_id=user.id))

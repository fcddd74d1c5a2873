"""``cpc user`` and ``cpc token``: accounts and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from core import db
from core.enums import Role
from core.services.accounts import accounts, tokens

user_group = AppGroup("user", help="Manage accounts: create, set-password, list, review-dormant.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_group.command("create")
@with_appcontext
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="admin, coordinator (of the --area given), pg5 (TRIC PG5 member), viewer, or "
    "contributor (a strategic lead: a coordinator links them to their actions).",
)
@click.option("--area", "areas", multiple=True, help="Area slug a coordinator edits (repeat).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email: str, role: str, areas: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account for EMAIL; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        with db.transaction() as session:
            user = accounts.create_user(
                session,
                actor=None,
                email=email,
                role=Role(role),
                area_slugs=areas,
                password=password,
            )
    except accounts.AccountError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from None
    where = f" for {', '.join(a.name for a in user.areas)}" if user.areas else ""
    click.echo(f"Created {user.email}: {user.role.value}{where}.")


@user_group.command("set-password")
@with_appcontext
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set EMAIL's password (signs them out everywhere, revokes their API tokens and lifts a
    sign-in lockout)."""
    session = db.get_session()
    user = accounts.user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    password = _read_password(password_stdin)
    try:
        with db.transaction():
            changed = accounts.set_password(
                session, user, password, why="the password was set with `cpc user set-password`"
            )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Password set for {user.email}: {changed.sessions_ended} session(s) signed out, "
        f"{changed.tokens_revoked} API token(s) revoked."
    )


@user_group.command("list")
@with_appcontext
def list_command() -> None:
    """List every account with its role and areas."""
    for user in accounts.users(db.get_session()):
        areas = ", ".join(a.slug for a in user.areas)
        active = "" if user.is_active else " (cannot sign in)"
        click.echo(f"{user.email}\t{user.role.value}\t{areas}{active}")


token_group = AppGroup("token", help="Personal API tokens: create.")


@token_group.command("create")
@with_appcontext
@click.argument("email")
@click.option("--name", default="Made on the command line", show_default=True)
def token_create_command(email: str, name: str) -> None:
    """Make an API token for EMAIL and print it (only this once)."""
    session = db.get_session()
    user = accounts.user_by_email(session, email)
    if user is None or not user.is_active:
        raise click.ClickException(f"There is no active account for {email}.")
    try:
        with db.transaction():
            _record, token = tokens.create_token(session, user, name)
    except tokens.TokenError as error:
        raise click.ClickException(error.message) from None
    click.echo(token)
    click.echo(f"(for {user.email}, {user.role.value}; shown only now)", err=True)


@user_group.command("review-dormant")
@with_appcontext
def review_dormant_command() -> None:
    """Warn by email each account nobody has signed in to for CPC_DORMANT_DAYS (180), once,
    and switch off each warned CPC_DORMANT_GRACE_DAYS (14) ago that is still unused (its
    sessions end and its tokens are revoked). Run it daily, like `cpc remind`."""
    import datetime as dt
    import os

    from flask import current_app

    from core.services.accounts import dormancy
    from core.services.jobs import emails
    from core.worker import Worker

    app = current_app._get_current_object()
    with db.transaction() as session:
        done = dormancy.review(
            session,
            now=dt.datetime.now(dt.UTC),
            days=app.config["DORMANT_DAYS"],
            grace=app.config["DORMANT_GRACE_DAYS"],
            base_url=app.config.get("BASE_URL"),
        )
        emails.enqueue(session, done.mails)  # sent once committed, by a worker
    Worker(app, name=f"cpc-review-dormant:{os.getpid()}").run_until_idle(timeout=600)
    for email in done.warned:
        click.echo(f"Warned: {email}")
    for email in done.deactivated:
        click.echo(f"Switched off: {email}")
    for email in done.kept:
        click.echo(f"Not switched off (a break-glass administrator): {email}")
    click.echo(
        f"{len(done.warned)} warned, {len(done.deactivated)} switched off, "
        f"{len(done.kept)} break-glass administrator(s) left on."
    )

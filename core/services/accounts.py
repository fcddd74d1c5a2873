"""Accounts: creating and changing users, passwords, and signing in with a throttle.

Passwords are hashed with scrypt (Werkzeug's default). Failed sign-ins are kept in the
database, so the throttle holds across every web process behind a load balancer.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from core.enums import Role
from core.models import Area, SignInAttempt, User
from core.models.user import new_session_token
from core.services.errors import FieldError
from core.services.permissions import require_user_admin

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# Checked against when the email is unknown, so that a wrong email takes as long as a wrong
# password and the timing does not tell which accounts exist.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(FieldError):
    """An account change was refused; the message says which field and why."""


class SignInRefused(Exception):
    """The email and password did not match an active account (the message never says which)."""


class SignInThrottled(SignInRefused):
    """Too many failed sign-ins for this email or from this address, recently."""


@dataclass(frozen=True)
class Throttle:
    """How many failed sign-ins are allowed within ``window`` before sign-in is refused."""

    per_email: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def generate_password() -> str:
    """A random password of 20 characters, for first sign-in and resets."""
    return secrets.token_urlsafe(15)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(
            "email", "Enter an email address in the right format, like name@example.org."
        )
    return email


def check_new_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            field, f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            field, f"The password must be at most {MAX_PASSWORD_LENGTH} characters long."
        )


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.areas))
    )


def users(session: Session) -> list[User]:
    return list(
        session.scalars(select(User).options(selectinload(User.areas)).order_by(User.email))
    )


def _areas(session: Session, role: Role, area_slugs: Sequence[str]) -> list[Area]:
    slugs = sorted(set(area_slugs))
    if role is not Role.COORDINATOR:
        if slugs:
            raise AccountError("areas", "Only coordinators have areas: leave the areas empty.")
        return []
    if not slugs:
        raise AccountError("areas", "Choose the area or areas this coordinator looks after.")
    found = list(session.scalars(select(Area).where(Area.slug.in_(slugs))))
    unknown = sorted(set(slugs) - {a.slug for a in found})
    if unknown:
        raise AccountError("areas", f"There is no area {', '.join(unknown)}.")
    return found


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    role: Role,
    area_slugs: Sequence[str] = (),
    password: str,
) -> User:
    """Create an account. ``actor`` must be an admin (``None`` only for the command line)."""
    if actor is not None:
        require_user_admin(actor)
    email = normalise_email(email)
    if user_by_email(session, email) is not None:
        raise AccountError("email", f"There is already an account for {email}.")
    check_new_password(password)
    user = User(
        email=email,
        role=role,
        areas=_areas(session, role, area_slugs),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    actor: User,
    role: Role,
    area_slugs: Sequence[str],
    is_active: bool,
) -> None:
    """Change an account's role, areas or whether it can sign in (admins only; an admin cannot
    demote or switch off their own account, so there is always one admin left)."""
    require_user_admin(actor)
    if user.id == actor.id and (role is not Role.ADMIN or not is_active):
        raise AccountError(
            "role", "You cannot remove your own admin role or switch off your own account."
        )
    user.areas = _areas(session, role, area_slugs)
    user.role = role
    if user.is_active and not is_active:
        user.session_token = new_session_token()  # signs them out everywhere
    user.is_active = is_active
    session.flush()


def set_password(user: User, password: str) -> None:
    """Set a new password and sign the user out of every other session."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def reset_password(session: Session, user: User, *, actor: User) -> str:
    """An admin gives the user a new random password; returns it to pass on."""
    require_user_admin(actor)
    password = generate_password()
    set_password(user, password)
    session.flush()
    return password


def change_own_password(user: User, *, current: str, new: str, confirm: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("current_password", "The current password is not right.")
    if new != confirm:
        raise AccountError("confirm_password", "The two new passwords are not the same.")
    if new == current:
        raise AccountError("new_password", "The new password must differ from the current one.")
    check_new_password(new, field="new_password")
    set_password(user, new)


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str,
    now: dt.datetime | None = None,
    throttle: Throttle = Throttle(),
) -> User:
    """The active account with this email and password, or ``SignInRefused``. After
    ``throttle.per_email`` failures for an email, or ``per_address`` from one address, within
    the window, every attempt is refused with ``SignInThrottled`` until the window passes.
    The caller commits (failures are recorded even though sign-in is refused)."""
    now = now or dt.datetime.now(dt.UTC)
    email = email.strip().lower()[:320]
    since = now - throttle.window
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.attempted_at < now - dt.timedelta(days=1))
    )
    by_email, by_address = session.execute(
        select(
            func.count().filter(SignInAttempt.email == email),
            func.count().filter(SignInAttempt.remote_addr == remote_addr),
        ).where(SignInAttempt.attempted_at >= since)
    ).one()
    if by_email >= throttle.per_email or by_address >= throttle.per_address:
        minutes = int(throttle.window.total_seconds() // 60)
        raise SignInThrottled(
            f"Too many failed attempts to sign in. Wait {minutes} minutes and try again, "
            "or ask an administrator to reset your password."
        )
    user = user_by_email(session, email)
    matched = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not matched or not user.is_active:
        session.add(SignInAttempt(email=email, remote_addr=remote_addr[:64], attempted_at=now))
        session.flush()
        raise SignInRefused("The email address or password is not right.")
    session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
    return user


def ensure_first_admin(session: Session, email: str) -> tuple[User, str] | None:
    """On first run (no accounts yet), create an admin with a generated password and return
    it with the password; otherwise ``None``."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = generate_password()
    user = create_user(session, actor=None, email=email, role=Role.ADMIN, password=password)
    return user, password

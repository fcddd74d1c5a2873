"""Accounts: creating and changing users, passwords, and signing in with a throttle.

Passwords are hashed with argon2id at the parameters OWASP's Password Storage Cheat Sheet
recommends; a hash from an earlier version (Werkzeug's scrypt) is replaced at the next sign-in.
A new password must not be easy to guess (zxcvbn's lists of common passwords, words and
patterns). Every sign-in attempt is written down before the password is checked, so the
throttle holds across every web process, even for guesses sent at the same moment.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

from core.db import lock_row
from core.enums import Role
from core.models import Area, SignInAttempt, User
from core.services.accounts import dormancy, mfa, sessions, tokens
from core.services.accounts.permissions import require_user_admin
from core.services.errors import FieldError
from core.services.records import audit

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\Z")
# zxcvbn's score from 0 (guessable) to 4; 3 is "safely unguessable" for online attacks.
MIN_STRENGTH = 3
# OWASP: argon2id with 19 MiB of memory, 2 iterations and 1 degree of parallelism.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Checked against when the email is unknown, so that a wrong email takes as long as a wrong
# password and the timing does not tell which accounts exist.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


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
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (argon2id, or an earlier Werkzeug hash)."""
    if stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's, to replace at sign-in."""
    return not stored.startswith("$argon2") or HASHER.check_needs_rehash(stored)


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


def check_new_password(
    password: str, field: str = "password", user_inputs: Sequence[str] = ()
) -> None:
    """Refuse a password that is too short, too long, or easy to guess: a common password, a
    word with a few changes, a keyboard pattern or repeats, or one made of the user's email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            field, f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            field, f"The password must be at most {MAX_PASSWORD_LENGTH} characters long."
        )
    hints = [part for value in user_inputs for part in (value, *re.split(r"[@.]", value)) if part]
    found = zxcvbn(password[:100], user_inputs=hints)
    if found["score"] < MIN_STRENGTH:
        why = found["feedback"]["warning"] or "It follows a pattern that is easy to guess."
        raise AccountError(
            field,
            f"This password is too easy to guess. {why.rstrip('.')}. Try three or four random "
            "words together, like “kettle orbit maple tram”.",
        )


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.areas))
    )


def admin_emails(session: Session) -> list[str]:
    """The emails of the active administrators."""
    return list(
        session.scalars(
            select(User.email)
            .where(User.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.email)
        )
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
    found = list(session.scalars(select(Area).where(Area.slug.in_(slugs), Area.is_cpc())))
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
    check_new_password(password, user_inputs=[email])
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
    password_login: bool | None = None,
    break_glass: bool | None = None,
) -> None:
    """Change an account's role, areas, whether it can sign in, whether it may use a local
    password and whether it is a break-glass admin (admins only; an admin cannot demote or
    switch off their own account, and the last break-glass admin stays one, so there is always
    a way in). Switching an account off ends its sessions and revokes its tokens at once."""
    require_user_admin(actor)
    if user.id == actor.id and (role is not Role.ADMIN or not is_active):
        raise AccountError(
            "role", "You cannot remove your own admin role or switch off your own account."
        )
    password_login = user.password_login if password_login is None else password_login
    break_glass = (user.break_glass if break_glass is None else break_glass) and role is Role.ADMIN
    was_break_glass = user.role is Role.ADMIN and user.break_glass and user.is_active
    if was_break_glass and not (break_glass and is_active and password_login):
        # Decided under a write lock (this row; on PostgreSQL the break-glass admins' rows
        # too), so two admins unmarking the last two at once cannot both pass: the later one
        # reads what the earlier one wrote.
        lock_row(session, User, user.id)
        holders = session.scalars(
            select(User.id)
            .where(
                User.role == Role.ADMIN,
                User.break_glass.is_(True),
                User.is_active.is_(True),
                User.password_login.is_(True),
            )
            .with_for_update()
        ).all()
        if not [holder for holder in holders if holder != user.id]:
            raise AccountError(
                "break_glass",
                f"{user.email} is the last break-glass administrator (who can sign in with a "
                "password when single sign-on fails): make another one first.",
            )
    user.areas = _areas(session, role, area_slugs)
    user.role = role
    user.password_login = password_login
    user.break_glass = break_glass
    if user.is_active and not is_active:
        # Signs them out everywhere and revokes their tokens (switched back on, the account
        # starts with none: make new ones); audited.
        dormancy.deactivate(
            session, user, actor=actor, why=f"switched off by an administrator ({actor.email})"
        )
    user.is_active = is_active
    if is_active and user.self_registered_at is not None:
        user.self_registered_at = None  # let in by an administrator
    session.flush()


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    field: str = "password",
    why: str = "the password was changed",
) -> PasswordChanged:
    """Set a new password: every session of the user is signed out and every API token
    revoked (whoever knew the old password may have made one), and the sign-in lockout on the
    account is lifted."""
    check_new_password(password, field=field, user_inputs=[user.email])
    user.password_hash = hash_password(password)
    changed = PasswordChanged(
        sessions_ended=sessions.end_all(session, user),
        tokens_revoked=tokens.revoke_all(session, user, why=why),
    )
    session.execute(delete(SignInAttempt).where(SignInAttempt.email == user.email))
    session.flush()
    return changed


@dataclass(frozen=True)
class PasswordChanged:
    """What a new password ended: the user's sessions and API tokens."""

    sessions_ended: int
    tokens_revoked: int


def reset_password(session: Session, user: User, *, actor: User) -> str:
    """An admin gives the user a new random password, which also lifts a sign-in lockout;
    returns it to pass on."""
    require_user_admin(actor)
    password = generate_password()
    set_password(
        session, user, password, why=f"an administrator ({actor.email}) reset the password"
    )
    return password


def change_own_password(
    session: Session,
    user: User,
    *,
    current: str,
    new: str,
    confirm: str,
    remote_addr: str,
    throttle: Throttle = Throttle(),
) -> PasswordChanged:
    """Change your own password. Wrong current passwords count as failed sign-ins, so the
    form cannot be used to guess it. Every session is ended (the caller starts a new one for
    this browser) and every API token revoked."""
    try:
        admit(session, user.email, remote_addr, dt.datetime.now(dt.UTC), throttle)
    except SignInThrottled as refused:
        raise AccountError("current_password", str(refused)) from None
    if not verify_password(user.password_hash, current):
        raise AccountError("current_password", "The current password is not right.")
    if new != confirm:
        raise AccountError("confirm_password", "The two new passwords are not the same.")
    if new == current:
        raise AccountError("new_password", "The new password must differ from the current one.")
    return set_password(session, user, new, field="new_password")


class PasswordsOff(SignInRefused):
    """The password was right, but this account signs in through single sign-on only."""


def uses_password(user: User, local_passwords: bool = True) -> bool:
    """Whether ``user`` may sign in with a local password: not if it is switched off for the
    account, nor (``local_passwords`` false: ``CPC_LOCAL_PASSWORDS=0``) for anyone but a
    break-glass administrator."""
    if not user.password_login:
        return False
    return local_passwords or (user.role is Role.ADMIN and user.break_glass)


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str,
    now: dt.datetime | None = None,
    throttle: Throttle = Throttle(),
    local_passwords: bool = True,
    second_step: Callable[[User], bool] = lambda _user: False,
) -> User:
    """The active account with this email and password, or ``SignInRefused``. After
    ``throttle.per_email`` failures for an email, or ``per_address`` from one address, within
    the window, every attempt is refused with ``SignInThrottled`` until the window passes (or
    an admin resets the password). The attempt is committed before the password is checked;
    the caller commits the rest. An account whose password is switched off is refused with
    ``PasswordsOff`` (only once the password is right). ``second_step(user)`` true: the
    caller asks for a second factor next, and the sign-in is audited when that is passed."""
    now = now or dt.datetime.now(dt.UTC)
    email = email.strip().lower()[:320]
    try:
        admit(session, email, remote_addr, now, throttle)
    except SignInThrottled:
        _sign_in_event(session, "sign_in_refused", f"Sign-in refused for {email}: too many tries")
        raise
    user = user_by_email(session, email)
    matched = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not matched or not user.is_active:
        _sign_in_event(session, "sign_in_failed", f"Failed sign-in for {email}")
        raise SignInRefused("The email address or password is not right.")
    if not uses_password(user, local_passwords):
        _sign_in_event(session, "sign_in_refused", f"{email} tried a password: SSO only", user)
        raise PasswordsOff(
            "This account signs in through your organisation's single sign-on, not a password "
            "here: choose “Sign in with” your organisation below."
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not second_step(user):
        signed_in(session, user)
    return user


def second_step(
    session: Session,
    user: User,
    *,
    code: str,
    remote_addr: str,
    now: dt.datetime | None = None,
    throttle: Throttle = Throttle(),
) -> str:
    """The second step of a sign-in: ``code`` from the user's app, or a recovery code. It
    counts towards the same throttle as the password; returns how it was passed, or raises
    ``SignInRefused``."""
    now = now or dt.datetime.now(dt.UTC)
    admit(session, user.email, remote_addr, now, throttle)
    how = mfa.verify(session, user, code) if user.is_active else None
    if how is None:
        _sign_in_event(session, "sign_in_failed", f"Wrong second-step code for {user.email}")
        raise SignInRefused(
            "That code is not right, or has been used: enter the 6 digits your app shows now, "
            "or one of your recovery codes."
        )
    signed_in(session, user, f"with a {how}")
    return how


def signed_in(session: Session, user: User, how: str = "") -> None:
    """Note a sign-in completed another way than ``sign_in`` (setting up the second step,
    single sign-on): the account's failed tries are forgotten, and it is audited."""
    session.execute(delete(SignInAttempt).where(SignInAttempt.email == user.email))
    _sign_in_event(
        session, "signed_in", f"{user.email} signed in" + (f" ({how})" if how else ""), user
    )


def _sign_in_event(session: Session, name: str, summary: str, user: User | None = None) -> None:
    audit.record_event(
        session,
        kind="sign_in",
        event_name=name,
        summary=summary,
        actor=user,
        record_id=user.id if user else None,
    )


def admit(
    session: Session, email: str, remote_addr: str, now: dt.datetime, throttle: Throttle
) -> None:
    """Write the attempt down and commit it, then count: an attempt goes on to the password
    check only if, counting itself and every attempt committed before it, the limits hold. Of
    any number of guesses sent at once, at most ``per_email`` are checked. An attempt refused
    here is removed again, so waiting out the window is enough."""
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.attempted_at < now - dt.timedelta(days=1))
    )
    attempt = SignInAttempt(email=email, remote_addr=remote_addr[:64], attempted_at=now)
    session.add(attempt)
    session.commit()
    by_email, by_address = session.execute(
        select(
            func.count().filter(SignInAttempt.email == email),
            func.count().filter(SignInAttempt.remote_addr == attempt.remote_addr),
        ).where(SignInAttempt.attempted_at >= now - throttle.window)
    ).one()
    if by_email > throttle.per_email or by_address > throttle.per_address:
        # By id, and quietly: a successful sign-in may have cleared it at the same moment.
        session.execute(delete(SignInAttempt).where(SignInAttempt.id == attempt.id))
        session.commit()
        minutes = int(throttle.window.total_seconds() // 60)
        raise SignInThrottled(
            f"Too many failed attempts to sign in. Wait {minutes} minutes and try again, "
            "or ask an administrator to reset your password."
        )


def ensure_first_admin(session: Session, email: str) -> tuple[User, str] | None:
    """On first run (no accounts yet), create an admin with a generated password and return
    it with the password; otherwise ``None``."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = generate_password()
    user = create_user(session, actor=None, email=email, role=Role.ADMIN, password=password)
    user.break_glass = True  # the way in, whatever single sign-on does
    return user, password


def set_reminders(session: Session, user: User, *, on: bool) -> None:
    """Switch ``user``'s reminder emails on or off (their own choice; audited)."""
    session.execute(update(User).where(User.id == user.id).values(reminders_off=not on))
    audit.record_event(
        session,
        kind="users",
        event_name="reminders_on" if on else "reminders_off",
        actor=user,
        record_id=user.id,
        summary=f"{user.email} switched reminder emails {'on' if on else 'off'}",
    )
    session.expire(user, ["reminders_off"])

"""Resetting a forgotten password by email: a single-use link that expires."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import lock_row
from core.models import PasswordReset, User
from core.services.accounts.accounts import (
    AccountError,
    normalise_email,
    set_password,
    user_by_email,
)
from core.services.records import audit

# A link works for an hour, and at most this many are sent to one account in that hour.
LIFETIME = dt.timedelta(hours=1)
PER_HOUR = 3


class ResetRefused(AccountError):
    """The link cannot be used: unknown, used already or expired."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def request_reset(
    session: Session, email: str, *, now: dt.datetime | None = None
) -> tuple[User, str] | None:
    """A new reset link's secret for the active account with ``email``, or None (no such
    account, switched off, or already sent three links this hour). Only the newest link works:
    asking again ends the links sent before. The caller sends it (after answering) and commits;
    whoever asked is told the same either way, and a request for an address with no account
    does the same kind of work (it is recorded in the audit trail), so neither the answer nor
    its timing reveals an account."""
    now = now or dt.datetime.now(dt.UTC)
    email = normalise_email(email)
    user = user_by_email(session, email)
    if user is None or not user.is_active:
        audit.record_event(
            session,
            kind="users",
            event_name="reset_refused",
            summary=f"password reset asked for {email}, which has no active account",
        )
        session.flush()
        return None
    lock_row(session, User, user.id)  # two requests at once count each other's links
    recent = session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > now - LIFETIME
        )
    )
    if recent >= PER_HOUR:
        return None
    session.execute(  # the links sent before stop working: only the newest does
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + LIFETIME
        )
    )
    audit.record_event(
        session,
        kind="users",
        event_name="reset_requested",
        actor=user,
        record_id=user.id,
        summary=f"password reset link sent to {user.email}",
    )
    session.flush()
    return user, token


def reset_for(session: Session, token: str, *, now: dt.datetime | None = None) -> PasswordReset:
    """The unused, unexpired reset ``token`` names; refused with a sentence otherwise."""
    now = now or dt.datetime.now(dt.UTC)
    found = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _hash(token[:200]))
    )
    if found is None or found.used_at is not None:
        raise ResetRefused(
            "new_password", "This link has been used already or is not right: ask for a new one."
        )
    if _utc(found.expires_at) <= now:
        raise ResetRefused(
            "new_password",
            "This link has expired, or a newer one was sent (only the newest works): ask for a "
            "new one.",
        )
    return found


def reset_password(
    session: Session, token: str, *, new: str, confirm: str, now: dt.datetime | None = None
) -> User:
    """Set a new password with a reset link: the link is spent by one guarded UPDATE (of two
    uses at once, one is refused), every session of the account is ended and every API token
    revoked. The caller commits."""
    now = now or dt.datetime.now(dt.UTC)
    found = reset_for(session, token, now=now)
    if new != confirm:
        raise AccountError("confirm_password", "The two new passwords are not the same.")
    user = found.user
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == found.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise ResetRefused("new_password", "This link has been used already: ask for a new one.")
    set_password(session, user, new, field="new_password", why="a password reset link was used")
    audit.record_event(
        session,
        kind="users",
        event_name="password_reset",
        actor=user,
        record_id=user.id,
        summary=f"{user.email} set a new password with a reset link",
    )
    return user


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

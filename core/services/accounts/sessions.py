"""Signed-in sessions kept in the database, so that signing out, an idle timeout, an absolute
lifetime and a password change end a session on the server, whichever web process served it.
The browser's signed cookie carries a random key; only the key's SHA-256 hash is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from core.models import User, UserSession

# "Last seen" is noted at most this often, not written on every request.
SEEN_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SessionRules:
    """How long a session lasts unused (``idle``) and at most in all (``lifetime``)."""

    idle: dt.timedelta = dt.timedelta(hours=8)
    lifetime: dt.timedelta = dt.timedelta(hours=24)


def last_sign_in():
    """In SQL, when a ``User`` last signed in: their newest session's start (NULL: never)."""
    return (
        select(func.max(UserSession.created_at))
        .where(UserSession.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time with its UTC offset (SQLite keeps UTC without it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def start(session: Session, user: User, *, remote_addr: str, now: dt.datetime | None = None) -> str:
    """A new session for ``user``; returns its key, for the cookie. The caller commits. The
    newest session is never removed here, so it says when the user last signed in."""
    now = now or dt.datetime.now(dt.UTC)
    key = secrets.token_urlsafe(32)
    # The user's sessions that ended or expired long ago are no longer needed.
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.last_seen_at < now - dt.timedelta(days=30),
        )
    )
    session.add(
        UserSession(
            user_id=user.id,
            key_hash=_hash(key),
            created_at=now,
            last_seen_at=now,
            remote_addr=remote_addr[:64],
        )
    )
    session.flush()
    return key


def user_for(
    session: Session,
    user_id: int,
    key: str,
    rules: SessionRules,
    now: dt.datetime | None = None,
) -> User | None:
    """The active user whose live session has this key, or ``None`` if it ended (signed out,
    idle too long, too old, or ended by a password change). Notes when it was last seen, or
    that it has just expired, and commits that note."""
    now = now or dt.datetime.now(dt.UTC)
    # One statement, on every request: the user with their areas, and the session's times.
    found = (
        session.execute(
            select(User, UserSession.id, UserSession.created_at, UserSession.last_seen_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.key_hash == _hash(key),
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
            )
            .options(joinedload(User.areas))
        )
        .unique()
        .first()
    )
    if found is None or not found.User.is_active:
        return None
    seen = utc(found.last_seen_at)
    if now - seen > rules.idle or now - utc(found.created_at) > rules.lifetime:
        _note(session, found.id, ended_at=now)
        return None
    if now - seen > SEEN_PRECISION:
        _note(session, found.id, last_seen_at=now)
    return found.User


def _note(session: Session, session_id: int, **values: dt.datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id).values(**values))
    session.commit()


def end(session: Session, key: str, now: dt.datetime | None = None) -> None:
    """Sign one session out."""
    session.execute(
        update(UserSession)
        .where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
        .values(ended_at=now or dt.datetime.now(dt.UTC))
    )


def end_all(session: Session, user: User, now: dt.datetime | None = None) -> int:
    """Sign the user out of every session; returns how many were live."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now or dt.datetime.now(dt.UTC))
    )
    return result.rowcount

"""Personal API tokens: made, listed, used and revoked. A token acts with its user's role and
areas; only its SHA-256 hash is stored (it is random and long, so a slow hash adds nothing)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from core.models import ApiToken, User
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import FieldError
from core.services.records import audit

PREFIX = "cpc_"
# "Last used" is shown as a date: noting it more often than this would only add writes.
LAST_USED_PRECISION = dt.timedelta(hours=1)


class TokenError(FieldError):
    """A token could not be made; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the record and the token, to be shown once."""
    name = name.strip()
    if not name:
        raise TokenError("name", "Name the token, like “Dundee dashboard”, to tell it apart.")
    if len(name) > 100:
        raise TokenError("name", "The name must be 100 characters or fewer.")
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, prefix=token[:10], token_hash=_hash(token))
    session.add(record)
    session.flush()
    return record, token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def revoke_token(session: Session, record: ApiToken, *, actor: User) -> None:
    """A user revokes their own tokens; an admin anyone's."""
    if record.user_id != actor.id and actor.role.value != "admin":
        raise PermissionDenied("You can revoke only your own tokens.")
    record.revoked_at = record.revoked_at or dt.datetime.now(dt.UTC)
    session.flush()


def revoke_all(session: Session, user: User, *, why: str, now: dt.datetime | None = None) -> int:
    """Revoke every live token of the user (their password changed, their account was
    switched off), recorded in the audit trail with ``why``; returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        audit.record_event(
            session,
            kind="api_tokens",
            event_name="revoked",
            record_id=user.id,
            summary=f"{result.rowcount} API token(s) of {user.email} revoked: {why}",
        )
    return result.rowcount


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live token belongs to, or ``None``; notes when it was last used (the
    caller commits)."""
    if not token.startswith(PREFIX):
        return None
    record = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).selectinload(User.areas))
    )
    if record is None or not record.user.is_active:
        return None
    now = dt.datetime.now(dt.UTC)
    last = record.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)  # SQLite keeps UTC without its offset
    if last is None or now - last > LAST_USED_PRECISION:
        record.last_used_at = now  # noted once in a while, not written on every call
    return record.user

"""Accounts that end: a person who has not signed in for ``days`` (``CPC_DORMANT_DAYS``) is
listed for an administrator's review, warned by email, and switched off ``grace`` days after
the warning if they still have not signed in. Switching an account off ends its sessions and
revokes its tokens at once; its links to actions stay for the record, but it gets no
reminders. Break-glass administrators are listed but never switched off automatically (they
are the way in when single sign-on fails)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import User, UserSession
from core.services import mail
from core.services.accounts import sessions, tokens
from core.services.records import audit


def dormant(
    session: Session, *, now: dt.datetime, days: int
) -> list[tuple[User, dt.datetime | None]]:
    """The active accounts nobody has signed in to for ``days`` (counting from when the
    account was made, for one never used), each with its last sign-in, longest first."""
    cutoff = now - dt.timedelta(days=days)
    last = sessions.last_sign_in()
    since = func.coalesce(last, User.created_at)
    return [
        (user, signed_in)
        for user, signed_in in session.execute(
            select(User, last)
            .where(User.is_active.is_(True), since < cutoff)
            .order_by(since, User.id)
        )
    ]


def last_sign_ins(session: Session) -> dict[int, dt.datetime]:
    """When each account last signed in (one query)."""
    return {
        user_id: when
        for user_id, when in session.execute(
            select(UserSession.user_id, func.max(UserSession.created_at)).group_by(
                UserSession.user_id
            )
        )
    }


def deactivate(session: Session, user: User, *, actor: User | None, why: str) -> bool:
    """Switch ``user`` off: its sessions end and its API tokens are revoked at once; audited.
    One guarded UPDATE: False if it was already off."""
    done = session.execute(
        update(User)
        .where(User.id == user.id, User.is_active.is_(True))
        .values(is_active=False)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    sessions.end_all(session, user)
    tokens.revoke_all(session, user, why="the account was switched off")
    audit.record_event(
        session,
        kind="users",
        event_name="deactivated",
        actor=actor,
        record_id=user.id,
        summary=f"{user.email} switched off: {why}",
    )
    session.expire(user)
    return True


@dataclass
class Review:
    """What a review of dormant accounts did, and the warnings to send once it is committed."""

    warned: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    mails: list[mail.Mail] = field(default_factory=list)


def review(
    session: Session,
    *,
    now: dt.datetime,
    days: int,
    grace: int,
    base_url: str | None,
) -> Review:
    """Warn each dormant account not yet warned (once: a guarded UPDATE claims the warning),
    and switch off each warned ``grace`` days ago or more. The caller commits, then sends
    ``mails``."""
    done = Review()
    for user, signed_in in dormant(session, now=now, days=days):
        if user.role is Role.ADMIN and user.break_glass:
            done.kept.append(user.email)
            continue
        warned = user.dormancy_warned_at
        # A warning from before their last sign-in no longer counts.
        if warned is None or (
            signed_in is not None and sessions.utc(warned) < sessions.utc(signed_in)
        ):
            claimed = session.execute(
                update(User)
                .where(User.id == user.id, User.dormancy_warned_at.is_not_distinct_from(warned))
                .values(dormancy_warned_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                done.warned.append(user.email)
                done.mails.append(_warning(user, days, grace, base_url))
                audit.record_event(
                    session,
                    kind="users",
                    event_name="dormancy_warned",
                    actor=None,
                    record_id=user.id,
                    summary=f"{user.email} warned: not signed in for {days} days",
                )
        elif sessions.utc(warned) <= now - dt.timedelta(days=grace):
            why = f"not signed in for {days} days, and not since a warning {grace} days before"
            if deactivate(session, user, actor=None, why=why):
                done.deactivated.append(user.email)
    return done


def _warning(user: User, days: int, grace: int, base_url: str | None) -> mail.Mail:
    where = f" at {base_url.rstrip('/')}/sign-in" if base_url else ""
    return mail.Mail(
        to=user.email,
        subject="Your Tayside CPC improvement plans account will be switched off",
        body=(
            f"Nobody has signed in to the account {user.email} for {days} days.\n\n"
            f"If you still need it, sign in{where} within {grace} days and it stays as it is. "
            "If not, it will be switched off then: your name stays on the actions and updates "
            "you worked on, and you will get no more reminders. An administrator can switch it "
            "back on.\n"
        ),
    )

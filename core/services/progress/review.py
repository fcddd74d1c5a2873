"""A coordinator's review of contributors' updates: accept one (it then counts in the report,
the dashboard and the rollup) or return it to its author with a comment. Each is one guarded
UPDATE, so of two coordinators deciding at once exactly one decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy import update as update_table
from sqlalchemy.orm import Session, joinedload

from core.enums import ReviewState
from core.models import Action, Plan, ProgressUpdate, User
from core.services.accounts.permissions import require_area
from core.services.errors import Conflict
from core.services.mail import Mail
from core.services.progress.period_locks import check_open
from core.services.progress.progress import ProgressError
from core.services.records import audit

# How an email links to a record (built by the web layer from the platform's address).
Link = Callable[[object], str | None]


def accept_update(
    session: Session, update: ProgressUpdate, *, actor: User | None, link: Link | None = None
) -> Mail | None:
    """Accept a submitted update: it counts from now on. Returns the email telling its author
    (None if it has none), with a ``link`` to the update. The area's coordinators and admins
    only. The caller commits."""
    _decide(session, update, actor, ReviewState.ACCEPTED, "")
    return _tell_author(update, "accepted", "It now counts in the committee's report.", link)


def return_update(
    session: Session,
    update: ProgressUpdate,
    *,
    actor: User | None,
    comment: str,
    link: Link | None = None,
) -> Mail | None:
    """Return a submitted update to its author with ``comment`` (what to change): it counts
    nowhere, and the action is missing an update again until its author posts another."""
    if not comment.strip():
        raise ProgressError("comment", "Say what the author should change.")
    _decide(session, update, actor, ReviewState.RETURNED, comment.strip())
    return _tell_author(
        update,
        "returned to you",
        f"The coordinator's comment:\n\n{comment.strip()}\n\n"
        "Please post a new update on the action.",
        link,
    )


def _decide(
    session: Session, update: ProgressUpdate, actor: User | None, state: ReviewState, comment: str
) -> None:
    action = update.action
    if actor is not None:
        require_area(actor, action.plan.area)
    check_open(session, action, update.reported_on, actor, f"{state.value} an update of")
    now = dt.datetime.now(dt.UTC)
    done = session.execute(
        update_table(ProgressUpdate)
        .where(
            ProgressUpdate.id == update.id,
            ProgressUpdate.review == ReviewState.SUBMITTED,
            ProgressUpdate.retired_at.is_(None),
        )
        .values(
            review=state,
            reviewed_at=now,
            reviewed_by_id=actor.id if actor else None,
            review_comment=comment,
        )
    )
    if done.rowcount != 1:
        raise Conflict(
            "update",
            "This update is not waiting for review: it was accepted, returned, corrected or "
            "withdrawn already. Look at the action again.",
        )
    audit.record_event(
        session,
        kind="progress_updates",
        event_name=state.value,
        actor=actor,
        record_id=update.id,
        area_id=action.plan.area_id,
        summary=f"progress update on action {action.code} {state.value}"
        + (f": {comment}" if comment else ""),
        before={"review": ReviewState.SUBMITTED.value},
        after={"review": state.value, "review_comment": comment},
    )
    session.expire(update)


def _tell_author(
    update: ProgressUpdate, what: str, then: str, link: Link | None = None
) -> Mail | None:
    author = update.author
    if author is None or not author.is_active:
        return None
    action = update.action
    body = (
        f"Your progress update on action {action.code} of {action.plan.area.name}'s plan, "
        f"reported for {update.reported_on:%d %B %Y}, was {what}.\n\n{then}"
    )
    address = link(update) if link else None
    if address:
        body += f"\n\nThe update: {address}"
    return Mail(
        to=author.email,
        subject=f"Your update on action {action.code} was {what}: {action.plan.area.name}",
        body=body,
    )


def waiting_for_review(session: Session, plan: Plan) -> list[ProgressUpdate]:
    """The plan's submitted updates, oldest first: one query."""
    return list(
        session.scalars(
            select(ProgressUpdate)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(
                Action.plan_id == plan.id,
                ProgressUpdate.review == ReviewState.SUBMITTED,
                ProgressUpdate.retired_at.is_(None),
            )
            .options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.author))
            .order_by(ProgressUpdate.created_at, ProgressUpdate.id)
        )
    )

"""Posting progress updates and reading each action's current state as at a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from core.enums import ProgressStatus, Rag
from core.models import Action, ProgressUpdate, User
from core.services.errors import FieldError
from core.services.permissions import require_area


class ProgressError(FieldError):
    """A progress update was refused; the message says which field and why."""


def post_update(
    session: Session,
    action: Action,
    *,
    actor: User | None,
    reported_on: dt.date,
    status: ProgressStatus,
    rag: Rag | None = None,
    commentary: str = "",
    evidence_url: str = "",
) -> ProgressUpdate:
    """Append a progress update to an action, by ``actor``. Updates are never changed afterwards.

    ``actor`` must be allowed to write the action's area (``PermissionDenied`` otherwise);
    ``None`` is only for trusted callers such as data loading and tests. A RAG is required
    unless the action is completed or not started. The caller commits.
    """
    if actor is not None:
        require_area(actor, action.plan.area)
    if rag is None and status in (ProgressStatus.IN_PROGRESS, ProgressStatus.ONGOING):
        raise ProgressError("rag", f"An action that is {status.label.lower()} needs a RAG status.")
    if reported_on > dt.date.today():
        raise ProgressError("reported_on", "The reporting date cannot be in the future.")
    if reported_on < action.plan.period_start:
        raise ProgressError(
            "reported_on",
            f"The reporting date {reported_on:%d %B %Y} is before the plan starts "
            f"({action.plan.period_start:%d %B %Y}).",
        )
    update = ProgressUpdate(
        action=action,
        reported_on=reported_on,
        status=status,
        rag=rag,
        commentary=commentary.strip(),
        evidence_url=evidence_url.strip(),
        author=actor,
    )
    session.add(update)
    session.flush()
    return update


def mark_completed(
    session: Session,
    action: Action,
    *,
    actor: User | None,
    reported_on: dt.date,
    commentary: str = "",
) -> ProgressUpdate:
    """Record that an action is completed, as a progress update (no RAG is needed)."""
    return post_update(
        session,
        action,
        actor=actor,
        reported_on=reported_on,
        status=ProgressStatus.COMPLETED,
        commentary=commentary or "Marked as completed.",
    )


def latest_updates(
    session: Session, *criteria: ColumnElement[bool], as_at: dt.date | None = None
) -> dict[int, ProgressUpdate]:
    """Each action's latest progress update reported on or before ``as_at`` (default: all),
    keyed by action id, for the actions matching ``criteria``. One query."""
    rank = (
        func.row_number()
        .over(
            partition_by=ProgressUpdate.action_id,
            order_by=(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc()),
        )
        .label("rank")
    )
    ranked = select(ProgressUpdate, rank).join(Action, Action.id == ProgressUpdate.action_id)
    ranked = ranked.where(*criteria)
    if as_at is not None:
        ranked = ranked.where(ProgressUpdate.reported_on <= as_at)
    subquery = ranked.subquery()
    latest = aliased(ProgressUpdate, subquery)
    rows = session.scalars(select(latest).where(subquery.c.rank == 1))
    return {update.action_id: update for update in rows}


def is_completed(update: ProgressUpdate | None) -> bool:
    return update is not None and update.status is ProgressStatus.COMPLETED


def is_overdue(action: Action, update: ProgressUpdate | None, as_at: dt.date) -> bool:
    """Past its target date and not completed."""
    return (
        action.target_date is not None and action.target_date < as_at and not is_completed(update)
    )


def in_plan_as_at(actions: Iterable[Action], as_at: dt.date) -> list[Action]:
    """The actions that were part of the plan on ``as_at`` (those added later are left out)."""
    return [a for a in actions if a.added_on is None or a.added_on <= as_at]

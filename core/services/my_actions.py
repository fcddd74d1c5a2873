"""A contributor's home: the actions they are linked to, each with what is due by its plan's
next deadline. A fixed number of queries whatever the number of actions or updates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Direction, ReviewState
from core.models import Action, ProgressUpdate, ReportingDate, User
from core.services import travel
from core.services.contributors import contributed_actions
from core.services.progress import latest_updates


@dataclass(frozen=True)
class MyAction:
    action: Action
    current: ProgressUpdate | None
    direction: Direction | None
    # The plan's next meeting (None if none is set) and the period it reports on.
    next_date: ReportingDate | None
    since: dt.date | None
    # The newest update posted for that period (any review state), if any.
    posted: ProgressUpdate | None

    @property
    def due(self) -> str:
        """What is due, in words."""
        if self.next_date is None:
            return "No reporting date is set yet: post an update when there is news."
        by = f"{self.next_date.deadline.day} {self.next_date.deadline:%B %Y}"
        if self.posted is None:
            return f"An update is due by {by}."
        if self.posted.review is ReviewState.SUBMITTED:
            return "Your update for this period is waiting for the coordinator's review."
        if self.posted.review is ReviewState.RETURNED:
            return f"Your update was returned: {self.posted.review_comment} Post another by {by}."
        return "The update for this period is in."


def my_actions(session: Session, user: User, today: dt.date | None = None) -> list[MyAction]:
    today = today or dt.date.today()
    actions = contributed_actions(session, user)
    if not actions:
        return []
    ids = [a.id for a in actions]
    plan_ids = sorted({a.plan_id for a in actions})
    current = latest_updates(session, Action.id.in_(ids), as_at=today)
    moves = travel.directions(session, ids, today)
    dates = list(
        session.scalars(
            select(ReportingDate)
            .where(ReportingDate.plan_id.in_(plan_ids))
            .order_by(ReportingDate.reported_on)
        )
    )
    upcoming: dict[int, tuple[ReportingDate, dt.date | None]] = {}
    for plan_id in plan_ids:
        mine = [d for d in dates if d.plan_id == plan_id]
        ahead = next((d for d in mine if d.reported_on >= today), None)
        if ahead is not None:
            before = [d.reported_on for d in mine if d.reported_on < ahead.reported_on]
            upcoming[plan_id] = (ahead, before[-1] if before else None)
    earliest = min((since for _, since in upcoming.values() if since), default=None)
    query = select(ProgressUpdate).where(
        ProgressUpdate.action_id.in_(ids), ProgressUpdate.retired_at.is_(None)
    )
    if earliest is not None:
        query = query.where(ProgressUpdate.reported_on > earliest)
    recent = list(session.scalars(query.order_by(ProgressUpdate.created_at, ProgressUpdate.id)))
    found = []
    for action in actions:
        next_date, since = upcoming.get(action.plan_id, (None, None))
        posted = None
        if next_date is not None:
            in_period = [
                u
                for u in recent
                if u.action_id == action.id
                and u.reported_on <= next_date.reported_on
                and (since is None or u.reported_on > since)
            ]
            posted = in_period[-1] if in_period else None
        found.append(
            MyAction(action, current.get(action.id), moves.get(action.id), next_date, since, posted)
        )
    return found

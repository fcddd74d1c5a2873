"""A contributor's home: the actions they are linked to, each with what is due by its plan's
next deadline. A fixed number of queries whatever the number of actions or updates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from core.enums import Direction, ReviewState
from core.models import Action, ProgressUpdate, ReportingDate, User
from core.services.accounts.contributors import contributed_actions
from core.services.progress import travel
from core.services.progress.progress import latest_updates
from core.services.progress.reporting import around
from core.services.words import day_words


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
    # The plan's reporting date before today: ``current`` from on or before it is last
    # period's ("Not reported this period").
    last_meeting: dt.date | None = None

    @property
    def due(self) -> str:
        """What is due, in words."""
        if self.next_date is None:
            return "No reporting date is set yet: post an update when there is news."
        by = f"{self.next_date.deadline.day} {self.next_date.deadline:%B %Y}"
        if self.posted is None:
            return f"An update is due by {by}."
        if self.posted.review is ReviewState.SUBMITTED:
            return (
                f"Your update for this period is awaiting the coordinator's review since "
                f"{day_words(self.posted.created_at)}."
            )
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
    last_meeting: dict[int, dt.date] = {}
    finished: set[int] = set()  # ended, no meeting to come: no period is in progress
    ends = {action.plan_id: action.plan.period_end for action in actions}
    for plan_id in plan_ids:
        previous, ahead = around([d for d in dates if d.plan_id == plan_id], today)
        if ahead is None and ends[plan_id] < today:
            finished.add(plan_id)
        elif previous is not None:
            last_meeting[plan_id] = previous.reported_on
        if ahead is not None:
            upcoming[plan_id] = (ahead, previous.reported_on if previous else None)
    # Only the updates of the periods now open (reported after each plan's previous meeting).
    periods = [
        and_(Action.plan_id == plan_id, ProgressUpdate.reported_on > (since or dt.date.min))
        for plan_id, (_, since) in upcoming.items()
    ]
    recent = list(
        session.scalars(
            select(ProgressUpdate)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(
                ProgressUpdate.action_id.in_(ids),
                ProgressUpdate.retired_at.is_(None),
                or_(false(), *periods),
            )
            .order_by(ProgressUpdate.created_at, ProgressUpdate.id)
        )
    )
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
            MyAction(
                action,
                current.get(action.id),
                None
                if action.plan_id in finished and moves.get(action.id) is Direction.NOT_REPORTED
                else moves.get(action.id),
                next_date,
                since,
                posted,
                last_meeting.get(action.plan_id),
            )
        )
    return found

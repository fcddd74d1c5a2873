"""Reporting dates: the committee meetings a plan reports to, each with a deadline for the
updates it reads; and TRIC PG5's own dates for the Tayside rollup (``plan`` ``None``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.models import Action, Plan, ProgressUpdate, ReportingDate, User
from core.services.accounts.permissions import PermissionDenied, require_area, require_shared
from core.services.errors import Conflict, FieldError, FieldErrors
from core.services.progress.period_locks import hold_period
from core.services.records import audit


class ReportingDateError(FieldError):
    """A reporting date was refused; the message says which field and why."""


def _owned_by(plan: Plan | None):
    return ReportingDate.plan_id.is_(None) if plan is None else ReportingDate.plan_id == plan.id


def reporting_dates(session: Session, plan: Plan | None) -> list[ReportingDate]:
    """A plan's reporting dates (TRIC PG5's with ``plan`` ``None``), oldest first."""
    owned = (
        select(ReportingDate).where(_owned_by(plan)).options(selectinload(ReportingDate.locked_by))
    )
    return list(session.scalars(owned.order_by(ReportingDate.reported_on)))


def reporting_date_on(session: Session, plan: Plan | None, day: dt.date) -> ReportingDate | None:
    """The plan's (or TRIC PG5's) reporting date on ``day``, if there is one."""
    return session.scalar(
        select(ReportingDate).where(_owned_by(plan), ReportingDate.reported_on == day)
    )


@dataclass(frozen=True)
class DefaultDate:
    """The date a page shows when none is asked for, and why, in words."""

    day: dt.date
    reason: str


def around(
    dates: list[ReportingDate], day: dt.date
) -> tuple[ReportingDate | None, ReportingDate | None]:
    """Of ``dates`` (oldest first), the last before ``day`` and the first on or after it: the
    previous meeting and the next."""
    before = [d for d in dates if d.reported_on < day]
    after = [d for d in dates if d.reported_on >= day]
    return (before[-1] if before else None), (after[0] if after else None)


def default_as_at(session: Session, plan: Plan | None, today: dt.date | None = None) -> DefaultDate:
    """What an "as at" page shows by default: the latest reporting date on or before today
    (``plan`` ``None``: TRIC PG5's); with none, the plan's end for a plan that has ended;
    otherwise today."""
    today = today or dt.date.today()
    latest = session.scalar(
        select(func.max(ReportingDate.reported_on)).where(
            _owned_by(plan), ReportingDate.reported_on <= today
        )
    )
    if latest is not None:
        return DefaultDate(latest, "the latest reporting date")
    if plan is not None and plan.period_end < today:
        return DefaultDate(plan.period_end, "the end of the plan")
    return DefaultDate(today, "today")


def standing_day(session: Session, plan: Plan, today: dt.date | None = None) -> dt.date:
    """The day an action's own page judges "where it stands": today for a plan in force (or
    one whose committee still has a meeting to come); for an ended plan, the day its "as at"
    pages show (its latest reporting date, or its end), so that an action of a finished plan
    is not called "not reported this period" for a period that never came."""
    today = today or dt.date.today()
    if plan.period_end >= today or has_meeting_to_come(session, plan, today):
        return today
    return default_as_at(session, plan, today).day


def has_meeting_to_come(session: Session, plan: Plan, today: dt.date) -> bool:
    return (
        session.scalar(
            select(ReportingDate.id)
            .where(_owned_by(plan), ReportingDate.reported_on >= today)
            .limit(1)
        )
        is not None
    )


def require_changing_dates(actor: User | None, plan: Plan | None) -> None:
    """Refuse (``PermissionDenied``, with the sentence) anyone who may not change the plan's
    (or, for ``None``, TRIC PG5's) reporting dates."""
    if actor is None:
        return
    if plan is None:
        try:
            require_shared(actor)
        except PermissionDenied:
            raise PermissionDenied(
                "Only TRIC PG5 members and administrators can set the rollup's reporting dates."
            ) from None
    else:
        require_area(actor, plan.area)


def add_reporting_date(
    session: Session,
    plan: Plan | None,
    *,
    actor: User | None,
    reported_on: dt.date,
    deadline: dt.date,
) -> ReportingDate:
    """Add a meeting: the plan's coordinators and admins (TRIC PG5 and admins for the
    rollup's). The deadline for updates falls on or before the meeting, and a plan's meetings
    fall on or after its start. The caller commits."""
    require_changing_dates(actor, plan)
    problems: list[FieldError] = []
    if deadline > reported_on:
        problems.append(
            ReportingDateError(
                "deadline", "The deadline for updates must be on or before the reporting date."
            )
        )
    if plan is not None and reported_on < plan.period_start:
        problems.append(
            ReportingDateError(
                "date",
                f"The reporting date must be on or after the plan starts, "
                f"{plan.period_start.day} {plan.period_start:%B %Y}.",
            )
        )
    if plan is not None:
        # Hold the date whose period the new one would split, so it cannot be locked meanwhile.
        hold_period(session, plan.id, reported_on)
        locked = session.scalar(
            select(func.max(ReportingDate.reported_on)).where(
                ReportingDate.plan_id == plan.id, ReportingDate.locked_at.is_not(None)
            )
        )
        if locked is not None and reported_on <= locked:
            problems.append(
                ReportingDateError(
                    "date",
                    f"The periods up to {locked.day} {locked:%B %Y} are locked: a new reporting "
                    "date must come after it.",
                )
            )
    FieldErrors.raise_any(problems)
    record = ReportingDate(plan=plan, reported_on=reported_on, deadline=deadline, created_by=actor)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "date", f"There is already a reporting date on {reported_on.day} {reported_on:%B %Y}."
        ) from None
    return record


def remove_reporting_date(
    session: Session, record: ReportingDate, *, actor: User | None, today: dt.date | None = None
) -> None:
    """Remove a meeting that has not been reported on: one still to come, with no update
    reported for it yet. The caller commits."""
    require_changing_dates(actor, record.plan)
    today = today or dt.date.today()
    if record.reported_on <= today:
        raise ReportingDateError(
            "date", "This reporting date has passed and has been reported on: it is kept."
        )
    if record.plan is not None:
        earlier = session.scalar(
            select(func.max(ReportingDate.reported_on)).where(
                ReportingDate.plan_id == record.plan_id,
                ReportingDate.reported_on < record.reported_on,
            )
        )
        reported = session.scalar(
            select(func.count(ProgressUpdate.id))
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(
                Action.plan_id == record.plan_id,
                ProgressUpdate.in_force(),
                ProgressUpdate.reported_on <= record.reported_on,
                ProgressUpdate.reported_on > (earlier or dt.date.min),
            )
        )
        if reported:
            raise ReportingDateError(
                "date",
                f"{reported} update(s) already report for this date: it is kept.",
            )
    # One guarded DELETE: of two people removing it at the same moment, one does.
    gone = session.execute(delete(ReportingDate).where(ReportingDate.id == record.id)).rowcount
    if gone != 1:
        raise Conflict("date", "Someone else has just removed this reporting date.")
    audit.record_event(
        session,
        kind="reporting_dates",
        event_name="deleted",
        record_id=record.id,
        area_id=record.plan.area_id if record.plan else None,
        summary=f"reporting date {record.reported_on.isoformat()} deleted",
        before={
            "reported_on": record.reported_on.isoformat(),
            "deadline": record.deadline.isoformat(),
        },
    )
    session.expunge(record)

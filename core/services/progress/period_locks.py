"""Locking a reporting period once the committee has had its report: no update reported for
it can then be added, corrected or withdrawn, except by an administrator, which the audit
trail records. A write into a period holds the reporting date's row while it checks, so a lock
and a write sent at the same moment cannot both succeed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import lock_row
from core.enums import Role
from core.models import Action, ReportingDate, User
from core.services.accounts.permissions import PermissionDenied, require_area
from core.services.errors import Conflict, FieldError
from core.services.records import audit


def _first_on_or_after(plan_id: int, reported_on: dt.date):
    return (
        select(ReportingDate.id)
        .where(ReportingDate.plan_id == plan_id, ReportingDate.reported_on >= reported_on)
        .order_by(ReportingDate.reported_on)
        .limit(1)
    )


def period_of(session: Session, plan_id: int, reported_on: dt.date) -> ReportingDate | None:
    """The reporting date whose period holds ``reported_on`` (the first on or after it), read
    afresh from the database."""
    return session.scalars(
        select(ReportingDate)
        .where(ReportingDate.id == _first_on_or_after(plan_id, reported_on).scalar_subquery())
        .execution_options(populate_existing=True)
    ).first()


def hold_period(session: Session, plan_id: int, reported_on: dt.date) -> None:
    """Hold the row of the reporting date whose period holds ``reported_on`` until the
    transaction ends (PostgreSQL: ``FOR UPDATE``; SQLite: a no-op update, which takes its
    write lock), so that a lock cannot be saved between the check and the write."""
    first = _first_on_or_after(plan_id, reported_on)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(ReportingDate)
            .where(ReportingDate.id == first.scalar_subquery())
            .values(id=ReportingDate.id)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(first.with_for_update())


def check_open(
    session: Session, action: Action, reported_on: dt.date, actor: User | None, what: str
) -> None:
    """Refuse a write to an update reported on ``reported_on`` if its period is locked, unless
    ``actor`` is an administrator (recorded in the audit trail) or a trusted caller (None).
    Holds the reporting date's row until the transaction ends. Two queries."""
    hold_period(session, action.plan_id, reported_on)
    record = period_of(session, action.plan_id, reported_on)
    if record is None or record.locked_at is None or actor is None:
        return
    meeting = f"{record.reported_on.day} {record.reported_on:%B %Y}"
    if actor.role is not Role.ADMIN:
        raise FieldError(
            "reported_on",
            f"The period up to the meeting on {meeting} is locked: the committee has had its "
            "report. Only an administrator can change an update reported for it.",
        )
    audit.record_event(
        session,
        kind="reporting_dates",
        event_name="locked_period_changed",
        actor=actor,
        record_id=record.id,
        area_id=action.plan.area_id,
        summary=f"{actor.email} {what} action {action.code} in the locked period up to {meeting}",
    )


def lock_period(
    session: Session, record: ReportingDate, *, actor: User | None, today: dt.date | None = None
) -> None:
    """Lock the period up to a meeting that has taken place (the area's coordinators and
    admins): one guarded UPDATE, so of two locks at once one is told it is locked already."""
    if record.plan is None:
        raise FieldError("date", "TRIC PG5's reporting dates have no periods to lock.")
    if actor is not None:
        require_area(actor, record.plan.area)
    if record.reported_on > (today or dt.date.today()):
        raise FieldError("date", "Lock a period once its meeting has taken place.")
    lock_row(session, ReportingDate, record.id)  # wait for writes into the period to finish
    done = session.execute(
        update(ReportingDate)
        .where(ReportingDate.id == record.id, ReportingDate.locked_at.is_(None))
        .values(locked_at=dt.datetime.now(dt.UTC), locked_by_id=actor.id if actor else None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict("date", "This period is locked already.")
    audit.record_event(
        session,
        kind="reporting_dates",
        event_name="period_locked",
        actor=actor,
        record_id=record.id,
        area_id=record.plan.area_id,
        summary=f"the period up to {record.reported_on:%d/%m/%Y} was locked",
    )
    session.expire(record)


def unlock_period(session: Session, record: ReportingDate, *, actor: User | None) -> None:
    """Unlock a period (administrators only), recorded in the audit trail."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise PermissionDenied("Only an administrator can unlock a period.")
    done = session.execute(
        update(ReportingDate)
        .where(ReportingDate.id == record.id, ReportingDate.locked_at.is_not(None))
        .values(locked_at=None, locked_by_id=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict("date", "This period is not locked.")
    audit.record_event(
        session,
        kind="reporting_dates",
        event_name="period_unlocked",
        actor=actor,
        record_id=record.id,
        area_id=record.plan.area_id if record.plan else None,
        summary=f"the period up to {record.reported_on:%d/%m/%Y} was unlocked",
    )
    session.expire(record)

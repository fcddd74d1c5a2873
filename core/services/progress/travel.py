"""Direction of travel: how each action's RAG moved since the previous reporting date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from core.enums import Direction
from core.hooks.report_data import direction
from core.models import Action, ReportingDate
from core.services.progress.progress import newest_update_join, stale_in_sql


def previous_reporting_day(as_at: dt.date) -> ColumnElement[dt.date]:
    """In SQL, for each action's plan: its latest reporting date before ``as_at`` (correlated
    to the actions of the query around it, however deep: a ``LATERAL`` walk included)."""
    return (
        select(func.max(ReportingDate.reported_on))
        .where(ReportingDate.plan_id == Action.plan_id, ReportingDate.reported_on < as_at)
        .correlate(Action)
        .scalar_subquery()
    )


def directions(
    session: Session, action_ids: Iterable[int], as_at: dt.date
) -> dict[int, Direction | None]:
    """Each action's direction of travel as at ``as_at``: its latest update that counts then,
    against its latest one as at its plan's reporting date before ``as_at`` (with no earlier
    reporting date, everything reported is "new"); "not reported" where its latest update is
    from that date or before (nothing new this period). One query, two index seeks per
    action."""
    ids = sorted(set(action_ids))
    previous = previous_reporting_day(as_at)
    now, now_join = newest_update_join(session, Action.id, as_at, "now")
    then, then_join = newest_update_join(session, Action.id, previous, "then")
    query = (
        select(
            Action.id,
            now.rag,
            now.status,
            then.rag,
            then.status,
            case((stale_in_sql(now, previous), True), else_=False),
        )
        .select_from(Action)
        .outerjoin(*now_join)
        .outerjoin(*then_join)
        .where(Action.id.in_(ids))
    )
    found = {}
    for action_id, now_rag, now_status, then_rag, then_status, stale in session.execute(query):
        if stale:
            found[action_id] = Direction.NOT_REPORTED
            continue
        now = (now_rag, now_status) if now_status is not None else None
        then = (then_rag, then_status) if then_status is not None else None
        found[action_id] = direction(now, then)
    return found

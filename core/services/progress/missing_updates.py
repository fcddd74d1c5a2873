"""Missing updates: for a plan's reporting date, every action in the plan then that has no
update in force reported for the period since the reporting date before it, by lead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, selectinload

from core.enums import ActionKind, ProgressStatus, ReviewState
from core.models import Action, Plan, ProgressUpdate, ReportingDate
from core.services.progress.progress import in_plan_on, newest_update_join

NO_LEAD = "No strategic lead named"


@dataclass(frozen=True)
class MissingUpdates:
    """The actions with no update for the period from ``since`` (exclusive; None: the plan's
    start) to the reporting date, and the same grouped by lead."""

    reporting_date: ReportingDate
    since: dt.date | None
    actions: list[Action]

    @property
    def by_lead(self) -> list[tuple[str, list[Action]]]:
        leads: dict[str, list[Action]] = {}
        for action in self.actions:
            for name in [lead.name for lead in action.leads] or [NO_LEAD]:
                leads.setdefault(name, []).append(action)
        return sorted(leads.items(), key=lambda item: (item[0] == NO_LEAD, item[0].lower()))


def missing_updates(session: Session, plan: Plan, reporting_date: ReportingDate) -> MissingUpdates:
    """Two queries whatever the plan's history: the reporting date before this one, and the
    actions (improvement actions first, by number) that were in the plan on the date, were not
    completed by the start of the period, and have no update in force reported in it."""
    day = reporting_date.reported_on
    since = session.scalar(
        select(ReportingDate.reported_on)
        .where(ReportingDate.plan_id == plan.id, ReportingDate.reported_on < day)
        .order_by(ReportingDate.reported_on.desc())
        .limit(1)
    )
    in_period = aliased(ProgressUpdate)
    reported = exists().where(
        in_period.action_id == Action.id,
        in_period.retired_at.is_(None),
        # A submitted update waiting for review is not missing; a returned one is.
        in_period.review != ReviewState.RETURNED,
        in_period.reported_on <= day,
        *([in_period.reported_on > since] if since else []),
    )
    query = (
        select(Action)
        .where(Action.plan_id == plan.id, in_plan_on(day), ~reported)
        .options(selectinload(Action.leads), selectinload(Action.contributors))
        .order_by(Action.kind != ActionKind.IMPROVEMENT, Action.position, Action.id)
    )
    if since is not None:  # completed by the start of the period: nothing more to report
        latest, latest_join = newest_update_join(session, Action.id, since, "latest")
        query = query.outerjoin(*latest_join).where(
            (latest.id.is_(None)) | (latest.status != ProgressStatus.COMPLETED)
        )
    return MissingUpdates(reporting_date, since, list(session.scalars(query)))

"""An area's dashboard: where its current plan stands, what is overdue or due soon, and the
latest updates. Counted and listed by the database: a fixed number of queries, and a fixed
amount of work in Python, whatever the plan's size or the length of its history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from core.enums import ActionKind, ProgressStatus
from core.models import Action, Area, Plan, ProgressUpdate
from core.models.progress import counts
from core.services.plans.action_query import actions_by_id, find_actions
from core.services.plans.search import ActionFilter
from core.services.plans.summary import PlanSummary, RagCounts, plan_counts
from core.services.progress.progress import (
    in_plan_on,
    latest_updates,
    newest_update_join,
    update_alias,
)

DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class Dashboard:
    area: Area
    plan: Plan
    as_at: dt.date
    summary: PlanSummary
    rag_total: RagCounts
    overdue_total: int
    # The first few overdue and due-soon actions (``listed``), and how many there are.
    overdue: list[Action]
    due_soon: list[Action]
    due_soon_total: int
    due_by: dt.date
    recent_updates: list[ProgressUpdate]
    latest: dict[int, ProgressUpdate]
    # The plan's reporting date before ``as_at`` (see ``reported_this_period``).
    since: dt.date | None = None

    def current(self, action: Action) -> ProgressUpdate | None:
        return self.latest.get(action.id)

    def since_for(self, action: Action) -> dt.date | None:
        return self.since


def _recent_ids(session: Session, plan: Plan, as_at: dt.date, recent: int):
    """In SQL, the ids among which are the plan's ``recent`` latest posted updates in force
    reported by ``as_at``. On PostgreSQL, each action's ``recent`` newest by a ``LATERAL`` walk
    of the ``(action_id, created_at, id)`` index: bounded by the plan's size, not its history.
    SQLite (no ``LATERAL``) reads the plan's updates through the ``action_id`` index."""
    if session.get_bind().dialect.name != "postgresql":
        return (
            select(ProgressUpdate.id)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(
                Action.plan_id == plan.id,
                ProgressUpdate.reported_on <= as_at,
                ProgressUpdate.in_force(),
            )
        )
    each = update_alias("recent_walk")
    walk = (
        select(each.id)
        .where(each.action_id == Action.id, each.reported_on <= as_at, counts(each))
        .order_by(each.created_at.desc(), each.id.desc())
        .limit(recent)
        .lateral("recent")
    )
    return select(walk.c.id).select_from(Action).join(walk, true()).where(Action.plan_id == plan.id)


def area_dashboard(
    session: Session,
    area: Area,
    plan: Plan,
    as_at: dt.date | None = None,
    recent: int = 10,
    listed: int = 10,
) -> Dashboard:
    as_at = as_at or dt.date.today()
    summary, rags, overdue_total = plan_counts(session, [plan], as_at)[plan.id]
    overdue = find_actions(
        session, [plan.id], as_at, ActionFilter(overdue=True), page=1, page_size=listed
    )
    horizon = as_at + dt.timedelta(days=DUE_SOON_DAYS)
    latest, latest_join = newest_update_join(session, Action.id, as_at, "latest")
    due = (
        select(Action.id)
        .select_from(Action)
        .outerjoin(*latest_join)
        .where(
            Action.plan_id == plan.id,
            Action.kind == ActionKind.IMPROVEMENT,
            in_plan_on(as_at),
            Action.target_date >= as_at,
            Action.target_date <= horizon,
            or_(latest.id.is_(None), latest.status != ProgressStatus.COMPLETED),
        )
    )
    due_total = session.scalar(select(func.count()).select_from(due.subquery())) or 0
    due_ids = list(session.scalars(due.order_by(Action.target_date, Action.position).limit(listed)))
    listed_due = actions_by_id(session, due_ids)
    due_soon = [listed_due[action_id] for action_id in due_ids]
    updates = list(
        session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.id.in_(_recent_ids(session, plan, as_at, recent)))
            .options(
                joinedload(ProgressUpdate.action),
                joinedload(ProgressUpdate.author),
                joinedload(ProgressUpdate.on_behalf_of),
            )
            .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
            .limit(recent)
        )
    )
    shown = {a.id: u for a, u in overdue.items if u is not None}
    shown.update(latest_updates(session, Action.id.in_(due_ids), as_at=as_at))
    return Dashboard(
        area=area,
        plan=plan,
        as_at=as_at,
        summary=summary,
        rag_total=rags,
        overdue_total=overdue_total,
        overdue=[a for a, _ in overdue.items],
        due_soon=due_soon,
        due_soon_total=due_total,
        due_by=horizon,
        recent_updates=updates,
        latest=shown,
        since=overdue.since.get(plan.id),
    )

"""An area's dashboard: where its current plan stands, what is overdue or due soon, and the
latest updates. A fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.enums import ActionKind
from core.models import Action, Area, Plan, ProgressUpdate
from core.services.progress import is_completed
from core.services.summary import PlanState, plan_state

DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class Dashboard:
    area: Area
    plan: Plan
    state: PlanState
    due_soon: list[Action]
    due_by: dt.date
    recent_updates: list[ProgressUpdate]


def area_dashboard(
    session: Session, area: Area, plan: Plan, as_at: dt.date | None = None, recent: int = 10
) -> Dashboard:
    state = plan_state(session, plan, as_at)
    horizon = state.as_at + dt.timedelta(days=DUE_SOON_DAYS)
    due_soon = [
        a
        for a in state.actions
        if a.kind is ActionKind.IMPROVEMENT
        and a.target_date is not None
        and state.as_at <= a.target_date <= horizon
        and not is_completed(state.current(a))
    ]
    updates = list(
        session.scalars(
            select(ProgressUpdate)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(
                Action.plan_id == plan.id,
                ProgressUpdate.reported_on <= state.as_at,
                ProgressUpdate.in_force(),
            )
            .options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.author))
            .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
            .limit(recent)
        )
    )
    due_soon.sort(key=lambda a: (a.target_date, a.position))
    return Dashboard(area, plan, state, due_soon, horizon, updates)

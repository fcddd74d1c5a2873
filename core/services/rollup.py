"""The TRIC PG5 rollup: every area's current state on each shared action, across Tayside."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.models import Action, Area, Plan, SharedAction
from core.plugins import PluginRegistry
from core.rollup_types import RollupCell, RollupRow
from core.services.progress import in_plan_as_at, is_overdue, latest_updates


def tayside_rollup(
    session: Session, plugins: PluginRegistry, as_at: dt.date | None = None
) -> list[RollupRow]:
    """One row per shared action, one cell per area, as things stood on ``as_at``
    (default today). Each row's Tayside status comes from the ``tayside_status`` hook.

    Where an area holds the action in several plans, the plan in force on ``as_at`` (the
    latest started by then) counts. Four queries, whatever the number of rows.
    """
    as_at = as_at or dt.date.today()
    shared = list(session.scalars(select(SharedAction).order_by(SharedAction.position)))
    areas = list(
        session.scalars(select(Area).where(Area.is_synthetic.is_(False)).order_by(Area.name))
    )
    adopted = in_plan_as_at(
        session.scalars(
            select(Action)
            .where(Action.shared_action_id.is_not(None))
            .options(joinedload(Action.plan).joinedload(Plan.area))
        ),
        as_at,
    )
    latest = latest_updates(session, Action.shared_action_id.is_not(None), as_at=as_at)

    def in_force(action: Action) -> tuple[bool, dt.date]:
        return (action.plan.period_start <= as_at, action.plan.period_start)

    chosen: dict[tuple[int, int], Action] = {}
    for action in sorted(adopted, key=in_force):
        chosen[(action.shared_action_id, action.plan.area_id)] = action  # type: ignore[index]

    rows = []
    for definition in shared:
        cells: dict[str, RollupCell | None] = {}
        for area in areas:
            action = chosen.get((definition.id, area.id))
            if action is None:
                cells[area.slug] = None
                continue
            update = latest.get(action.id)
            cells[area.slug] = RollupCell(
                area_slug=area.slug,
                area_name=area.name,
                action_id=action.id,
                action_code=action.code,
                rag=update.rag if update else None,
                status=update.status if update else None,
                last_reported_on=update.reported_on if update else None,
                overdue=is_overdue(action, update, as_at),
            )
        row = RollupRow(
            key=definition.key,
            title=definition.title,
            target_date=definition.target_date,
            cells=cells,
        )
        status = plugins.first_answer("tayside_status", row=row)
        rows.append(replace(row, tayside_status=status))
    return rows

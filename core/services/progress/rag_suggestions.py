"""The RAG the engine suggests for an action, from the evidence, through the ``suggest_rag``
hook (the built-in rule is ``core.default_plugins.suggest_rag``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.enums import ProgressStatus
from core.hooks.rag import ActionFacts, RagSuggestion
from core.hooks.registry import PluginRegistry
from core.models import Action, Kpi, KpiValue, Plan, ProgressUpdate, ReportingDate, kpi_actions
from core.services.kpis.kpis import off_target, ranked_figures
from core.services.progress.progress import latest_updates


def kpis_off_target(
    session: Session, actions: list[Action], as_at: dt.date
) -> dict[int, tuple[str, ...]]:
    """The names of each action's linked KPIs whose latest figure for the action's area (of a
    period ended by ``as_at``) is off target: one query whatever the number of actions."""
    ids = [a.id for a in actions]
    linked = select(kpi_actions.c.kpi_id).where(kpi_actions.c.action_id.in_(ids))
    ranked = ranked_figures(linked, as_at)
    rows = session.execute(
        select(kpi_actions.c.action_id, Kpi, KpiValue)
        .join(Kpi, Kpi.id == kpi_actions.c.kpi_id)
        .join(Action, Action.id == kpi_actions.c.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(
            ranked,
            and_(
                ranked.c.kpi_id == kpi_actions.c.kpi_id,
                ranked.c.area_id == Plan.area_id,
                ranked.c.n == 1,
            ),
        )
        .outerjoin(KpiValue, KpiValue.id == ranked.c.id)
        .where(kpi_actions.c.action_id.in_(ids))
        .order_by(kpi_actions.c.action_id, Kpi.name)
    )
    found: dict[int, list[str]] = {}
    for action_id, kpi, latest in rows:
        if off_target(kpi, latest):
            found.setdefault(action_id, []).append(kpi.name)
    return {action_id: tuple(names) for action_id, names in found.items()}


def facts_for(
    action: Action,
    *,
    status: ProgressStatus | None,
    as_at: dt.date,
    last_reported_on: dt.date | None,
    kpis: tuple[str, ...] = (),
) -> ActionFacts:
    return ActionFacts(
        area=action.plan.area.slug,
        code=action.code,
        kind=action.kind,
        status=status,
        as_at=as_at,
        plan_start=action.plan.period_start,
        target_date=action.target_date,
        last_reported_on=last_reported_on,
        kpis_off_target=kpis,
    )


def ask(plugins: PluginRegistry, facts: ActionFacts) -> RagSuggestion | None:
    """The first plugin's suggestion (a plugin that raises or answers wrongly is skipped)."""
    return plugins.first_answer("suggest_rag", RagSuggestion, facts=facts)[1]


def suggest_for_update(
    session: Session,
    plugins: PluginRegistry,
    action: Action,
    *,
    status: ProgressStatus,
    reported_on: dt.date,
) -> RagSuggestion | None:
    """The suggestion for an update about to be posted: the status given, on ``reported_on``,
    against the action's previous update and its KPIs then."""
    previous = latest_updates(session, Action.id == action.id, as_at=reported_on).get(action.id)
    meeting = session.scalar(
        select(func.max(ReportingDate.reported_on)).where(
            ReportingDate.plan_id == action.plan_id, ReportingDate.reported_on < reported_on
        )
    )
    facts = replace(
        facts_for(
            action,
            status=status,
            as_at=reported_on,
            last_reported_on=previous.reported_on if previous else None,
            kpis=kpis_off_target(session, [action], reported_on).get(action.id, ()),
        ),
        previous_reporting_date=meeting,
        new_update=True,
    )
    return ask(plugins, facts)


def current_suggestions(
    session: Session,
    plugins: PluginRegistry,
    actions: list[Action],
    latest: Mapping[int, ProgressUpdate | None],
    as_at: dt.date,
) -> dict[int, RagSuggestion | None]:
    """For each action, the suggestion for its current state as at ``as_at`` (its latest
    update's status, or none): two queries whatever the number of actions."""
    kpis = kpis_off_target(session, actions, as_at)
    found = {}
    for action in actions:
        update = latest.get(action.id)
        facts = facts_for(
            action,
            status=update.status if update else None,
            as_at=as_at,
            last_reported_on=update.reported_on if update else None,
            kpis=kpis.get(action.id, ()),
        )
        found[action.id] = ask(plugins, facts)
    return found

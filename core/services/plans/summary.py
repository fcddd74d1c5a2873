"""The plan's Progress/Update Report row, RAG counts and overdue actions, as at any date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.enums import ActionKind, ProgressStatus, Rag
from core.hooks.report_data import PlanSummary, RagCounts, is_stale
from core.models import Action, Plan, ProgressUpdate
from core.services.progress.progress import (
    in_plan_as_at,
    in_plan_on,
    is_completed,
    is_overdue,
    latest_updates,
    newest_update_join,
    periods_since,
    stale_in_sql,
)
from core.services.progress.travel import previous_reporting_day


@dataclass(frozen=True)
class PlanState:
    """Everything the engine says about one plan as at a date, from three queries."""

    plan: Plan
    as_at: dt.date
    actions: list[Action]
    latest: dict[int, ProgressUpdate]
    summary: PlanSummary
    rag_by_outcome: dict[int, RagCounts] = field(default_factory=dict)
    rag_total: RagCounts = field(default_factory=RagCounts)
    overdue: list[Action] = field(default_factory=list)
    # The plan's reporting date before ``as_at``: an update from on or before it is last
    # period's ("Not reported this period").
    since: dt.date | None = None

    def current(self, action: Action) -> ProgressUpdate | None:
        return self.latest.get(action.id)

    def since_for(self, action: Action) -> dt.date | None:
        return self.since

    def stale(self, action: Action) -> bool:
        """The action's latest update is last period's: it is not reported this period."""
        return is_stale(self.latest.get(action.id), self.since)


def load_actions(session: Session, plan_ids: list[int]) -> list[Action]:
    """The plans' actions with their leads and KPI measures (fixed query count)."""
    return list(
        session.scalars(
            select(Action)
            .where(Action.plan_id.in_(plan_ids))
            .options(
                selectinload(Action.leads),
                selectinload(Action.kpi_measures),
                joinedload(Action.shared_action),
            )
            .order_by(Action.plan_id, Action.position)
        )
    )


def plan_states(
    session: Session, plans: list[Plan], as_at: dt.date | None = None
) -> dict[int, PlanState]:
    """Each plan's summary, RAG counts and overdue actions as they stood on ``as_at``
    (default: today), from the update history; keyed by plan id. Five queries in all."""
    as_at = as_at or dt.date.today()
    ids = [plan.id for plan in plans]
    every_action = load_actions(session, ids)
    latest = latest_updates(session, Action.plan_id.in_(ids), as_at=as_at)
    since = periods_since(session, ids, as_at)
    return {
        plan.id: _state(
            plan, [a for a in every_action if a.plan_id == plan.id], latest, as_at, since[plan.id]
        )
        for plan in plans
    }


def plan_state(session: Session, plan: Plan, as_at: dt.date | None = None) -> PlanState:
    return plan_states(session, [plan], as_at)[plan.id]


def plan_summary(session: Session, plan: Plan, as_at: dt.date | None = None) -> PlanSummary:
    """The plan's Progress/Update Report row as at ``as_at`` (default today), counted by the
    database (``plan_summaries``)."""
    return plan_summaries(session, [plan], as_at)[plan.id]


def summarise(
    plan: Plan,
    actions: list[Action],
    latest: Mapping[int, object],
    day: dt.date,
    target_date: Callable[[Action], dt.date | None] = lambda action: action.target_date,
) -> PlanSummary:
    """The Progress/Update Report row on ``day`` of ``actions`` (those in the plan then), from
    each one's latest update then (anything with a ``status``), by action id; ``target_date``
    gives an action's target date then (default: today's wording)."""
    improvement = [a for a in actions if a.kind is ActionKind.IMPROVEMENT]
    ongoing = [a for a in improvement if not is_completed(latest.get(a.id))]
    years = Counter(
        plan.year_of(due) for due in (target_date(a) for a in ongoing) if due is not None
    )
    return PlanSummary(
        as_at=day,
        total=len(improvement),
        completed=len(improvement) - len(ongoing),
        added=sum(1 for a in improvement if a.added_on is not None),
        ongoing=len(ongoing),
        by_year={year: years[year] for year in sorted(years)},
        maintenance=len(actions) - len(improvement),
    )


def _state(
    plan: Plan,
    every_action: list[Action],
    latest: dict[int, ProgressUpdate],
    as_at: dt.date,
    since: dt.date | None,
) -> PlanState:
    actions = in_plan_as_at(every_action, as_at)
    improvement = [a for a in actions if a.kind is ActionKind.IMPROVEMENT]
    summary = summarise(plan, actions, latest, as_at)

    by_outcome: dict[int, list[ProgressUpdate | None]] = {}
    for action in improvement:
        if action.outcome_id is not None:
            by_outcome.setdefault(action.outcome_id, []).append(latest.get(action.id))
    return PlanState(
        plan=plan,
        as_at=as_at,
        actions=actions,
        latest={a.id: latest[a.id] for a in actions if a.id in latest},
        summary=summary,
        rag_by_outcome={oid: RagCounts.of(updates, since) for oid, updates in by_outcome.items()},
        rag_total=RagCounts.of([latest.get(a.id) for a in improvement], since),
        overdue=[a for a in improvement if is_overdue(a, latest.get(a.id), as_at)],
        since=since,
    )


def plan_summaries(
    session: Session, plans: list[Plan], as_at: dt.date | None = None
) -> dict[int, PlanSummary]:
    """Each plan's Progress/Update Report row as at ``as_at`` (default today), by plan id,
    counted by the database (``plan_counts``)."""
    return {plan_id: counts[0] for plan_id, counts in plan_counts(session, plans, as_at).items()}


def plan_counts(
    session: Session, plans: list[Plan], as_at: dt.date | None = None
) -> dict[int, tuple[PlanSummary, RagCounts, int]]:
    """Each plan's Progress/Update Report row, RAG counts and number of overdue actions as at
    ``as_at`` (default today), by plan id: one aggregate query over the actions, each action's
    latest update found by one index seek. The database returns a handful of rows per plan,
    whatever its size. An action whose latest update is from before the period (on or before
    the plan's reporting date before ``as_at``) counts as not reported, as ``RagCounts.of``."""
    as_at = as_at or dt.date.today()
    latest, latest_join = newest_update_join(session, Action.id, as_at, "latest")
    added = Action.added_on.is_not(None)
    done = and_(latest.id.is_not(None), latest.status == ProgressStatus.COMPLETED)
    stale = case((stale_in_sql(latest, previous_reporting_day(as_at)), True), else_=False)
    each = (
        select(
            Action.plan_id,
            Action.kind,
            added.label("added"),
            Action.target_date,
            done.label("done"),
            latest.rag,
            stale.label("stale"),
        )
        .select_from(Action)
        .outerjoin(*latest_join)
        .where(Action.plan_id.in_([plan.id for plan in plans]), in_plan_on(as_at))
        .subquery()
    )
    rows = session.execute(select(*each.c, func.count()).group_by(*each.c))
    counts: dict[int, Counter] = {plan.id: Counter() for plan in plans}
    years: dict[int, Counter] = {plan.id: Counter() for plan in plans}
    by_id = {plan.id: plan for plan in plans}
    for plan_id, kind, was_added, target, completed, rag, last_period, n in rows:
        rag = None if last_period else rag
        tally = counts[plan_id]
        if kind is not ActionKind.IMPROVEMENT:
            tally["maintenance"] += n
            continue
        tally["total"] += n
        tally["added"] += n if was_added else 0
        # As ``RagCounts.of``: the RAG, else "completed" for a completed action, else none.
        tally[("rag", rag or ("completed" if completed else None))] += n
        if completed:
            tally["completed"] += n
            continue
        if target is not None:
            years[plan_id][by_id[plan_id].year_of(target)] += n
            tally["overdue"] += n if target < as_at else 0
    found = {}
    for plan_id, tally in counts.items():
        summary = PlanSummary(
            as_at=as_at,
            total=tally["total"],
            completed=tally["completed"],
            added=tally["added"],
            ongoing=tally["total"] - tally["completed"],
            by_year={year: years[plan_id][year] for year in sorted(years[plan_id])},
            maintenance=tally["maintenance"],
        )
        rags = RagCounts(
            red=tally[("rag", Rag.RED)],
            amber=tally[("rag", Rag.AMBER)],
            green=tally[("rag", Rag.GREEN)],
            completed=tally[("rag", "completed")],
            not_reported=tally[("rag", None)],
        )
        found[plan_id] = (summary, rags, tally["overdue"])
    return found

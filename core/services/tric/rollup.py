"""The TRIC PG5 rollup: every area's state on each shared action, across Tayside, as at any
date, with the trend of Red, Amber and Green over the reporting dates.

The *reporting dates* are TRIC PG5's own calendar (``core.services.progress.reporting``, ``plan``
``None``). A cell is *stale*, "Not reported this period", when its area's latest update on
the action is from before the period of the latest PG5 reporting date on or before "as at"
(nothing reported after the PG5 reporting date before it) and is not a completion. Until PG5
sets dates, each area's own plan decides: its latest update is from on or before its plan's
reporting date before "as at", as on the area's own pages. A stale cell counts as not
reported: in the Tayside status, the "areas reporting" and the trend.

"As at" a date, a shared action that took effect later is absent, as is an adoption made later
and a "does not apply" record made later.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import Date, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session, joinedload

from core.enums import ProgressStatus, Rag
from core.hooks.registry import PluginProblem, PluginRegistry
from core.hooks.report_data import reported_this_period
from core.hooks.rollup import RollupCell, RollupRow, TaysideStatus
from core.models import (
    Action,
    Area,
    NotApplicable,
    Plan,
    ProgressUpdate,
    ReportingDate,
    SharedAction,
)
from core.services.plans.plans import plan_in_force
from core.services.plans.wording import shared_wording_as_at
from core.services.progress import reporting, travel
from core.services.progress.progress import (
    as_date,
    in_plan_as_at,
    is_overdue,
    latest_updates,
    newest_update_join,
    overdue_since,
    periods_since,
)


@dataclass(frozen=True)
class TrendPoint:
    """How many cells across Tayside stood at each RAG on a reporting date."""

    reported_on: dt.date
    red: int
    amber: int
    green: int
    no_rag: int

    @property
    def rags(self) -> int:
        return self.red + self.amber + self.green


@dataclass(frozen=True)
class Rollup:
    as_at: dt.date
    areas: list[Area]
    rows: list[RollupRow]
    # PG5's reporting dates (else the dates areas reported on), oldest first; the last one on
    # or before ``as_at``.
    reporting_dates: list[dt.date]
    last_reporting_date: dt.date | None
    trend: list[TrendPoint]
    # Plugins whose status rule raised or gave an answer that is not a status: skipped.
    rule_problems: list[PluginProblem] = field(default_factory=list)
    # Whether ``reporting_dates`` are PG5's own calendar (else the dates areas reported on);
    # a cell is stale when not reported on since ``stale_before``.
    pg5_calendar: bool = False
    stale_before: dt.date | None = None

    @property
    def rules_used(self) -> list[str]:
        """The plugins whose rule decided at least one row's status, in the order met."""
        return list(dict.fromkeys(row.decided_by for row in self.rows if row.decided_by))

    def row(self, key: str) -> RollupRow:
        return next(row for row in self.rows if row.key == key)


# The trend shows the latest reporting dates, at most this many (two years of monthly
# meetings): a chart people can read, and a rollup whose time does not grow with the history.
TREND_POINTS = 24


def _adopted_copies(session: Session, areas: list[Area]) -> list[Action]:
    """Every adopted copy of a shared action in the areas' plans (a few per area and plan,
    whatever the length of the history)."""
    return list(
        session.scalars(
            select(Action)
            .join(Plan, Plan.id == Action.plan_id)
            .where(
                Action.shared_action_id.is_not(None),
                Plan.area_id.in_([area.id for area in areas]),
            )
            .options(joinedload(Action.plan))
        )
    )


def _chosen(copies: list[Action], as_at: dt.date) -> dict[tuple[int, int], Action]:
    """Each (shared action, area)'s copy in the plan in force on ``as_at`` (the latest plan
    started by then, else the earliest), among the copies in the plan by then."""

    def in_force(action: Action) -> tuple[bool, dt.date]:
        return (action.plan.period_start <= as_at, action.plan.period_start)

    chosen = {}
    for action in sorted(in_plan_as_at(copies, as_at), key=in_force):
        chosen[(action.shared_action_id, action.plan.area_id)] = action
    return chosen  # type: ignore[return-value]


def _reported_dates(session: Session, copies: list[Action]) -> list[dt.date]:
    """The dates the areas' updates on their adopted copies report on (while PG5 has set no
    dates of its own): read down the ``(action_id, reported_on, id)`` index of just those
    copies, never by scanning every update."""
    return sorted(
        set(
            session.scalars(
                select(ProgressUpdate.reported_on)
                .where(
                    ProgressUpdate.action_id.in_([copy.id for copy in copies]),
                    ProgressUpdate.in_force(),
                )
                .distinct()
            )
        )
    )


def _trend(
    session: Session,
    areas: list[Area],
    copies: list[Action],
    days: list[dt.date],
    since: dict[dt.date, dt.date] | None = None,
    *,
    pg5_calendar: bool = False,
) -> list[TrendPoint]:
    """Red, Amber, Green and no RAG across the cells on each of ``days``: one query, counted
    in SQL (each adopted copy's newest update on each day is one index seek), then summed over
    each area's plan in force that day. A cell whose update is from before ``since[day]`` (the
    day after PG5's reporting date before it; without ``pg5_calendar``, the day after its
    plan's reporting date before it) and is not a completion counts as no RAG: not reported
    that period."""
    since = since or {}
    plans_of: dict[int, list[Plan]] = defaultdict(list)
    for copy in copies:
        if copy.plan not in plans_of[copy.plan.area_id]:
            plans_of[copy.plan.area_id].append(copy.plan)
    in_force = {
        (when, area_id): plan_in_force(area_plans, when).id
        for area_id, area_plans in plans_of.items()
        for when in days
    }
    # Only the copies in a plan in force on one of the days can count.
    counted_plans = set(in_force.values())
    copies = [copy for copy in copies if copy.plan_id in counted_plans]
    if not days or not copies:
        return [TrendPoint(day, 0, 0, 0, 0) for day in days]
    day_rows = union_all(
        *(
            select(literal(day, Date).label("day"), literal(since.get(day), Date).label("since"))
            for day in days
        )
    ).subquery()
    day = day_rows.c.day
    cell, cell_join = newest_update_join(session, Action.id, day, "cell")
    if pg5_calendar:
        last_period = and_(day_rows.c.since.is_not(None), cell.reported_on < day_rows.c.since)
    else:
        previous = (
            select(func.max(ReportingDate.reported_on))
            .where(ReportingDate.plan_id == Action.plan_id, ReportingDate.reported_on < day)
            .scalar_subquery()
        )
        last_period = and_(previous.is_not(None), cell.reported_on <= previous)
    last_period = and_(last_period, cell.status != ProgressStatus.COMPLETED)
    cells = (
        select(
            day.label("day"),
            Action.plan_id,
            cell.rag,
            case((last_period, True), else_=False).label("last_period"),
        )
        .select_from(day_rows)
        .join(Action, true())
        .join(SharedAction, SharedAction.id == Action.shared_action_id)
        .outerjoin(*cell_join)
        .where(
            Action.id.in_([copy.id for copy in copies]),
            or_(Action.added_on.is_(None), Action.added_on <= day),
            or_(Action.adopted_on.is_(None), Action.adopted_on <= day),
            or_(SharedAction.effective_on.is_(None), SharedAction.effective_on <= day),
        )
        .subquery()
    )
    counted = session.execute(select(*cells.c, func.count()).group_by(*cells.c))
    counts: dict[tuple[dt.date, int], Counter[Rag | None]] = defaultdict(Counter)
    for when, plan_id, rag, stale, n in counted:
        counts[(as_date(when), plan_id)][None if stale else rag] += n
    trend = []
    for when in days:
        rags: Counter[Rag | None] = Counter()
        for area in areas:
            if (when, area.id) in in_force:
                rags.update(counts.get((when, in_force[(when, area.id)]), {}))
        trend.append(TrendPoint(when, rags[Rag.RED], rags[Rag.AMBER], rags[Rag.GREEN], rags[None]))
    return trend


def _not_this_period(
    update: ProgressUpdate | None, since: dt.date | None, pg5_calendar: bool
) -> bool:
    """Whether a cell is not reported this period (never reported counts too): with PG5's
    calendar, ``since`` is the first day of PG5's period; without it, its plan's reporting
    date before "as at" (updates on or before it are last period's)."""
    if since is None:
        return False
    if not pg5_calendar:
        return not reported_this_period(update, since)
    return update is None or (
        update.status is not ProgressStatus.COMPLETED and update.reported_on < since
    )


def tayside_rollup(
    session: Session,
    plugins: PluginRegistry,
    as_at: dt.date | None = None,
    *,
    include_synthetic: bool = False,
) -> Rollup:
    """One row per shared action, one cell per area, as things stood on ``as_at`` (default
    today), from the update history; each row's Tayside status comes from the
    ``tayside_status`` hook (a plugin whose rule raises or answers something that is not a
    ``TaysideStatus`` is skipped, and listed in ``rule_problems``). An area that recorded
    that the action does not apply to it has no cell but a reason. Where an area holds the
    action in several plans, the plan in force on ``as_at`` (the latest started by then)
    counts. Shared actions are worded as they were on ``as_at``. Synthetic areas are left out
    unless ``include_synthetic``.

    Computed in SQL, a fixed number of queries whatever the size: each cell reads its copy's
    newest update (one index seek), and the trend is counted in SQL per reporting date; no
    history is loaded."""
    as_at = as_at or dt.date.today()
    rule_problems: list[PluginProblem] = []
    area_query = select(Area).where(Area.is_cpc()).order_by(Area.is_synthetic, Area.name)
    if not include_synthetic:
        area_query = area_query.where(Area.is_synthetic.is_(False))
    areas = list(session.scalars(area_query))
    shared = [
        definition
        for definition in session.scalars(select(SharedAction).order_by(SharedAction.position))
        if definition.in_effect(as_at)
    ]
    copies = _adopted_copies(session, areas)
    chosen = _chosen(copies, as_at)
    latest = latest_updates(
        session, Action.id.in_([copy.id for copy in chosen.values()]), as_at=as_at
    )
    moves = travel.directions(session, [copy.id for copy in chosen.values()], as_at)
    records = session.scalars(
        select(NotApplicable).where(
            NotApplicable.recorded_on <= as_at,
            or_(NotApplicable.withdrawn_on.is_(None), NotApplicable.withdrawn_on > as_at),
        )
    )
    reasons_of = {(r.shared_action_id, r.area_id): r.reason for r in records}
    calendar = [record.reported_on for record in reporting.reporting_dates(session, None)]
    dates = calendar or _reported_dates(session, list(chosen.values()))
    past = [d for d in dates if d <= as_at]
    # Each PG5 date's period starts the day after the date before it.
    period_starts = {
        day: before + dt.timedelta(days=1) for before, day in itertools.pairwise(calendar)
    }
    # Until PG5 sets dates, each area's plan's own reporting dates say what its period is.
    plan_since = (
        {} if calendar else periods_since(session, [c.plan_id for c in chosen.values()], as_at)
    )
    if calendar and past:
        # Stale: nothing reported within the latest PG5 period (after the PG5 date before it).
        since = past[-2] + dt.timedelta(days=1) if len(past) > 1 else dt.date.min
        last = past[-1]
    elif calendar:
        since = last = None
    else:
        since, last = None, past[-1] if past else None
    worded = shared_wording_as_at(session, shared, as_at)
    rows = []
    for definition in shared:
        cells: dict[str, RollupCell | None] = {}
        reasons: dict[str, str] = {}
        for area in areas:
            action = chosen.get((definition.id, area.id))
            reason = reasons_of.get((definition.id, area.id))
            if action is None:
                cells[area.slug] = None
                if reason is not None:
                    reasons[area.slug] = reason
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
                direction=moves.get(action.id),
                overdue=is_overdue(action, update, as_at),
                overdue_since=overdue_since(action.target_date, update, as_at),
                # Not reported this period: last period's update (a completion stands).
                stale=_not_this_period(
                    update,
                    plan_since.get(action.plan_id) if not calendar else since,
                    bool(calendar),
                ),
            )
        row = RollupRow(
            key=definition.key,
            title=worded[definition.id].title,
            target_date=worded[definition.id].target_date,
            cells=cells,
            not_applicable=reasons,
        )
        decided_by, status = plugins.first_answer(
            "tayside_status", TaysideStatus, rule_problems, row=row
        )
        rows.append(replace(row, tayside_status=status, decided_by=decided_by))
    return Rollup(
        as_at,
        areas,
        rows,
        dates,
        last,
        _trend(
            session,
            areas,
            copies,
            past[-TREND_POINTS:],
            period_starts,
            pg5_calendar=bool(calendar),
        ),
        rule_problems,
        pg5_calendar=bool(calendar),
        stale_before=since if since != dt.date.min else None,
    )

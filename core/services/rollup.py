"""The TRIC PG5 rollup: every area's state on each shared action, across Tayside, as at any
date, with the trend of Red, Amber and Green over the reporting dates.

A *reporting date* is a date that an area's progress update on a shared action reports on. A
cell is *stale* when its area has not reported on the action since the last reporting date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.enums import Rag
from core.models import Action, Area, NotApplicable, Plan, ProgressUpdate, SharedAction
from core.plugins import PluginProblem, PluginRegistry
from core.rollup_types import RollupCell, RollupRow, TaysideStatus
from core.services.progress import in_plan_as_at, is_overdue


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
    # Every reporting date there is, oldest first; the last one on or before ``as_at``.
    reporting_dates: list[dt.date]
    last_reporting_date: dt.date | None
    trend: list[TrendPoint]
    # Plugins whose status rule raised or gave an answer that is not a status: skipped.
    rule_problems: list[PluginProblem] = field(default_factory=list)

    @property
    def rules_used(self) -> list[str]:
        """The plugins whose rule decided at least one row's status, in the order met."""
        return list(dict.fromkeys(row.decided_by for row in self.rows if row.decided_by))

    def row(self, key: str) -> RollupRow:
        return next(row for row in self.rows if row.key == key)


@dataclass(frozen=True)
class _History:
    """Everything the rollup reads, loaded once: six queries, whatever the size."""

    shared: list[SharedAction]
    areas: list[Area]
    adopted: list[Action]
    updates: dict[int, list[ProgressUpdate]]  # by action id, oldest first
    not_applicable: list[NotApplicable]

    @classmethod
    def load(cls, session: Session) -> _History:
        adopted = list(
            session.scalars(
                select(Action)
                .where(Action.shared_action_id.is_not(None))
                .options(joinedload(Action.plan).joinedload(Plan.area))
            )
        )
        updates: dict[int, list[ProgressUpdate]] = defaultdict(list)
        for update in session.scalars(
            select(ProgressUpdate)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(Action.shared_action_id.is_not(None), ProgressUpdate.in_force())
            .order_by(ProgressUpdate.reported_on, ProgressUpdate.id)
        ):
            updates[update.action_id].append(update)
        return cls(
            shared=list(session.scalars(select(SharedAction).order_by(SharedAction.position))),
            areas=list(
                session.scalars(
                    select(Area).where(Area.is_synthetic.is_(False)).order_by(Area.name)
                )
            ),
            adopted=adopted,
            updates=updates,
            not_applicable=list(session.scalars(select(NotApplicable))),
        )

    @property
    def reporting_dates(self) -> list[dt.date]:
        return sorted({u.reported_on for ups in self.updates.values() for u in ups})

    def latest(self, action: Action, as_at: dt.date) -> ProgressUpdate | None:
        found = None
        for update in self.updates.get(action.id, ()):
            if update.reported_on > as_at:
                break
            found = update
        return found

    def chosen(self, as_at: dt.date) -> dict[tuple[int, int], Action]:
        """Each (shared action, area)'s copy in the plan in force on ``as_at``."""

        def in_force(action: Action) -> tuple[bool, dt.date]:
            return (action.plan.period_start <= as_at, action.plan.period_start)

        chosen = {}
        for action in sorted(in_plan_as_at(self.adopted, as_at), key=in_force):
            chosen[(action.shared_action_id, action.plan.area_id)] = action
        return chosen  # type: ignore[return-value]

    def cells(
        self,
        definition: SharedAction,
        as_at: dt.date,
        since: dt.date | None,
        chosen: dict[tuple[int, int], Action],
    ):
        """Each area's cell for ``definition`` (``chosen``: the copies in force on ``as_at``),
        and the reasons of the areas it does not apply to."""
        cells: dict[str, RollupCell | None] = {}
        reasons: dict[str, str] = {}
        for area in self.areas:
            record = next(
                (
                    r
                    for r in self.not_applicable
                    if r.shared_action_id == definition.id
                    and r.area_id == area.id
                    and r.in_force(as_at)
                ),
                None,
            )
            action = chosen.get((definition.id, area.id))
            if record is not None and action is None:
                reasons[area.slug] = record.reason
            if action is None:
                cells[area.slug] = None
                continue
            update = self.latest(action, as_at)
            cells[area.slug] = RollupCell(
                area_slug=area.slug,
                area_name=area.name,
                action_id=action.id,
                action_code=action.code,
                rag=update.rag if update else None,
                status=update.status if update else None,
                last_reported_on=update.reported_on if update else None,
                overdue=is_overdue(action, update, as_at),
                stale=since is not None and (update is None or update.reported_on < since),
            )
        return cells, reasons


def tayside_rollup(
    session: Session, plugins: PluginRegistry, as_at: dt.date | None = None
) -> Rollup:
    """One row per shared action, one cell per area, as things stood on ``as_at`` (default
    today), from the update history; each row's Tayside status comes from the
    ``tayside_status`` hook (a plugin whose rule raises or answers something that is not a
    ``TaysideStatus`` is skipped, and listed in ``rule_problems``). An area that recorded
    that the action does not apply to it has no cell but a reason. Where an area holds the
    action in several plans, the plan in force on ``as_at`` (the latest started by then)
    counts. Six queries, whatever the size."""
    as_at = as_at or dt.date.today()
    rule_problems: list[PluginProblem] = []
    history = _History.load(session)
    dates = history.reporting_dates
    since = max((d for d in dates if d <= as_at), default=None)
    chosen = history.chosen(as_at)
    rows = []
    for definition in history.shared:
        cells, reasons = history.cells(definition, as_at, since, chosen)
        row = RollupRow(
            key=definition.key,
            title=definition.title,
            target_date=definition.target_date,
            cells=cells,
            not_applicable=reasons,
        )
        decided_by, status = plugins.first_answer(
            "tayside_status", TaysideStatus, rule_problems, row=row
        )
        rows.append(replace(row, tayside_status=status, decided_by=decided_by))
    trend = []
    for day in (d for d in dates if d <= as_at):
        rags: Counter[Rag | None] = Counter()
        on_the_day = history.chosen(day)
        for definition in history.shared:
            cells, _ = history.cells(definition, day, None, on_the_day)
            rags.update(cell.rag for cell in cells.values() if cell is not None)
        trend.append(TrendPoint(day, rags[Rag.RED], rags[Rag.AMBER], rags[Rag.GREEN], rags[None]))
    return Rollup(as_at, history.areas, rows, dates, since, trend, rule_problems)

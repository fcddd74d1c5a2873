"""The TRIC PG5 rollup: every area's state on each shared action, across Tayside, as at any
date, with the trend of Red, Amber and Green over the reporting dates.

The *reporting dates* are TRIC PG5's own calendar (``core.services.reporting``, ``plan``
``None``). A cell is *stale* when its area has not reported on the action within the period of
the latest PG5 reporting date on or before "as at": nothing reported after the PG5 reporting
date before it (with one PG5 date so far, nothing reported at all). Until PG5 sets dates, the
dates its areas report on stand in, and a cell is stale when it has not reported on the latest
of them.

"As at" a date, a shared action that took effect later is absent, as is an adoption made later
and a "does not apply" record made later.
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
from core.services import reporting
from core.services.progress import in_plan_as_at, is_overdue
from core.services.wording import shared_wording_as_at


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


@dataclass(frozen=True)
class _History:
    """Everything the rollup reads, loaded once: six queries, whatever the size."""

    shared: list[SharedAction]
    areas: list[Area]
    adopted: list[Action]
    updates: dict[int, list[ProgressUpdate]]  # by action id, oldest first
    not_applicable: list[NotApplicable]

    @classmethod
    def load(cls, session: Session, as_at: dt.date) -> _History:
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
            shared=[
                definition
                for definition in session.scalars(
                    select(SharedAction).order_by(SharedAction.position)
                )
                if definition.in_effect(as_at)
            ],
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
    def reported_dates(self) -> list[dt.date]:
        """The dates areas' updates report on, oldest first."""
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
    counts. Shared actions are worded as they were on ``as_at``. Eight queries, whatever the
    size."""
    as_at = as_at or dt.date.today()
    rule_problems: list[PluginProblem] = []
    history = _History.load(session, as_at)
    calendar = [record.reported_on for record in reporting.reporting_dates(session, None)]
    dates = calendar or history.reported_dates
    past = [d for d in dates if d <= as_at]
    if calendar and past:
        # Stale: nothing reported within the latest PG5 period (after the PG5 date before it).
        since = past[-2] + dt.timedelta(days=1) if len(past) > 1 else dt.date.min
        last = past[-1]
    elif calendar:
        since = last = None
    else:
        since = last = past[-1] if past else None
    chosen = history.chosen(as_at)
    worded = shared_wording_as_at(session, history.shared, as_at)
    rows = []
    for definition in history.shared:
        cells, reasons = history.cells(definition, as_at, since, chosen)
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
    trend = []
    for day in past:
        rags: Counter[Rag | None] = Counter()
        on_the_day = history.chosen(day)
        for definition in (d for d in history.shared if d.in_effect(day)):
            cells, _ = history.cells(definition, day, None, on_the_day)
            rags.update(cell.rag for cell in cells.values() if cell is not None)
        trend.append(TrendPoint(day, rags[Rag.RED], rags[Rag.AMBER], rags[Rag.GREEN], rags[None]))
    return Rollup(
        as_at,
        history.areas,
        rows,
        dates,
        last,
        trend,
        rule_problems,
        pg5_calendar=bool(calendar),
        stale_before=since if since != dt.date.min else None,
    )

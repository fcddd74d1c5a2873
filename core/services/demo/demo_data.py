"""Demonstration data at Scotland's scale: deterministic synthetic areas ("Synthetic area 01"
...), each marked synthetic, with plans whose every action (their own, and a copy of each TRIC
shared action) reports monthly, and three synthetic KPIs with a figure every month.
Bulk-loaded with ORM bulk inserts (no per-object flush), an area per transaction; it never
touches a real area."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import Base
from core.enums import (
    ActionKind,
    ActionOrigin,
    KpiDirection,
    KpiFrequency,
    KpiUnit,
    KpiValueOrigin,
    PlanStatus,
    ProgressStatus,
    Rag,
)
from core.models import (
    Action,
    Area,
    Kpi,
    KpiValue,
    Outcome,
    Plan,
    PriorityGroup,
    ProgressUpdate,
    SharedAction,
)
from core.services.kpis.periods import period_containing
from core.services.records import audit

SLUG = "synthetic-area-{:02d}"
OUTCOMES = 6
# RAGs drift: mostly the same as last month, sometimes a step better or worse.
RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN]


class DemoDataError(ValueError):
    """The demonstration data was not loaded; the message says why."""


@dataclass(frozen=True)
class DemoSize:
    areas: int
    plans: int
    actions: int
    months: int
    seed: int = 1

    @property
    def updates(self) -> int:
        return self.areas * self.plans * self.actions * self.months


def month_ends(last: dt.date, months: int) -> list[dt.date]:
    """The last days of the ``months`` months up to and including ``last``'s month's end
    before ``last``, oldest first."""
    ends = []
    first = last.replace(day=1)
    for _ in range(months):
        end = first - dt.timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return list(reversed(ends))


def load_demo_data(
    session: Session,
    size: DemoSize,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> int:
    """Load ``size`` of synthetic areas; returns the number of updates stored. Refuses if
    any of the areas it would make exists already. Commits after each area."""
    for name, value in (("areas", size.areas), ("plans", size.plans), ("actions", size.actions)):
        if not 1 <= value <= 999:
            raise DemoDataError(f"--{name} must be between 1 and 999.")
    if not 1 <= size.months <= 600:
        raise DemoDataError("--months must be between 1 and 600.")
    slugs = [SLUG.format(n) for n in range(1, size.areas + 1)]
    taken = list(session.scalars(select(Area.slug).where(Area.slug.in_(slugs))))
    if taken:
        raise DemoDataError(
            f"Demonstration areas already exist ({', '.join(taken[:3])}...): load it into a "
            "fresh database, or remove those areas first."
        )
    today = today or dt.date.today()
    days = month_ends(today, size.months)
    start = days[0].replace(day=1)
    shared = list(session.scalars(select(SharedAction).order_by(SharedAction.position)))
    rng = random.Random(size.seed)
    stored = 0
    for number, slug in enumerate(slugs, 1):
        area = Area(
            slug=slug,
            name=f"Synthetic area {number:02d}",
            committee_name=f"Synthetic area {number:02d} Child Protection Committee "
            "(demonstration data, generated)",
            is_synthetic=True,
        )
        session.add(area)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise DemoDataError(
                f"{area.name} was made by another run at the same moment."
            ) from None
        for plan_number in range(1, size.plans + 1):
            stored += _plan(session, area, plan_number, size, start, days, shared, rng)
        _kpis(session, area, days, rng)
        audit.record_event(
            session,
            kind="demo_data",
            event_name="loaded",
            record_id=area.id,
            area_id=area.id,
            summary=f"demonstration data loaded: {area.name}",
        )
        session.commit()
        progress(f"{area.name}: {size.plans} plans, {stored:,} updates so far")
    # Fresh statistics, so that the planner uses the indexes on the new rows at once (without
    # them, PostgreSQL read every update of an action to find its newest: 600 ms, not 7).
    with session.get_bind().connect() as connection:
        connection.execute(text(_analyze(connection)))
        connection.commit()
    return stored


def _analyze(connection) -> str:
    """ANALYZE the platform's own tables. On PostgreSQL, a bare ANALYZE takes a lock on every
    table of the database, other schemas' too: another application's, or another test's being
    created at that moment (a deadlock)."""
    if connection.dialect.name != "postgresql":
        return "ANALYZE"
    tables = ", ".join(
        connection.dialect.identifier_preparer.quote(t) for t in Base.metadata.tables
    )
    return f"ANALYZE {tables}"


# Synthetic KPIs for each synthetic area: (key, name, unit, direction, target).
DEMO_KPIS = (
    ("synthetic-irds-held", "Synthetic: IRDs held", KpiUnit.COUNT, KpiDirection.NEITHER, None),
    (
        "synthetic-irds-good",
        "Synthetic: IRDs sampled and evaluated as good or better",
        KpiUnit.PERCENTAGE,
        KpiDirection.HIGHER,
        75.0,
    ),
    (
        "synthetic-days-to-plan",
        "Synthetic: days from referral to a plan",
        KpiUnit.DAYS,
        KpiDirection.LOWER,
        28.0,
    ),
)


def _kpis(session: Session, area: Area, days: list[dt.date], rng: random.Random) -> None:
    """Three synthetic monthly KPIs for a synthetic area, with a figure for every month."""
    made = []
    for position, (key, name, unit, direction, target) in enumerate(DEMO_KPIS, 1):
        kpi = Kpi(
            key=key,
            area=area,
            name=name,
            unit=unit,
            frequency=KpiFrequency.MONTHLY,
            direction=direction,
            target_value=target,
            source="Generated by cpc demo-data (synthetic, not from any published source).",
            origin="demo",
            position=position,
            version=1,
        )
        session.add(kpi)
        made.append(kpi)
    session.flush()
    rows = []
    for day in days:
        month = period_containing(day, "month")
        for kpi in made:
            numerator = denominator = None
            if kpi.unit is KpiUnit.PERCENTAGE:
                denominator = float(rng.randint(10, 40))
                numerator = float(rng.randint(int(denominator) // 2, int(denominator)))
                value = 100 * numerator / denominator
            elif kpi.unit is KpiUnit.DAYS:
                value = float(rng.randint(10, 45))
            else:
                value = float(rng.randint(5, 60))
            rows.append(
                {
                    "kpi_id": kpi.id,
                    "area_id": area.id,
                    "period": month.text,
                    "period_start": month.start,
                    "period_end": month.end,
                    "value": value,
                    "numerator": numerator,
                    "denominator": denominator,
                    "source": "Synthetic (cpc demo-data)",
                    "edition": "",
                    "origin": KpiValueOrigin.SYNTHETIC,
                    "proposed": False,
                }
            )
    for first in range(0, len(rows), 20_000):
        session.execute(insert(KpiValue), rows[first : first + 20_000])


def _plan(
    session: Session,
    area: Area,
    number: int,
    size: DemoSize,
    start: dt.date,
    days: list[dt.date],
    shared: list[SharedAction],
    rng: random.Random,
) -> int:
    # Plans start a day apart, so the last one is the plan in force.
    begins = start + dt.timedelta(days=number - 1)
    plan = Plan(
        area=area,
        slug=f"synthetic-{number}",
        title=f"Synthetic improvement plan {number} (demonstration data, not a real CPC's)",
        period_start=begins,
        period_end=max(days[-1], begins + dt.timedelta(days=730)),
        published_on=begins,
        status=PlanStatus.PUBLISHED,
        source="Synthetic: generated by cpc demo-data.",
    )
    group = PriorityGroup(plan=plan, position=1, title="Synthetic grouping")
    outcomes = [
        Outcome(
            plan=plan,
            priority_group=group,
            number=n,
            title=f"Synthetic outcome {n}",
            commitment="We will (synthetic text).",
        )
        for n in range(1, OUTCOMES + 1)
    ]
    session.add(plan)
    session.flush()
    rows = []
    for index in range(size.actions):
        outcome = outcomes[index % OUTCOMES]
        rows.append(
            {
                "plan_id": plan.id,
                "outcome_id": outcome.id,
                "code": f"{outcome.number}.{index // OUTCOMES + 1}",
                "position": index + 1,
                "kind": ActionKind.IMPROVEMENT,
                "text": f"Synthetic action {outcome.number}.{index // OUTCOMES + 1}",
                "expected_impact": "Synthetic impact",
                "target_date": plan.period_end if index % 2 else begins + dt.timedelta(days=364),
                "origin": ActionOrigin.LOCAL,
            }
        )
    for offset, definition in enumerate(shared, 1):
        outcome = outcomes[((definition.priority_for_practice or 1) - 1) % OUTCOMES]
        rows.append(
            {
                "plan_id": plan.id,
                "outcome_id": outcome.id if definition.kind is ActionKind.IMPROVEMENT else None,
                "code": f"S{offset}",
                "position": size.actions + offset,
                "kind": definition.kind,
                "text": definition.text,
                "expected_impact": definition.expected_impact,
                "target_date": None,
                "origin": ActionOrigin.ADOPTED,
                "shared_action_id": definition.id,
                "adopted_version": definition.version,
            }
        )
    ids = list(
        session.scalars(insert(Action).returning(Action.id, sort_by_parameter_order=True), rows)
    )
    own = ids[: size.actions]
    updates = []
    for action_id in own + ids[size.actions :]:
        rag = rng.choice(RAGS)
        for day in days:
            if day < begins:
                continue
            step = rng.random()
            if step < 0.1:
                rag = RAGS[max(0, RAGS.index(rag) - 1)]
            elif step > 0.9:
                rag = RAGS[min(2, RAGS.index(rag) + 1)]
            updates.append(
                {
                    "action_id": action_id,
                    "reported_on": day,
                    "status": ProgressStatus.IN_PROGRESS,
                    "rag": rag,
                    "commentary": "Synthetic monthly update.",
                }
            )
    for first in range(0, len(updates), 20_000):
        session.execute(insert(ProgressUpdate), updates[first : first + 20_000])
    return len(updates)

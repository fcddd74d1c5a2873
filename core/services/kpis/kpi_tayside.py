"""A KPI across Tayside: every area's figure side by side for each period, and the Tayside
figure, combined by the ``combine_kpi`` hook only as the KPI's definition allows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.hooks.kpi import Combined, KpiFigure
from core.hooks.registry import PluginProblem, PluginRegistry
from core.models import Area, Kpi, KpiValue
from core.services.kpis.kpis import kpi_ref, recent_periods, values_query
from core.services.kpis.periods import parse_period

# Periods shown when no range is asked for.
RECENT_PERIODS = 24


@dataclass(frozen=True)
class TaysidePeriod:
    period: str
    label: str
    combined: Combined
    areas: dict[str, KpiValue | None]


@dataclass(frozen=True)
class TaysideView:
    areas: list[Area]
    periods: list[TaysidePeriod]
    # The plugin whose rule combined the figures (None: nothing to combine).
    rule: str | None
    problems: list[PluginProblem]

    @property
    def rule_words(self) -> str | None:
        """Whose rule combined the figures, in words (never a module's path)."""
        if self.rule is None:
            return None
        return ", ".join(
            BUILT_IN_RULE if name == "core.default_plugins.kpi_combine"
            else f"the rule of the plugin “{name}”"
            for name in self.rule.split(", ")
        )  # fmt: skip


BUILT_IN_RULE = (
    "the platform's own rule: counts are added up; a percentage or a rate is worked out "
    "again from all the areas' numerators and denominators, not averaged"
)


def reporting_areas(session: Session, kpi: Kpi, *, include_synthetic: bool) -> list[Area]:
    """The CPCs that report a KPI: its own area, or for a Tayside-wide or national KPI every
    area (the synthetic ones only in a demonstration; Scotland, a reference, is not one)."""
    if kpi.area is not None:
        return [kpi.area]
    query = select(Area).where(Area.is_cpc()).order_by(Area.is_synthetic, Area.name)
    if not include_synthetic:
        query = query.where(Area.is_synthetic.is_(False))
    return list(session.scalars(query))


def figure_of(record: KpiValue | None) -> KpiFigure | None:
    if record is None:
        return None
    return KpiFigure(
        value=record.value,
        numerator=record.numerator,
        denominator=record.denominator,
        source=record.source,
        edition=record.edition,
    )


def tayside_view(
    session: Session,
    plugins: PluginRegistry,
    kpi: Kpi,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_synthetic: bool = False,
) -> TaysideView:
    """Each period from ``start`` to ``end`` (by default the latest 24 with a figure), oldest
    first, with every reporting area's figure and the combined one. Three queries."""
    areas = reporting_areas(session, kpi, include_synthetic=include_synthetic)
    ids = [a.id for a in areas]
    if start is None and end is None:
        span = recent_periods(session, kpi.id, ids, RECENT_PERIODS)
        if span is None:
            return TaysideView(areas, [], None, [])
        start, end = span
    records = session.scalars(values_query(kpi.id, area_ids=ids, start=start, end=end))
    by_period: dict[str, dict[int, KpiValue]] = {}
    for record in records:
        by_period.setdefault(record.period, {})[record.area_id] = record
    ref, problems, rules = kpi_ref(kpi), [], set()
    periods = []
    for text, found in by_period.items():
        cells = {a.slug: found.get(a.id) for a in areas}
        rule, combined = plugins.first_answer(
            "combine_kpi",
            expect=Combined,
            problems=problems,
            kpi=ref,
            period=text,
            figures={slug: figure_of(r) for slug, r in cells.items()},
        )
        if rule is not None:
            rules.add(rule)
        periods.append(
            TaysidePeriod(
                text,
                parse_period(text).label,
                combined or Combined(None, all(cells.values())),
                cells,
            )
        )
    return TaysideView(areas, periods, ", ".join(sorted(rules)) or None, problems)

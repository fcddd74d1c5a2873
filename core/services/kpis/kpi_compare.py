"""A KPI compared: chosen areas, Tayside (combined by the ``combine_kpi`` hook, so a rate is the
ratio of sums) and, for a national measure, Scotland, year by year, with a break wherever the
published definition changed between one year and the next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.enums import KpiCombine
from core.hooks.kpi import Combined
from core.hooks.registry import PluginRegistry
from core.models import Area, Kpi, KpiDefinition, KpiValue
from core.services.kpis.kpi_tayside import figure_of, reporting_areas
from core.services.kpis.kpis import kpi_ref, latest_figures, recent_periods, values_query
from core.services.kpis.periods import Period, parse_period

# Years (or periods) shown when no range is asked for.
RECENT = 12
TAYSIDE = "tayside"


@dataclass(frozen=True)
class Point:
    """One series' figure for one period. For Tayside, ``record`` is None and ``missing`` names
    the areas without a figure (then the figure is incomplete and not given)."""

    value: float | None
    record: KpiValue | None = None
    missing: tuple[str, ...] = ()
    # Why Tayside has no figure though no area is missing.
    note: str = ""

    @property
    def definition(self) -> str:
        return self.record.definition if self.record is not None else ""


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    # "area", "tayside" or "reference" (Scotland).
    kind: str
    points: dict[str, Point]


@dataclass(frozen=True)
class Comparison:
    kpi: Kpi
    periods: list[Period]
    series: list[Series]
    # The periods whose figures follow another definition than the period before's.
    breaks: list[str]
    definitions: list[KpiDefinition]

    def definition(self, key: str) -> KpiDefinition | None:
        return next((d for d in self.definitions if d.key == key), None)

    def definition_at(self, period: str) -> KpiDefinition | None:
        """The definition the period's figures follow (the first series' that has one)."""
        keys = (line.points[period].definition for line in self.series)
        return self.definition(next((k for k in keys if k), ""))


def reference_areas(session: Session) -> list[Area]:
    """The series compared with, not CPCs (Scotland)."""
    return list(
        session.scalars(select(Area).where(Area.is_reference.is_(True)).order_by(Area.name))
    )


def compare(
    session: Session,
    plugins: PluginRegistry,
    kpi: Kpi,
    areas: list[Area] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_synthetic: bool = False,
) -> Comparison:
    """``areas`` (by default every area that reports the KPI), Tayside and, for a national
    measure, the reference series, for each period from ``start`` to ``end`` (by default the
    latest 12 with a figure). Three queries."""
    reporting = reporting_areas(session, kpi, include_synthetic=include_synthetic)
    shown = reporting if areas is None else areas
    references = reference_areas(session) if kpi.national else []
    ids = sorted({a.id for a in [*reporting, *shown, *references]})
    if start is None and end is None:
        span = recent_periods(session, kpi.id, ids, RECENT)
        start, end = span if span else (None, None)
        if span is None:
            return Comparison(kpi, [], [], [], list(kpi.definitions))
    found: dict[str, dict[int, KpiValue]] = {}
    for record in session.scalars(values_query(kpi.id, area_ids=ids, start=start, end=end)):
        found.setdefault(record.period, {})[record.area_id] = record
    texts = list(found)
    periods = [parse_period(t, kpi.frequency) for t in texts]
    series = [
        Series(a.slug, a.name, "area", {t: _point(found[t].get(a.id)) for t in texts})
        for a in shown
    ]
    if kpi.area is None and kpi.combine is not KpiCombine.NONE:
        series.append(
            Series(
                TAYSIDE,
                "Tayside",
                TAYSIDE,
                {t: _tayside(plugins, kpi, t, reporting, found[t]) for t in texts},
            )
        )
    series += [
        Series(a.slug, a.name, "reference", {t: _point(found[t].get(a.id)) for t in texts})
        for a in references
    ]
    return Comparison(kpi, periods, series, _breaks(texts, series), list(kpi.definitions))


def _point(record: KpiValue | None) -> Point:
    return Point(record.value if record else None, record)


def _tayside(
    plugins: PluginRegistry, kpi: Kpi, period: str, areas: list[Area], found: dict[int, KpiValue]
) -> Point:
    cells = {a.slug: found.get(a.id) for a in areas}
    missing = tuple(a.name for a in areas if cells[a.slug] is None)
    definitions = {r.definition for r in cells.values() if r is not None}
    if len(definitions) > 1:
        return Point(None, note="The areas' figures follow different definitions.")
    _rule, combined = plugins.first_answer(
        "combine_kpi",
        expect=Combined,
        problems=[],
        kpi=kpi_ref(kpi),
        period=period,
        figures={slug: figure_of(r) for slug, r in cells.items()},
    )
    if combined is None or not combined.complete:
        note = "" if missing else "Not every area's figure gives its numerator and denominator."
        return Point(None, missing=missing, note=note)
    return Point(combined.value)


def _breaks(texts: list[str], series: list[Series]) -> list[str]:
    """Periods where some series' definition differs from its previous figure's."""
    breaks = []
    for line in series:
        before = ""
        for text in texts:
            now = line.points[text].definition
            if now and before and now != before and text not in breaks:
                breaks.append(text)
            before = now or before
    return [t for t in texts if t in breaks]


def same_years(
    session: Session,
    measures: list[Kpi],
    area: Area,
    references: list[Area],
    latest: dict,
) -> dict[tuple[int, int], KpiValue | None]:
    """For each national measure, each reference series' figure for the year of ``area``'s
    latest figure (``latest``: ``latest_figures`` of the area and the references), or the
    reference's own latest where the area has none: one query."""
    national = [k for k in measures if k.national]
    years = {
        k.id: pair.latest.period
        for k in national
        if (pair := latest.get((k.id, area.id))) is not None and pair.latest is not None
    }
    found: dict[tuple[int, int], KpiValue | None] = {}
    if years and references:
        for record in session.scalars(
            select(KpiValue).where(
                KpiValue.area_id.in_([r.id for r in references]),
                tuple_(KpiValue.kpi_id, KpiValue.period).in_(list(years.items())),
                KpiValue.retired_at.is_(None),
                KpiValue.proposed.is_(False),
            )
        ):
            found[(record.kpi_id, record.area_id)] = record
    for k in national:
        for r in references:
            if k.id not in years:
                pair = latest.get((k.id, r.id))
                found[(k.id, r.id)] = pair.latest if pair else None
            else:
                found.setdefault((k.id, r.id), None)
    return found


@dataclass(frozen=True)
class NationalAt:
    """A national measure in a report: the latest statistical year ended by the report's date
    (the area's latest, else the latest anyone has), with the area's, Tayside's and each
    reference series' figure for that year."""

    kpi: Kpi
    period: Period | None
    area: Point
    tayside: Point
    references: list[tuple[str, Point]]


def national_at(
    session: Session,
    plugins: PluginRegistry,
    area: Area,
    as_at: dt.date,
    *,
    include_synthetic: bool = False,
) -> list[NationalAt]:
    """Every national measure compared as at ``as_at``, for ``area``'s committee report or
    annual report: four queries whatever the history."""
    measures = list(
        session.scalars(select(Kpi).where(Kpi.national.is_(True)).order_by(Kpi.position, Kpi.id))
    )
    if not measures:
        return []
    query = select(Area).where(Area.is_cpc()).order_by(Area.name)
    if not include_synthetic:
        query = query.where(Area.is_synthetic.is_(False))
    cpcs = list(session.scalars(query))
    references = reference_areas(session)
    everyone = {a.id: a for a in [*cpcs, area, *references]}
    latest = latest_figures(session, [k.id for k in measures], list(everyone), as_at)
    chosen: dict[int, KpiValue] = {}
    for (kpi_id, area_id), pair in latest.items():
        if pair.latest is None:
            continue
        best = chosen.get(kpi_id)
        mine = area_id == area.id
        if (
            best is None
            or (mine and best.area_id != area.id)
            or ((mine or best.area_id != area.id) and pair.latest.period_start > best.period_start)
        ):
            chosen[kpi_id] = pair.latest
    pairs = [(kpi_id, record.period) for kpi_id, record in chosen.items()] or [(0, "")]
    found: dict[tuple[int, int], KpiValue] = {
        (r.kpi_id, r.area_id): r
        for r in session.scalars(
            select(KpiValue).where(
                KpiValue.area_id.in_(list(everyone)),
                tuple_(KpiValue.kpi_id, KpiValue.period).in_(pairs),
                KpiValue.retired_at.is_(None),
                KpiValue.proposed.is_(False),
            )
        )
    }
    shown = []
    for kpi in measures:
        record = chosen.get(kpi.id)
        if record is None:
            shown.append(NationalAt(kpi, None, Point(None), Point(None), []))
            continue
        cells = {a.id: found.get((kpi.id, a.id)) for a in cpcs}
        shown.append(
            NationalAt(
                kpi,
                parse_period(record.period, kpi.frequency),
                _point(found.get((kpi.id, area.id))),
                _tayside(plugins, kpi, record.period, cpcs, {k: v for k, v in cells.items() if v}),
                [(r.name, _point(found.get((kpi.id, r.id)))) for r in references],
            )
        )
    return shown

"""What KPI hooks receive and answer: plain values, so plugins need no database session."""

from __future__ import annotations

from dataclasses import dataclass

from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit


@dataclass(frozen=True)
class KpiRef:
    """A KPI as a plugin sees it. ``area`` is the area's slug, or None for a Tayside-wide KPI
    worded by TRIC PG5."""

    key: str
    name: str
    area: str | None
    unit: KpiUnit | None
    frequency: KpiFrequency | None
    direction: KpiDirection
    combine: KpiCombine


@dataclass(frozen=True)
class KpiFigure:
    """One area's figure for one period: ``value``, or for a percentage ``numerator`` and
    ``denominator``, or for a rate per 1,000 ``numerator`` (the count) and ``denominator`` (the
    population); where it came from (``source``) and which edition of it."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    source: str = ""
    edition: str = ""


@dataclass(frozen=True)
class Combined:
    """A Tayside figure for one period: ``value`` (None when the KPI is not combined, or
    nothing could be), and whether every area that should report did (``complete``)."""

    value: float | None
    complete: bool

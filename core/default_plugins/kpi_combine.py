"""The default rule for combining areas' KPI figures into a Tayside figure."""

from __future__ import annotations

from core.enums import KpiCombine, KpiUnit
from core.hooks.kpi import Combined, KpiFigure, KpiRef
from core.hooks.specs import hookimpl


@hookimpl(trylast=True)
def combine_kpi(kpi: KpiRef, period: str, figures: dict[str, KpiFigure | None]) -> Combined:
    """Counts are added up; percentages and rates are the sum of the numerators over the sum
    of the denominators; "not combined" is not; a period an area has no figure for (or, for a
    ratio, no numerator and denominator) is incomplete, and not combined as if it were
    complete."""
    complete = bool(figures) and all(figure is not None for figure in figures.values())
    given = [figure for figure in figures.values() if figure is not None]
    if not complete or kpi.combine is KpiCombine.NONE:
        return Combined(None, complete)
    if kpi.combine is KpiCombine.SUM:
        return Combined(sum(f.value or 0 for f in given), True)
    if any(f.numerator is None or f.denominator is None for f in given):
        # A rate published without its population cannot be summed into the ratio.
        return Combined(None, False)
    numerators = sum(f.numerator or 0 for f in given)
    denominators = sum(f.denominator or 0 for f in given)
    if denominators <= 0:
        return Combined(None, True)
    scale = 100 if kpi.unit is KpiUnit.PERCENTAGE else 1000
    return Combined(scale * numerators / denominators, True)

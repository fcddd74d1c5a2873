"""KPI figures in words, the same on the pages and in the committee report."""

from __future__ import annotations

from core.enums import KpiUnit
from core.models import KpiValue

MOVING_WORDS = {
    "better": "Moving the right way",
    "worse": "Moving the wrong way",
    "same": "No change",
    None: "",
}


def number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def figure_words(record: KpiValue | float | None, unit: KpiUnit | None = None) -> str:
    """A figure as people read it: "12", "25.0% (1 of 4)", "3.2 per 1,000 (16 in 5,000)",
    "Yes", "14 days"; "No figure" when there is none."""
    if record is None:
        return "No figure"
    value = record if isinstance(record, float | int) else record.value
    parts = None if isinstance(record, float | int) else (record.numerator, record.denominator)
    whole = parts is not None and parts[0] is not None and parts[1] is not None
    if unit is KpiUnit.PERCENTAGE:
        return f"{value:.1f}%" + (f" ({number(parts[0])} of {number(parts[1])})" if whole else "")
    if unit is KpiUnit.RATE_PER_1000:
        text = f"{value:.1f} per 1,000"
        return text + (f" ({number(parts[0])} in {number(parts[1])})" if whole else "")
    if unit is KpiUnit.YES_NO:
        return "Yes" if value else "No"
    if unit is KpiUnit.DAYS:
        return f"{number(value)} days"
    return number(value)


def change_words(change: float | None, unit: KpiUnit | None) -> str:
    """The change since the period before: "+3", "-2.5 points" (for a percentage)."""
    if change is None:
        return "No earlier figure"
    sign = "+" if change > 0 else ""
    if unit is KpiUnit.PERCENTAGE:
        return f"{sign}{number(change)} points"
    if unit is KpiUnit.DAYS:
        return f"{sign}{number(change)} days"
    return f"{sign}{number(change)}"

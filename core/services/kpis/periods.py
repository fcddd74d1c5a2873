"""KPI periods, written as people write them: a month "2025-03", a quarter "2025-Q1", a year
"2025", a sampling date "2025-03-14", or a statistical year "2023-24" (1 August 2023 to 31 July
2024, as the national child protection statistics count)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from core.enums import KpiFrequency
from core.services.errors import FieldError

_MONTH = re.compile(r"^(\d{4})-(\d{2})\Z")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])\Z")
_YEAR = re.compile(r"^(\d{4})\Z")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")
_STATISTICAL = re.compile(r"^(\d{4})[-/](\d{2})\Z")
# The statistical year starts on 1 August.
STATISTICAL_MONTH = 8
FIRST_YEAR, LAST_YEAR = 1990, 2100
# The frequency each way of writing a period belongs to.
KIND_OF = {
    "month": KpiFrequency.MONTHLY,
    "quarter": KpiFrequency.QUARTERLY,
    "year": KpiFrequency.ANNUAL,
    "date": KpiFrequency.SAMPLING,
    "statistical_year": KpiFrequency.STATISTICAL_YEAR,
}
EXAMPLE = {
    KpiFrequency.MONTHLY: "a month, like 2025-03",
    KpiFrequency.QUARTERLY: "a quarter, like 2025-Q1",
    KpiFrequency.ANNUAL: "a year, like 2025",
    KpiFrequency.SAMPLING: "the sampling date, like 2025-03-14",
    KpiFrequency.STATISTICAL_YEAR: "a statistical year, like 2023-24",
}


@dataclass(frozen=True, order=True)
class Period:
    """A period: its first and last day, how it is written, and its kind."""

    start: dt.date
    end: dt.date
    text: str
    kind: str

    @property
    def frequency(self) -> KpiFrequency:
        return KIND_OF[self.kind]

    @property
    def label(self) -> str:
        """The period as people write it: "August 2022", "April to June 2022 (Q2)", "2022",
        "14 March 2025"."""
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"{self.start:%B} to {self.end:%B} {self.start.year} ({self.text[-2:]})"
        if self.kind in ("year", "statistical_year"):
            return self.text
        return f"{self.start.day} {self.start:%B %Y}"

    @property
    def short(self) -> str:
        """The label for a chart's axis: "Aug 2022", "Q2 2022", "2022", "14 Mar 2025"."""
        if self.kind == "month":
            return self.start.strftime("%b %Y")
        if self.kind == "quarter":
            return f"{self.text[-2:]} {self.start.year}"
        if self.kind in ("year", "statistical_year"):
            return self.text
        return f"{self.start.day} {self.start:%b %Y}"

    def previous(self) -> Period:
        """The period before this one, of the same kind (a date's is the day before)."""
        return period_containing(self.start - dt.timedelta(days=1), self.kind)


def period_words(text: str, short: bool = False, frequency: KpiFrequency | None = None) -> str:
    """A stored period ("2022-08", "2022-Q2") as people write it ("August 2022"; ``short``:
    "Aug 2022"); text that is not a period is given back as it is. Give the KPI's
    ``frequency`` where known: "2011-12" is December 2011 for a monthly KPI, the statistical
    year 2011-12 for a national measure."""
    try:
        found = parse_period(text, frequency)
    except FieldError:
        return text
    return found.short if short else found.label


def parse_period(text: str, frequency: KpiFrequency | None = None) -> Period:
    """The period ``text`` names; refused with a sentence when it is not a period, is out of
    range, or (given a KPI's ``frequency``) is not the kind that KPI is counted by.

    "2023-24" is a statistical year; without a frequency, "2011-12" (which could be either) is
    read as a month, so a statistical year's KPI passes its frequency."""
    text = (text or "").strip()
    problem = FieldError(
        "period",
        "Write the period as "
        + (
            EXAMPLE[frequency]
            if frequency
            else "a month (2025-03), a quarter (2025-Q1), a year (2025) or a date (2025-03-14)"
        )
        + ".",
    )
    if len(text) > 10:
        raise problem
    found = None
    if frequency is KpiFrequency.STATISTICAL_YEAR:
        if (m := _STATISTICAL.match(text)) and int(m[2]) == (int(m[1]) + 1) % 100:
            found = statistical_year(int(m[1]))
    elif m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            found = _month(year, month)
        elif month == (year + 1) % 100:
            found = statistical_year(year)
    elif m := _QUARTER.match(text):
        found = _quarter(int(m[1]), int(m[2]))
    elif m := _YEAR.match(text):
        year = int(m[1])
        found = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), "year")
    elif m := _DATE.match(text):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise problem from None
        found = Period(day, day, day.isoformat(), "date")
    if found is None:
        raise problem
    if not FIRST_YEAR <= found.start.year <= LAST_YEAR:
        raise FieldError("period", f"The period must be between {FIRST_YEAR} and {LAST_YEAR}.")
    if frequency is not None and found.frequency is not frequency:
        raise problem
    return found


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(
        dt.date(year, month, 1), dt.date(year, month, last), f"{year}-{month:02d}", "month"
    )


def statistical_year(first: int) -> Period:
    """The statistical year from 1 August ``first`` to 31 July the year after: "2023-24"."""
    return Period(
        dt.date(first, STATISTICAL_MONTH, 1),
        dt.date(first + 1, STATISTICAL_MONTH - 1, 31),
        f"{first}-{(first + 1) % 100:02d}",
        "statistical_year",
    )


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * quarter - 2
    last = calendar.monthrange(year, first + 2)[1]
    return Period(
        dt.date(year, first, 1), dt.date(year, first + 2, last), f"{year}-Q{quarter}", "quarter"
    )


def period_containing(day: dt.date, kind: str) -> Period:
    """The month, quarter, year or date (``kind``) that ``day`` falls in."""
    if kind == "month":
        return _month(day.year, day.month)
    if kind == "quarter":
        return _quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "year":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), str(day.year), "year")
    if kind == "statistical_year":
        return statistical_year(day.year if day.month >= STATISTICAL_MONTH else day.year - 1)
    return Period(day, day, day.isoformat(), "date")


KIND_FOR = {frequency: kind for kind, frequency in KIND_OF.items()}


def period_for(frequency: KpiFrequency | None, month: Period) -> Period:
    """The period a KPI counted at ``frequency`` reports in the grid for ``month``: that month,
    its quarter, its year, or (sampling, or unstated) the month itself."""
    if frequency in (KpiFrequency.QUARTERLY, KpiFrequency.ANNUAL, KpiFrequency.STATISTICAL_YEAR):
        return period_containing(month.start, KIND_FOR[frequency])
    return month


def last_period_due(frequency: KpiFrequency | None, today: dt.date) -> Period | None:
    """The latest whole period that has ended by ``today``, for a KPI counted monthly,
    quarterly or annually; None for sampling, a statistical year (its figures come when the
    national statistics are published, months later) or an unstated frequency."""
    if frequency not in (KpiFrequency.MONTHLY, KpiFrequency.QUARTERLY, KpiFrequency.ANNUAL):
        return None
    return period_containing(today, KIND_FOR[frequency]).previous()


def last_period_ended(frequency: KpiFrequency | None, today: dt.date) -> Period | None:
    """The latest whole period ended by ``today`` that a pull asks for: as ``last_period_due``,
    and for a statistical year the one ended last 31 July (an area's own system may have its
    figure before the national statistics publish it)."""
    if frequency is KpiFrequency.STATISTICAL_YEAR:
        return period_containing(today, "statistical_year").previous()
    return last_period_due(frequency, today)

"""The published national statistics imported whole or not at all: a tidy CSV or Excel table
of national measures' figures for councils and Scotland, every edition kept.

A newer edition of a year's figure supersedes the one in force (which stays in the history,
marked superseded by that edition); an older edition imported later goes straight into the
history; the same edition with different figures is a correction. Rates are checked against
their count and population, the population coming from the table or from the population
measure already stored."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.enums import KpiFrequency, KpiUnit, KpiValueOrigin
from core.models import Area, Kpi, KpiValue, User
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import Conflict, FieldError, FieldErrors
from core.services.kpis.kpi_transfer import (
    MAX_ROWS,
    KpiImportRefused,
    RowProblem,
    check_header,
    csv_rows,
)
from core.services.kpis.kpis import MAX_FIGURE, MAX_TEXT, check_figures, retire
from core.services.kpis.periods import Period, parse_period
from core.services.records.archive_limits import ArchiveRefused, check_archive

COLUMNS = (
    "area",
    "year",
    "measure",
    "value",
    "numerator",
    "denominator",
    "edition",
    "source",
    "definition",
)
REQUIRED = ("area", "year", "measure", "edition")
MAX_BYTES = 5_000_000
# How the published tables mark a figure they do not give (suppressed, not collected).
NOT_PUBLISHED = frozenset({"*", "..", "-", "–", "[c]", "[x]", "[z]", "n/a", "na", "x", "c"})
# A published rate is rounded to one decimal place: it matches its parts within this.
RATE_TOLERANCE = 0.051
_EDITION = re.compile(r"^(\d{4})-(\d{2})\Z")
_FORMULA = re.compile(r"^[=+@\t\r]|^-(?![\d.])")


def require_national(actor: User | None) -> None:
    """Only administrators import the national statistics (they hold every council's figures
    and Scotland's)."""
    if actor is not None and not (actor.is_active and actor.role.value == "admin"):
        raise PermissionDenied("Only administrators can import the national statistics.")


def edition_year(text: str) -> int | None:
    """The first year of an edition named as its statistics year ("2023-24" gives 2023)."""
    m = _EDITION.match(text or "")
    if m and int(m[2]) == (int(m[1]) + 1) % 100:
        return int(m[1])
    return None


def table_rows(blob: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or Excel (.xlsx) table, each with its row number, as text."""
    if len(blob) > MAX_BYTES:
        raise KpiImportRefused([RowProblem(0, "", "The file is larger than 5 MB.")])
    if blob[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(blob)
    return csv_rows(blob, COLUMNS, REQUIRED, MAX_BYTES)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(blob: bytes) -> list[tuple[int, dict[str, str]]]:
    """The first sheet's rows: its first row names the columns. Formulas are read as written
    (and refused), not as their last result."""
    from openpyxl import load_workbook  # imported when a workbook is read

    not_a_book = KpiImportRefused([RowProblem(0, "", "The file is not an Excel workbook (.xlsx).")])
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            check_archive(archive, xml=True)
        book = load_workbook(io.BytesIO(blob), read_only=True, data_only=False)
    except ArchiveRefused as refused:
        raise KpiImportRefused([RowProblem(0, "", str(refused))]) from None
    except Exception:  # openpyxl and zipfile raise many kinds for a file that is not a workbook
        raise not_a_book from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise not_a_book
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(
        sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=len(COLUMNS) + 5, values_only=True), 1
    ):
        if number > MAX_ROWS + 1:
            raise KpiImportRefused(
                [RowProblem(0, "", f"The file has more than {MAX_ROWS:,} rows.")]
            )
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            while header and not header[-1]:
                header.pop()
            check_header(header, COLUMNS, REQUIRED)
            continue
        rows.append((number, dict(zip(header, cells, strict=False))))
    if header is None:
        raise KpiImportRefused([RowProblem(1, "", "The sheet has no heading row.")])
    return rows


@dataclass(frozen=True)
class NationalRow:
    """One checked row: a figure of a national measure for an area and year, from an edition."""

    row: int
    kpi: Kpi
    area: Area
    period: Period
    edition: str
    value: float
    numerator: float | None
    denominator: float | None
    source: str
    definition: str


@dataclass
class NationalResult:
    recorded: int = 0
    superseded: int = 0
    into_history: int = 0
    corrected: int = 0
    unchanged: int = 0
    not_published: int = 0
    areas: set[str] = field(default_factory=set)

    def words(self) -> str:
        parts = [f"{self.recorded} figure(s) recorded"]
        if self.superseded:
            parts.append(f"{self.superseded} of them replacing an older edition's")
        if self.corrected:
            parts.append(f"{self.corrected} correcting the same edition's")
        if self.into_history:
            parts.append(f"{self.into_history} from an older edition kept in the history only")
        if self.unchanged:
            parts.append(f"{self.unchanged} already recorded as they are")
        if self.not_published:
            parts.append(f"{self.not_published} row(s) the tables mark as not published")
        return "; ".join(parts) + "."


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("&", "and")).strip()


def area_finder(session: Session) -> dict[str, Area]:
    """Every area by its code, slug, name and name as the tables print it (case and "&" or
    "and" aside)."""
    found: dict[str, Area] = {}
    for area in session.scalars(select(Area)):
        for name in (area.code, area.slug, area.name, area.statistics_name):
            if name:
                found.setdefault(_key(name), area)
    return found


def _number(text: str) -> float | None:
    """A figure as the tables print it ("4,069", "4.0"); None when blank."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise FieldError("value", "Enter a number.") from None
    if not math.isfinite(number) or abs(number) > MAX_FIGURE:
        raise FieldError("value", "Enter a number of a sensible size.")
    return number


def _definition_for(kpi: Kpi, edition: str, given: str) -> str:
    """The definition version a figure follows: the one named, or the newest whose first
    edition is not after ``edition``."""
    if given:
        if not any(d.key == given for d in kpi.definitions):
            known = ", ".join(d.key for d in kpi.definitions) or "none"
            raise FieldError(
                "definition", f"{kpi.name!r} has no definition {given[:40]!r} (it has: {known})."
            )
        return given
    year = edition_year(edition) or 0
    chosen = [d for d in kpi.definitions if (edition_year(d.first_edition) or 0) <= year]
    return chosen[-1].key if chosen else ""


def check_rows(session: Session, rows: Sequence[tuple[int, dict[str, str]]]) -> list[NationalRow]:
    """Every row checked: the area (by code or printed name), the measure (a national
    measure's key), the statistical year, the edition, the figures (a rate against its count
    and population, the population taken from the table or the stored population measure).
    Raises ``KpiImportRefused`` naming every problem; reads only."""
    areas = area_finder(session)
    measures = {
        k.key: k
        for k in session.scalars(
            select(Kpi).where(Kpi.national.is_(True)).options(selectinload(Kpi.definitions))
        )
    }
    problems: list[RowProblem] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[int, int, str, str], int] = {}
    for n, row in rows:
        bad = [
            name
            for name, text in row.items()
            if name in COLUMNS and isinstance(text, str) and _FORMULA.match(text)
        ]
        for name in bad:
            problems.append(
                RowProblem(n, name, "This cell holds a formula; give the figure or text itself.")
            )
        if bad:
            continue
        if len(row.get("source", "")) > MAX_TEXT:
            problems.append(
                RowProblem(n, "source", f"The source must be at most {MAX_TEXT:,} characters.")
            )
            continue
        area = areas.get(_key(row.get("area", "")))
        if area is None:
            problems.append(
                RowProblem(
                    n,
                    "area",
                    f"No area has the code or name {row.get('area', '')[:60]!r}: use the "
                    "council's official code (like S12000048) or its name as the tables print it.",
                )
            )
        kpi = measures.get(row.get("measure", ""))
        if kpi is None:
            problems.append(
                RowProblem(
                    n,
                    "measure",
                    f"There is no national measure with the key {row.get('measure', '')[:80]!r}.",
                )
            )
        try:
            period = parse_period(row.get("year", ""), KpiFrequency.STATISTICAL_YEAR)
        except FieldError as problem:
            problems.append(RowProblem(n, "year", problem.message))
            period = None
        edition = row.get("edition", "")
        if edition_year(edition) is None:
            problems.append(
                RowProblem(
                    n,
                    "edition",
                    "Write the edition as the statistics year it is named for, like 2023-24.",
                )
            )
        elif period is not None and edition_year(edition) < period.start.year:
            problems.append(
                RowProblem(
                    n, "edition", f"The {edition} edition cannot give figures for {period.text}."
                )
            )
        if area is None or kpi is None or period is None or edition_year(edition) is None:
            continue
        if row.get("value", "").lower() in NOT_PUBLISHED:
            parsed.append({"row": n, "not_published": True})
            continue
        first = seen.setdefault((kpi.id, area.id, period.text, edition), n)
        if first != n:
            problems.append(
                RowProblem(
                    n, "edition", f"Row {first} already gives this measure, area, year and edition."
                )
            )
            continue
        try:
            numbers = {
                name: _number(row.get(name, "")) for name in ("value", "numerator", "denominator")
            }
            definition = _definition_for(kpi, edition, row.get("definition", ""))
        except FieldError as problem:
            problems.append(RowProblem(n, problem.field, problem.message))
            continue
        parsed.append(
            {
                "row": n,
                "kpi": kpi,
                "area": area,
                "period": period,
                "edition": edition,
                "source": row.get("source", ""),
                "definition": definition,
                **numbers,
            }
        )
    checked = _figures(session, [p for p in parsed if "kpi" in p], measures, problems)
    if problems:
        raise KpiImportRefused(sorted(problems, key=lambda p: p.row))
    return checked


def _figures(
    session: Session,
    parsed: list[dict[str, Any]],
    measures: dict[str, Kpi],
    problems: list[RowProblem],
) -> list[NationalRow]:
    """Each row's figures, checked against its measure's unit; a rate's population from the
    row, the table's population measure, or the stored one (one query)."""
    populations = _populations(session, parsed, measures)
    checked = []
    for p in parsed:
        kpi: Kpi = p["kpi"]
        value, numerator, denominator = p["value"], p["numerator"], p["denominator"]
        definition = next((d for d in kpi.definitions if d.key == p["definition"]), None)
        if (
            kpi.unit is KpiUnit.RATE_PER_1000
            and numerator is not None
            and denominator is None
            and definition is not None
            and definition.population
        ):
            denominator = populations.get((definition.population, p["area"].id, p["period"].text))
        try:
            if kpi.unit is KpiUnit.RATE_PER_1000 and denominator is None and value is not None:
                # A rate published without its population: kept as published; it does not
                # combine (Tayside's rate needs every area's count and population).
                if value < 0 or (numerator is not None and numerator < 0):
                    raise FieldError("value", "A rate cannot be negative.")
                figures = check_figures(KpiUnit.COUNT, value)
            else:
                if kpi.unit is KpiUnit.RATE_PER_1000 and denominator is None:
                    raise FieldError(
                        "denominator",
                        "Give the population (denominator), or the rate as published, or "
                        "import the population measure for this area and year first.",
                    )
                figures = check_figures(
                    kpi.unit,
                    None if kpi.unit is not None and kpi.unit.has_parts else value,
                    numerator,
                    denominator,
                )
                if (
                    kpi.unit is not None
                    and kpi.unit.has_parts
                    and value is not None
                    and abs(round(figures.value, 1) - value) > RATE_TOLERANCE
                ):
                    raise FieldError(
                        "value",
                        f"The rate {value:g} does not match {numerator:,.0f} in "
                        f"{denominator:,.0f} ({figures.value:.1f}): check the three figures.",
                    )
        except FieldErrors as several:
            problems += [RowProblem(p["row"], e.field, e.message) for e in several.all]
            continue
        except FieldError as problem:
            problems.append(RowProblem(p["row"], problem.field, problem.message))
            continue
        checked.append(
            NationalRow(
                p["row"],
                kpi,
                p["area"],
                p["period"],
                p["edition"],
                figures.value,
                figures.numerator if figures.numerator is not None else numerator,
                figures.denominator,
                p["source"],
                p["definition"],
            )
        )
    return checked


def _populations(
    session: Session, parsed: list[dict[str, Any]], measures: dict[str, Kpi]
) -> dict[tuple[str, int, str], float]:
    """The populations rates need: the table's own (its newest edition), else those stored."""
    wanted = {
        d.population
        for p in parsed
        for d in p["kpi"].definitions
        if d.population and d.key == p["definition"]
    }
    found: dict[tuple[str, int, str], tuple[int, float]] = {}
    for p in parsed:
        if p["kpi"].key in wanted and p["value"] is not None:
            key = (p["kpi"].key, p["area"].id, p["period"].text)
            edition = edition_year(p["edition"]) or 0
            if key not in found or found[key][0] < edition:
                found[key] = (edition, p["value"])
    ids = {measures[k].id: k for k in wanted if k in measures}
    if ids:
        stored = session.execute(
            select(KpiValue.kpi_id, KpiValue.area_id, KpiValue.period, KpiValue.value).where(
                KpiValue.kpi_id.in_(ids),
                KpiValue.area_id.in_({p["area"].id for p in parsed}),
                KpiValue.retired_at.is_(None),
                KpiValue.proposed.is_(False),
            )
        )
        for kpi_id, area_id, period, value in stored:
            found.setdefault((ids[kpi_id], area_id, period), (-1, value))
    return {key: value for key, (_edition, value) in found.items()}


def import_national(
    session: Session, blob: bytes, *, actor: User | None, filename: str = ""
) -> NationalResult:
    """Check every row of the table, then record them all (the caller commits) or, if any row
    is refused, nothing: ``KpiImportRefused`` names every problem with its row and column."""
    require_national(actor)
    rows = table_rows(blob, filename)
    if not rows:
        raise KpiImportRefused([RowProblem(2, "", "The file has no rows of figures.")])
    checked = check_rows(session, rows)
    result = record_national(session, checked, actor=actor)
    result.not_published = len(rows) - len(checked)
    return result


def record_national(
    session: Session, rows: Iterable[NationalRow], *, actor: User | None
) -> NationalResult:
    """Record checked rows, oldest edition first, so the newest edition is the one in force."""
    rows = sorted(rows, key=lambda r: (edition_year(r.edition) or 0, r.row))
    result = NationalResult()
    if not rows:
        return result
    stored: dict[tuple[int, int, str], list[KpiValue]] = {}
    for record in session.scalars(
        select(KpiValue).where(
            KpiValue.kpi_id.in_({r.kpi.id for r in rows}),
            KpiValue.area_id.in_({r.area.id for r in rows}),
            KpiValue.period.in_({r.period.text for r in rows}),
            KpiValue.proposed.is_(False),
        )
    ):
        stored.setdefault((record.kpi_id, record.area_id, record.period), []).append(record)
    problems: list[RowProblem] = []
    for row in rows:
        figures = stored.setdefault((row.kpi.id, row.area.id, row.period.text), [])
        outcome = _record_one(session, row, figures, actor, problems)
        if outcome:
            setattr(result, outcome, getattr(result, outcome) + 1)
            if outcome in ("superseded", "corrected"):
                result.recorded += 1
            result.areas.add(row.area.name)
    if problems:
        raise KpiImportRefused(problems)
    return result


def _same(record: KpiValue, row: NationalRow) -> bool:
    return (
        record.value == row.value
        and record.numerator == row.numerator
        and record.denominator == row.denominator
        and record.definition == row.definition
    )


def _record_one(
    session: Session,
    row: NationalRow,
    figures: list[KpiValue],
    actor: User | None,
    problems: list[RowProblem],
) -> str | None:
    """Record one row beside the figures already stored for its measure, area and year;
    returns what became of it (a ``NationalResult`` count's name)."""
    same_edition = [f for f in figures if f.edition == row.edition]
    if any(_same(f, row) for f in same_edition):
        return "unchanged"
    in_force = next((f for f in figures if f.retired_at is None), None)
    if in_force is not None and in_force.edition == row.edition:
        retire(session, in_force, actor)
        _add(session, row, actor, figures, corrects=in_force)
        return "corrected"
    if same_edition:
        problems.append(
            RowProblem(
                row.row,
                "value",
                f"The {row.edition} edition's figure for {row.area.name}, {row.period.text} is "
                "already in the history with other figures; it has been superseded by a newer "
                "edition, so it is not changed.",
            )
        )
        return None
    newer = in_force is not None and (edition_year(in_force.edition) or -1) > (
        edition_year(row.edition) or 0
    )
    if newer:
        _add(session, row, actor, figures, superseded_by=in_force.edition)
        return "into_history"
    if in_force is not None:
        retire(session, in_force, actor, superseded_by=row.edition)
        _add(session, row, actor, figures)
        return "superseded"
    _add(session, row, actor, figures)
    return "recorded"


def _add(
    session: Session,
    row: NationalRow,
    actor: User | None,
    figures: list[KpiValue],
    *,
    corrects: KpiValue | None = None,
    superseded_by: str | None = None,
) -> None:
    record = KpiValue(
        kpi_id=row.kpi.id,
        area_id=row.area.id,
        period=row.period.text,
        period_start=row.period.start,
        period_end=row.period.end,
        value=row.value,
        numerator=row.numerator,
        denominator=row.denominator,
        source=row.source or row.kpi.source,
        edition=row.edition,
        definition=row.definition,
        origin=KpiValueOrigin.IMPORTED,
        entered_by_id=actor.id if actor else None,
        corrects_id=corrects.id if corrects else None,
        # Straight into the history: a newer edition is already in force.
        retired_at=func.now() if superseded_by else None,
        superseded_by=superseded_by,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "value",
            f"A figure for {row.area.name}, {row.period.text} was recorded at the same moment: "
            "nothing was imported. Import the file again.",
        ) from None
    figures.append(record)

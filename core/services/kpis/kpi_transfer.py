"""KPI figures in bulk: a CSV file imported whole or not at all, and figures pulled from each
area's own system through the ``kpi_values`` hook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.enums import KpiValueOrigin
from core.hooks.kpi import KpiFigure
from core.hooks.registry import PluginProblem, PluginRegistry
from core.models import Area, Kpi, User
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import Conflict, FieldError, FieldErrors
from core.services.kpis import kpis
from core.services.kpis.periods import last_period_ended, parse_period

COLUMNS = ("area", "kpi", "period", "value", "numerator", "denominator", "source", "edition")
REQUIRED = ("area", "kpi", "period")
MAX_BYTES = 2_000_000
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class KpiImportRefused(ValueError):
    """Nothing was imported; ``problems`` lists every reason, each with its row."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class ImportResult:
    recorded: int = 0
    unchanged: int = 0


def check_header(
    header: list[str], columns: tuple[str, ...] = COLUMNS, required: tuple[str, ...] = REQUIRED
) -> None:
    """Refuse a header that lacks a required column or has one this import does not know."""
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in columns]
    problems = [RowProblem(1, name, "This column is missing.") for name in missing]
    problems += [
        RowProblem(1, name, "This column is not one of " + ", ".join(columns) + ".")
        for name in unknown
    ]
    if problems:
        raise KpiImportRefused(problems)


def csv_rows(
    blob: bytes,
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
    max_bytes: int = MAX_BYTES,
) -> list[tuple[int, dict[str, str]]]:
    """Each row of a CSV file with its line number (blank lines are skipped, but counted, and
    count towards ``MAX_ROWS``); the header must name ``required`` and only ``columns``."""
    if len(blob) > max_bytes:
        raise KpiImportRefused(
            [RowProblem(0, "", f"The file is larger than {max_bytes // 1_000_000} MB.")]
        )
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KpiImportRefused(
            [RowProblem(0, "", "The file is not UTF-8 text: save it as CSV UTF-8.")]
        ) from None
    if "\x00" in text:
        raise KpiImportRefused([RowProblem(0, "", "The file holds a NUL character.")])
    reader = csv.reader(io.StringIO(text, newline=""))
    too_many = KpiImportRefused([RowProblem(0, "", f"The file has more than {MAX_ROWS:,} rows.")])
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        # Every line is looked at once, blank or not, so the work stops at the limit.
        for cells in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise too_many
            if not cells:
                continue
            if header is None:
                header = [name.strip().lower() for name in cells]
                check_header(header, columns, required)
                continue
            # A short row reads as blank figures; cells past the header's are not read.
            cells += [""] * (len(header) - len(cells))
            named = zip(header, cells, strict=False)
            rows.append((reader.line_num, {k: v.strip() for k, v in named}))
    except csv.Error as problem:
        raise KpiImportRefused(
            [RowProblem(reader.line_num, "", f"Not valid CSV: {problem}.")]
        ) from None
    if header is None:
        check_header([], columns, required)
    return rows


@dataclass(frozen=True)
class FigureRow:
    """One figure to record, as typed; ``where`` places its problems (a row, a KPI)."""

    where: Any
    kpi: Kpi
    area: Area
    period: str
    value: Any
    numerator: Any
    denominator: Any
    source: str
    edition: str


def record_rows(
    session: Session, rows: list[FigureRow], *, actor: User | None, origin: KpiValueOrigin
) -> tuple[ImportResult, list[tuple[Any, FieldError]]]:
    """Record each figure (entered in a grid, or imported); returns the counts and every
    problem with its row's ``where``. The caller stores nothing (rolls back) if there is any
    problem. A figure saved by someone else at the same moment refuses the lot (Conflict)."""
    result, problems = ImportResult(), []
    for row in rows:
        try:
            recorded = kpis.record_value(
                session,
                row.kpi,
                row.area,
                actor=actor,
                period=row.period,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                source=row.source,
                edition=row.edition,
                origin=origin,
            )
        except Conflict:
            raise
        except FieldErrors as several:
            problems += [(row.where, problem) for problem in several.all]
        except FieldError as problem:
            problems.append((row.where, problem))
        except PermissionDenied as refusal:
            problems.append((row.where, FieldError("area", str(refusal))))
        else:
            result.unchanged += recorded is None
            result.recorded += recorded is not None
    return result, problems


def import_values(session: Session, blob: bytes, *, actor: User | None) -> ImportResult:
    """Record every row of a CSV file (columns area, kpi, period, value, numerator,
    denominator, source, edition; ``kpi`` is the KPI's key). Every problem is listed with its
    row and column, and nothing is stored unless every row is valid; the caller commits."""
    rows = csv_rows(blob)
    areas = {a.slug: a for a in session.scalars(select(Area))}
    defined = {
        (k.area_id, k.key): k for k in session.scalars(select(Kpi).options(selectinload(Kpi.area)))
    }
    problems: list[RowProblem] = []
    seen: dict[tuple[int, int, str], int] = {}
    given: list[FigureRow] = []
    for n, row in rows:
        area = areas.get(row.get("area", ""))
        if area is None:
            problems.append(RowProblem(n, "area", f"There is no area {row.get('area', '')!r}."))
            continue
        kpi = defined.get((area.id, row.get("kpi", ""))) or defined.get((None, row.get("kpi", "")))
        if kpi is None:
            problems.append(
                RowProblem(n, "kpi", f"{area.name} has no KPI with the key {row.get('kpi', '')!r}.")
            )
            continue
        try:
            period = parse_period(row.get("period", ""), kpi.frequency).text
        except FieldError as problem:
            problems.append(RowProblem(n, "period", problem.message))
            continue
        first = seen.setdefault((kpi.id, area.id, period), n)
        if first != n:
            problems.append(
                RowProblem(n, "period", f"Row {first} already gives this KPI, area and period.")
            )
            continue
        given.append(
            FigureRow(n, kpi, area, period, row.get("value"), row.get("numerator"),
                      row.get("denominator"), row.get("source", ""), row.get("edition", ""))
        )  # fmt: skip
    found, refused = record_rows(session, given, actor=actor, origin=KpiValueOrigin.IMPORTED)
    problems += [RowProblem(n, p.field, p.message) for n, p in refused]
    if not rows:
        problems.append(RowProblem(2, "", "The file has no rows of figures."))
    if problems:
        raise KpiImportRefused(problems)
    return found


@dataclass
class PullResult:
    recorded: list[str] = field(default_factory=list)
    proposed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    problems: list[PluginProblem] = field(default_factory=list)


def pull_values(
    session: Session,
    plugins: PluginRegistry,
    *,
    area: Area | None = None,
    period: str | None = None,
    today: dt.date | None = None,
) -> PullResult:
    """Ask the area plugins (``kpi_values``) for each KPI's figure for ``period`` (by default
    each KPI's last period due) and record every answer as a pulled figure, never replacing
    a person's (a differing one waits as a proposal). Says what no plugin could supply."""
    result = PullResult()
    query = select(Area).where(Area.is_cpc()).order_by(Area.name)
    targets = [area] if area is not None else list(session.scalars(query))
    today = today or dt.date.today()
    for where in targets:
        for kpi in kpis.area_kpis(session, where):
            if period is not None:
                try:
                    wanted = parse_period(period, kpi.frequency).text
                except FieldError:
                    continue  # a period of another kind than this KPI is counted by
            else:
                due = last_period_ended(kpi.frequency, today)
                if due is None:
                    continue
                wanted = due.text
            label = f"{where.slug} {kpi.key} {wanted}"
            plugin, figure = plugins.first_answer(
                "kpi_values",
                expect=KpiFigure,
                problems=result.problems,
                area=where.slug,
                kpi=kpis.kpi_ref(kpi),
                period=wanted,
            )
            if figure is None:
                result.not_found.append(label)
                continue
            try:
                recorded = kpis.record_value(
                    session,
                    kpi,
                    where,
                    actor=None,
                    period=wanted,
                    value=figure.value,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    source=figure.source or f"Pulled by plugin {plugin!r}.",
                    edition=figure.edition,
                    origin=KpiValueOrigin.PULLED,
                )
            except Conflict:
                raise
            except FieldError as problem:
                result.problems.append(
                    PluginProblem(plugin or "?", f"{label}: {problem.message}", field=problem.field)
                )
                continue
            if recorded is None:
                result.unchanged.append(label)
            elif recorded.proposed:
                result.proposed.append(label)
            else:
                result.recorded.append(label)
    return result

"""KPIs: defining them, recording figures (entered, imported, sent or pulled), corrections kept
in the history, and reading the latest figures, the series and which are off target."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit, KpiValueOrigin
from core.hooks.kpi import KpiRef
from core.hooks.report_data import Latest, off_target
from core.models import Action, Area, Kpi, KpiValue, Plan, User
from core.services.accounts.permissions import (
    PermissionDenied,
    edits_shared,
    require_area,
    require_shared,
)
from core.services.errors import Conflict, FieldError, FieldErrors, NotFound, StaleEdit
from core.services.kpis.periods import Period, last_period_due, parse_period
from core.services.records import audit

MAX_NAME, MAX_TEXT, MAX_EDITION = 300, 10_000, 100
# Figures beyond this are refused as mistakes (and would not fit every database's numbers).
MAX_FIGURE = 1e12


def kpi_ref(kpi: Kpi) -> KpiRef:
    return KpiRef(
        key=kpi.key,
        name=kpi.name,
        area=kpi.area.slug if kpi.area else None,
        unit=kpi.unit,
        frequency=kpi.frequency,
        direction=kpi.direction,
        combine=kpi.combine,
    )


def kpi_by_id(session: Session, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id, options=[selectinload(Kpi.area), selectinload(Kpi.actions)])
    if kpi is None:
        raise NotFound(f"There is no KPI {kpi_id}.")
    return kpi


def kpis_query(area_id: int | None = None) -> Select[tuple[Kpi]]:
    """The KPIs an area reports: its own, the Tayside-wide ones and the national measures;
    without an area, every KPI. Tayside-wide first, then national, then by position."""
    query = select(Kpi).options(selectinload(Kpi.area), selectinload(Kpi.actions))
    if area_id is not None:
        query = query.where((Kpi.area_id == area_id) | Kpi.area_id.is_(None))
    return query.order_by(Kpi.area_id.is_not(None), Kpi.national, Kpi.area_id, Kpi.position, Kpi.id)


def area_kpis(session: Session, area: Area) -> list[Kpi]:
    return list(session.scalars(kpis_query(area.id)))


def tayside_kpis(session: Session) -> list[Kpi]:
    return list(session.scalars(kpis_query().where(Kpi.area_id.is_(None))))


def _key_for(session: Session, area: Area | None, name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    # At most 70 characters, cut between words: a key is read, and typed into CSV files.
    base = words if len(words) <= 70 else words[:71].rsplit("-", 1)[0]
    base = base[:70] or "kpi"
    same_scope = Kpi.area_id == area.id if area else Kpi.area_id.is_(None)
    taken = set(session.scalars(select(Kpi.key).where(same_scope, Kpi.key.like(f"{base}%"))))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _may_define(actor: User | None, area: Area | None) -> None:
    if actor is None:
        return
    if area is None:
        if not edits_shared(actor):
            raise PermissionDenied(
                "Only TRIC PG5 members and administrators can define Tayside-wide KPIs."
            )
    else:
        require_area(actor, area)


def _check_definition(fields: dict[str, Any]) -> None:
    problems = []
    name = (fields.get("name") or "").strip()
    if not name:
        problems.append(FieldError("name", "Give the KPI a name."))
    elif len(name) > MAX_NAME:
        problems.append(FieldError("name", f"The name must be at most {MAX_NAME} characters."))
    for field in ("counted", "source"):
        if len(fields.get(field) or "") > MAX_TEXT:
            problems.append(FieldError(field, f"This must be at most {MAX_TEXT:,} characters."))
    target = fields.get("target_value")
    if target is not None and (not math.isfinite(target) or abs(target) > MAX_FIGURE):
        problems.append(FieldError("target", "The target must be a number."))
    unit, combine = fields.get("unit"), fields.get("combine")
    if combine is KpiCombine.RATIO_OF_SUMS and unit not in (
        KpiUnit.PERCENTAGE,
        KpiUnit.RATE_PER_1000,
    ):
        problems.append(
            FieldError(
                "combine",
                "Only a percentage or a rate per 1,000 combines as a ratio of sums.",
            )
        )
    if combine is KpiCombine.SUM and unit is not KpiUnit.COUNT:
        problems.append(
            FieldError(
                "combine",
                "Only counts add up across areas: combine percentages and rates as a ratio of "
                "sums, and other units not at all.",
            )
        )
    FieldErrors.raise_any(problems)


def define_kpi(
    session: Session,
    *,
    actor: User | None,
    area: Area | None,
    name: str,
    counted: str = "",
    unit: KpiUnit | None = None,
    frequency: KpiFrequency | None = None,
    direction: KpiDirection = KpiDirection.NEITHER,
    combine: KpiCombine = KpiCombine.NONE,
    target_value: float | None = None,
    target_date: dt.date | None = None,
    source: str = "",
    actions: list[Action] | None = None,
    key: str | None = None,
    origin: str = "app",
) -> Kpi:
    """A new KPI for ``area`` (its coordinators and admins), or Tayside-wide with no area
    (PG5 members and admins). The actions it evidences must be in that area's plans."""
    _may_define(actor, area)
    fields = {"name": name, "counted": counted, "source": source, "target_value": target_value}
    _check_definition({**fields, "unit": unit, "combine": combine})
    actions = actions or []
    if area is not None and any(a.plan.area_id != area.id for a in actions):
        raise FieldError("actions", f"A KPI of {area.name} evidences {area.name}'s actions only.")
    position = session.scalar(select(func.max(Kpi.position))) or 0
    kpi = Kpi(
        key=key or _key_for(session, area, name),
        area=area,
        name=name.strip(),
        counted=counted.strip(),
        unit=unit,
        frequency=frequency,
        direction=direction,
        combine=combine,
        target_value=target_value,
        target_date=target_date,
        source=source.strip()
        or (f"Defined in the platform by {actor.email}." if actor else "Defined in the platform."),
        origin=origin,
        position=position + 1,
        version=1,
        actions=list(actions),
    )
    session.add(kpi)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("name", "A KPI with this key already exists: choose another name.") from None
    return kpi


# What may change once a KPI has figures: its wording, direction, target, links and source
# (its unit, frequency and combination would change what the figures mean).
EDITABLE = ("name", "counted", "direction", "target_value", "target_date", "source", "actions")


def edit_kpi(
    session: Session, kpi: Kpi, *, actor: User | None, version: int, **changes: Any
) -> bool:
    """Reword a KPI, change its target or the actions it evidences: one guarded UPDATE from the
    ``version`` read (a Tayside-wide KPI's wording is PG5's), kept in the audit trail. Returns
    whether anything changed."""
    if actor is not None:
        if kpi.area is None:
            require_shared(actor)
        else:
            require_area(actor, kpi.area)
    if kpi.national:
        raise FieldError(
            "name",
            "A national measure is worded as the published statistics word it: a new "
            "definition comes with the platform's national measures file.",
        )
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise FieldError(unknown[0], "A KPI's unit, frequency and combination do not change.")
    if version != kpi.version:
        raise _stale()
    merged = {
        name: changes.get(name, getattr(kpi, name))
        for name in ("name", "counted", "unit", "combine", "target_value", "source")
    }
    _check_definition(merged)
    actions = changes.pop("actions", None)
    if actions is not None and kpi.area is not None:
        if any(a.plan.area_id != kpi.area_id for a in actions):
            raise FieldError("actions", f"A KPI of {kpi.area.name} evidences its actions only.")
    elif actions:
        raise FieldError("actions", "A Tayside-wide KPI names no area's actions.")
    same_links = actions is None or {a.id for a in actions} == {a.id for a in kpi.actions}
    if same_links and all(getattr(kpi, name) == value for name, value in changes.items()):
        return False
    for name, value in changes.items():
        setattr(kpi, name, value.strip() if type(value) is str else value)
    if actions is not None:
        kpi.actions = list(actions)
    kpi.version += 1
    try:
        session.flush()
    except StaleDataError:
        raise _stale() from None
    return True


def _stale() -> StaleEdit:
    return StaleEdit("version", "Someone changed this KPI since you opened it: nothing was saved.")


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A figure checked against its KPI's unit: the value, and its two parts if it has them."""

    value: float
    numerator: float | None = None
    denominator: float | None = None


def _number(field: str, given: Any) -> float | None:
    if given is None or given == "":
        return None
    try:
        number = float(given)
    except (TypeError, ValueError):
        raise FieldError(field, "Enter a number.") from None
    if not math.isfinite(number) or abs(number) > MAX_FIGURE:
        raise FieldError(field, "Enter a number of a sensible size.")
    return number


def check_figures(
    unit: KpiUnit | None, value: Any = None, numerator: Any = None, denominator: Any = None
) -> Figures:
    """The figure a KPI in ``unit`` records from what was given; refused, naming the field,
    when a part is missing, not a number, or impossible (a percentage of a negative total)."""
    problems: list[FieldError] = []
    numbers: dict[str, float | None] = {}
    for field, given in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        try:
            numbers[field] = _number(field, given)
        except FieldError as problem:
            problems.append(problem)
    FieldErrors.raise_any(problems)
    v, n, d = numbers["value"], numbers["numerator"], numbers["denominator"]
    if unit is not None and unit.has_parts:
        parts = (
            ("numerator", "denominator") if unit is KpiUnit.PERCENTAGE else ("count", "population")
        )
        if n is None:
            problems.append(FieldError("numerator", f"Enter the {parts[0]}."))
        elif n < 0:
            problems.append(FieldError("numerator", f"The {parts[0]} cannot be negative."))
        if d is None:
            problems.append(FieldError("denominator", f"Enter the {parts[1]}."))
        elif d <= 0:
            problems.append(FieldError("denominator", f"The {parts[1]} must be more than 0."))
        if unit is KpiUnit.PERCENTAGE and n is not None and d and n > d:
            problems.append(
                FieldError("numerator", "The numerator cannot be more than the denominator.")
            )
        FieldErrors.raise_any(problems)
        assert n is not None and d is not None
        scale = 100 if unit is KpiUnit.PERCENTAGE else 1000
        return Figures(value=scale * n / d, numerator=n, denominator=d)
    if v is None:
        raise FieldError("value", "Enter the figure.")
    if n is not None or d is not None:
        raise FieldError("value", "Give one figure: this KPI has no numerator or denominator.")
    if unit is KpiUnit.YES_NO and v not in (0, 1):
        raise FieldError("value", "Enter 1 for yes or 0 for no.")
    if unit in (KpiUnit.COUNT, KpiUnit.DAYS) and v < 0:
        raise FieldError("value", "The figure cannot be negative.")
    return Figures(value=v)


def in_force_query(kpi_id: int, area_id: int, period: str) -> Select[tuple[KpiValue]]:
    return select(KpiValue).where(
        KpiValue.kpi_id == kpi_id,
        KpiValue.area_id == area_id,
        KpiValue.period == period,
        KpiValue.retired_at.is_(None),
        KpiValue.proposed.is_(False),
    )


def in_force_for(area_id: int, periods: dict[int, str]) -> Select[tuple[KpiValue]]:
    """The figures in force for an area, one period for each KPI (``periods``: KPI id to
    period): one query."""
    pairs = list(periods.items()) or [(0, "")]
    return select(KpiValue).where(
        KpiValue.area_id == area_id,
        tuple_(KpiValue.kpi_id, KpiValue.period).in_(pairs),
        KpiValue.retired_at.is_(None),
        KpiValue.proposed.is_(False),
    )


def _reports(kpi: Kpi, area: Area) -> None:
    if kpi.area_id is not None and kpi.area_id != area.id:
        raise FieldError("area", f"{kpi.name!r} is {kpi.area.name}'s KPI, not {area.name}'s.")
    if area.is_reference and not kpi.national:
        raise FieldError("area", f"{area.name} is compared on the national measures only.")


def current_definition(kpi: Kpi) -> str:
    """The definition version a figure entered now follows: a national measure's newest."""
    return kpi.definitions[-1].key if kpi.national and kpi.definitions else ""


def record_value(
    session: Session,
    kpi: Kpi,
    area: Area,
    *,
    actor: User | None,
    period: str,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    source: str = "",
    edition: str = "",
    origin: KpiValueOrigin = KpiValueOrigin.ENTERED,
) -> KpiValue | None:
    """Record ``area``'s figure for ``kpi`` in ``period`` (its coordinators and admins).

    A figure for a period that already has one corrects it: the earlier one is retired (one
    guarded UPDATE, so of two corrections at once one is refused) and stays in the history. The
    same figure again changes nothing and returns None. A pulled figure never replaces a
    person's: if it differs it is kept as a proposal for the coordinator to accept or not.
    """
    if actor is not None:
        require_area(actor, area)
    _reports(kpi, area)
    problems: list[FieldError] = []
    try:
        when = parse_period(period, kpi.frequency)
    except FieldError as problem:
        problems.append(problem)
    try:
        figures = check_figures(kpi.unit, value, numerator, denominator)
    except FieldErrors as several:
        problems += several.all
    except FieldError as problem:
        problems.append(problem)
    source, edition = (source or "").strip(), (edition or "").strip()
    if len(source) > MAX_TEXT:
        problems.append(
            FieldError("source", f"The source must be at most {MAX_TEXT:,} characters.")
        )
    if len(edition) > MAX_EDITION:
        problems.append(
            FieldError("edition", f"The edition must be at most {MAX_EDITION} characters.")
        )
    FieldErrors.raise_any(problems)
    current = session.scalars(in_force_query(kpi.id, area.id, when.text)).first()
    if current is not None and _same(current, figures, source, edition):
        return None
    pulled = origin is KpiValueOrigin.PULLED
    proposed = pulled and current is not None and current.origin is not KpiValueOrigin.PULLED
    if proposed:
        waiting = session.scalars(
            select(KpiValue).where(
                KpiValue.kpi_id == kpi.id,
                KpiValue.area_id == area.id,
                KpiValue.period == when.text,
                KpiValue.proposed.is_(True),
                KpiValue.retired_at.is_(None),
            )
        ).all()
        if any(_same(w, figures, source, edition) for w in waiting):
            return None
    elif current is not None:
        retire(session, current, actor)
    record = KpiValue(
        kpi_id=kpi.id,
        area_id=area.id,
        period=when.text,
        period_start=when.start,
        period_end=when.end,
        value=figures.value,
        numerator=figures.numerator,
        denominator=figures.denominator,
        source=source,
        edition=edition,
        definition=current_definition(kpi),
        origin=origin,
        entered_by_id=actor.id if actor else None,
        proposed=proposed,
        corrects_id=None if proposed or current is None else current.id,
    )
    clash = (  # worded now: after a failed flush nothing can be read
        f"A figure for {area.name}, {when.label} was recorded at the same moment: nothing was "
        "saved. Reload to see it."
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("value", clash) from None
    return record


def _same(record: KpiValue, figures: Figures, source: str, edition: str) -> bool:
    return (
        record.value == figures.value
        and record.numerator == figures.numerator
        and record.denominator == figures.denominator
        and record.source == source
        and record.edition == edition
    )


def retire(
    session: Session, record: KpiValue, actor: User | None, *, superseded_by: str | None = None
) -> None:
    """Retire a figure with one guarded UPDATE: refused if it was retired at the same moment.
    ``superseded_by``: the newer edition of the statistics that replaced it."""
    done = session.execute(
        update(KpiValue)
        .where(KpiValue.id == record.id, KpiValue.retired_at.is_(None))
        .values(
            retired_at=func.now(),
            retired_by_id=actor.id if actor else None,
            superseded_by=superseded_by,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict(
            "value",
            "This figure was changed at the same moment by someone else: nothing was saved. "
            "Reload to see it.",
        )
    audit.record_event(
        session,
        kind="kpi_values",
        event_name="retired",
        summary=(
            f"The figure {record.value:g} for {record.period} was superseded by the "
            f"{superseded_by} edition."
            if superseded_by
            else f"The figure {record.value:g} for {record.period} was replaced or turned down."
        ),
        actor=actor,
        record_id=record.id,
        area_id=record.area_id,
        before={"value": record.value, "period": record.period, "source": record.source},
    )
    session.expire(record)


# What a figure says (as against who recorded it and what became of it).
FIGURE = (
    "kpi_id",
    "area_id",
    "period",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "source",
    "edition",
    "definition",
)


def decide_proposal(session: Session, proposal: KpiValue, *, actor: User | None, accept: bool):
    """A coordinator's decision on a pulled figure that differs from a person's entry: accept
    it (it replaces the entry, which stays in the history) or keep the entry (the proposal is
    retired, and stays in the history)."""
    if actor is not None:
        require_area(actor, proposal.area)
    if not proposal.proposed or proposal.retired_at is not None:
        raise Conflict("value", "This figure has already been decided.")
    if not accept:
        retire(session, proposal, actor)
        return proposal
    figure = {name: getattr(proposal, name) for name in FIGURE}
    current = session.scalars(
        in_force_query(proposal.kpi_id, proposal.area_id, proposal.period)
    ).first()
    retire(session, proposal, actor)
    if current is not None:
        retire(session, current, actor)
    accepted = KpiValue(
        **figure,
        origin=KpiValueOrigin.PULLED,
        entered_by_id=actor.id if actor else None,
        corrects_id=current.id if current else None,
    )
    session.add(accepted)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("value", "A figure was recorded at the same moment: reload.") from None
    return accepted


# --- reading ------------------------------------------------------------------------------


def values_query(
    kpi_id: int,
    *,
    area_ids: list[int] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Select[tuple[KpiValue]]:
    """A KPI's figures in force (not corrected, not waiting for a decision), oldest period
    first, optionally for some areas and periods starting between ``start`` and ``end``."""
    query = select(KpiValue).where(
        KpiValue.kpi_id == kpi_id, KpiValue.retired_at.is_(None), KpiValue.proposed.is_(False)
    )
    if area_ids is not None:
        query = query.where(KpiValue.area_id.in_(area_ids))
    if start is not None:
        query = query.where(KpiValue.period_start >= start)
    if end is not None:
        query = query.where(KpiValue.period_start <= end)
    return query.order_by(KpiValue.period_start, KpiValue.period, KpiValue.area_id)


def recent_periods(
    session: Session, kpi_id: int, area_ids: list[int], limit: int
) -> tuple[dt.date, dt.date] | None:
    """The first and last start of the ``limit`` latest periods with a figure, for a chart."""
    starts = list(
        session.scalars(
            select(KpiValue.period_start)
            .where(
                KpiValue.kpi_id == kpi_id,
                KpiValue.area_id.in_(area_ids),
                KpiValue.retired_at.is_(None),
                KpiValue.proposed.is_(False),
            )
            .group_by(KpiValue.period_start)
            .order_by(KpiValue.period_start.desc())
            .limit(limit)
        )
    )
    return (starts[-1], starts[0]) if starts else None


def history(session: Session, kpi_id: int, area_ids: list[int], limit: int = 50) -> list[KpiValue]:
    """The latest corrections and decisions: every figure no longer in force, and every
    proposal, newest first."""
    return list(
        session.scalars(
            select(KpiValue)
            .where(
                KpiValue.kpi_id == kpi_id,
                KpiValue.area_id.in_(area_ids),
                (KpiValue.retired_at.is_not(None)) | KpiValue.proposed.is_(True),
            )
            .options(selectinload(KpiValue.entered_by), selectinload(KpiValue.area))
            .order_by(KpiValue.entered_at.desc(), KpiValue.id.desc())
            .limit(limit)
        )
    )


def proposals(session: Session, kpi_id: int, area_ids: list[int]) -> list[KpiValue]:
    return list(
        session.scalars(
            select(KpiValue)
            .where(
                KpiValue.kpi_id == kpi_id,
                KpiValue.area_id.in_(area_ids),
                KpiValue.proposed.is_(True),
                KpiValue.retired_at.is_(None),
            )
            .options(selectinload(KpiValue.area))
            .order_by(KpiValue.period_start, KpiValue.id)
            .limit(100)
        )
    )


def ranked_figures(kpi_ids, as_at: dt.date | None, *criteria: ColumnElement[bool]):
    """In SQL, the figures in force (not proposals) of ``kpi_ids`` (a list, or a subquery of
    ids) for periods ended by ``as_at``, with ``id``, ``kpi_id``, ``area_id`` and ``n``: 1 for
    each KPI and area's latest period, 2 for the one before, and so on."""
    return (
        select(
            KpiValue.id,
            KpiValue.kpi_id,
            KpiValue.area_id,
            func.row_number()
            .over(
                partition_by=(KpiValue.kpi_id, KpiValue.area_id),
                order_by=(KpiValue.period_start.desc(), KpiValue.id.desc()),
            )
            .label("n"),
        )
        .where(
            KpiValue.kpi_id.in_(kpi_ids),
            KpiValue.retired_at.is_(None),
            KpiValue.proposed.is_(False),
            KpiValue.period_end <= (as_at or dt.date.max),
            *criteria,
        )
        .subquery()
    )


def latest_figures(
    session: Session, kpi_ids: list[int], area_ids: list[int], as_at: dt.date | None = None
) -> dict[tuple[int, int], Latest]:
    """For each KPI and area, the figure of the latest period (ended by ``as_at``, if given)
    and of the one before: one query on the (kpi, period) index."""
    if not kpi_ids or not area_ids:
        return {}
    ranked = ranked_figures(kpi_ids, as_at, KpiValue.area_id.in_(area_ids))
    chosen = aliased(KpiValue)
    rows = session.execute(
        select(chosen, ranked.c.n).join(ranked, and_(ranked.c.id == chosen.id, ranked.c.n <= 2))
    )
    found: dict[tuple[int, int], dict[int, KpiValue]] = {}
    for record, n in rows:
        found.setdefault((record.kpi_id, record.area_id), {})[n] = record
    return {key: Latest(pair.get(1), pair.get(2)) for key, pair in found.items()}


@dataclass(frozen=True)
class KpiHealth:
    """An area's KPIs off target, and those with no figure for the last period due."""

    off_target: list[tuple[Kpi, KpiValue]]
    missing: list[tuple[Kpi, Period]]


def kpi_health(session: Session, area: Area, today: dt.date) -> KpiHealth:
    """What the dashboard lists: in two queries whatever the history."""
    kpis = area_kpis(session, area)
    latest = latest_figures(session, [k.id for k in kpis], [area.id])
    off, missing = [], []
    for kpi in kpis:
        figures = latest.get((kpi.id, area.id), Latest(None, None))
        if off_target(kpi, figures.latest):
            off.append((kpi, figures.latest))
        due = last_period_due(kpi.frequency, today)
        if due is not None and (figures.latest is None or figures.latest.period_start < due.start):
            missing.append((kpi, due))
    return KpiHealth(off, missing)


def area_of_plan_actions(session: Session, area: Area, codes: list[str], plan_slug: str | None):
    """The actions of ``area``'s plan (``plan_slug``, or its newest) with the given codes."""
    if not codes:
        return [], []
    plan_query = select(Plan).where(Plan.area_id == area.id)
    plan_query = (
        plan_query.where(Plan.slug == plan_slug)
        if plan_slug
        else plan_query.order_by(Plan.period_start.desc())
    )
    plan = session.scalars(plan_query.limit(1)).first()
    if plan is None:
        return [], list(codes)
    found = {
        a.code: a
        for a in session.scalars(
            select(Action).where(Action.plan_id == plan.id, Action.code.in_(codes))
        )
    }
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]

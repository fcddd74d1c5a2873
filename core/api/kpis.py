"""KPIs: their definitions, each area's figures, and the Tayside view."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import db
from core.api.areas import get_or_404
from core.api.common import check_if_match, etag, me, page_query, writing
from core.api.fields import Id, Text, UtcDateTime
from core.api.schemas import PageArgs, Strict, page_of
from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit, KpiValueOrigin
from core.models import Action, Area, Kpi, KpiValue
from core.schemas.dates import PlanDate
from core.services.errors import FieldError
from core.services.kpis import kpi_compare, kpis
from core.services.kpis.kpi_tayside import tayside_view
from core.services.kpis.periods import parse_period
from core.services.plans.plans import NotFound, area_by_slug

kpis_bp = Blueprint(
    "kpi_figures_api", __name__, url_prefix="/api/v1", description="KPIs and their figures"
)
BLUEPRINTS = (kpis_bp,)


def figure() -> fields.Float:
    return fields.Float(
        load_default=None, allow_nan=False, allow_none=True, validate=validate.Range(-1e12, 1e12)
    )


class TargetSchema(Schema):
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(-1e12, 1e12))
    date = PlanDate(load_default=None, allow_none=True)


class KpiSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    area = fields.String(
        allow_none=True, metadata={"description": "The area's slug; null: Tayside-wide (PG5)"}
    )
    counted = fields.String()
    unit = fields.Enum(KpiUnit, by_value=True, allow_none=True)
    frequency = fields.Enum(KpiFrequency, by_value=True, allow_none=True)
    direction = fields.Enum(KpiDirection, by_value=True)
    combine = fields.Enum(KpiCombine, by_value=True)
    target = fields.Nested(TargetSchema, allow_none=True)
    actions = fields.List(fields.Integer(), metadata={"description": "Ids of the actions"})
    source = fields.String()
    version = fields.Integer()
    national = fields.Boolean(
        metadata={"description": "A national measure: every area reports it, Scotland too"}
    )


class KpiCreateSchema(Strict):
    name = Text(required=True, min_length=1, max_length=kpis.MAX_NAME)
    area = Text(load_default=None, allow_none=True, max_length=60)
    counted = Text(load_default="", max_length=kpis.MAX_TEXT)
    unit = fields.Enum(KpiUnit, by_value=True, load_default=None, allow_none=True)
    frequency = fields.Enum(KpiFrequency, by_value=True, load_default=None, allow_none=True)
    direction = fields.Enum(KpiDirection, by_value=True, load_default=KpiDirection.NEITHER)
    combine = fields.Enum(KpiCombine, by_value=True, load_default=KpiCombine.NONE)
    target = fields.Nested(TargetSchema, load_default=None, allow_none=True)
    actions = fields.List(Id(), load_default=list, validate=validate.Length(max=500))
    source = Text(load_default="", max_length=kpis.MAX_TEXT)


class KpiPatchSchema(Strict):
    name = Text(min_length=1, max_length=kpis.MAX_NAME)
    counted = Text(max_length=kpis.MAX_TEXT)
    direction = fields.Enum(KpiDirection, by_value=True)
    target = fields.Nested(TargetSchema, allow_none=True)
    actions = fields.List(Id(), validate=validate.Length(max=500))
    source = Text(max_length=kpis.MAX_TEXT)


class KpiListArgs(PageArgs):
    area = Text(load_default=None, max_length=60, metadata={"description": "An area's slug"})


class KpiValueSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(required=True)
    period = fields.String(required=True)
    value = fields.Float(required=True)
    numerator = fields.Float(metadata={"description": "A percentage's numerator"})
    denominator = fields.Float(metadata={"description": "A percentage's denominator"})
    count = fields.Float(metadata={"description": "A rate's count"})
    population = fields.Float(metadata={"description": "A rate's population"})
    source = fields.String()
    edition = fields.String()
    definition = fields.String(
        metadata={"description": "A national measure's definition version the figure follows"}
    )
    origin = fields.Enum(KpiValueOrigin, by_value=True)
    entered_by = fields.String(allow_none=True)
    entered_at = UtcDateTime()
    corrects = fields.Integer(allow_none=True, metadata={"description": "The figure it replaced"})


class KpiValueCreateSchema(Strict):
    area = Text(required=True, max_length=60)
    period = Text(required=True, max_length=20)
    value = figure()
    numerator = figure()
    denominator = figure()
    count = figure()
    population = figure()
    source = Text(load_default="", max_length=kpis.MAX_TEXT)
    edition = Text(load_default="", max_length=kpis.MAX_EDITION)


class KpiValueArgs(PageArgs):
    area = Text(load_default=None, max_length=60)
    from_ = Text(load_default=None, data_key="from", max_length=20)
    to = Text(load_default=None, max_length=20)


class TaysideArgs(Strict):
    from_ = Text(load_default=None, data_key="from", max_length=20)
    to = Text(load_default=None, max_length=20)


class CompareArgs(Strict):
    areas = Text(
        load_default=None,
        max_length=600,
        metadata={"description": "Areas' slugs, comma-separated (default: every area)"},
    )
    from_ = Text(load_default=None, data_key="from", max_length=20)
    to = Text(load_default=None, max_length=20)


class ComparePointSchema(Schema):
    period = fields.String(required=True)
    value = fields.Float(allow_none=True, metadata={"description": "null: no figure"})
    numerator = fields.Float(allow_none=True, metadata={"description": "A rate's count"})
    denominator = fields.Float(allow_none=True, metadata={"description": "A rate's population"})
    definition = fields.String(metadata={"description": "The definition version followed"})
    edition = fields.String(metadata={"description": "The edition the figure is from"})
    incomplete = fields.Boolean(metadata={"description": "Tayside: an area has no figure"})
    missing = fields.List(fields.String(), metadata={"description": "Areas without a figure"})


class CompareSeriesSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(metadata={"description": "area, tayside or reference (Scotland)"})
    figures = fields.List(fields.Nested(ComparePointSchema))


class DefinitionSchema(Schema):
    key = fields.String(required=True)
    wording = fields.String()
    first_edition = fields.String()
    population = fields.String(allow_none=True)
    note = fields.String()


class CompareSchema(Schema):
    kpi = fields.Integer(required=True)
    national = fields.Boolean()
    periods = fields.List(fields.String())
    breaks = fields.List(
        fields.String(),
        metadata={"description": "Periods whose definition differs from the period before's"},
    )
    definitions = fields.List(fields.Nested(DefinitionSchema))
    series = fields.List(fields.Nested(CompareSeriesSchema))


class TaysidePeriodSchema(Schema):
    period = fields.String(required=True)
    value = fields.Float(allow_none=True, metadata={"description": "null: not combined"})
    complete = fields.Boolean(metadata={"description": "Every area has a figure"})
    areas = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class TaysideSchema(Schema):
    kpi = fields.Integer(required=True)
    combine = fields.Enum(KpiCombine, by_value=True)
    periods = fields.List(fields.Nested(TaysidePeriodSchema))


def kpi_json(kpi: Kpi) -> dict[str, Any]:
    target = (
        {"value": kpi.target_value, "date": kpi.target_date}
        if kpi.target_value is not None
        else None
    )
    return {
        "id": kpi.id,
        "key": kpi.key,
        "name": kpi.name,
        "area": kpi.area.slug if kpi.area else None,
        "counted": kpi.counted,
        "unit": kpi.unit,
        "frequency": kpi.frequency,
        "direction": kpi.direction,
        "combine": kpi.combine,
        "target": target,
        "actions": [a.id for a in kpi.actions],
        "source": kpi.source,
        "version": kpi.version,
        "national": kpi.national,
    }


def value_json(record: KpiValue) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    if record.numerator is not None:
        rate = record.kpi.unit is KpiUnit.RATE_PER_1000
        names = ("count", "population") if rate else ("numerator", "denominator")
        parts = {names[0]: record.numerator, names[1]: record.denominator}
    return {
        "id": record.id,
        "area": record.area.slug,
        "period": record.period,
        "value": record.value,
        **parts,
        "source": record.source,
        "edition": record.edition,
        "definition": record.definition,
        "origin": record.origin,
        "entered_by": record.entered_by.email if record.entered_by else None,
        "entered_at": record.entered_at,
        "corrects": record.corrects_id,
    }


def _area(slug: str | None) -> Area | None:
    if slug is None:
        return None
    try:
        return area_by_slug(db.get_session(), slug)
    except NotFound as missing:
        abort(422, message=str(missing), errors={"json": {"area": [str(missing)]}})


def _kpi(kpi_id: int) -> Kpi:
    return get_or_404(Kpi, kpi_id, options=[selectinload(Kpi.area), selectinload(Kpi.actions)])


def _start(text: str | None, field: str, frequency: KpiFrequency | None = None):
    if text is None:
        return None
    try:
        return parse_period(text, frequency).start
    except FieldError as problem:
        abort(422, message=problem.message, errors={"query": {field: [problem.message]}})


@kpis_bp.get("/kpis")
@kpis_bp.arguments(KpiListArgs, location="query")
@kpis_bp.response(200, page_of(KpiSchema, "KpiPage"))
def list_kpis(args):
    """Every KPI, or with `area` the area's own and the Tayside-wide ones; paged."""
    area = _area(args["area"])
    return page_query(kpis.kpis_query(area.id if area else None), args, kpi_json)


@kpis_bp.post("/kpis")
@kpis_bp.arguments(KpiCreateSchema)
@kpis_bp.response(201, KpiSchema)
def create_kpi(data):
    """Define a KPI for an area (its coordinators and admins) or, with `"area": null`, a
    Tayside-wide one (PG5 members and admins). `actions` are ids of the area's actions."""
    area = _area(data.pop("area"))
    target = data.pop("target") or {}
    ids = data.pop("actions")
    with writing() as session:
        actions = list(
            session.scalars(
                select(Action).where(Action.id.in_(ids)).options(selectinload(Action.plan))
            )
        )
        if len(actions) != len(set(ids)):
            raise FieldError("actions", "Some of those actions do not exist.")
        kpi = kpis.define_kpi(
            session,
            actor=me(),
            area=area,
            actions=actions,
            target_value=target.get("value"),
            target_date=target.get("date"),
            **data,
        )
        return kpi_json(kpi), 201


@kpis_bp.get("/kpis/<id:kpi_id>")
@kpis_bp.response(200, KpiSchema)
def get_kpi(kpi_id: int):
    """One KPI's definition; its `version` is also the ETag."""
    kpi = _kpi(kpi_id)
    return kpi_json(kpi), 200, {"ETag": etag(kpi.version)}


@kpis_bp.patch("/kpis/<id:kpi_id>")
@kpis_bp.arguments(KpiPatchSchema)
@kpis_bp.response(200, KpiSchema)
def patch_kpi(data, kpi_id: int):
    """Reword a KPI, change its direction, target or source, or the actions it evidences (its
    area's coordinators and admins; a Tayside-wide KPI: PG5 members and admins). Its unit,
    frequency and combination do not change. Send the ETag you read as `If-Match` (412 if it
    is stale)."""
    kpi = _kpi(kpi_id)
    check_if_match(kpi.version)
    changes = dict(data)
    if "target" in changes:
        target = changes.pop("target") or {}
        changes["target_value"] = target.get("value")
        changes["target_date"] = target.get("date")
    with writing() as session:
        if "actions" in changes:
            ids = changes["actions"]
            changes["actions"] = list(
                session.scalars(
                    select(Action).where(Action.id.in_(ids)).options(selectinload(Action.plan))
                )
            )
            if len(changes["actions"]) != len(set(ids)):
                raise FieldError("actions", "Some of those actions do not exist.")
        kpis.edit_kpi(session, kpi, actor=me(), version=kpi.version, **changes)
        body = kpi_json(kpi)
    return body, 200, {"ETag": etag(kpi.version)}


@kpis_bp.get("/kpis/<id:kpi_id>/values")
@kpis_bp.arguments(KpiValueArgs, location="query")
@kpis_bp.response(200, page_of(KpiValueSchema, "KpiValuePage"))
def list_values(args, kpi_id: int):
    """The KPI's figures in force, oldest period first; `area` (a slug), and periods from
    `from` to `to` ("2025-03", "2025-Q1", "2025" or a date); paged."""
    kpi = _kpi(kpi_id)
    area = _area(args["area"])
    query = kpis.values_query(
        kpi.id,
        area_ids=[area.id] if area else None,
        start=_start(args["from_"], "from"),
        end=_start(args["to"], "to"),
    ).options(
        selectinload(KpiValue.area), selectinload(KpiValue.entered_by), selectinload(KpiValue.kpi)
    )
    return page_query(query, args, value_json)


@kpis_bp.post("/kpis/<id:kpi_id>/values")
@kpis_bp.arguments(KpiValueCreateSchema)
@kpis_bp.response(201, KpiValueSchema)
def add_value(data, kpi_id: int):
    """Record an area's figure for a period (the area's coordinators and admins): `value`; for
    a percentage `numerator` and `denominator`; for a rate per 1,000 `count` and
    `population`. A figure for a period that has one corrects it (the earlier one stays in the
    history). The same figure again is 200 with the figure in force."""
    kpi = _kpi(kpi_id)
    area = _area(data["area"])
    numerator = data["numerator"] if data["numerator"] is not None else data["count"]
    denominator = data["denominator"] if data["denominator"] is not None else data["population"]
    with writing() as session:
        record = kpis.record_value(
            session,
            kpi,
            area,
            actor=me(),
            period=data["period"],
            value=data["value"],
            numerator=numerator,
            denominator=denominator,
            source=data["source"],
            edition=data["edition"],
            origin=KpiValueOrigin.API,
        )
        status = 201
        if record is None:
            status = 200
            record = session.scalars(
                kpis.in_force_query(
                    kpi.id, area.id, parse_period(data["period"], kpi.frequency).text
                )
            ).one()
        return value_json(record), status


@kpis_bp.get("/kpis/<id:kpi_id>/tayside")
@kpis_bp.arguments(TaysideArgs, location="query")
@kpis_bp.response(200, TaysideSchema)
def tayside(args, kpi_id: int):
    """The KPI across Tayside, period by period from `from` to `to` (by default the latest 24
    periods with a figure): each area's figure and the Tayside figure, combined only as the
    definition allows (`value` null where it is not combined or a period is incomplete)."""
    kpi = _kpi(kpi_id)
    view = tayside_view(
        db.get_session(),
        current_app.extensions["cpc_plugins"],
        kpi,
        start=_start(args["from_"], "from"),
        end=_start(args["to"], "to"),
        include_synthetic=current_app.config.get("DEMO", False),
    )
    return {
        "kpi": kpi.id,
        "combine": kpi.combine,
        "periods": [
            {
                "period": p.period,
                "value": p.combined.value,
                "complete": p.combined.complete,
                "areas": {slug: (r.value if r else None) for slug, r in p.areas.items()},
            }
            for p in view.periods
        ],
    }


@kpis_bp.get("/kpis/<id:kpi_id>/compare")
@kpis_bp.arguments(CompareArgs, location="query")
@kpis_bp.response(200, CompareSchema)
def compare(args, kpi_id: int):
    """The KPI's series side by side, period by period from `from` to `to` (by default the
    latest 12 with a figure): each area in `areas` (slugs, comma-separated; by default every
    area that reports it), Tayside (combined as the definition allows: a rate is the ratio of
    the sums, `incomplete` when an area has no figure) and, for a national measure, Scotland.
    `breaks` lists the periods whose published definition differs from the period before's:
    the series is not comparable across them."""
    kpi = _kpi(kpi_id)
    session = db.get_session()
    chosen = None
    if args["areas"]:
        slugs = [s.strip() for s in args["areas"].split(",") if s.strip()]
        chosen = [_area(slug) for slug in dict.fromkeys(slugs)]
        if kpi.area is not None and any(a.id != kpi.area_id for a in chosen):
            message = f"This is {kpi.area.name}'s KPI: only {kpi.area.slug} reports it."
            abort(422, message=message, errors={"query": {"areas": [message]}})
    result = kpi_compare.compare(
        session,
        current_app.extensions["cpc_plugins"],
        kpi,
        chosen,
        start=_start(args["from_"], "from", kpi.frequency),
        end=_start(args["to"], "to", kpi.frequency),
        include_synthetic=current_app.config.get("DEMO", False),
    )
    return {
        "kpi": kpi.id,
        "national": kpi.national,
        "periods": [p.text for p in result.periods],
        "breaks": result.breaks,
        "definitions": [
            {
                "key": d.key,
                "wording": d.wording,
                "first_edition": d.first_edition,
                "population": d.population,
                "note": d.note,
            }
            for d in result.definitions
        ],
        "series": [
            {
                "key": line.key,
                "name": line.name,
                "kind": line.kind,
                "figures": [
                    {
                        "period": p.text,
                        "value": point.value,
                        "numerator": point.record.numerator if point.record else None,
                        "denominator": point.record.denominator if point.record else None,
                        "definition": point.definition,
                        "edition": point.record.edition if point.record else "",
                        "incomplete": bool(point.missing)
                        or (point.value is None and bool(point.note)),
                        "missing": list(point.missing),
                    }
                    for p in result.periods
                    for point in (line.points[p.text],)
                ],
            }
            for line in result.series
        ],
    }

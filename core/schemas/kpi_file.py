"""The KPI data files plugins ship (``contribute_kpis``): each area's measures, TRIC PG5's
Tayside-wide ones (``"area": null``), or national measures (``"national": true``) with their
published definitions and figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit
from core.schemas.dates import PlanDate
from core.schemas.patterns import Code, Slug
from core.schemas.plan_file import NonEmpty, Title


class TargetSchema(Schema):
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(-1e12, 1e12))
    date = PlanDate(load_default=None, allow_none=True)


class PublishedDefinitionSchema(Schema):
    """One version of a national measure's published definition."""

    key = fields.String(required=True, validate=[Slug, validate.Length(max=40)])
    wording = fields.String(required=True, validate=[NonEmpty, validate.Length(max=10_000)])
    # The first edition using it, named as its statistics year ("2023-24").
    first_edition = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}\Z"))
    # For a rate: the key of the population measure its denominator is.
    population = fields.String(load_default=None, allow_none=True, validate=Slug)
    note = fields.String(load_default="", validate=validate.Length(max=10_000))


class KpiDefinitionSchema(Schema):
    key = fields.String(required=True, validate=[Slug, validate.Length(max=80)])
    name = fields.String(required=True, validate=Title)
    counted = fields.String(load_default="", validate=validate.Length(max=10_000))
    # Left out where the published text does not say.
    unit = fields.Enum(KpiUnit, by_value=True, load_default=None, allow_none=True)
    frequency = fields.Enum(KpiFrequency, by_value=True, load_default=None, allow_none=True)
    direction = fields.Enum(KpiDirection, by_value=True, load_default=KpiDirection.NEITHER)
    combine = fields.Enum(KpiCombine, by_value=True, load_default=KpiCombine.NONE)
    target = fields.Nested(TargetSchema, load_default=None, allow_none=True)
    # The numbers of the actions it evidences, in the area's plan ``plan`` (or its newest).
    actions = fields.List(fields.String(validate=Code), load_default=list)
    plan = fields.String(load_default=None, allow_none=True, validate=Slug)
    source = fields.String(required=True, validate=[NonEmpty, validate.Length(max=10_000)])
    # A national measure's published definitions, oldest first.
    definitions = fields.List(fields.Nested(PublishedDefinitionSchema), load_default=list)


class KpiFileSchema(Schema):
    area = fields.String(required=True, allow_none=True, validate=Slug)
    # National measures: every area reports them, and Scotland is compared with them.
    national = fields.Boolean(load_default=False)
    kpis = fields.List(fields.Nested(KpiDefinitionSchema), required=True, validate=NonEmpty)
    # Published figures of the national measures, each as a row of ``cpc kpi import-national``
    # (area, year, measure, value, numerator, denominator, edition, source, definition).
    figures = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw()), load_default=list)

    @validates_schema(skip_on_field_errors=True)
    def _national(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["national"] and data["area"] is not None:
            raise ValidationError("National measures belong to no area: give null.", "area")
        if not data["national"]:
            if data["figures"]:
                raise ValidationError("Only a national measures file ships figures.", "figures")
            if any(item["definitions"] for item in data["kpis"]):
                raise ValidationError("Only national measures have published definitions.", "kpis")

    @validates_schema(skip_on_field_errors=True)
    def _unique_keys(self, data: dict[str, Any], **_kwargs: Any) -> None:
        keys = Counter(item["key"] for item in data["kpis"])
        repeated = sorted(key for key, count in keys.items() if count > 1)
        if repeated:
            raise ValidationError(f"KPI keys appear more than once: {', '.join(repeated)}", "kpis")

"""The KPI data files plugins ship (``contribute_kpis``): each area's measures, or TRIC PG5's
Tayside-wide ones (``"area": null``)."""

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


class KpiFileSchema(Schema):
    area = fields.String(required=True, allow_none=True, validate=Slug)
    kpis = fields.List(fields.Nested(KpiDefinitionSchema), required=True, validate=NonEmpty)

    @validates_schema(skip_on_field_errors=True)
    def _unique_keys(self, data: dict[str, Any], **_kwargs: Any) -> None:
        keys = Counter(item["key"] for item in data["kpis"])
        repeated = sorted(key for key, count in keys.items() if count > 1)
        if repeated:
            raise ValidationError(f"KPI keys appear more than once: {', '.join(repeated)}", "kpis")

"""The quality framework data file a plugin contributes (``contribute_frameworks``)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.schemas.patterns import CODE, Slug

NonEmpty = validate.Length(min=1)


class ScalePointSchema(Schema):
    value = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    label = fields.String(required=True, validate=[NonEmpty, validate.Length(max=60)])


class IndicatorSchema(Schema):
    number = fields.String(
        required=True,
        validate=validate.Regexp(CODE, error="Give an indicator number like 2.1."),
    )
    title = fields.String(required=True, validate=[NonEmpty, validate.Length(max=300)])


class FrameworkFileSchema(Schema):
    key = fields.String(required=True, validate=[Slug, validate.Length(max=80)])
    title = fields.String(required=True, validate=[NonEmpty, validate.Length(max=300)])
    source = fields.String(required=True, validate=[NonEmpty, validate.Length(max=4000)])
    edition = fields.String(load_default="", validate=validate.Length(max=60))
    partial = fields.Boolean(load_default=False)
    scale = fields.List(
        fields.Nested(ScalePointSchema), required=True, validate=validate.Length(min=2, max=20)
    )
    questions = fields.List(
        fields.String(validate=[NonEmpty, validate.Length(max=300)]),
        load_default=list,
        validate=validate.Length(max=20),
    )
    indicators = fields.List(
        fields.Nested(IndicatorSchema), load_default=list, validate=validate.Length(max=500)
    )

    @validates_schema
    def _each_once(self, data, **_kwargs):
        numbers = [i["number"] for i in data.get("indicators", [])]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("Each indicator number may appear once.", "indicators")
        values = [p["value"] for p in data.get("scale", [])]
        if len(values) != len(set(values)):
            raise ValidationError("Each point of the scale may appear once.", "scale")

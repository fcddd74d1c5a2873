"""Schemas for the data files plugins ship: plans, plan frames and TRIC shared actions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.enums import ActionKind, FrameSection, PlanStatus, ProgressStatus, Rag
from core.schemas.dates import PlanDate
from core.schemas.patterns import Code, Slug

NonEmpty = validate.Length(min=1)


def _text(validate: Any = NonEmpty) -> fields.String:
    return fields.String(required=True, validate=validate)


def _optional_text(max_length: int | None = None) -> fields.String:
    return fields.String(
        load_default="", validate=validate.Length(max=max_length) if max_length else None
    )


# The lengths the database keeps (a longer value is refused here, with its field named).
Title = validate.Length(min=1, max=300)
Number = validate.Range(min=1, max=999)


class FrameItemSchema(Schema):
    text = _text()
    detail = _optional_text()


class AlignmentField(fields.Dict):
    def __init__(self) -> None:
        super().__init__(
            keys=fields.Enum(FrameSection, by_value=True),
            values=fields.List(fields.Nested(FrameItemSchema)),
            load_default=dict,
        )


class UpdateSchema(Schema):
    """A progress update carried with an action (a plan exported with its history)."""

    reported_on = PlanDate(required=True)
    status = fields.Enum(ProgressStatus, by_value=True, required=True)
    rag = fields.Enum(Rag, by_value=True, load_default=None, allow_none=True)
    commentary = _optional_text()
    evidence_url = fields.String(load_default="", validate=validate.Length(max=2000))
    back_on_track = _optional_text()

    @validates_schema
    def _rag_fits_status(self, data: dict[str, Any], **_kwargs: Any) -> None:
        status, rag = data["status"], data["rag"]
        if status is ProgressStatus.COMPLETED and rag is not None:
            raise ValidationError("A completed action carries no RAG.", "rag")
        if status in (ProgressStatus.IN_PROGRESS, ProgressStatus.ONGOING) and rag is None:
            raise ValidationError(f"An action that is {status.label.lower()} needs a RAG.", "rag")


def _answers() -> fields.List:
    """The references of the recommendations an action answers: the area's own, or
    Tayside-wide ones (TRIC PG5's)."""
    return fields.List(
        fields.String(validate=[NonEmpty, validate.Length(max=40)]),
        load_default=list,
        validate=validate.Length(max=100),
    )


class ActionSchema(Schema):
    code = _text(validate=Code)
    text = _text()
    expected_impact = _optional_text()
    leads = fields.List(fields.String(validate=Title), load_default=list)
    target_date = PlanDate(load_default=None, allow_none=True)
    kpi_measures = fields.List(fields.String(validate=NonEmpty), load_default=list)
    answers = _answers()
    # The key of the TRIC shared action this action adopts, if any.
    shared_action = fields.String(
        load_default=None, allow_none=True, validate=[Slug, validate.Length(max=80)]
    )
    updates = fields.List(fields.Nested(UpdateSchema), load_default=list)


class OngoingActionSchema(Schema):
    code = _text(validate=Code)
    text = _text()
    expected_impact = _optional_text()
    leads = fields.List(fields.String(validate=Title), load_default=list)
    shared_action = fields.String(load_default=None, allow_none=True)
    answers = _answers()
    updates = fields.List(fields.Nested(UpdateSchema), load_default=list)


class OutcomeSchema(Schema):
    number = fields.Integer(required=True, strict=True, validate=Number)
    title = _text(validate=Title)
    commitment = _optional_text()
    notes = _optional_text()
    actions = fields.List(fields.Nested(ActionSchema), load_default=list)


class PriorityGroupSchema(Schema):
    title = _text(validate=Title)
    outcomes = fields.List(fields.Nested(OutcomeSchema), load_default=list)


class EvidenceSourceSchema(Schema):
    text = _text()
    frequency = _optional_text(100)
    proportion = fields.Boolean(load_default=False)


class AdoptionSchema(Schema):
    """Adopt a TRIC shared action, worded as PG5 defined it, into one of the plan's outcomes."""

    shared_action = _text()
    # The outcome number; by default the shared action's Priority for Practice.
    outcome = fields.Integer(strict=True, load_default=None, allow_none=True, validate=Number)


class PlanFileSchema(Schema):
    """An improvement plan as an area plugin ships it (see plugins/perth_kinross/)."""

    area = _text(validate=[Slug, validate.Length(max=60)])
    slug = _text(validate=[Slug, validate.Length(max=60)])
    title = _text(validate=Title)
    period_start = PlanDate(required=True)
    period_end = PlanDate(required=True)
    published_on = PlanDate(load_default=None, allow_none=True)
    status = fields.Enum(PlanStatus, by_value=True, load_default=PlanStatus.DRAFT)
    summary = _optional_text()
    source = _optional_text()
    frame = fields.String(load_default=None, allow_none=True)
    alignment = AlignmentField()
    rag_legend = fields.Dict(
        keys=fields.Enum(Rag, by_value=True),
        values=fields.String(validate=NonEmpty),
        load_default=dict,
    )
    priority_groups = fields.List(fields.Nested(PriorityGroupSchema), load_default=list)
    ongoing_actions = fields.List(fields.Nested(OngoingActionSchema), load_default=list)
    evidence_menu = fields.List(fields.Nested(EvidenceSourceSchema), load_default=list)
    adopt = fields.List(fields.Nested(AdoptionSchema), load_default=list)

    # Run even when some fields are invalid (checking those that are), so that an import
    # lists every problem at once.
    @validates_schema(skip_on_field_errors=False)
    def _check_consistency(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        start, end = data.get("period_start"), data.get("period_end")
        if start is not None and end is not None and end <= start:
            errors.setdefault("period_end", []).append("The plan must end after it starts.")
        status = data.get("status")
        unpublished = "published_on" in data and data["published_on"] is None
        if status not in (None, PlanStatus.DRAFT) and unpublished:
            errors.setdefault("published_on", []).append(
                f"A {status.value} plan needs the date it was published."
            )
        groups = [g for g in data.get("priority_groups") or [] if isinstance(g, dict)]
        outcomes = [o for group in groups for o in group.get("outcomes") or []]
        for number, count in Counter(o.get("number") for o in outcomes).items():
            if number is not None and count > 1:
                errors.setdefault("priority_groups", []).append(
                    f"Outcome {number} appears {count} times."
                )
        actions = [a for o in outcomes for a in o.get("actions") or []]
        codes = Counter(a.get("code") for a in actions)
        for code, count in codes.items():
            if code is not None and count > 1:
                errors.setdefault("priority_groups", []).append(
                    f"Action {code} appears {count} times."
                )
        for action in actions:
            due = action.get("target_date")
            if due is not None and start and end and start < end and not start <= due <= end:
                errors.setdefault("priority_groups", []).append(
                    f"Action {action.get('code')} is due on {due.isoformat()}, outside the "
                    f"plan's period {start.isoformat()} to {end.isoformat()}."
                )
        ongoing_actions = data.get("ongoing_actions") or []
        ongoing = Counter(a.get("code") for a in ongoing_actions)
        for code, count in ongoing.items():
            if code is not None and count > 1:
                errors.setdefault("ongoing_actions", []).append(
                    f"Ongoing action {code} appears {count} times."
                )
        today = dt.date.today()
        for action in [*actions, *ongoing_actions]:
            for update in action.get("updates") or []:
                day = update.get("reported_on")
                if day is None:
                    continue
                if day > today or (start is not None and day < start):
                    errors.setdefault("updates", []).append(
                        f"Action {action.get('code')}: an update reports on "
                        f"{day.isoformat()}, which is "
                        + ("in the future." if day > today else "before the plan starts.")
                    )
        if errors:
            raise ValidationError(errors)


class FrameOutcomeSchema(Schema):
    number = fields.Integer(required=True, strict=True, validate=Number)
    title = _text(validate=Title)


class FramePriorityGroupSchema(Schema):
    title = _text(validate=Title)
    outcomes = fields.List(fields.Nested(FrameOutcomeSchema), load_default=list)


class PlanFrameSchema(Schema):
    """Groupings, outcomes and "plan on a page" lines shared by many plans."""

    key = _text(validate=[Slug, validate.Length(max=80)])
    title = _text(validate=Title)
    source = _optional_text()
    priority_groups = fields.List(fields.Nested(FramePriorityGroupSchema), load_default=list)
    alignment = AlignmentField()


class SharedActionSchema(Schema):
    key = _text(validate=[Slug, validate.Length(max=80)])
    title = _text(validate=Title)
    text = _text()
    expected_impact = _optional_text()
    lead = _optional_text(300)
    target_date = PlanDate(load_default=None, allow_none=True)
    kind = fields.Enum(ActionKind, by_value=True, load_default=ActionKind.IMPROVEMENT)
    priority_for_practice = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=6)
    )
    source = _optional_text()
    # When it took effect (the publication date of the document it comes from); "as at" an
    # earlier date it is absent. Left out: the day it is loaded.
    effective_on = PlanDate(load_default=None, allow_none=True)


class SharedActionFileSchema(Schema):
    shared_actions = fields.List(
        fields.Nested(SharedActionSchema), required=True, validate=NonEmpty
    )

    @validates_schema
    def _unique_keys(self, data: dict[str, Any], **_kwargs: Any) -> None:
        keys = Counter(item["key"] for item in data["shared_actions"])
        repeated = sorted(key for key, count in keys.items() if count > 1)
        if repeated:
            raise ValidationError(
                f"Shared action keys appear more than once: {', '.join(repeated)}",
                "shared_actions",
            )

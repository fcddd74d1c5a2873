"""marshmallow schemas for the recommendation and learning review forms, with plain-English
errors (blank inputs count as not given)."""

from __future__ import annotations

from marshmallow import fields, validate

from core.enums import RecommendationSource, RecommendationState, ReviewStage
from core.schemas.dates import PlanDate
from core.services.improvement import learning_reviews, recommendations
from core.web.form_schemas import FormSchema, _edited_from, _length, _required


def _date(what: str) -> PlanDate:
    return PlanDate(
        load_default=None,
        error_messages={"invalid": f"Enter {what} as a real date, like 2024-03-31."},
    )


class RecommendationForm(FormSchema):
    reference = fields.String(
        required=True,
        validate=_length(recommendations.MAX_REFERENCE, "The reference"),
        error_messages=_required("Give the recommendation a reference, like LR24-01 R1."),
    )
    source_kind = fields.Enum(
        RecommendationSource,
        by_value=True,
        required=True,
        error_messages={
            **_required("Choose where the recommendation comes from."),
            "unknown": "Choose one of the sources listed.",
        },
    )
    source_reference = fields.String(
        load_default="", validate=_length(recommendations.MAX_SOURCE, "The source")
    )
    source_date = _date("the source's date")
    text = fields.String(
        required=True,
        validate=_length(recommendations.MAX_TEXT, "The recommendation"),
        error_messages=_required("Write the recommendation in its own words."),
    )
    accepted_by = fields.String(
        load_default="", validate=_length(recommendations.MAX_SOURCE, "Who accepted it")
    )
    accepted_on = _date("the date it was accepted")
    learning_review = fields.Integer(
        load_default=None, error_messages={"invalid": "Choose one of the learning reviews."}
    )


class EditRecommendationForm(RecommendationForm):
    revision = _edited_from("revision")


class RecommendationStateForm(FormSchema):
    state = fields.Enum(
        RecommendationState,
        by_value=True,
        required=True,
        error_messages={
            **_required("Choose open, addressed or closed."),
            "unknown": "Choose open, addressed or closed.",
        },
    )
    reason = fields.String(
        load_default="", validate=_length(recommendations.MAX_TEXT, "The reason")
    )
    confirm = fields.Boolean(load_default=False, truthy={"y"}, falsy=set())
    revision = _edited_from("revision")


class LinkActionForm(FormSchema):
    action = fields.String(
        required=True,
        validate=_length(20, "The action's number"),
        error_messages=_required("Give the number of the action that answers it, like 3.2."),
    )
    area = fields.String(load_default=None, validate=_length(60, "The area"))


class LinkSharedActionForm(FormSchema):
    shared_action = fields.String(
        required=True,
        validate=_length(80, "The shared action"),
        error_messages=_required("Choose the shared action that answers it."),
    )


class NewLearningReviewForm(FormSchema):
    reference = fields.String(
        required=True,
        validate=_length(learning_reviews.MAX_REFERENCE, "The reference"),
        error_messages=_required("Give the review a reference the committee chooses."),
    )
    notified_on = _date("the date the notification was received")


def _stage_fields() -> dict[str, PlanDate]:
    found = {}
    for stage in ReviewStage:
        found[f"{stage.value}_due"] = _date(f"the date “{stage.label}” is due")
        found[f"{stage.value}_done"] = _date(f"the date “{stage.label}” was done")
    return found


EditLearningReviewForm = FormSchema.from_dict(
    {
        "reference": NewLearningReviewForm._declared_fields["reference"],
        "proceeds": fields.String(
            load_default="",
            validate=validate.OneOf(("", "yes", "no"), error="Choose yes, no or not decided yet."),
        ),
        "revision": _edited_from("revision"),
        **_stage_fields(),
    },
    name="EditLearningReviewForm",
)

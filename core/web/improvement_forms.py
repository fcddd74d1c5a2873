"""marshmallow schemas for the recommendation, learning review and self-evaluation forms, with
plain-English errors (blank inputs count as not given)."""

from __future__ import annotations

from marshmallow import fields, validate

from core.db import MAX_ID
from core.enums import EvidenceKind, RecommendationSource, RecommendationState, ReviewStage
from core.schemas.dates import PlanDate
from core.services.errors import FieldError
from core.services.improvement import learning_reviews, recommendations, self_evaluations
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
    self_evaluation = fields.Integer(
        load_default=None,
        error_messages={"invalid": "Choose one of the self-evaluation activities."},
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


class SelfEvaluationForm(FormSchema):
    """The activity's words and dates; the indicators and ratings (one field per indicator
    of its framework) are read by ``ratings_from``."""

    title = fields.String(
        required=True,
        validate=_length(self_evaluations.MAX_TITLE, "What it looks at"),
        error_messages=_required("Say what the self-evaluation looks at."),
    )
    planned_on = PlanDate(
        required=True,
        error_messages={
            **_required("Give the date it is planned for."),
            "invalid": "Enter the date it is planned for as a real date, like 2024-03-31.",
        },
    )
    done_on = _date("the date it was done")
    how_good_now = fields.String(
        load_default="", validate=_length(self_evaluations.MAX_ANSWER, "The answer")
    )
    how_we_know = fields.String(
        load_default="", validate=_length(self_evaluations.MAX_ANSWER, "The answer")
    )
    what_next = fields.String(
        load_default="", validate=_length(self_evaluations.MAX_ANSWER, "The answer")
    )
    agreed_by = fields.String(
        load_default="", validate=_length(self_evaluations.MAX_AGREED_BY, "Who agreed it")
    )
    agreed_on = _date("the date the ratings were agreed")


class EditSelfEvaluationForm(SelfEvaluationForm):
    revision = _edited_from("revision")


# An indicator's choice in the form: not looked at, looked at but not rated, or a rating.
NOT_LOOKED_AT = ""
NOT_RATED = "looked"


def ratings_from(form, framework) -> dict[int, int | None]:
    """The indicators chosen in a submitted form (``indicator_<id>`` for each of the
    framework's indicators), each with its rating or None; a ``FieldError`` for a choice off
    the framework's scale."""
    scale = {str(p["value"]): p["value"] for p in framework.scale}
    chosen: dict[int, int | None] = {}
    for indicator in framework.indicators:
        value = form.get(f"indicator_{indicator.id}", NOT_LOOKED_AT).strip()
        if value == NOT_LOOKED_AT:
            continue
        if value == NOT_RATED:
            chosen[indicator.id] = None
        elif value in scale:
            chosen[indicator.id] = scale[value]
        else:
            raise FieldError(
                f"indicator_{indicator.id}",
                f"{indicator.name}: choose a rating on the framework's scale.",
            )
    return chosen


class EvidenceForm(FormSchema):
    kind = fields.Enum(
        EvidenceKind,
        by_value=True,
        required=True,
        error_messages={
            **_required("Choose what kind of evidence it is."),
            "unknown": "Choose one of the kinds of evidence listed.",
        },
    )
    kpi = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ID, error="Choose one of the KPIs listed."),
        error_messages={"invalid": "Choose one of the KPIs listed."},
    )
    evidence_source = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ID, error="Choose an entry of the evidence menu."),
        error_messages={"invalid": "Choose an entry of the evidence menu."},
    )
    action = fields.String(load_default="", validate=_length(20, "The action's number"))
    url = fields.String(load_default="", validate=_length(self_evaluations.MAX_URL, "The link"))
    title = fields.String(
        load_default="", validate=_length(self_evaluations.MAX_TITLE, "The title")
    )
    note = fields.String(load_default="", validate=_length(self_evaluations.MAX_NOTE, "The note"))


class TagForm(FormSchema):
    indicator = fields.Integer(
        required=True,
        validate=validate.Range(1, MAX_ID, error="Choose one of the quality indicators listed."),
        error_messages={
            **_required("Choose one of the quality indicators listed."),
            "invalid": "Choose one of the quality indicators listed.",
        },
    )

"""Recommendations, the actions answering them, and learning reviews (read only by the area's
coordinators and administrators, every read audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import db
from core.api.areas import get_or_404
from core.api.common import check_if_match, etag, me, page_query, writing
from core.api.fields import Id, Text
from core.api.schemas import PageArgs, Strict, page_of
from core.enums import RecommendationSource, RecommendationState, ReviewStage
from core.models import Action, Area, LearningReview, Recommendation
from core.schemas.dates import PlanDate
from core.services.accounts import permissions
from core.services.errors import FieldError
from core.services.improvement import learning_reviews, recommendations
from core.services.improvement.learning_reviews import StageDates
from core.services.improvement.recommendations import RecommendationText, UnfinishedActions
from core.services.plans.plans import NotFound, area_by_slug

recommendations_bp = Blueprint(
    "recommendations_api",
    __name__,
    url_prefix="/api/v1",
    description="Recommendations and the actions that answer them",
)
reviews_bp = Blueprint(
    "learning_reviews_api",
    __name__,
    url_prefix="/api/v1",
    description="Learning reviews: the area's coordinators and administrators only",
)
BLUEPRINTS = (recommendations_bp, reviews_bp)
TAYSIDE = "tayside"


class RecommendationSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(allow_none=True, metadata={"description": "null: Tayside-wide (PG5)"})
    reference = fields.String(required=True)
    source_kind = fields.Enum(RecommendationSource, by_value=True)
    source_reference = fields.String()
    source_date = fields.Date(allow_none=True)
    text = fields.String()
    accepted_by = fields.String()
    accepted_on = fields.Date(allow_none=True)
    state = fields.Enum(RecommendationState, by_value=True)
    closed_reason = fields.String()
    closed_on = fields.Date(allow_none=True)
    learning_review = fields.Integer(
        allow_none=True,
        metadata={"description": "The learning review it came from (its id), if any"},
    )
    actions = fields.List(
        fields.Integer(),
        metadata={
            "description": "Ids of the actions answering it, with every area's adopted copy "
            "of a shared action answering it"
        },
    )
    shared_actions = fields.List(fields.String(), metadata={"description": "Shared actions' keys"})
    revision = fields.Integer(metadata={"description": "Also the ETag"})


class RecommendationCreateSchema(Strict):
    area = Text(
        load_default=None,
        allow_none=True,
        max_length=60,
        metadata={"description": "The area's slug; null: Tayside-wide (PG5 members)"},
    )
    reference = Text(required=True, min_length=1, max_length=recommendations.MAX_REFERENCE)
    source_kind = fields.Enum(RecommendationSource, by_value=True, required=True)
    source_reference = Text(load_default="", max_length=recommendations.MAX_SOURCE)
    source_date = PlanDate(load_default=None, allow_none=True)
    text = Text(required=True, min_length=1, max_length=recommendations.MAX_TEXT)
    accepted_by = Text(load_default="", max_length=recommendations.MAX_SOURCE)
    accepted_on = PlanDate(load_default=None, allow_none=True)
    learning_review = Id(load_default=None, allow_none=True)


class RecommendationPatchSchema(Strict):
    reference = Text(min_length=1, max_length=recommendations.MAX_REFERENCE)
    source_kind = fields.Enum(RecommendationSource, by_value=True)
    source_reference = Text(max_length=recommendations.MAX_SOURCE)
    source_date = PlanDate(allow_none=True)
    text = Text(min_length=1, max_length=recommendations.MAX_TEXT)
    accepted_by = Text(max_length=recommendations.MAX_SOURCE)
    accepted_on = PlanDate(allow_none=True)
    state = fields.Enum(RecommendationState, by_value=True)
    closed_reason = Text(max_length=recommendations.MAX_TEXT)
    confirm = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Close it although some of its actions are not completed (without "
            "it, that is refused with 422 naming them)"
        },
    )


class RecommendationListArgs(PageArgs):
    area = Text(
        load_default=None,
        max_length=60,
        metadata={"description": f"An area's slug, or `{TAYSIDE}` for the Tayside-wide ones"},
    )
    state = fields.Enum(RecommendationState, by_value=True, load_default=None)


class LinkSchema(Strict):
    recommendation = Id(required=True)


class StageSchema(Schema):
    stage = fields.Enum(ReviewStage, by_value=True, required=True)
    due_on = PlanDate(load_default=None, allow_none=True)
    done_on = PlanDate(load_default=None, allow_none=True)


class StageInSchema(Strict):
    stage = fields.Enum(ReviewStage, by_value=True, required=True)
    due_on = PlanDate(load_default=None, allow_none=True)
    done_on = PlanDate(load_default=None, allow_none=True)


class LearningReviewSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(required=True)
    reference = fields.String(required=True)
    proceeds = fields.Boolean(allow_none=True)
    stages = fields.List(fields.Nested(StageSchema))
    recommendations = fields.List(fields.Integer(), metadata={"description": "Their ids"})
    revision = fields.Integer(metadata={"description": "Also the ETag"})


class LearningReviewCreateSchema(Strict):
    area = Text(required=True, max_length=60)
    reference = Text(required=True, min_length=1, max_length=learning_reviews.MAX_REFERENCE)
    notified_on = PlanDate(load_default=None, allow_none=True)


class LearningReviewPatchSchema(Strict):
    reference = Text(min_length=1, max_length=learning_reviews.MAX_REFERENCE)
    proceeds = fields.Boolean(allow_none=True)
    stages = fields.List(
        fields.Nested(StageInSchema), validate=validate.Length(max=len(ReviewStage))
    )


class ReviewCountSchema(Schema):
    area = fields.String(required=True)
    total = fields.Integer(required=True)
    under_way = fields.Integer(required=True)


class LearningReviewListSchema(Schema):
    items = fields.List(
        fields.Nested(LearningReviewSchema),
        metadata={"description": "The reviews of the areas you may read them in"},
    )
    counts = fields.List(
        fields.Nested(ReviewCountSchema),
        metadata={"description": "How many each area has, for everyone"},
    )


class ReviewListArgs(Strict):
    area = Text(load_default=None, max_length=60, metadata={"description": "An area's slug"})


def _area(slug: str | None, field: str = "area", where: str = "json") -> Area | None:
    if slug is None:
        return None
    try:
        return area_by_slug(db.get_session(), slug)
    except NotFound as missing:
        abort(422, message=str(missing), errors={where: {field: [str(missing)]}})


def recommendation_json(recommendation: Recommendation, actions: list[Action]) -> dict[str, Any]:
    return {
        "id": recommendation.id,
        "area": recommendation.area.slug if recommendation.area else None,
        "reference": recommendation.reference,
        "source_kind": recommendation.source_kind,
        "source_reference": recommendation.source_reference,
        "source_date": recommendation.source_date,
        "text": recommendation.text,
        "accepted_by": recommendation.accepted_by,
        "accepted_on": recommendation.accepted_on,
        "state": recommendation.state,
        "closed_reason": recommendation.closed_reason,
        "closed_on": recommendation.closed_on,
        "learning_review": recommendation.learning_review_id,
        "actions": [a.id for a in actions],
        "shared_actions": [s.key for s in recommendation.shared_actions],
        "revision": recommendation.revision,
    }


def _recommendation(recommendation_id: int) -> Recommendation:
    return get_or_404(
        Recommendation,
        recommendation_id,
        options=[
            selectinload(Recommendation.area),
            selectinload(Recommendation.actions),
            selectinload(Recommendation.shared_actions),
        ],
    )


def _answer(recommendation: Recommendation):
    actions = recommendations.answering_actions(db.get_session(), recommendation)
    body = recommendation_json(recommendation, actions)
    return body, {"ETag": etag(recommendation.revision)}


@recommendations_bp.get("/recommendations")
@recommendations_bp.arguments(RecommendationListArgs, location="query")
@recommendations_bp.response(200, page_of(RecommendationSchema, "RecommendationPage"))
def list_recommendations(args):
    """Every recommendation, or an area's (`area`, or `tayside` for the Tayside-wide ones),
    by area then reference; `state` filters; paged. Each lists the ids of the actions that
    link to it directly (`actions`) and the shared actions answering it."""
    query = select(Recommendation).options(
        selectinload(Recommendation.area),
        selectinload(Recommendation.actions),
        selectinload(Recommendation.shared_actions),
    )
    if args["area"] == TAYSIDE:
        query = query.where(Recommendation.area_id.is_(None))
    elif args["area"] is not None:
        query = query.where(Recommendation.area_id == _area(args["area"], where="query").id)
    if args["state"] is not None:
        query = query.where(Recommendation.state == args["state"])
    query = query.order_by(Recommendation.area_id.nulls_first(), Recommendation.reference)
    return page_query(query, args, lambda r: recommendation_json(r, r.actions))


@recommendations_bp.post("/recommendations")
@recommendations_bp.arguments(RecommendationCreateSchema)
@recommendations_bp.response(201, RecommendationSchema)
def create_recommendation(data):
    """Add an open recommendation to an area (its coordinators and admins) or, with `"area":
    null`, a Tayside-wide one (PG5 members and admins). With `learning_review`, it is of kind
    learning review, in that review's area."""
    area = _area(data.pop("area"))
    review_id = data.pop("learning_review")
    with writing() as session:
        review = None
        if review_id is not None:
            review = session.get(LearningReview, review_id)
            if review is None or area is None or review.area_id != area.id:
                raise FieldError(
                    "learning_review", "There is no such learning review in that area."
                )
            permissions.require_learning_reviews(me(), area)
        recommendation = recommendations.add(
            session,
            actor=me(),
            area=area,
            words=RecommendationText(**data),
            learning_review=review,
        )
        body, headers = _answer(recommendation)
    return body, 201, headers


@recommendations_bp.get("/recommendations/<id:recommendation_id>")
@recommendations_bp.response(200, RecommendationSchema)
def get_recommendation(recommendation_id: int):
    """One recommendation, with every action answering it; its `revision` is the ETag."""
    body, headers = _answer(_recommendation(recommendation_id))
    return body, 200, headers


@recommendations_bp.patch("/recommendations/<id:recommendation_id>")
@recommendations_bp.arguments(RecommendationPatchSchema)
@recommendations_bp.response(200, RecommendationSchema)
def patch_recommendation(data, recommendation_id: int):
    """Reword it, or change its `state`. Closing needs `closed_reason`; while any of its
    actions is not completed it is refused (422, naming them) unless `confirm` is true. Send
    the ETag you read as `If-Match` (412 if it is stale)."""
    recommendation = _recommendation(recommendation_id)
    check_if_match(recommendation.revision)
    state = data.pop("state", None)
    reason = data.pop("closed_reason", None)
    confirm = data.pop("confirm")
    with writing() as session:
        if data:
            current = {name: getattr(recommendation, name) for name in recommendations.FIELDS}
            recommendations.reword(
                session,
                recommendation,
                actor=me(),
                revision=recommendation.revision,
                words=RecommendationText(**{**current, **data}),
            )
        if state is not None or reason is not None:
            try:
                recommendations.set_state(
                    session,
                    recommendation,
                    actor=me(),
                    revision=recommendation.revision,
                    state=state or recommendation.state,
                    reason=reason if reason is not None else recommendation.closed_reason,
                    confirmed=confirm,
                )
            except UnfinishedActions as asking:
                raise FieldError("confirm", asking.message) from None
        body, headers = _answer(recommendation)
    return body, 200, headers


@recommendations_bp.post("/actions/<id:action_id>/recommendations")
@recommendations_bp.arguments(LinkSchema)
@recommendations_bp.response(201, RecommendationSchema)
def link_action(data, action_id: int):
    """Record that the action answers a recommendation (`{"recommendation": id}`): one of its
    own area's, or a Tayside-wide one. The action's area's coordinators and admins. 201 when
    linked now, 200 when it was linked already."""
    action = get_or_404(Action, action_id, options=[selectinload(Action.plan)])
    recommendation = db.get_session().get(Recommendation, data["recommendation"])
    if recommendation is None:
        message = f"There is no recommendation {data['recommendation']}."
        abort(422, message=message, errors={"json": {"recommendation": [message]}})
    with writing() as session:
        linked = recommendations.link_action(session, recommendation, action, actor=me())
        body, headers = _answer(recommendation)
    return body, 201 if linked else 200, headers


# Learning reviews ------------------------------------------------------------------------------


def review_json(review: LearningReview) -> dict[str, Any]:
    return {
        "id": review.id,
        "area": review.area.slug,
        "reference": review.reference,
        "proceeds": review.proceeds,
        "stages": [
            {"stage": s.stage, "due_on": s.due_on, "done_on": s.done_on}
            for s in sorted(review.stages, key=lambda s: list(ReviewStage).index(s.stage))
        ],
        "recommendations": [r.id for r in review.recommendations],
        "revision": review.revision,
    }


def _readable_review(review_id: int) -> LearningReview:
    """The review, read by the signed-in user (403 unless they may; the read is audited)."""
    session = db.get_session()
    try:
        review = learning_reviews.review_by_id(session, review_id)
    except NotFound as missing:
        abort(404, message=str(missing))
    with writing():
        learning_reviews.read(session, review, reader=me())
    return review


@reviews_bp.get("/learning-reviews")
@reviews_bp.arguments(ReviewListArgs, location="query")
@reviews_bp.response(200, LearningReviewListSchema)
def list_reviews(args):
    """The learning reviews of the areas whose coordinator (or an admin) you are, with how
    many every area has (`counts`, for everyone). Reading them is audited."""
    session = db.get_session()
    chosen = _area(args["area"], where="query")
    areas = (
        [chosen]
        if chosen
        else list(session.scalars(select(Area).where(Area.is_cpc()).order_by(Area.name)))
    )
    readable = [a for a in areas if permissions.reads_learning_reviews(me(), a)]
    with writing():
        items = [review_json(r) for r in learning_reviews.registers(session, readable, reader=me())]
    found = learning_reviews.counts_by_area(session, [a.id for a in areas])
    counts = [{"area": a.slug, **found[a.id].__dict__} for a in areas]
    return {"items": items, "counts": counts}


@reviews_bp.post("/learning-reviews")
@reviews_bp.arguments(LearningReviewCreateSchema)
@reviews_bp.response(201, LearningReviewSchema)
def create_review(data):
    """Add a review to an area's register (its coordinators and admins): a reference the
    committee chooses, never a child's or family member's name."""
    area = _area(data["area"])
    with writing() as session:
        review = learning_reviews.add(
            session,
            actor=me(),
            area=area,
            reference=data["reference"],
            notified_on=data["notified_on"],
        )
        body = review_json(review)
    return body, 201, {"ETag": etag(review.revision)}


@reviews_bp.get("/learning-reviews/<id:review_id>")
@reviews_bp.response(200, LearningReviewSchema)
def get_review(review_id: int):
    """One review (its area's coordinators and admins; 403 for anyone else); the read is in
    the audit trail. Its `revision` is the ETag."""
    review = _readable_review(review_id)
    return review_json(review), 200, {"ETag": etag(review.revision)}


@reviews_bp.patch("/learning-reviews/<id:review_id>")
@reviews_bp.arguments(LearningReviewPatchSchema)
@reviews_bp.response(200, LearningReviewSchema)
def patch_review(data, review_id: int):
    """Change the reference, the decision (`proceeds`) or stages' dates (each stage named
    keeps only the dates sent). Send the ETag you read as `If-Match`."""
    review = _readable_review(review_id)
    check_if_match(review.revision)
    stages: dict[ReviewStage, StageDates] = {}
    for stage in data.get("stages", []):
        stages[stage["stage"]] = StageDates(stage["due_on"], stage["done_on"])
    with writing() as session:
        learning_reviews.edit(
            session,
            review,
            actor=me(),
            revision=review.revision,
            reference=data.get("reference", review.reference),
            proceeds=data.get("proceeds", review.proceeds),
            stages=stages,
            today=dt.date.today(),
        )
        body = review_json(review)
    return body, 200, {"ETag": etag(review.revision)}

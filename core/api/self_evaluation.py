"""Self-evaluation: each area's activities (the calendar), their ratings and evidence, and
every area's latest rating of each quality indicator (never averaged)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import db
from core.api.common import check_if_match, etag, me, page_query, writing
from core.api.fields import Text
from core.api.schemas import PageArgs, Strict, page_of
from core.enums import EvidenceKind
from core.models import Area, QualityFramework, SelfEvaluation, SelfEvaluationRating
from core.schemas.dates import PlanDate
from core.services.errors import FieldError
from core.services.improvement import frameworks, indicators, self_evaluations
from core.services.improvement.self_evaluations import ActivityText
from core.services.plans import plans
from core.services.plans.plans import NotFound

bp = Blueprint(
    "self_evaluation_api",
    __name__,
    url_prefix="/api/v1",
    description="Self-evaluation against quality frameworks",
)
BLUEPRINTS = (bp,)


class RatingSchema(Schema):
    indicator = fields.String(required=True, metadata={"description": "Its number, like 2.1"})
    indicator_id = fields.Integer(required=True)
    rating = fields.Integer(
        allow_none=True, metadata={"description": "On the framework's scale; null: not rated"}
    )
    rating_words = fields.String(metadata={"description": "Like “4 Good”"})


class EvidenceSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(EvidenceKind, by_value=True)
    kpi = fields.Integer(allow_none=True, metadata={"description": "A KPI's id"})
    evidence_source = fields.Integer(
        allow_none=True, metadata={"description": "An entry of the plan's evidence menu (its id)"}
    )
    progress_update = fields.Integer(allow_none=True, metadata={"description": "An update's id"})
    url = fields.String()
    title = fields.String()
    note = fields.String()


class SelfEvaluationSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(required=True)
    framework = fields.String(required=True, metadata={"description": "The framework's key"})
    title = fields.String()
    planned_on = fields.Date()
    done_on = fields.Date(allow_none=True)
    how_good_now = fields.String()
    how_we_know = fields.String()
    what_next = fields.String()
    agreed_by = fields.String()
    agreed_on = fields.Date(allow_none=True)
    ratings = fields.List(fields.Nested(RatingSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
    recommendations = fields.List(fields.Integer(), metadata={"description": "Their ids"})
    revision = fields.Integer(metadata={"description": "Also the ETag"})


class RatingInSchema(Strict):
    indicator = Text(required=True, max_length=10, metadata={"description": "Like 2.1"})
    rating = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))


class _Words(Strict):
    title = Text(max_length=self_evaluations.MAX_TITLE)
    planned_on = PlanDate()
    done_on = PlanDate(allow_none=True)
    how_good_now = Text(max_length=self_evaluations.MAX_ANSWER)
    how_we_know = Text(max_length=self_evaluations.MAX_ANSWER)
    what_next = Text(max_length=self_evaluations.MAX_ANSWER)
    agreed_by = Text(max_length=self_evaluations.MAX_AGREED_BY)
    agreed_on = PlanDate(allow_none=True)
    ratings = fields.List(
        fields.Nested(RatingInSchema),
        validate=validate.Length(max=500),
        metadata={"description": "The indicators it looks at, each with its rating or null"},
    )


class SelfEvaluationCreateSchema(_Words):
    area = Text(required=True, max_length=60)
    framework = Text(
        load_default=None, max_length=80, metadata={"description": "Default: the first"}
    )
    title = Text(required=True, min_length=1, max_length=self_evaluations.MAX_TITLE)
    planned_on = PlanDate(required=True)
    ratings = fields.List(
        fields.Nested(RatingInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class ListArgs(PageArgs):
    area = Text(load_default=None, max_length=60, metadata={"description": "An area's slug"})


class LatestRatingSchema(Schema):
    area = fields.String(required=True)
    framework = fields.String(required=True)
    indicator = fields.String(required=True)
    indicator_id = fields.Integer(required=True)
    rating = fields.Integer(allow_none=True)
    rating_words = fields.String()
    agreed_on = fields.Date(allow_none=True)
    agreed_by = fields.String()
    self_evaluation = fields.Integer(metadata={"description": "The activity that agreed it"})


class LatestRatingsSchema(Schema):
    items = fields.List(fields.Nested(LatestRatingSchema))


def activity_json(activity: SelfEvaluation) -> dict[str, Any]:
    framework = activity.framework
    return {
        "id": activity.id,
        "area": activity.area.slug,
        "framework": framework.key,
        **{name: getattr(activity, name) for name in self_evaluations.FIELDS},
        "ratings": [
            {
                "indicator": r.indicator.number,
                "indicator_id": r.indicator_id,
                "rating": r.rating,
                "rating_words": framework.label_of(r.rating),
            }
            for r in sorted(activity.ratings, key=lambda r: r.indicator.position)
        ],
        "evidence": [
            {
                "id": e.id,
                "kind": e.kind,
                "kpi": e.kpi_id,
                "evidence_source": e.evidence_source_id,
                "progress_update": e.progress_update_id,
                "url": e.url,
                "title": e.title,
                "note": e.note,
            }
            for e in activity.evidence
        ],
        "recommendations": [r.id for r in activity.recommendations],
        "revision": activity.revision,
    }


def _area(slug: str, where: str = "json") -> Area:
    try:
        return plans.area_by_slug(db.get_session(), slug)
    except NotFound as missing:
        abort(422, message=str(missing), errors={where: {"area": [str(missing)]}})


def _ratings(framework: QualityFramework, given: list[dict]) -> dict[int, int | None]:
    """The ratings sent, by indicator number, as the service takes them (by indicator id)."""
    numbered = {i.number: i.id for i in framework.indicators}
    found: dict[int, int | None] = {}
    for item in given:
        if item["indicator"] not in numbered:
            raise FieldError(
                "ratings",
                f"The {framework.title} has no indicator {item['indicator']!r}.",
            )
        found[numbered[item["indicator"]]] = item["rating"]
    return found


def _activity(activity_id: int) -> SelfEvaluation:
    try:
        return self_evaluations.activity_by_id(db.get_session(), activity_id)
    except NotFound as missing:
        abort(404, message=str(missing))


@bp.get("/self-evaluations")
@bp.arguments(ListArgs, location="query")
@bp.response(200, page_of(SelfEvaluationSchema, "SelfEvaluationPage"))
def list_activities(args):
    """Self-evaluation activities, latest planned first (one area's with `area`), paged."""
    query = select(SelfEvaluation).options(
        selectinload(SelfEvaluation.area),
        selectinload(SelfEvaluation.framework),
        selectinload(SelfEvaluation.ratings).selectinload(SelfEvaluationRating.indicator),
        selectinload(SelfEvaluation.evidence),
        selectinload(SelfEvaluation.recommendations),
    )
    if args["area"] is not None:
        query = query.where(SelfEvaluation.area_id == _area(args["area"], "query").id)
    query = query.order_by(SelfEvaluation.planned_on.desc(), SelfEvaluation.id.desc())
    return page_query(query, args, activity_json)


@bp.post("/self-evaluations")
@bp.arguments(SelfEvaluationCreateSchema)
@bp.response(201, SelfEvaluationSchema)
def create_activity(data):
    """Plan (or record) a self-evaluation in an area (its coordinators and admins): what it
    looks at, when, and the indicators it looks at (`ratings`, each with its rating on the
    framework's scale or null). A rating needs `done_on` and `agreed_by`."""
    area = _area(data.pop("area"))
    session = db.get_session()
    key = data.pop("framework")
    if key is None:
        every = frameworks.frameworks(session)
        if not every:
            abort(422, message="No quality framework has been loaded.")
        framework = every[0]
    else:
        try:
            framework = frameworks.framework_by_key(session, key)
        except NotFound as missing:
            abort(422, message=str(missing), errors={"json": {"framework": [str(missing)]}})
    given = data.pop("ratings")
    with writing() as session:
        activity = self_evaluations.add(
            session,
            actor=me(),
            area=area,
            framework=framework,
            words=ActivityText(**data),
            ratings=_ratings(framework, given),
        )
        body = activity_json(self_evaluations.activity_by_id(session, activity.id))
    return body, 201, {"ETag": etag(activity.revision)}


@bp.get("/self-evaluations/<id:activity_id>")
@bp.response(200, SelfEvaluationSchema)
def get_activity(activity_id: int):
    """One activity; its `revision` is the ETag."""
    activity = _activity(activity_id)
    return activity_json(activity), 200, {"ETag": etag(activity.revision)}


@bp.patch("/self-evaluations/<id:activity_id>")
@bp.arguments(_Words)
@bp.response(200, SelfEvaluationSchema)
def patch_activity(data, activity_id: int):
    """Change what it says or its dates; `ratings`, if sent, replaces the indicators it looks
    at and their ratings. Send the ETag you read as `If-Match`."""
    activity = _activity(activity_id)
    check_if_match(activity.revision)
    current = {name: getattr(activity, name) for name in self_evaluations.FIELDS}
    kept = {r.indicator_id: r.rating for r in activity.ratings}
    given = data.pop("ratings", None)
    with writing() as session:
        self_evaluations.edit(
            session,
            activity,
            actor=me(),
            revision=activity.revision,
            words=ActivityText(**{**current, **data}),
            ratings=kept if given is None else _ratings(activity.framework, given),
        )
        body = activity_json(activity)
    return body, 200, {"ETag": etag(activity.revision)}


@bp.get("/self-evaluation/latest-ratings")
@bp.response(200, LatestRatingsSchema)
def latest_ratings():
    """Every area's latest rating of each indicator, with the date and who agreed it (for
    TRIC PG5's side-by-side: ratings are judgements, never averaged)."""
    session = db.get_session()
    areas = plans.areas(session)
    view = indicators.side_by_side(session, areas)
    items = []
    for framework in view.frameworks:
        for indicator in framework.indicators:
            for area in areas:
                found = view.rating(area, indicator)
                if found is None:
                    continue
                items.append(
                    {
                        "area": area.slug,
                        "framework": framework.key,
                        "indicator": indicator.number,
                        "indicator_id": indicator.id,
                        "rating": found.rating,
                        "rating_words": found.label,
                        "agreed_on": found.day,
                        "agreed_by": found.agreed_by,
                        "self_evaluation": found.activity_id,
                    }
                )
    return {"items": items}

"""Recommendations in the app: each area's traceability page and Tayside's (every
recommendation, its source, the actions answering it with their RAG, direction and overdue
mark, and those no action answers), a recommendation's own page, adding and rewording one,
linking the actions that answer it, and closing it (with a reason, and a second confirmation
while any of its actions is not completed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core import db
from core.enums import RecommendationSource, RecommendationState
from core.identity import signed_in_user
from core.models import Action, Area, LearningReview, Recommendation, SelfEvaluation, SharedAction
from core.services.accounts import permissions
from core.services.errors import FieldError
from core.services.improvement import learning_reviews, recommendations
from core.services.improvement.recommendations import RecommendationText, UnfinishedActions
from core.services.improvement.traceability import traceability
from core.services.plans import plans
from core.services.tric.shared import shared_action_by_key
from core.web.forms import FormState, allowed, submit
from core.web.improvement_forms import (
    EditRecommendationForm,
    LinkActionForm,
    LinkSharedActionForm,
    RecommendationForm,
    RecommendationStateForm,
)
from core.web.pages import found_or_404

bp = Blueprint("recommendations", __name__)

SOURCES = [(s.value, s.label) for s in RecommendationSource]


def _area(slug: str) -> Area:
    return found_or_404(plans.area_by_slug, db.get_session(), slug)


def _recommendation(recommendation_id: int) -> Recommendation:
    return found_or_404(recommendations.recommendation_by_id, db.get_session(), recommendation_id)


def _may_change(area: Area | None) -> bool:
    try:
        permissions.require_recommendations(signed_in_user(), area)
    except permissions.PermissionDenied:
        return False
    return True


@bp.get("/areas/<slug>/recommendations/")
def area_page(slug: str):
    """Traceability for one area: its recommendations and the actions answering them."""
    area = _area(slug)
    return _traceability_page(area)


@bp.get("/tric/recommendations/")
def tayside_page():
    """Traceability for Tayside: the recommendations TRIC PG5 accepted for all of Tayside and
    every area's actions answering them."""
    return _traceability_page(None)


def _traceability_page(area: Area | None):
    session = db.get_session()
    today = dt.date.today()
    trace = traceability(session, area, today)
    return render_template(
        "recommendations.html",
        area=area,
        trace=trace,
        today=today,
        may_change=_may_change(area),
    )


@bp.route("/areas/<slug>/recommendations/new", methods=["GET", "POST"])
def new_for_area(slug: str):
    area = _area(slug)
    allowed(permissions.require_recommendations, area)
    return _add(area)


@bp.route("/tric/recommendations/new", methods=["GET", "POST"])
def new_for_tayside():
    allowed(permissions.require_recommendations, None)
    return _add(None)


def _reviews_of(area: Area | None) -> list[LearningReview]:
    """The learning reviews a recommendation may come from: the area's, for those who may
    read them."""
    if area is None or not permissions.reads_learning_reviews(signed_in_user(), area):
        return []
    return learning_reviews.references(db.get_session(), area)


def _add(area: Area | None):
    session = db.get_session()
    reviews = _reviews_of(area)
    asked = request.args.get("learning_review", type=int)
    activity = _activity_of(area, request.values.get("self_evaluation", type=int))
    form = FormState.with_defaults(
        source_kind=RecommendationSource.LEARNING_REVIEW.value
        if asked
        else RecommendationSource.SELF_EVALUATION.value
        if activity
        else None,
        learning_review=asked,
    )

    def write(data: dict[str, Any]) -> Recommendation:
        review = None
        if data["learning_review"] is not None:
            review = next((r for r in reviews if r.id == data["learning_review"]), None)
            if review is None:
                raise FieldError("learning_review", "Choose one of the learning reviews listed.")
        return recommendations.add(
            session,
            actor=signed_in_user(),
            area=area,
            words=_words(data),
            learning_review=review,
            self_evaluation=None if review else activity,
        )

    saved, recommendation, form = submit(RecommendationForm, form, write)
    if saved:
        flash(f"Recommendation {recommendation.reference} has been added.", "success")
        return redirect(url_for("recommendations.show", recommendation_id=recommendation.id))
    return render_template(
        "recommendation_form.html",
        area=area,
        form=form,
        recommendation=None,
        sources=SOURCES,
        reviews=[("", "None")] + [(str(r.id), r.reference) for r in reviews],
        activity=activity,
        back=url_for("self_evaluation.show", activity_id=activity.id)
        if activity
        else _list_url(area),
    ), (400 if form.errors else 200)


def _activity_of(area: Area | None, activity_id: int | None) -> SelfEvaluation | None:
    """The area's self-evaluation activity a recommendation comes from, if one was named."""
    if area is None or activity_id is None:
        return None
    found = db.get_session().get(SelfEvaluation, activity_id)
    if found is None or found.area_id != area.id:
        abort(404, f"{area.name} has no self-evaluation activity {activity_id}.")
    return found


def _words(data: dict[str, Any]) -> RecommendationText:
    return RecommendationText(
        reference=data["reference"],
        source_kind=data["source_kind"],
        text=data["text"],
        source_reference=data["source_reference"],
        source_date=data["source_date"],
        accepted_by=data["accepted_by"],
        accepted_on=data["accepted_on"],
    )


def _list_url(area: Area | None) -> str:
    if area is None:
        return url_for("recommendations.tayside_page")
    return url_for("recommendations.area_page", slug=area.slug)


@bp.get("/recommendations/<id:recommendation_id>")
def show(recommendation_id: int):
    recommendation = _recommendation(recommendation_id)
    return _show(recommendation, FormState(), FormState(), None)


def _show(
    recommendation: Recommendation,
    state_form: FormState,
    link_form: FormState,
    unfinished: list[Action] | None,
    status: int = 200,
):
    session = db.get_session()
    trace = traceability(session, recommendation.area, dt.date.today())
    found = next(t for t in trace.traces if t.recommendation.id == recommendation.id)
    user = signed_in_user()
    area = recommendation.area
    return render_template(
        "recommendation.html",
        recommendation=found.recommendation,
        actions=found.actions,
        trace=trace,
        area=area,
        may_change=_may_change(area),
        # Who may link actions: the area's coordinators; for a Tayside-wide one, every
        # area's coordinators (their own actions) and PG5 (shared actions).
        link_areas=[a for a in _linkable_areas(user, area)],
        links_shared=area is None and permissions.edits_shared(user),
        shared_options=_shared_options() if area is None else [],
        may_read_review=area is not None and permissions.reads_learning_reviews(user, area),
        state_form=state_form,
        link_form=link_form,
        unfinished=unfinished,
        states=[(s.value, s.label, "") for s in RecommendationState],
    ), status


def _linkable_areas(user, area: Area | None) -> list[Area]:
    if area is not None:
        return [area] if permissions.writes_area(user, area) else []
    return [a for a in plans.areas(db.get_session()) if permissions.writes_area(user, a)]


def _shared_options() -> list[tuple[str, str]]:
    rows = db.get_session().execute(
        select(SharedAction.key, SharedAction.title).order_by(SharedAction.position)
    )
    return [("", "Choose a shared action")] + [(key, title) for key, title in rows]


@bp.route("/recommendations/<id:recommendation_id>/edit", methods=["GET", "POST"])
def edit(recommendation_id: int):
    recommendation = _recommendation(recommendation_id)
    allowed(permissions.require_recommendations, recommendation.area)
    session = db.get_session()
    form = FormState.with_defaults(
        reference=recommendation.reference,
        source_kind=recommendation.source_kind.value,
        source_reference=recommendation.source_reference,
        source_date=recommendation.source_date.isoformat() if recommendation.source_date else None,
        text=recommendation.text,
        accepted_by=recommendation.accepted_by,
        accepted_on=recommendation.accepted_on.isoformat() if recommendation.accepted_on else None,
        revision=recommendation.revision,
    )

    def write(data: dict[str, Any]) -> bool:
        return recommendations.reword(
            session,
            recommendation,
            actor=signed_in_user(),
            revision=data["revision"],
            words=_words(data),
        )

    saved, changed, form = submit(EditRecommendationForm, form, write)
    if saved:
        flash(
            "The recommendation has been changed." if changed else "Nothing was changed.", "success"
        )
        return redirect(url_for("recommendations.show", recommendation_id=recommendation.id))
    return render_template(
        "recommendation_form.html",
        area=recommendation.area,
        form=form,
        recommendation=recommendation,
        sources=SOURCES,
        reviews=[],
        back=url_for("recommendations.show", recommendation_id=recommendation.id),
    ), (400 if form.errors else 200)


@bp.post("/recommendations/<id:recommendation_id>/state")
def change_state(recommendation_id: int):
    """Open, addressed or closed; closing asks again while any action is not completed."""
    recommendation = _recommendation(recommendation_id)
    allowed(permissions.require_recommendations, recommendation.area)
    session = db.get_session()
    left: list[Action] = []

    def write(data: dict[str, Any]) -> RecommendationState:
        try:
            recommendations.set_state(
                session,
                recommendation,
                actor=signed_in_user(),
                revision=data["revision"],
                state=data["state"],
                reason=data["reason"],
                confirmed=data["confirm"],
            )
        except UnfinishedActions as asking:
            left.extend(asking.actions)
            raise
        return data["state"]

    saved, state, form = submit(RecommendationStateForm, FormState(), write)
    if saved:
        flash(f"Recommendation {recommendation.reference} is now {state.label.lower()}.", "success")
        return redirect(url_for("recommendations.show", recommendation_id=recommendation.id))
    return _show(_recommendation(recommendation_id), form, FormState(), left or None, 400)


@bp.post("/recommendations/<id:recommendation_id>/actions")
def link(recommendation_id: int):
    """Link an action (by its number in the current plan of the area chosen) or, for a
    Tayside-wide recommendation, a shared action."""
    recommendation = _recommendation(recommendation_id)
    session = db.get_session()
    user = signed_in_user()
    shared = "shared_action" in request.form
    if shared:
        allowed(permissions.require_shared)
    elif not _linkable_areas(user, recommendation.area):
        abort(403, "Only the area's coordinators and administrators can link its actions.")

    def write(data: dict[str, Any]) -> bool:
        if shared:
            try:
                definition = shared_action_by_key(session, data["shared_action"])
            except plans.NotFound as missing:
                raise FieldError("shared_action", str(missing)) from None
            return recommendations.link_shared_action(
                session, recommendation, definition, actor=user
            )
        area = recommendation.area or _chosen_area(data.get("area"))
        action = recommendations.action_numbered(db.get_session(), area, data["action"])
        return recommendations.link_action(session, recommendation, action, actor=user)

    schema = LinkSharedActionForm if shared else LinkActionForm
    saved, linked, form = submit(schema, FormState(), write)
    if saved:
        flash(
            "The action now answers this recommendation."
            if linked
            else "That action was linked already.",
            "success",
        )
        return redirect(url_for("recommendations.show", recommendation_id=recommendation.id))
    return _show(_recommendation(recommendation_id), FormState(), form, None, 400)


def _chosen_area(slug: str | None) -> Area:
    if not slug:
        raise FieldError("area", "Choose the area whose action answers it.")
    try:
        return plans.area_by_slug(db.get_session(), slug)
    except plans.NotFound as missing:
        raise FieldError("area", str(missing)) from None


@bp.post("/recommendations/<id:recommendation_id>/actions/<id:action_id>/remove")
def unlink(recommendation_id: int, action_id: int):
    recommendation = _recommendation(recommendation_id)
    session = db.get_session()
    action = session.get(Action, action_id)
    if action is None:
        abort(404, f"There is no action {action_id}.")
    allowed(permissions.require_area, action.plan.area)
    with db.transaction():
        recommendations.unlink_action(session, recommendation, action, actor=signed_in_user())
    flash(f"Action {action.code} no longer answers this recommendation.", "success")
    return redirect(url_for("recommendations.show", recommendation_id=recommendation.id))

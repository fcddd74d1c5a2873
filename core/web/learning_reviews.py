"""Learning reviews in the app: an area's register (the area's coordinators and
administrators only; everyone else sees how many there are), a review's page with its stages
and recommendations, adding one and recording its stages. Every read is in the audit
trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from core import db
from core.enums import ReviewStage
from core.identity import signed_in_user
from core.models import Area, LearningReview
from core.services.accounts import permissions
from core.services.improvement import learning_reviews
from core.services.improvement.learning_reviews import StageDates
from core.services.improvement.traceability import traceability
from core.services.plans import plans
from core.web.forms import FormState, allowed, submit
from core.web.improvement_forms import EditLearningReviewForm, NewLearningReviewForm
from core.web.pages import found_or_404

bp = Blueprint("learning_reviews", __name__)

NAMES_WARNING = (
    "Use a reference the committee chooses, like LR-2024-01. Never write a child's or a "
    "family member's name, here or anywhere in the platform."
)


def _area(slug: str) -> Area:
    return found_or_404(plans.area_by_slug, db.get_session(), slug)


def _review(review_id: int) -> LearningReview:
    """The review, read by the signed-in user: 403 unless they may read it; the read is
    audited."""
    session = db.get_session()
    review = found_or_404(learning_reviews.review_by_id, session, review_id)
    allowed(permissions.require_learning_reviews, review.area)
    with db.transaction():
        learning_reviews.read(session, review, reader=signed_in_user())
    return review


@bp.get("/areas/<slug>/learning-reviews/")
def register(slug: str):
    area = _area(slug)
    session = db.get_session()
    user = signed_in_user()
    counts = learning_reviews.counts(session, area)
    reviews = None
    if permissions.reads_learning_reviews(user, area):
        with db.transaction():
            reviews = learning_reviews.register(session, area, reader=user)
    return render_template(
        "learning_reviews.html",
        area=area,
        counts=counts,
        reviews=reviews,
        today=dt.date.today(),
    )


@bp.route("/areas/<slug>/learning-reviews/new", methods=["GET", "POST"])
def new(slug: str):
    area = _area(slug)
    allowed(permissions.require_learning_reviews, area)
    session = db.get_session()

    def write(data: dict[str, Any]) -> LearningReview:
        return learning_reviews.add(
            session,
            actor=signed_in_user(),
            area=area,
            reference=data["reference"],
            notified_on=data["notified_on"],
        )

    saved, review, form = submit(NewLearningReviewForm, FormState(), write)
    if saved:
        flash(f"Learning review {review.reference} has been added to the register.", "success")
        return redirect(url_for("learning_reviews.show", review_id=review.id))
    return render_template(
        "learning_review_form.html",
        area=area,
        review=None,
        form=form,
        warning=NAMES_WARNING,
        stages=list(ReviewStage),
    ), (400 if form.errors else 200)


@bp.get("/learning-reviews/<id:review_id>")
def show(review_id: int):
    review = _review(review_id)
    session = db.get_session()
    trace = traceability(session, review.area, dt.date.today())
    return render_template(
        "learning_review.html",
        review=review,
        area=review.area,
        traces=[t for t in trace.traces if t.recommendation.learning_review_id == review.id],
        trace=trace,
        today=dt.date.today(),
    )


@bp.route("/learning-reviews/<id:review_id>/edit", methods=["GET", "POST"])
def edit(review_id: int):
    review = _review(review_id)
    session = db.get_session()
    defaults: dict[str, Any] = {
        "reference": review.reference,
        "proceeds": "" if review.proceeds is None else ("yes" if review.proceeds else "no"),
        "revision": review.revision,
    }
    for stage in ReviewStage:
        row = review.stage(stage)
        for part, name in (("due", "due_on"), ("done", "done_on")):
            day = getattr(row, name) if row else None
            defaults[f"{stage.value}_{part}"] = day.isoformat() if day else None
    form = FormState.with_defaults(**defaults)

    def write(data: dict[str, Any]) -> bool:
        return learning_reviews.edit(
            session,
            review,
            actor=signed_in_user(),
            revision=data["revision"],
            reference=data["reference"],
            proceeds={"": None, "yes": True, "no": False}[data["proceeds"]],
            stages={
                stage: StageDates(data[f"{stage.value}_due"], data[f"{stage.value}_done"])
                for stage in ReviewStage
            },
        )

    saved, changed, form = submit(EditLearningReviewForm, form, write)
    if saved:
        flash(
            "The learning review has been changed." if changed else "Nothing was changed.",
            "success",
        )
        return redirect(url_for("learning_reviews.show", review_id=review.id))
    return render_template(
        "learning_review_form.html",
        area=review.area,
        review=review,
        form=form,
        warning=NAMES_WARNING,
        stages=list(ReviewStage),
    ), (400 if form.errors else 200)

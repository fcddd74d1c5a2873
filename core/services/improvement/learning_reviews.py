"""Each area's register of learning reviews, with the stages of the national guidance for
child protection committees undertaking learning reviews (2021, updated 2024).

A learning review is more sensitive than a plan: only the area's coordinators and
administrators read one, every read is written to the audit trail, and everyone else sees
only how many there are. A review is named by a reference the committee chooses, never by a
child's or a family member's name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.enums import ReviewStage
from core.models import Area, LearningReview, LearningReviewStage, Recommendation, User
from core.services.accounts import permissions
from core.services.errors import FieldError, FieldErrors, StaleEdit
from core.services.plans.plans import NotFound
from core.services.records.audit import record_reads

MAX_REFERENCE = 60
KIND = "learning_reviews"
# Stages due within this many days are in the coordinator's reminder digest.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class StageDates:
    due_on: dt.date | None = None
    done_on: dt.date | None = None


@dataclass(frozen=True)
class ReviewCounts:
    """What everyone may know of an area's learning reviews: how many, and how many are
    still under way (a stage not done)."""

    total: int
    under_way: int


def counts(session: Session, area: Area) -> ReviewCounts:
    return counts_by_area(session, [area.id])[area.id]


def counts_by_area(session: Session, area_ids: list[int]) -> dict[int, ReviewCounts]:
    """Each area's counts, in two queries whatever the number of areas."""
    total = dict(
        session.execute(
            select(LearningReview.area_id, func.count(LearningReview.id))
            .where(LearningReview.area_id.in_(area_ids))
            .group_by(LearningReview.area_id)
        ).all()
    )
    done = (
        select(LearningReviewStage.review_id)
        .where(
            LearningReviewStage.stage == ReviewStage.FINAL_REPORT_TO_CARE_INSPECTORATE,
            LearningReviewStage.done_on.is_not(None),
        )
        .scalar_subquery()
    )
    finished = dict(
        session.execute(
            select(LearningReview.area_id, func.count(LearningReview.id))
            .where(
                LearningReview.area_id.in_(area_ids),
                LearningReview.proceeds.is_(False) | LearningReview.id.in_(done),
            )
            .group_by(LearningReview.area_id)
        ).all()
    )
    return {
        area_id: ReviewCounts(
            total.get(area_id, 0), total.get(area_id, 0) - finished.get(area_id, 0)
        )
        for area_id in area_ids
    }


def register(session: Session, area: Area, *, reader: User) -> list[LearningReview]:
    """The area's learning reviews, newest first, for one of those who may read them; the
    reading is audited."""
    return registers(session, [area], reader=reader)


def registers(session: Session, areas: list[Area], *, reader: User) -> list[LearningReview]:
    """The learning reviews of ``areas`` (each one the reader may read), by area then newest
    first; each area's reading is audited. A fixed number of queries."""
    for area in areas:
        permissions.require_learning_reviews(reader, area)
    reviews = list(
        session.scalars(
            select(LearningReview)
            .where(LearningReview.area_id.in_([a.id for a in areas]))
            .options(
                selectinload(LearningReview.area),
                selectinload(LearningReview.stages),
                selectinload(LearningReview.recommendations),
            )
            .order_by(
                LearningReview.area_id,
                LearningReview.created_at.desc(),
                LearningReview.id.desc(),
            )
        )
    )
    listed = []
    for area in areas:
        theirs = [r.reference for r in reviews if r.area_id == area.id]
        summary = (
            f"{area.name}'s learning review register read ({len(theirs)} reviews: "
            f"{', '.join(theirs) or 'none'})"
        )
        listed.append((None, area.id, summary))
    record_reads(session, kind=KIND, actor=reader, reads=listed)
    return reviews


def references(session: Session, area: Area) -> list[LearningReview]:
    """The area's reviews by reference, for choosing one (nothing of them is shown but the
    reference, to those who may read them: not a reading)."""
    return list(
        session.scalars(
            select(LearningReview)
            .where(LearningReview.area_id == area.id)
            .order_by(LearningReview.reference)
        )
    )


def review_by_id(session: Session, review_id: int) -> LearningReview:
    """The review, unread: ``read`` shows it to someone."""
    found = session.scalar(
        select(LearningReview)
        .where(LearningReview.id == review_id)
        .options(
            selectinload(LearningReview.area),
            selectinload(LearningReview.stages),
            selectinload(LearningReview.recommendations).selectinload(Recommendation.actions),
        )
    )
    if found is None:
        raise NotFound(f"There is no learning review {review_id}.")
    return found


def read(session: Session, review: LearningReview, *, reader: User) -> LearningReview:
    """Show ``review`` to ``reader`` if they may read it, writing the read to the audit trail
    (the caller commits); ``PermissionDenied`` otherwise."""
    permissions.require_learning_reviews(reader, review.area)
    record_reads(
        session,
        kind=KIND,
        actor=reader,
        reads=[(review.id, review.area_id, f"learning review {review.reference} read")],
    )
    return review


def _reference_problems(
    session: Session, area: Area, reference: str, itself: LearningReview | None = None
) -> list[FieldError]:
    reference = reference.strip()
    if not reference:
        return [FieldError("reference", "Give the review a reference (never a name).")]
    if len(reference) > MAX_REFERENCE:
        return [
            FieldError("reference", f"The reference must be {MAX_REFERENCE} characters or fewer.")
        ]
    other = session.scalar(
        select(LearningReview).where(
            LearningReview.area_id == area.id, LearningReview.reference == reference
        )
    )
    if other is not None and other is not itself:
        return [
            FieldError(
                "reference",
                f"{area.name} already has a learning review {reference}: choose another.",
            )
        ]
    return []


def _stage_problems(stages: dict[ReviewStage, StageDates], today: dt.date) -> list[FieldError]:
    return [
        FieldError(f"{stage.value}_done", f"{stage.label}: the date done is in the future.")
        for stage, dates in stages.items()
        if dates.done_on is not None and dates.done_on > today
    ]


def add(
    session: Session,
    *,
    actor: User,
    area: Area,
    reference: str,
    notified_on: dt.date | None,
    today: dt.date | None = None,
) -> LearningReview:
    """A new review in ``area``'s register, its notification received on ``notified_on``."""
    permissions.require_learning_reviews(actor, area)
    today = today or dt.date.today()
    stages = {ReviewStage.NOTIFICATION: StageDates(done_on=notified_on)}
    FieldErrors.raise_any(
        [*_reference_problems(session, area, reference), *_stage_problems(stages, today)]
    )
    review = LearningReview(
        area=area,
        reference=reference.strip(),
        stages=[
            LearningReviewStage(
                stage=stage, done_on=notified_on if stage is ReviewStage.NOTIFICATION else None
            )
            for stage in ReviewStage
        ],
    )
    session.add(review)
    session.flush()
    return review


def edit(
    session: Session,
    review: LearningReview,
    *,
    actor: User,
    revision: int,
    reference: str,
    proceeds: bool | None,
    stages: dict[ReviewStage, StageDates],
    today: dt.date | None = None,
) -> bool:
    """Change the reference, the decision and the stages' dates; refused if someone saved a
    change after ``revision`` was read. Whether anything changed."""
    permissions.require_learning_reviews(actor, review.area)
    if review.revision != revision:
        raise StaleEdit(
            "revision",
            f"Someone changed learning review {review.reference} after you opened it: nothing "
            "was saved.",
        )
    today = today or dt.date.today()
    FieldErrors.raise_any(
        [
            *_reference_problems(session, review.area, reference, review),
            *_stage_problems(stages, today),
        ]
    )
    changed = False
    if review.reference != reference.strip():
        review.reference = reference.strip()
        changed = True
    if review.proceeds != proceeds:
        review.proceeds = proceeds
        changed = True
    for stage, dates in stages.items():
        row = review.stage(stage)
        if row is None:
            row = LearningReviewStage(stage=stage)
            review.stages.append(row)
        for name in ("due_on", "done_on"):
            if getattr(row, name) != getattr(dates, name):
                setattr(row, name, getattr(dates, name))
                changed = True
    if changed:
        review.revision += 1  # a stage's change is the review's change, for the next edit
    session.flush()
    return changed


@dataclass(frozen=True)
class DueStage:
    """A stage not done whose due date is within ``DUE_SOON_DAYS`` days, or past."""

    area_id: int
    reference: str
    review_id: int
    stage: ReviewStage
    due_on: dt.date

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def stages_due(session: Session, area_ids: list[int], today: dt.date) -> list[DueStage]:
    """The stages not done that are overdue or due within ``DUE_SOON_DAYS`` days, in the
    areas ``area_ids``, soonest first. One query."""
    rows = session.execute(
        select(
            LearningReview.area_id,
            LearningReview.reference,
            LearningReview.id,
            LearningReviewStage.stage,
            LearningReviewStage.due_on,
        )
        .join(LearningReviewStage, LearningReviewStage.review_id == LearningReview.id)
        .where(
            LearningReview.area_id.in_(area_ids),
            LearningReviewStage.done_on.is_(None),
            LearningReviewStage.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .order_by(LearningReviewStage.due_on, LearningReview.reference)
    )
    return [DueStage(*row) for row in rows]

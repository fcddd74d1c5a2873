"""Where improvement comes from: recommendations (from learning reviews, inspections,
self-evaluation, audits, national guidance), the actions that answer them, and each area's
register of learning reviews with the stages of the national guidance."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import RecommendationSource, RecommendationState, ReviewStage

if TYPE_CHECKING:
    from core.models.action import Action
    from core.models.area import Area
    from core.models.self_evaluation import SelfEvaluation
    from core.models.shared import SharedAction

# The actions that answer a recommendation (many to many).
action_recommendations = Table(
    "action_recommendations",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "recommendation_id",
        ForeignKey("recommendations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
# The TRIC PG5 shared actions that answer a recommendation: every area's adopted copy answers
# it too.
shared_action_recommendations = Table(
    "shared_action_recommendations",
    Base.metadata,
    Column(
        "shared_action_id", ForeignKey("shared_actions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "recommendation_id",
        ForeignKey("recommendations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Recommendation(Base):
    """A recommendation an area's CPC accepted (or, with no area, one TRIC PG5 accepted for
    all of Tayside), in its own words, with where it came from and where it stands."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("area_id", "reference"),
        # A Tayside-wide reference is unique among the Tayside-wide ones.
        Index(
            "uq_recommendations_tayside_reference",
            "reference",
            unique=True,
            postgresql_where=sql("area_id IS NULL"),
            sqlite_where=sql("area_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: Tayside-wide, kept by TRIC PG5.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    # The committee's short reference, as plan files name it (``answers: [...]``).
    reference: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[RecommendationSource] = mapped_column(
        enum_column(RecommendationSource, "recommendation_source")
    )
    # The source's own reference: a report's title, an inspection, a review's reference.
    source_reference: Mapped[str] = mapped_column(String(300), default="")
    source_date: Mapped[dt.date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    accepted_by: Mapped[str] = mapped_column(String(300), default="")
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[RecommendationState] = mapped_column(
        enum_column(RecommendationState, "recommendation_state"),
        default=RecommendationState.OPEN,
    )
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    learning_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_reviews.id", ondelete="RESTRICT"), index=True
    )
    # The self-evaluation activity it came from, if any.
    self_evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_evaluations.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # Every UPDATE says ``WHERE revision = <the revision read>``: of two edits from the same
    # revision, exactly one is saved.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    area: Mapped[Area | None] = relationship()
    learning_review: Mapped[LearningReview | None] = relationship(back_populates="recommendations")
    self_evaluation: Mapped[SelfEvaluation | None] = relationship(back_populates="recommendations")
    actions: Mapped[list[Action]] = relationship(
        secondary=action_recommendations, order_by="Action.plan_id, Action.position"
    )
    shared_actions: Mapped[list[SharedAction]] = relationship(
        secondary=shared_action_recommendations, order_by="SharedAction.position"
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": revision}

    @property
    def is_open(self) -> bool:
        return self.state is not RecommendationState.CLOSED

    def __repr__(self) -> str:
        return f"<Recommendation {self.reference} of area {self.area_id}>"


class LearningReview(Base):
    """A learning review in an area's register: a reference the committee chooses (never a
    child's or family member's name), whether the review proceeds, its stages and the
    recommendations it made. Read only by the area's coordinators and administrators."""

    __tablename__ = "learning_reviews"
    __table_args__ = (UniqueConstraint("area_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    reference: Mapped[str] = mapped_column(String(60))
    # The decision at the end of the first stages: None until it is made.
    proceeds: Mapped[bool | None]
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    area: Mapped[Area] = relationship()
    stages: Mapped[list[LearningReviewStage]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="LearningReviewStage.id"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="learning_review", order_by="Recommendation.reference"
    )

    # A change to a stage is a change to the review: the service adds one to ``revision``, and
    # the UPDATE says ``WHERE revision = <the revision read>``.
    __mapper_args__: ClassVar[dict] = {"version_id_col": revision, "version_id_generator": False}

    def stage(self, which: ReviewStage) -> LearningReviewStage | None:
        return next((s for s in self.stages if s.stage is which), None)

    @property
    def notified_on(self) -> dt.date | None:
        found = self.stage(ReviewStage.NOTIFICATION)
        return found.done_on if found else None

    @property
    def current_stage(self) -> ReviewStage | None:
        """The first stage not yet done (None: every stage is done)."""
        done = {s.stage for s in self.stages if s.done_on is not None}
        return next((stage for stage in ReviewStage if stage not in done), None)

    def __repr__(self) -> str:
        return f"<LearningReview {self.reference} of area {self.area_id}>"


class LearningReviewStage(Base):
    """One stage of a learning review: the date it is due (set by the coordinator) and the
    date it was done."""

    __tablename__ = "learning_review_stages"
    __table_args__ = (UniqueConstraint("review_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("learning_reviews.id", ondelete="CASCADE"))
    stage: Mapped[ReviewStage] = mapped_column(enum_column(ReviewStage, "review_stage"))
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date)

    review: Mapped[LearningReview] = relationship(back_populates="stages")

    @property
    def area_id(self) -> int:
        """The review's area (for the audit trail)."""
        return self.review.area_id

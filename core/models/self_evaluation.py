"""Self-evaluation: quality frameworks (contributed by plugins, completed by administrators)
with their rating scale, questions and numbered indicators; each area's self-evaluation
activities (its calendar), the ratings they agreed and the evidence they used; and the
indicators that actions and KPIs are tagged with."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import EvidenceKind

if TYPE_CHECKING:
    from core.models.area import Area
    from core.models.improvement import Recommendation
    from core.models.kpi import Kpi
    from core.models.plan import EvidenceSource
    from core.models.progress import ProgressUpdate

# The quality indicators an action serves, and those a KPI measures (tags, many to many).
action_indicators = Table(
    "action_indicators",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "indicator_id",
        ForeignKey("quality_indicators.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
kpi_indicators = Table(
    "kpi_indicators",
    Base.metadata,
    Column("kpi_id", ForeignKey("kpis.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "indicator_id",
        ForeignKey("quality_indicators.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class QualityFramework(Base):
    """A framework of quality indicators (such as the Care Inspectorate's for children and
    young people in need of care and protection), with where its words come from."""

    __tablename__ = "quality_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    edition: Mapped[str] = mapped_column(String(60), default="")
    # Only some of its indicators were sourced; ``source`` says which are missing.
    partial: Mapped[bool] = mapped_column(default=False)
    # [{"value": 6, "label": "Excellent"}, ...], best first.
    scale: Mapped[list] = mapped_column(JSON)
    questions: Mapped[list] = mapped_column(JSON)

    indicators: Mapped[list[QualityIndicator]] = relationship(
        back_populates="framework", order_by="QualityIndicator.position"
    )

    def label_of(self, value: int | None) -> str:
        """A rating in words: "4 Good"."""
        found = next((p["label"] for p in self.scale if p["value"] == value), None)
        return f"{value} {found}" if found else ""


class QualityIndicator(Base):
    """A numbered indicator of a framework ("2.1 Impact on children and young people")."""

    __tablename__ = "quality_indicators"
    __table_args__ = (UniqueConstraint("framework_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("quality_frameworks.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int]
    # "plugin": shipped in a framework file; "added": by an administrator in the app.
    origin: Mapped[str] = mapped_column(String(10), default="plugin")

    framework: Mapped[QualityFramework] = relationship(back_populates="indicators")

    @property
    def name(self) -> str:
        return f"{self.number} {self.title}"


class SelfEvaluation(Base):
    """A self-evaluation activity of an area: what it looks at, when it is planned and when it
    was done (the self-evaluation calendar), the framework's three questions answered, who
    agreed its ratings, its evidence and the recommendations it leads to."""

    __tablename__ = "self_evaluations"
    __table_args__ = (Index("ix_self_evaluations_area_id_planned_on", "area_id", "planned_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("quality_frameworks.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(String(300))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    # The framework's three questions, answered.
    how_good_now: Mapped[str] = mapped_column(Text, default="")
    how_we_know: Mapped[str] = mapped_column(Text, default="")
    what_next: Mapped[str] = mapped_column(Text, default="")
    # Who agreed the ratings (e.g. "CPC, 14 March 2023") and when.
    agreed_by: Mapped[str] = mapped_column(String(300), default="")
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    area: Mapped[Area] = relationship()
    framework: Mapped[QualityFramework] = relationship()
    ratings: Mapped[list[SelfEvaluationRating]] = relationship(
        back_populates="self_evaluation", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[SelfEvaluationEvidence]] = relationship(
        back_populates="self_evaluation",
        cascade="all, delete-orphan",
        order_by="SelfEvaluationEvidence.id",
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="self_evaluation", order_by="Recommendation.reference"
    )

    # A change to its ratings is a change to the activity: the service adds one to
    # ``revision``, and the UPDATE says ``WHERE revision = <the revision read>``.
    __mapper_args__: ClassVar[dict] = {"version_id_col": revision, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<SelfEvaluation {self.id} of area {self.area_id}>"


class SelfEvaluationRating(Base):
    """An indicator a self-evaluation looked at, and the rating it agreed on the framework's
    scale (None: looked at, not rated)."""

    __tablename__ = "self_evaluation_ratings"
    __table_args__ = (
        UniqueConstraint("self_evaluation_id", "indicator_id"),
        CheckConstraint("rating BETWEEN 0 AND 100", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    self_evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("self_evaluations.id", ondelete="CASCADE")
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("quality_indicators.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[int | None]

    self_evaluation: Mapped[SelfEvaluation] = relationship(back_populates="ratings")
    indicator: Mapped[QualityIndicator] = relationship()

    @property
    def area_id(self) -> int:
        """The activity's area (for the audit trail)."""
        return self.self_evaluation.area_id


class SelfEvaluationEvidence(Base):
    """A piece of a self-evaluation's evidence: a KPI (and its figures), an entry of the
    plan's evidence menu, a progress update, or a document by its link; with a note."""

    __tablename__ = "self_evaluation_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    self_evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("self_evaluations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    evidence_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_sources.id", ondelete="CASCADE")
    )
    progress_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_updates.id", ondelete="CASCADE")
    )
    # A document's address and title.
    url: Mapped[str] = mapped_column(String(2000), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    self_evaluation: Mapped[SelfEvaluation] = relationship(back_populates="evidence")
    kpi: Mapped[Kpi | None] = relationship()
    evidence_source: Mapped[EvidenceSource | None] = relationship()
    progress_update: Mapped[ProgressUpdate | None] = relationship()

    @property
    def area_id(self) -> int:
        """The activity's area (for the audit trail)."""
        return self.self_evaluation.area_id

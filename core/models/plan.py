"""A two-year improvement plan: its alignment frame, priority groupings, outcomes and legend."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import FrameSection, PlanStatus, Rag

if TYPE_CHECKING:
    from core.models.action import Action
    from core.models.area import Area


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("area_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(
        enum_column(PlanStatus, "plan_status"), default=PlanStatus.DRAFT
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    # Where the content comes from, e.g. the published document, or "synthetic".
    source: Mapped[str] = mapped_column(Text, default="")
    # Contributors' updates wait for a coordinator's review before they count; False: they
    # count when posted.
    review_updates: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Shown without an account at /public/<area>/<plan>/ (a published plan only).
    public: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    area: Mapped[Area] = relationship(back_populates="plans")
    frame_items: Mapped[list[FrameItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="FrameItem.position"
    )
    rag_definitions: Mapped[list[RagDefinition]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    priority_groups: Mapped[list[PriorityGroup]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PriorityGroup.position"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Outcome.number"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Action.position"
    )
    evidence_sources: Mapped[list[EvidenceSource]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="EvidenceSource.position"
    )

    def end_of_year(self, year: int) -> dt.date:
        """The last day of the plan's given year (Year 1 of a plan from 1 August 2021 ends
        31 July 2022)."""
        start = self.period_start
        return start.replace(year=start.year + year) - dt.timedelta(days=1)

    def year_of(self, day: dt.date) -> int:
        """Which year of the plan a date falls in (1 for the first year); dates after the
        plan's end count in its last year."""
        last = max(1, self.period_end.year - self.period_start.year)
        year = 1
        while year < last and day > self.end_of_year(year):
            year += 1
        return year

    def __repr__(self) -> str:
        return f"<Plan {self.slug} of area {self.area_id}>"


class FrameItem(Base):
    """One line of the "plan on a page": a national context, a Tayside priority, a CPC function."""

    __tablename__ = "frame_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    section: Mapped[FrameSection] = mapped_column(enum_column(FrameSection, "frame_section"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="frame_items")


class RagDefinition(Base):
    """The plan's own wording of what Red, Amber and Green mean."""

    __tablename__ = "rag_definitions"
    __table_args__ = (UniqueConstraint("plan_id", "rag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    rag: Mapped[Rag] = mapped_column(enum_column(Rag, "rag"))
    definition: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="rag_definitions")


class PriorityGroup(Base):
    """A grouping of outcomes, e.g. "Relationship with Children and Families"."""

    __tablename__ = "priority_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="priority_groups")
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="priority_group", order_by="Outcome.number"
    )


class Outcome(Base):
    """A numbered outcome with its "We will ..." commitment statement."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    priority_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("priority_groups.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    commitment: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="outcomes")
    priority_group: Mapped[PriorityGroup | None] = relationship(back_populates="outcomes")
    actions: Mapped[list[Action]] = relationship(
        back_populates="outcome", order_by="Action.position"
    )


class EvidenceSource(Base):
    """An entry of the plan's evidence menu (Appendix 1), with how often it is gathered."""

    __tablename__ = "evidence_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # e.g. "Monthly"; empty where the plan leaves it to the self-evaluation calendar.
    frequency: Mapped[str] = mapped_column(String(100), default="")
    # A "No. and %" sample keeps a numerator and denominator; a count keeps one number.
    is_proportion: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="evidence_sources")

"""Numbered actions, their strategic leads and their KPI measures."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import ActionKind, ActionOrigin

if TYPE_CHECKING:
    from core.models.improvement import Recommendation
    from core.models.plan import Outcome, Plan
    from core.models.progress import ProgressUpdate
    from core.models.self_evaluation import QualityIndicator
    from core.models.shared import SharedAction
    from core.models.user import User


class Action(Base):
    """An action/task of a plan: an improvement action under an outcome (counted in the plan's
    totals), or an ongoing/maintenance action (Appendix 2, listed apart)."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("plan_id", "kind", "code"),
        # A shared action is adopted into a plan once at most.
        UniqueConstraint("plan_id", "shared_action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    outcome_id: Mapped[int | None] = mapped_column(
        ForeignKey("outcomes.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    kind: Mapped[ActionKind] = mapped_column(
        enum_column(ActionKind, "action_kind"), default=ActionKind.IMPROVEMENT
    )
    text: Mapped[str] = mapped_column(Text)
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    origin: Mapped[ActionOrigin] = mapped_column(
        enum_column(ActionOrigin, "action_origin"), default=ActionOrigin.LOCAL
    )
    shared_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("shared_actions.id", ondelete="RESTRICT"), index=True
    )
    # The shared action's version when this area adopted it.
    adopted_version: Mapped[int | None]
    # Set when the action was added after the plan was published; counted as "added".
    added_on: Mapped[dt.date | None] = mapped_column(Date)
    # The day the area adopted the shared action in the platform (None for one adopted by the
    # plan as published). "As at" an earlier date the action is absent.
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # Goes up by one at each edit of the wording, so a stale edit form is refused. Every
    # UPDATE of the row says ``WHERE revision = <the revision read>``: of two edits from the
    # same revision, the database lets exactly one through.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    plan: Mapped[Plan] = relationship(back_populates="actions")
    outcome: Mapped[Outcome | None] = relationship(back_populates="actions")
    shared_action: Mapped[SharedAction | None] = relationship()
    leads: Mapped[list[ActionLead]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionLead.position"
    )
    kpi_measures: Mapped[list[KpiMeasure]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="KpiMeasure.position"
    )
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ProgressUpdate.id"
    )
    # Contributors: the strategic leads with an account who post this action's updates.
    contributors: Mapped[list[User]] = relationship(
        secondary="action_contributors", order_by="User.email"
    )
    changes: Mapped[list[ActionChange]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionChange.id"
    )
    # The recommendations it answers (linked from the recommendation's side).
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary="action_recommendations", viewonly=True, order_by="Recommendation.reference"
    )
    # The quality indicators it serves (tags).
    indicators: Mapped[list[QualityIndicator]] = relationship(
        secondary="action_indicators", order_by="QualityIndicator.id"
    )

    def in_plan(self, as_at: dt.date) -> bool:
        """Whether the action was part of the plan on ``as_at`` (added or adopted by then)."""
        return all(day is None or day <= as_at for day in (self.added_on, self.adopted_on))

    @property
    def plan_year(self) -> int | None:
        """The year of the plan the action is due in (1 or 2), from its target date."""
        return None if self.target_date is None else self.plan.year_of(self.target_date)

    @property
    def timescale(self) -> str:
        """The timescale as plans word it: "By end of Year 1" or "Ongoing 2021 – 2023"."""
        return self.timescale_for(self.target_date)

    def timescale_for(self, target_date: dt.date | None) -> str:
        """The timescale the action has with ``target_date`` (its wording on another day)."""
        if self.kind is ActionKind.ONGOING or target_date is None:
            return f"Ongoing {self.plan.period_start.year} – {self.plan.period_end.year}"
        return f"By end of Year {self.plan.year_of(target_date)}"

    __mapper_args__: ClassVar[dict] = {"version_id_col": revision, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<Action {self.code} of plan {self.plan_id}>"


class ActionLead(Base):
    """One strategic lead (a post or group) accountable for an action."""

    __tablename__ = "action_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))

    action: Mapped[Action] = relationship(back_populates="leads")


class KpiMeasure(Base):
    """A key performance indicator measure of an action (Appendix 1)."""

    __tablename__ = "kpi_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="kpi_measures")


class ActionChange(Base):
    """One field of an action changed by an edit: the wording before and after, who and when."""

    __tablename__ = "action_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    action: Mapped[Action] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()

    # The editable fields, in the words the pages use.
    FIELD_NAMES: ClassVar[dict[str, str]] = {
        "text": "Action/task",
        "expected_impact": "Expected impact",
        "leads": "Strategic leads",
        "target_date": "Target date",
    }

    @property
    def field_name(self) -> str:
        return self.FIELD_NAMES.get(self.field, self.field)

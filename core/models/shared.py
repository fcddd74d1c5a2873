"""TRIC PG5 shared actions: Tayside-wide actions that areas adopt, rolled up across Tayside."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import ActionKind

if TYPE_CHECKING:
    from core.models.area import Area
    from core.models.user import User


class SharedAction(Base):
    """A Tayside-wide action, worded by TRIC PG5, that each area may adopt into its plan."""

    __tablename__ = "shared_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    # Short name for the rollup, e.g. "Inter-Agency Referral Discussions (IRDs)".
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(String(300), default="")
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[ActionKind] = mapped_column(
        enum_column(ActionKind, "action_kind"), default=ActionKind.IMPROVEMENT
    )
    # The Tayside Priority for Practice (1-6) the action falls under.
    priority_for_practice: Mapped[int | None]
    # Each rewording adds one; the UPDATE says ``WHERE version = <the version read>``, so of two
    # edits from the same version exactly one is saved.
    version: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # The day it took effect: the publication date of the document it comes from, or the day
    # PG5 created it in the platform. "As at" an earlier date it is absent. None: always there.
    effective_on: Mapped[dt.date | None] = mapped_column(Date)

    versions: Mapped[list[SharedActionVersion]] = relationship(
        back_populates="shared_action",
        cascade="all, delete-orphan",
        order_by="SharedActionVersion.version",
    )

    # The fields PG5 words; each change makes a new version.
    WORDING: ClassVar[tuple[str, ...]] = (
        "title",
        "text",
        "expected_impact",
        "lead",
        "target_date",
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": version, "version_id_generator": False}

    def snapshot(self, changed_by: User | None = None) -> SharedActionVersion:
        """This wording as a version record (for its history)."""
        return SharedActionVersion(
            version=self.version,
            changed_by=changed_by,
            **{name: getattr(self, name) for name in self.WORDING},
        )

    def __repr__(self) -> str:
        return f"<SharedAction {self.key}>"

    def in_effect(self, as_at: dt.date) -> bool:
        return self.effective_on is None or self.effective_on <= as_at


class SharedActionVersion(Base):
    """A shared action's wording at one version: the first as loaded, then each PG5 edit."""

    __tablename__ = "shared_action_versions"
    __table_args__ = (UniqueConstraint("shared_action_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shared_action_id: Mapped[int] = mapped_column(
        ForeignKey("shared_actions.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(String(300), default="")
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    shared_action: Mapped[SharedAction] = relationship(back_populates="versions")
    changed_by: Mapped[User | None] = relationship()


class NotApplicable(Base):
    """An area's record that a shared action does not apply to it, and why. Withdrawing it
    keeps the record (``withdrawn_at``), so the rollup "as at" a past date still shows it."""

    __tablename__ = "not_applicable"
    __table_args__ = (
        # One record in force (not withdrawn) per shared action and area.
        Index(
            "uq_not_applicable_live",
            "shared_action_id",
            "area_id",
            unique=True,
            sqlite_where=sql("withdrawn_on IS NULL"),
            postgresql_where=sql("withdrawn_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shared_action_id: Mapped[int] = mapped_column(
        ForeignKey("shared_actions.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)

    shared_action: Mapped[SharedAction] = relationship()
    area: Mapped[Area] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    def in_force(self, as_at: dt.date) -> bool:
        return self.recorded_on <= as_at and (
            self.withdrawn_on is None or self.withdrawn_on > as_at
        )

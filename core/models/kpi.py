"""KPIs: each area's measures (and TRIC PG5's Tayside-wide ones), and their figures by period.

A figure is never changed or deleted: a correction adds a new figure and retires the one it
replaces, which stays in the KPI's history. A figure pulled from an area's own system that
differs from one a person entered waits, ``proposed``, for a coordinator's decision."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit, KpiValueOrigin

if TYPE_CHECKING:
    from core.models.action import Action
    from core.models.area import Area
    from core.models.self_evaluation import QualityIndicator
    from core.models.user import User

kpi_actions = Table(
    "kpi_actions",
    Base.metadata,
    Column("kpi_id", ForeignKey("kpis.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
)


class Kpi(Base):
    """A measure: what is counted, in what unit, how often, which way is better, an optional
    target, and how areas' figures combine. ``area_id`` None: Tayside-wide, worded by PG5."""

    __tablename__ = "kpis"
    __table_args__ = (
        UniqueConstraint("area_id", "key"),
        Index(
            "uq_kpis_tayside_key",
            "key",
            unique=True,
            sqlite_where=sql("area_id IS NULL"),
            postgresql_where=sql("area_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    # What is counted, in words: "IRDs held in the month".
    counted: Mapped[str] = mapped_column(Text, default="")
    # None where the published text does not say.
    unit: Mapped[KpiUnit | None] = mapped_column(enum_column(KpiUnit, "kpi_unit"))
    frequency: Mapped[KpiFrequency | None] = mapped_column(
        enum_column(KpiFrequency, "kpi_frequency")
    )
    direction: Mapped[KpiDirection] = mapped_column(
        enum_column(KpiDirection, "kpi_direction"), default=KpiDirection.NEITHER
    )
    combine: Mapped[KpiCombine] = mapped_column(
        enum_column(KpiCombine, "kpi_combine"), default=KpiCombine.NONE
    )
    target_value: Mapped[float | None] = mapped_column(Float)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    # "plugin" (from a plugin's data file) or "app" (defined in the platform).
    origin: Mapped[str] = mapped_column(String(20), default="app")
    position: Mapped[int] = mapped_column(default=0)
    # Each rewording adds one; the UPDATE says ``WHERE version = <the version read>``.
    version: Mapped[int] = mapped_column(default=1)
    # A national measure (with no area): defined once from the published statistics, reported
    # by every area and by the Scotland reference series, and worded as the publication words it.
    national: Mapped[bool] = mapped_column(default=False, server_default=false())

    area: Mapped[Area | None] = relationship()
    actions: Mapped[list[Action]] = relationship(secondary=kpi_actions, order_by="Action.id")
    # The quality indicators it measures (tags).
    indicators: Mapped[list[QualityIndicator]] = relationship(
        secondary="kpi_indicators", order_by="QualityIndicator.id"
    )
    # A national measure's published definitions, oldest first.
    definitions: Mapped[list[KpiDefinition]] = relationship(
        order_by="KpiDefinition.first_edition", cascade="all, delete-orphan"
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": version, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<Kpi {self.key}>"


class KpiDefinition(Base):
    """One version of a national measure's published definition, used by the publication's
    editions from ``first_edition`` on. A figure keeps the version it was published under, and
    where consecutive years' versions differ the series breaks rather than join them."""

    __tablename__ = "kpi_definitions"
    __table_args__ = (UniqueConstraint("kpi_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    # The measure as that edition words it.
    wording: Mapped[str] = mapped_column(Text)
    # The first edition ("2023-24") that uses it.
    first_edition: Mapped[str] = mapped_column(String(7))
    # For a rate: the key of the population measure its denominator comes from.
    population: Mapped[str | None] = mapped_column(String(80))
    # What changed from the version before, in words.
    note: Mapped[str] = mapped_column(Text, default="")


class KpiValue(Base):
    """One area's figure for a KPI in one period, with where it came from."""

    __tablename__ = "kpi_values"
    __table_args__ = (
        # One figure in force per KPI, area and period: two entries at once, one is refused.
        Index(
            "uq_kpi_values_in_force",
            "kpi_id",
            "area_id",
            "period",
            unique=True,
            sqlite_where=sql("retired_at IS NULL AND proposed = 0"),
            postgresql_where=sql("retired_at IS NULL AND NOT proposed"),
        ),
        Index("ix_kpi_values_kpi_id_period_start", "kpi_id", "period_start", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    # "2025-03", "2025-Q1", "2025" or a date "2025-03-14"; and the days it covers.
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # The figure (a percentage or rate worked out from its two parts).
    value: Mapped[float] = mapped_column(Float)
    # A percentage's numerator and denominator; a rate's count and population.
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")
    # Published statistics are revised: which edition this figure is from.
    edition: Mapped[str] = mapped_column(String(100), default="")
    # A national measure's definition version (``KpiDefinition.key``) the figure follows.
    definition: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Set with ``retired_at`` when a newer edition of the statistics replaced the figure (not a
    # person's correction): that edition.
    superseded_by: Mapped[str | None] = mapped_column(String(100))
    origin: Mapped[KpiValueOrigin] = mapped_column(
        enum_column(KpiValueOrigin, "kpi_value_origin"), default=KpiValueOrigin.ENTERED
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # A pulled figure that differs from a person's entry, waiting for a decision.
    proposed: Mapped[bool] = mapped_column(default=False)
    # On a correction: the figure it replaces.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("kpi_values.id", ondelete="SET NULL")
    )
    # Set once, when the figure is replaced (or a proposal is turned down): it then counts
    # nowhere but stays in the history.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    kpi: Mapped[Kpi] = relationship()
    area: Mapped[Area] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])


class FiguresAreKeptError(RuntimeError):
    """Raised when code tries to change or delete a KPI figure that was already saved."""


@event.listens_for(Session, "before_flush")
def _refuse_rewriting_figures(session: Session, _context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, KpiValue) and session.is_modified(obj):
            raise FiguresAreKeptError("KPI figures cannot be changed: record a correction instead.")
    for obj in session.deleted:
        if isinstance(obj, KpiValue):
            raise FiguresAreKeptError("KPI figures cannot be deleted: record a correction instead.")

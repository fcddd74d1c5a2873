"""Annual reports: an area's report for a reporting year (its template, whether the committee
has approved it, and whether it is public), and the words the coordinator writes for its
narrative sections, every version kept."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

if TYPE_CHECKING:
    from core.models.area import Area
    from core.models.user import User


class AnnualReport(Base):
    """An area's annual report for the reporting year ``starts_on`` to ``ends_on`` (labelled
    like "2021-22"), drafted from the record and the coordinator's narrative."""

    __tablename__ = "annual_reports"
    __table_args__ = (
        UniqueConstraint("area_id", "year"),
        # TRIC PG5's Tayside-wide report: one a year.
        Index(
            "uq_annual_reports_tayside_year",
            "year",
            unique=True,
            postgresql_where=sql("area_id IS NULL"),
            sqlite_where=sql("area_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: TRIC PG5's Tayside-wide report.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    # "2021-22": the year it starts in, and the last two digits of the next.
    year: Mapped[str] = mapped_column(String(7))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    template_key: Mapped[str] = mapped_column(String(80))
    # Set when the committee approved it: from then its words are locked and its data sections
    # are kept as they were (``approved_data``).
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    # When the approval was recorded (a file made from then shows the approved report).
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_data: Mapped[dict | None] = mapped_column(JSON)
    public: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    area: Mapped[Area | None] = relationship()
    texts: Mapped[list[AnnualReportText]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="AnnualReportText.section_key, AnnualReportText.version",
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": revision}

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    def __repr__(self) -> str:
        return f"<AnnualReport {self.year} of area {self.area_id}>"


class AnnualReportText(Base):
    """One version of a narrative section's words: a new version for every save, never an
    update, so every version is kept with who wrote it and when. Two saves from the same
    version cannot both be kept (the unique constraint)."""

    __tablename__ = "annual_report_texts"
    __table_args__ = (UniqueConstraint("report_id", "section_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    report: Mapped[AnnualReport] = relationship(back_populates="texts")
    written_by: Mapped[User | None] = relationship()

    @property
    def area_id(self) -> int | None:
        """The report's area (for the audit trail; None: Tayside-wide)."""
        return self.report.area_id

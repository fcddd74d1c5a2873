"""Reporting dates: the committee's meetings for a plan (or TRIC PG5's, for the rollup), each
with a deadline for the updates it will read."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

if TYPE_CHECKING:
    from core.models.plan import Plan
    from core.models.user import User


class ReportingDate(Base):
    """A date a committee reads progress reports: a plan's (``plan_id``), or, with no plan,
    TRIC PG5's for the Tayside rollup."""

    __tablename__ = "reporting_dates"
    __table_args__ = (
        UniqueConstraint("plan_id", "reported_on"),
        # TRIC PG5's own dates (no plan): one a day.
        Index(
            "uq_reporting_dates_tric",
            "reported_on",
            unique=True,
            sqlite_where=sql("plan_id IS NULL"),
            postgresql_where=sql("plan_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    # The meeting's date, which the reports are "as at".
    reported_on: Mapped[dt.date] = mapped_column(Date)
    # Updates for the meeting are due by this date.
    deadline: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    # Set when the coordinator locks the period up to this meeting (the committee has had its
    # report): no update for it can then be added, corrected or withdrawn but by an admin.
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    plan: Mapped[Plan | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])


class ReminderSent(Base):
    """A reminder email sent (or being sent): its ``key`` is unique, so that however many times
    ``cpc remind`` runs, and on however many machines at once, each is sent once."""

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was sent to whom for which reporting date and when: "digest:12:3:before".
    key: Mapped[str] = mapped_column(String(120), unique=True)
    # None for a reminder not about a reporting date (the learning review digest).
    reporting_date_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_dates.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

"""Slow or external work done off the request (reports in PDF and Word, emails, webhook
messages): the job queue's rows, the report files made, and the data version that says
whether a made file (or a cached page fragment) still shows the data as it is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column
from core.enums import JobState


class Job(Base):
    """One piece of work: its ``kind`` ("email", "report", "webhook") and ``args``; waiting
    until ``run_after``, then claimed by one worker, which renews ``heartbeat_at`` while it
    runs. A worker that stops without finishing leaves a heartbeat that goes stale, and the
    job is taken again (or, for an email that may have gone, left failed for an admin)."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The next job to run: waiting, in order of when it may run.
        Index("ix_jobs_state_run_after", "state", "run_after"),
        # One waiting or running job for the same work (the same report asked for twice).
        Index(
            "uq_jobs_open_key",
            "key",
            unique=True,
            sqlite_where=sql("state IN ('waiting', 'running') AND key IS NOT NULL"),
            postgresql_where=sql("state IN ('waiting', 'running') AND key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(String(300))
    # A few words for the Jobs page ("PDF report: Perth and Kinross 2021-2023, 30 Sep 2022").
    title: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, "job_state"), default=JobState.WAITING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # 0 to 100, and what the job is doing, while it runs.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(200), default="")
    worker: Mapped[str] = mapped_column(String(200), default="")
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Why the last try failed, in words.
    error: Mapped[str] = mapped_column(Text, default="")
    # What the job made: {"report_file": id} for a report.
    result: Mapped[dict | None] = mapped_column(JSON)
    # Who asked (a report's job is theirs to follow) and for which area; neither for email.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReportFile(Base):
    """A committee report or annual report made by a job: kept for the same plan, date, paper
    and format while the data is at the same ``data_version``, so asking again serves it at
    once. (No plan: TRIC PG5's Tayside-wide annual report.)"""

    __tablename__ = "report_files"
    __table_args__ = (
        UniqueConstraint("plan_id", "as_at", "contents", "format", "data_version"),
        Index(
            "uq_report_files_tayside",
            "as_at",
            "contents",
            "format",
            "data_version",
            unique=True,
            postgresql_where=sql("plan_id IS NULL"),
            sqlite_where=sql("plan_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    as_at: Mapped[dt.date] = mapped_column(Date)
    contents: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    data_version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(300))
    mimetype: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class DataVersion(Base):
    """One row: a counter that every committed change to plan data adds one to, in the same
    transaction (``core.data_version``). A report file or page fragment made at version N
    shows the data as it is while the counter is still N."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PageFragment(Base):
    """A page (or part of one) rendered once and shared by every web process: kept under its
    ``key`` (a hash of what it depends on: the address, the viewer, the day, the code) with
    the data version it was made at, and used only while that is current."""

    __tablename__ = "page_fragments"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    mimetype: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

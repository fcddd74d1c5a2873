"""Committee reports and annual reports in the slow formats (PDF and Word) made by a job and
kept: asked for again for the same plan, date, paper and format while the data is unchanged
(the same data version), the file made is served at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import data_version
from core.hooks.registry import PluginRegistry
from core.models import Area, Job, Plan, ReportFile
from core.services.jobs import queue
from core.services.reports.annual_data import Year
from core.services.reports.formats import FORMATS, file_name, render
from core.services.reports.report import build_report

# The formats made by a job; the others are quick and made in the request.
SLOW_FORMATS = ("pdf", "docx")
KIND = "report"
# How long a made report is kept (it is made again when asked for after that).
KEPT = dt.timedelta(days=7)


class JobRefused(Exception):
    """The job cannot be done, and trying again will not change that: the message says why."""


def made(
    session: Session, plan_id: int | None, as_at: dt.date, contents: str, fmt: str, version: int
) -> ReportFile | None:
    """The report file already made for these, at this data version, if any."""
    return session.scalar(
        select(ReportFile).where(
            ReportFile.plan_id == plan_id,
            ReportFile.as_at == as_at,
            ReportFile.contents == contents,
            ReportFile.format == fmt,
            ReportFile.data_version == version,
        )
    )


def ask(
    session: Session, plan: Plan, as_at: dt.date, contents: str, fmt: str, user_id: int | None
) -> ReportFile | Job:
    """The report asked for: the file if it is made already for the data as it is, else the
    job making it (a new one, or the one already waiting or running for the same report).
    The caller commits."""
    version = data_version.current(session)
    found = made(session, plan.id, as_at, contents, fmt, version)
    if found is not None:
        return found
    paper = "summary paper" if contents == "summary" else "report"
    return queue.enqueue(
        session,
        KIND,
        {"plan_id": plan.id, "as_at": as_at.isoformat(), "contents": contents, "format": fmt},
        title=f"{FORMATS[fmt].name} {paper}: {plan.area.name}, {plan.title}, as at "
        f"{as_at:%-d %B %Y}",
        key=f"report:{plan.id}:{as_at.isoformat()}:{contents}:{fmt}:{version}",
        user_id=user_id,
        area_id=plan.area_id,
    )


# An annual report's file is kept under its year's plan, its ``as_at`` the year's.
ANNUAL = "annual"


def ask_annual(
    session: Session, area, year: Year, plan: Plan | None, fmt: str, user_id: int | None
) -> ReportFile | Job:
    """An area's (``area.id`` None: Tayside's) annual report for ``year`` in ``fmt``, kept
    under the year's plan (Tayside's under none): the file if made already for the data as it
    is, else the job making it. The caller commits."""
    version = data_version.current(session)
    plan_id = plan.id if plan else None
    found = made(session, plan_id, year.as_at, ANNUAL, fmt, version)
    if found is not None:
        return found
    return queue.enqueue(
        session,
        KIND,
        {"annual": year.label, "area_id": area.id, "plan_id": plan_id, "format": fmt},
        title=f"{fmt.upper()} annual report: {area.name}, {year.label}",
        key=f"annual:{area.id or 'tayside'}:{year.label}:{year.as_at.isoformat()}:{fmt}:{version}",
        user_id=user_id,
        area_id=area.id,
    )


def approved_file(
    session: Session, plan: Plan | None, year: Year, fmt: str, since: dt.datetime
) -> ReportFile | None:
    """The newest file of an approved annual report made since its approval (its words and
    figures are kept as approved, so any such file shows it)."""
    return session.scalars(
        select(ReportFile)
        .where(
            ReportFile.plan_id == (plan.id if plan else None),
            ReportFile.as_at == year.as_at,
            ReportFile.contents == ANNUAL,
            ReportFile.format == fmt,
            ReportFile.created_at >= since,
        )
        .order_by(ReportFile.created_at.desc())
        .limit(1)
    ).first()


def _make_annual(
    session: Session, plugins: PluginRegistry, args: dict, progress: Callable[[int, str], None]
) -> dict:
    from core.services.reports import annual
    from core.services.reports.formats import annual_formats

    area = annual.TAYSIDE if args["area_id"] is None else session.get(Area, args["area_id"])
    plan = None if args["plan_id"] is None else session.get(Plan, args["plan_id"])
    if area is None or (args["plan_id"] is not None and plan is None):
        raise JobRefused("The area or plan this annual report was for has been deleted.")
    fmt = args["format"]
    year = annual.year_for(session, area, args["annual"])
    version = data_version.current(session)
    found = made(session, plan.id if plan else None, year.as_at, ANNUAL, fmt, version)
    if found is not None:
        return {"report_file": found.id}
    progress(10, "Reading the year's record and the narrative")
    document = annual.build(session, plugins, area, year)
    progress(40, f"Making the {fmt.upper()} file")
    content = annual_formats.render(document, fmt)
    return _keep(
        session,
        ReportFile(
            plan_id=plan.id if plan else None,
            as_at=year.as_at,
            contents=ANNUAL,
            format=fmt,
            data_version=version,
            file_name=annual_formats.file_name(document, fmt),
            mimetype=annual_formats.FORMATS[fmt],
            content=content,
        ),
    )


def _keep(session: Session, record: ReportFile) -> dict:
    try:
        with session.begin_nested():  # another worker made the same file just now
            session.add(record)
    except IntegrityError:
        found = made(
            session,
            record.plan_id,
            record.as_at,
            record.contents,
            record.format,
            record.data_version,
        )
        assert found is not None
        record = found
    session.commit()
    return {"report_file": record.id}


def make(
    session: Session,
    plugins: PluginRegistry,
    args: dict,
    progress: Callable[[int, str], None],
) -> dict:
    """The job: build the report and keep its file. Answers ``{"report_file": id}``."""
    if "annual" in args:
        return _make_annual(session, plugins, args, progress)
    plan = session.get(Plan, args["plan_id"])
    if plan is None:
        raise JobRefused("The plan this report was for has been deleted.")
    as_at, contents, fmt = dt.date.fromisoformat(args["as_at"]), args["contents"], args["format"]
    version = data_version.current(session)  # read first: the file shows this version or later
    found = made(session, plan.id, as_at, contents, fmt, version)
    if found is not None:
        return {"report_file": found.id}
    progress(10, "Reading the plan and its progress updates")
    report = build_report(session, plugins, plan, as_at, contents)
    progress(40, f"Making the {FORMATS[fmt].name} file")
    content = render(report, fmt)
    progress(90, "Saving the file")
    return _keep(
        session,
        ReportFile(
            plan_id=plan.id,
            as_at=as_at,
            contents=contents,
            format=fmt,
            data_version=version,
            file_name=file_name(report, fmt),
            mimetype=FORMATS[fmt].mimetype,
            content=content,
        ),
    )


def result_file(session: Session, job: Job) -> ReportFile | None:
    """The file a finished report job made, if it is still kept."""
    if job.kind != KIND or not job.result or "report_file" not in job.result:
        return None
    return session.get(ReportFile, job.result["report_file"])


def forget_old(session: Session, now: dt.datetime) -> int:
    """Delete made reports older than ``KEPT``; how many. The caller commits."""
    return session.execute(delete(ReportFile).where(ReportFile.created_at < now - KEPT)).rowcount

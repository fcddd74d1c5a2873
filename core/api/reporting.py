"""Reporting dates: each plan's committee meetings, and TRIC PG5's for the rollup."""

from __future__ import annotations

from flask_smorest import Blueprint, abort

from core import db
from core.api.areas import get_or_404
from core.api.common import me, writing
from core.api.schemas import (
    MissingUpdatesSchema,
    ReportingDateCreateSchema,
    ReportingDateSchema,
)
from core.models import Plan, ReportingDate
from core.outbox import after_change, period_event
from core.schemas.dates import parse_date
from core.services.progress import period_locks, reporting
from core.services.progress.missing_updates import missing_updates

reporting_bp = Blueprint(
    "reporting_api", __name__, url_prefix="/api/v1", description="Reporting dates"
)
BLUEPRINTS = (reporting_bp,)


def _plan(plan_id: int | None) -> Plan | None:
    return None if plan_id is None else get_or_404(Plan, plan_id)


def _record(plan: Plan | None, date_text: str) -> ReportingDate:
    try:
        day = parse_date(date_text)
    except ValueError as problem:
        abort(404, message=f"There is no such reporting date: {problem}")
    found = reporting.reporting_date_on(db.get_session(), plan, day)
    if found is None:
        abort(404, message=f"There is no reporting date on {day.isoformat()}.")
    return found


def _add(plan: Plan | None, data: dict):
    with writing() as session:
        return reporting.add_reporting_date(session, plan, actor=me(), **data), 201


def _remove(plan: Plan | None, date_text: str) -> None:
    record = _record(plan, date_text)
    with writing() as session:
        reporting.remove_reporting_date(session, record, actor=me())


@reporting_bp.get("/plans/<id:plan_id>/reporting-dates")
@reporting_bp.response(200, ReportingDateSchema(many=True))
def plan_dates(plan_id: int):
    """The plan's reporting dates (the committee's meetings), oldest first, each with the
    deadline for updates."""
    return reporting.reporting_dates(db.get_session(), _plan(plan_id))


@reporting_bp.post("/plans/<id:plan_id>/reporting-dates")
@reporting_bp.arguments(ReportingDateCreateSchema)
@reporting_bp.response(201, ReportingDateSchema)
def add_plan_date(data, plan_id: int):
    """Add a reporting date (the area's coordinators and admins): `date`, on or after the plan
    starts, and `deadline` for updates, on or before it. 409 if the plan has one that day."""
    return _add(_plan(plan_id), data)


@reporting_bp.delete("/plans/<id:plan_id>/reporting-dates/<date_text>")
@reporting_bp.response(204)
def remove_plan_date(plan_id: int, date_text: str):
    """Remove a reporting date not yet reported on: still to come, with no update reported
    for it (422 otherwise)."""
    _remove(_plan(plan_id), date_text)


@reporting_bp.get("/rollup/reporting-dates")
@reporting_bp.response(200, ReportingDateSchema(many=True))
def tric_dates():
    """TRIC PG5's reporting dates for the Tayside rollup, oldest first."""
    return reporting.reporting_dates(db.get_session(), None)


@reporting_bp.post("/rollup/reporting-dates")
@reporting_bp.arguments(ReportingDateCreateSchema)
@reporting_bp.response(201, ReportingDateSchema)
def add_tric_date(data):
    """Add a TRIC PG5 reporting date (PG5 members and admins)."""
    return _add(None, data)


@reporting_bp.delete("/rollup/reporting-dates/<date_text>")
@reporting_bp.response(204)
def remove_tric_date(date_text: str):
    """Remove a TRIC PG5 reporting date still to come."""
    _remove(None, date_text)


@reporting_bp.get("/plans/<id:plan_id>/reporting-dates/<date_text>/missing")
@reporting_bp.response(200, MissingUpdatesSchema)
def missing(plan_id: int, date_text: str):
    """The actions in the plan on this reporting date with no update in force reported for
    its period (after the reporting date before it, up to this one), except those completed
    before the period began; each with its strategic leads."""
    plan = _plan(plan_id)
    found = missing_updates(db.get_session(), plan, _record(plan, date_text))
    return {
        "date": found.reporting_date.reported_on,
        "deadline": found.reporting_date.deadline,
        "since": found.since,
        "actions": [
            {
                "id": a.id,
                "code": a.code,
                "kind": a.kind,
                "text": a.text,
                "leads": [lead.name for lead in a.leads],
            }
            for a in found.actions
        ],
    }


@reporting_bp.post("/plans/<id:plan_id>/reporting-dates/<date_text>/lock")
@reporting_bp.response(200, ReportingDateSchema)
def lock(plan_id: int, date_text: str):
    """Lock the period up to a meeting that has taken place (the area's coordinators and
    admins): no update reported for it can then be added, corrected or withdrawn, except by an
    admin (recorded in the audit trail). 409 if it is locked already."""
    record = _record(_plan(plan_id), date_text)
    with writing() as session:
        period_locks.lock_period(session, record, actor=me())
    after_change(period_event(record, "locked"))
    return record


@reporting_bp.delete("/plans/<id:plan_id>/reporting-dates/<date_text>/lock")
@reporting_bp.response(200, ReportingDateSchema)
def unlock(plan_id: int, date_text: str):
    """Unlock a period (administrators only). 409 if it is not locked."""
    record = _record(_plan(plan_id), date_text)
    with writing() as session:
        period_locks.unlock_period(session, record, actor=me())
    after_change(period_event(record, "unlocked"))
    return record

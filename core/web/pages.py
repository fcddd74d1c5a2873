"""Reading pages: the areas, each area's dashboard, each plan as the published document lays
it out, and a plan's actions filtered and searched."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from marshmallow import ValidationError
from sqlalchemy import select

from core import db
from core.enums import ProgressStatus
from core.identity import signed_in_user
from core.models import Outcome, Plan, QualityIndicator
from core.page_cache import cached_page
from core.schemas.dates import parse_date
from core.services.improvement import indicators
from core.services.improvement.traceability import traceability
from core.services.kpis import kpis
from core.services.notify import notices
from core.services.plans import plans
from core.services.plans.action_query import find_actions
from core.services.plans.dashboard import DUE_SOON_DAYS, area_dashboard
from core.services.plans.document import only_actions, plan_document
from core.services.plans.search import ActionFilter
from core.services.plans.summary import plan_summaries
from core.services.progress import reporting, review, travel
from core.services.progress.missing_updates import missing_updates
from core.services.tric import shared
from core.web.form_schemas import ActionFilterForm
from core.web.forms import FormState

bp = Blueprint("pages", __name__)

# The dashboard lists at most this many overdue and due-soon actions, with a link to the rest.
DASHBOARD_ROWS = 10
# Find actions shows this many a page.
SEARCH_PAGE = 50


def date_arg(name: str = "as_at", label: str = "As at") -> dt.date | None:
    """The date in query argument ``name``, if given; a bad one is a 400 naming ``label``."""
    value = request.args.get(name)
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as problem:
        abort(400, f"“{label}”: {problem}")


def shown_as_at(session, plan: Plan | None) -> tuple[dt.date, reporting.DefaultDate | None]:
    """The date a page shows: the one asked for, or the default (the latest reporting date,
    or the end of a plan that has ended, or today), with why."""
    asked = date_arg()
    if asked is not None:
        return asked, None
    default = reporting.default_as_at(session, plan)
    return default.day, default


def found_or_404(fn, *args):
    try:
        return fn(*args)
    except plans.NotFound as exc:
        abort(404, str(exc))


@bp.get("/")
def index():
    session = db.get_session()
    areas = plans.areas(session)
    current = {a.id: plans.current_plan(a) for a in areas if a.plans}
    summaries = plan_summaries(session, list(current.values()))
    rows = []
    for area in areas:
        plan = current.get(area.id)
        rows.append((area, plan, summaries[plan.id] if plan else None))
    return render_template("index.html", rows=rows, my_areas=signed_in_user().areas)


@bp.get("/areas/<slug>/")
@cached_page
def area(slug: str):
    session = db.get_session()
    found = found_or_404(plans.area_by_slug, session, slug)
    plan = found_or_404(plans.current_plan, found)
    today = dt.date.today()
    dates = reporting.reporting_dates(session, plan)
    previous, next_date = reporting.around(dates, today)
    # A plan in force (or whose committee has a meeting to come) shows the period in progress
    # (what has come in since the last meeting, and what is missing), the last meeting's
    # picture one click away; an ended plan, or on the day of a meeting, as every "as at"
    # page does (the latest reporting date).
    meets_today = next_date is not None and next_date.reported_on == today
    in_progress = (
        date_arg() is None
        and not meets_today
        and (plan.period_start <= today <= plan.period_end or next_date is not None)
    )
    if in_progress:
        as_at, default = today, reporting.DefaultDate(today, "the period in progress")
    else:
        as_at, default = shown_as_at(session, plan)
    board = area_dashboard(session, found, plan, as_at, listed=DASHBOARD_ROWS)
    listed = [a.id for a in board.overdue + board.due_soon]
    return render_template(
        "dashboard.html",
        board=board,
        directions=travel.directions(session, listed, board.as_at),
        to_review=review.waiting_for_review(session, plan),
        next_date=next_date,
        previous=previous,
        in_progress=in_progress,
        missing=missing_updates(session, plan, next_date) if next_date else None,
        reworded=notices.pg5_rewordings(
            session, plan, previous.reported_on if previous else None, today
        ),
        area=found,
        due_days=DUE_SOON_DAYS,
        dates=dates,
        default=default,
        kpi_health=kpis.kpi_health(session, found, today),
        awaiting=shared.awaiting_decision(session, plan),
        trace=traceability(session, found, today),
    )


@bp.get("/areas/<slug>/plans/<plan_slug>/")
@cached_page
def plan(slug: str, plan_slug: str):
    session = db.get_session()
    found = found_or_404(plans.plan_by_slug, session, slug, plan_slug)
    as_at, default = shown_as_at(session, found)
    document = plan_document(session, found, as_at)
    indicator = _indicator_arg(session)
    if indicator is not None:
        document = only_actions(document, indicators.tagged_actions(session, found, indicator.id))
    return render_template(
        "plan.html",
        doc=document,
        indicator=indicator,
        indicator_options=indicators.indicator_choices(session),
        directions=travel.directions(session, [a.id for a in document.state.actions], as_at),
        area=found.area,
        dates=reporting.reporting_dates(session, found),
        default=default,
    )


def _indicator_arg(session) -> QualityIndicator | None:
    """The quality indicator a page is filtered by (``?indicator=<id>``); a bad one is a 400."""
    value = request.args.get("indicator", "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        abort(400, "“Quality indicator”: choose one of the quality indicators listed.")
    try:
        return indicators.indicator_by_id(session, int(value))
    except plans.NotFound:
        abort(400, "“Quality indicator”: choose one of the quality indicators listed.")


@bp.get("/areas/<slug>/plans/<plan_slug>/actions/")
@cached_page
def actions(slug: str, plan_slug: str):
    session = db.get_session()
    found: Plan = found_or_404(plans.plan_by_slug, session, slug, plan_slug)
    outcomes = list(
        session.scalars(select(Outcome).where(Outcome.plan_id == found.id).order_by(Outcome.number))
    )
    form = FormState(values={k: request.args.getlist(k) for k in request.args})
    try:
        criteria = ActionFilterForm().load(ActionFilterForm.from_form(request.args))
    except ValidationError as error:
        for name, problems in error.messages.items():  # type: ignore[union-attr]
            form.add_error(str(name), problems[0])
        criteria = ActionFilter()
    as_at = shown_as_at(session, found)[0]
    number = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    results = find_actions(session, [found.id], as_at, criteria, page=number, page_size=SEARCH_PAGE)
    return render_template(
        "actions.html",
        plan=found,
        area=found.area,
        state=results,
        directions=travel.directions(session, [a.id for a in results.actions], as_at),
        outcomes_options=[(str(o.number), f"{o.number}. {o.title}") for o in outcomes],
        status_options=[(s.value, s.label) for s in ProgressStatus],
        indicator_options=indicators.indicator_choices(session),
        matched=results.actions,
        total=results.total,
        page=number,
        pages=max(1, -(-results.total // SEARCH_PAGE)),
        criteria=criteria,
        form=form,
    ), (400 if form.errors else 200)

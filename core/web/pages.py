"""Read-only pages: the areas, and each plan as the published document lays it out."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for

from core import db
from core.services import plans
from core.services.document import plan_document
from core.services.summary import plan_states

bp = Blueprint("pages", __name__)


def _as_at() -> dt.date | None:
    value = request.args.get("as_at")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, f"{value!r} is not a date: use YYYY-MM-DD.")


@bp.get("/")
def index():
    session = db.get_session()
    areas = plans.areas(session)
    current = {a.id: plans.current_plan(a) for a in areas if a.plans}
    states = plan_states(session, list(current.values()))
    rows = []
    for area in areas:
        plan = current.get(area.id)
        rows.append((area, plan, states[plan.id].summary if plan else None))
    return render_template("index.html", rows=rows)


@bp.get("/areas/<slug>/")
def area(slug: str):
    session = db.get_session()
    try:
        plan = plans.current_plan(plans.area_by_slug(session, slug))
    except plans.NotFound as exc:
        abort(404, str(exc))
    return redirect(url_for("pages.plan", slug=slug, plan_slug=plan.slug))


@bp.get("/areas/<slug>/plans/<plan_slug>/")
def plan(slug: str, plan_slug: str):
    session = db.get_session()
    try:
        found = plans.plan_by_slug(session, slug, plan_slug)
    except plans.NotFound as exc:
        abort(404, str(exc))
    document = plan_document(session, found, _as_at())
    return render_template("plan.html", doc=document, area=found.area)

"""Reporting dates in the app: a plan's committee meetings (its coordinators and admins set
them), and TRIC PG5's for the Tayside rollup."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from core import db
from core.identity import signed_in_user
from core.models import Plan, ReportingDate
from core.outbox import after_change, period_event
from core.schemas.dates import parse_date
from core.services.accounts import permissions
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import FieldError
from core.services.plans import plans
from core.services.progress import period_locks, reporting
from core.services.progress.missing_updates import missing_updates
from core.web.form_schemas import PublicSettingForm, ReportingDateForm, ReviewSettingForm
from core.web.forms import FormState, submit
from core.web.pages import found_or_404

bp = Blueprint("reporting", __name__)


def _plan(slug: str, plan_slug: str) -> Plan:
    return found_or_404(plans.plan_by_slug, db.get_session(), slug, plan_slug)


def _page(plan: Plan | None, back: str):
    user = signed_in_user()
    may_change = (
        permissions.edits_shared(user) if plan is None else permissions.writes_area(user, plan.area)
    )
    saved, added, form = False, None, FormState()
    if request.method == "POST" and not may_change:
        try:
            reporting.require_changing_dates(user, plan)
        except PermissionDenied as refusal:
            abort(403, str(refusal))
    if may_change:
        saved, added, form = submit(
            ReportingDateForm,
            FormState(),
            lambda data: reporting.add_reporting_date(db.get_session(), plan, actor=user, **data),
        )
    if saved:
        flash(
            f"The reporting date {added.reported_on.day} {added.reported_on:%B %Y} has been added.",
            "success",
        )
        return redirect(back)
    return render_template(
        "reporting_dates.html",
        plan=plan,
        dates=reporting.reporting_dates(db.get_session(), plan),
        form=form,
        may_change=may_change,
        today=dt.date.today(),
    ), (400 if form.errors else 200)


def _record(plan: Plan | None, date_text: str) -> ReportingDate:
    """The plan's (or TRIC PG5's) reporting date named in the address, or 404."""
    try:
        day = parse_date(date_text)
    except ValueError:
        abort(404, "There is no such reporting date.")
    record = reporting.reporting_date_on(db.get_session(), plan, day)
    if record is None:
        whose = f"{plan.area.name}'s plan" if plan else "TRIC PG5"
        abort(404, f"{whose} has no reporting date on {day:%d/%m/%Y}.")
    return record


def _apply(plan: Plan | None, date_text: str, back: str, change, done: str, event: str = ""):
    """Run ``change(session, record, actor=...)`` on the named reporting date in one
    transaction; flash ``done`` (a format string of ``day``) or the refusal, and go ``back``.
    With ``event``, tell the plugins' ``after_change`` once it is saved."""
    record = _record(plan, date_text)
    day = record.reported_on
    try:
        with db.transaction() as session:
            change(session, record, actor=signed_in_user())
    except PermissionDenied as refusal:
        abort(403, str(refusal))
    except FieldError as error:
        flash(error.message, "important")
        return redirect(back)
    if event:
        after_change(period_event(record, event))
    flash(done.format(day=f"{day.day} {day:%B %Y}"), "success")
    return redirect(back)


def _remove(plan: Plan | None, date_text: str, back: str):
    return _apply(
        plan,
        date_text,
        back,
        reporting.remove_reporting_date,
        "The reporting date {day} has been removed.",
    )


@bp.route("/areas/<slug>/plans/<plan_slug>/reporting-dates", methods=["GET", "POST"])
def plan_dates(slug: str, plan_slug: str):
    plan = _plan(slug, plan_slug)
    return _page(plan, url_for("reporting.plan_dates", slug=slug, plan_slug=plan_slug))


@bp.post("/areas/<slug>/plans/<plan_slug>/reporting-dates/<date_text>/remove")
def remove_plan_date(slug: str, plan_slug: str, date_text: str):
    plan = _plan(slug, plan_slug)
    back = url_for("reporting.plan_dates", slug=slug, plan_slug=plan_slug)
    return _remove(plan, date_text, back)


@bp.route("/tric/reporting-dates", methods=["GET", "POST"])
def tric_dates():
    return _page(None, url_for("reporting.tric_dates"))


@bp.post("/tric/reporting-dates/<date_text>/remove")
def remove_tric_date(date_text: str):
    return _remove(None, date_text, url_for("reporting.tric_dates"))


@bp.get("/areas/<slug>/plans/<plan_slug>/reporting-dates/<date_text>/missing")
def missing(slug: str, plan_slug: str, date_text: str):
    """Every action with no update for the period up to this reporting date, by lead."""
    plan = _plan(slug, plan_slug)
    record = _record(plan, date_text)
    session = db.get_session()
    return render_template(
        "missing_updates.html", plan=plan, missing=missing_updates(session, plan, record)
    )


def _lock_change(slug: str, plan_slug: str, date_text: str, change, done: str, event: str):
    back = url_for("reporting.plan_dates", slug=slug, plan_slug=plan_slug)
    return _apply(_plan(slug, plan_slug), date_text, back, change, done, event)


@bp.post("/areas/<slug>/plans/<plan_slug>/reporting-dates/<date_text>/lock")
def lock(slug: str, plan_slug: str, date_text: str):
    """Lock the period up to a meeting: no update for it can then change but by an admin."""
    return _lock_change(
        slug,
        plan_slug,
        date_text,
        period_locks.lock_period,
        "The period up to {day} is locked.",
        "locked",
    )


@bp.post("/areas/<slug>/plans/<plan_slug>/reporting-dates/<date_text>/unlock")
def unlock(slug: str, plan_slug: str, date_text: str):
    """Unlock a period (administrators only)."""
    return _lock_change(
        slug,
        plan_slug,
        date_text,
        period_locks.unlock_period,
        "The period up to {day} is unlocked.",
        "unlocked",
    )


def _plan_setting(slug: str, plan_slug: str, schema, change, said, back: str):
    """Switch one of a plan's settings with ``change(plan, on)`` (its area's coordinators and
    admins), flash ``said(plan)`` (or the problem) and go ``back``."""
    plan = _plan(slug, plan_slug)
    name = next(iter(schema().fields))
    saved, _, form = submit(
        schema,
        FormState(),
        lambda data: change(db.get_session(), plan, signed_in_user(), data[name] == "on"),
    )
    if saved:
        flash(said(plan), "success")
    else:
        flash(" ".join(form.errors.values()), "error")
    return redirect(back)


@bp.post("/areas/<slug>/plans/<plan_slug>/review")
def review_setting(slug: str, plan_slug: str):
    """Switch review of contributors' updates on or off for a plan."""
    return _plan_setting(
        slug,
        plan_slug,
        ReviewSettingForm,
        lambda session, plan, user, on: plans.set_review(session, plan, actor=user, on=on),
        lambda plan: (
            "Contributors' updates now wait for a coordinator's review."
            if plan.review_updates
            else "Contributors' updates now count when posted."
        ),
        url_for("reporting.plan_dates", slug=slug, plan_slug=plan_slug) + "#review",
    )


@bp.post("/areas/<slug>/plans/<plan_slug>/public")
def public_setting(slug: str, plan_slug: str):
    """Show a published plan publicly, or stop."""
    return _plan_setting(
        slug,
        plan_slug,
        PublicSettingForm,
        lambda session, plan, user, on: plans.set_public(session, plan, actor=user, public=on),
        lambda plan: (
            "The plan is now public, at the address shown."
            if plan.public
            else "The plan is no longer public."
        ),
        url_for("pages.plan", slug=slug, plan_slug=plan_slug) + "#public",
    )

"""The committee report in the app: a page per plan to choose the reporting date and download
the report in each format, its print view, and what changed between two reporting dates."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from core import db, worker
from core.default_plugins.report_sections import changes
from core.downloads import attachment, made_report
from core.identity import signed_in_user
from core.models import Plan, ReportFile
from core.services.jobs import report_files
from core.services.plans import plans
from core.services.progress import reporting
from core.services.reports.formats import FORMATS, file_name, render
from core.services.reports.formats.html_format import html
from core.services.reports.report import CONTENTS, build_report
from core.services.reports.report_data import report_data
from core.web.documents import self_styled
from core.web.pages import date_arg, found_or_404, shown_as_at

bp = Blueprint("committee_report", __name__, url_prefix="/areas/<slug>/plans/<plan_slug>")


def _plan(slug: str, plan_slug: str) -> Plan:
    return found_or_404(plans.plan_by_slug, db.get_session(), slug, plan_slug)


def _report(slug: str, plan_slug: str):
    """The report asked for: its date (``as_at``) and paper (``contents``: full or summary)."""
    session = db.get_session()
    plan = _plan(slug, plan_slug)
    as_at, default = shown_as_at(session, plan)
    contents = request.args.get("contents", "full")
    if contents not in CONTENTS:
        abort(400, f"“Paper”: choose {' or '.join(CONTENTS)}.")
    plugins = current_app.extensions["cpc_plugins"]
    return build_report(session, plugins, plan, as_at, contents), default


@bp.get("/report/")
def page(slug: str, plan_slug: str):
    report, default = _report(slug, plan_slug)
    return render_template(
        "committee_report.html",
        report=report,
        plan=report.plan,
        area=report.plan.area,
        formats=FORMATS,
        slow_formats=report_files.SLOW_FORMATS,
        papers=CONTENTS,
        dates=reporting.reporting_dates(db.get_session(), report.plan),
        default=default,
    )


@bp.get("/report/download")
def download(slug: str, plan_slug: str):
    """The report in the format asked for: made here in the quick formats; in PDF and Word,
    served at once if it is made already for the data as it is, else made by a job, whose
    page shows its progress and then offers the download."""
    key = request.args.get("format", "")
    if key not in FORMATS:
        abort(400, f"Choose a format: {', '.join(FORMATS)}.")
    if key in report_files.SLOW_FORMATS:
        return _by_job(slug, plan_slug, key)
    report, _ = _report(slug, plan_slug)
    return attachment(render(report, key), FORMATS[key].mimetype, file_name(report, key))


def _by_job(slug: str, plan_slug: str, key: str):
    contents = request.args.get("contents", "full")
    if contents not in CONTENTS:
        abort(400, f"“Paper”: choose {' or '.join(CONTENTS)}.")
    with db.transaction() as session:
        plan = _plan(slug, plan_slug)
        as_at, _ = shown_as_at(session, plan)
        found = report_files.ask(session, plan, as_at, contents, key, signed_in_user().id)
    if isinstance(found, ReportFile):
        return made_report(found)
    worker.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    return redirect(url_for("jobs.job_page", job_id=found.id), 303)


@bp.get("/report/print")
def print_view(slug: str, plan_slug: str):
    report, _ = _report(slug, plan_slug)
    return self_styled(html(report, in_app=True))


@bp.get("/changes/")
def what_changed(slug: str, plan_slug: str):
    """What changed between two reporting dates (by default the latest and the one before)."""
    session = db.get_session()
    plan = _plan(slug, plan_slug)
    to = date_arg("to", "To") or reporting.default_as_at(session, plan).day
    since = date_arg("from", "From")
    if since is not None and since >= to:
        abort(400, "“From” must be before “to”: choose an earlier reporting date to compare with.")
    data = report_data(session, plan, to, since)
    return render_template(
        "what_changed.html",
        plan=plan,
        area=plan.area,
        data=data,
        section=changes(data),
        dates=reporting.reporting_dates(session, plan),
    )

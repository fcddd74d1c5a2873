"""Annual reports in the app: an area's reporting years and the month they start; a year's
report (its template, each section's narrative and what the record fills in, downloads in
Word, PDF and HTML, the committee's approval, and making it public); writing a narrative
section (every version kept; a save from an old version shows both texts); and the public
page of an approved report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import fields, validate

from core import db, worker
from core.downloads import attachment, made_report
from core.hooks.annual import DATA_BLOCKS
from core.identity import signed_in_user
from core.models import AnnualReport, ReportFile
from core.services.accounts import permissions
from core.services.errors import FieldError
from core.services.jobs import report_files
from core.services.plans import plans
from core.services.reports import annual
from core.services.reports.annual_data import Year
from core.services.reports.formats import annual_formats
from core.web.documents import self_styled
from core.web.form_schemas import FormSchema, _edited_from, _length
from core.web.forms import FormState, allowed, submit
from core.web.pages import found_or_404

bp = Blueprint("annual_reports", __name__)
MONTHS = [(str(n), dt.date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class NarrativeForm(FormSchema):
    text = fields.String(load_default="", validate=_length(annual.MAX_TEXT, "The text"))
    version = _edited_from("version")


class TemplateForm(FormSchema):
    template = fields.String(
        required=True,
        validate=_length(80, "The template"),
        error_messages={"required": "Choose a template."},
    )


class YearStartForm(FormSchema):
    month = fields.Integer(
        required=True,
        validate=validate.Range(1, 12, error="Choose a month."),
        error_messages={"required": "Choose a month.", "invalid": "Choose a month."},
    )


class ApproveForm(FormSchema):
    revision = _edited_from("revision")
    approved_on = fields.Date(
        required=True,
        error_messages={
            "required": "Give the date the committee approved it.",
            "invalid": "Enter the date as a real date, like 2022-10-05.",
        },
    )


def _area(slug: str) -> annual.Scope:
    """The area (``tayside``: TRIC PG5's Tayside-wide report)."""
    if slug == annual.TAYSIDE.slug:
        return annual.TAYSIDE
    return found_or_404(plans.area_by_slug, db.get_session(), slug)


def _year(area: annual.Scope, label: str) -> Year:
    try:
        return annual.year_for(db.get_session(), area, label)
    except ValueError as problem:
        abort(404, str(problem))


def _plugins():
    return current_app.extensions["cpc_plugins"]


@bp.get("/areas/<slug>/annual-reports/")
def years(slug: str):
    area = _area(slug)
    return render_template(
        "annual_reports.html",
        area=area,
        labels=annual.years_of(area),
        begun=annual.reports_of(db.get_session(), area),
        may_change=annual.writes(signed_in_user(), area),
        months=MONTHS,
        form=FormState.with_defaults(month=area.year_starts_month),
    )


@bp.post("/areas/<slug>/annual-reports/year-start")
def year_start(slug: str):
    area = _area(slug)
    allowed(annual.require_writer, area)

    if area.id is None:
        abort(404, "Tayside's reporting years start on 1 August.")

    def write(data: dict[str, Any]) -> int:
        permissions.require_area(signed_in_user(), area)  # type: ignore[arg-type]
        area.year_starts_month = data["month"]  # type: ignore[misc]
        return data["month"]

    saved, month, form = submit(YearStartForm, FormState(), write)
    if saved:
        flash(f"{area.name}'s reporting years now start on 1 {MONTHS[month - 1][1]}.", "success")
    else:
        flash(next(iter(form.errors.values())), "error")
    return redirect(url_for("annual_reports.years", slug=area.slug))


def _page(
    area: annual.Scope, year: Year, status: int = 200, template_form: FormState | None = None
):
    session = db.get_session()
    report = annual.report_of(session, area, year)
    found = annual.templates(_plugins())
    template = found.get(report.template_key if report else None)
    texts = annual.current_texts(session, report)
    return render_template(
        "annual_report.html",
        area=area,
        year=year,
        report=report,
        template=template,
        templates=found,
        texts=texts,
        data_blocks=DATA_BLOCKS,
        may_change=annual.writes(signed_in_user(), area),
        template_form=template_form or FormState.with_defaults(template=template.key),
        approve_form=FormState.with_defaults(approved_on=dt.date.today().isoformat()),
        formats=annual_formats.FORMATS,
    ), status


@bp.get("/areas/<slug>/annual-reports/<year>/")
def show(slug: str, year: str):
    area = _area(slug)
    return _page(area, _year(area, year))


@bp.post("/areas/<slug>/annual-reports/<year>/template")
def choose_template(slug: str, year: str):
    """Begin the year's report with a template, or change its template (before approval)."""
    area = _area(slug)
    chosen_year = _year(area, year)
    allowed(annual.require_writer, area)
    session = db.get_session()
    found = annual.templates(_plugins())

    def write(data: dict[str, Any]) -> AnnualReport:
        if data["template"] not in found.by_key:
            raise FieldError("template", "Choose one of the templates listed.")
        template = found.by_key[data["template"]]
        report = annual.start(session, area, chosen_year, template, actor=signed_in_user())
        if report.template_key != template.key:
            annual.choose_template(session, report, template, actor=signed_in_user())
        return report

    saved, _, form = submit(TemplateForm, FormState(), write)
    if saved:
        flash("The annual report's template is set.", "success")
        return redirect(url_for("annual_reports.show", slug=area.slug, year=chosen_year.label))
    return _page(area, chosen_year, 400, form)


@bp.route("/areas/<slug>/annual-reports/<year>/sections/<section>/edit", methods=["GET", "POST"])
def edit_section(slug: str, year: str, section: str):
    area = _area(slug)
    chosen_year = _year(area, year)
    allowed(annual.require_writer, area)
    session = db.get_session()
    found = annual.templates(_plugins())
    report = annual.report_of(session, area, chosen_year)
    template = found.get(report.template_key if report else None)
    key = section
    chosen = next((s for s in template.sections if s.key == key and s.narrative), None)
    if chosen is None:
        abort(404, f"The {template.title} has no section {key!r} to write.")
    current = annual.current_texts(session, report).get(key)
    form = FormState.with_defaults(
        text=current.text if current else "", version=current.version if current else 0
    )
    theirs: list[str] = []

    def write(data: dict[str, Any]):
        made = annual.start(session, area, chosen_year, template, actor=signed_in_user())
        try:
            return annual.save_text(
                session,
                made,
                chosen,
                data["text"],
                read_version=data["version"],
                actor=signed_in_user(),
            )
        except annual.NarrativeClash as clash:
            theirs.append(clash.theirs)
            raise

    saved, version, form = submit(NarrativeForm, form, write)
    if saved:
        flash(
            f"“{chosen.heading}” has been saved." if version else "Nothing was changed.",
            "success",
        )
        return redirect(url_for("annual_reports.show", slug=area.slug, year=chosen_year.label))
    if theirs:  # save again on top of theirs: the form now carries their version
        latest = annual.current_texts(session, annual.report_of(session, area, chosen_year))
        form.values["version"] = [str(latest[key].version)]
    report = annual.report_of(session, area, chosen_year)
    return render_template(
        "annual_section_form.html",
        area=area,
        year=chosen_year,
        section=chosen,
        form=form,
        theirs=theirs[0] if theirs else None,
        history=annual.history(session, report, key) if report else [],
        locked=bool(report and report.approved),
    ), (409 if theirs else 400 if form.errors else 200)


def _begun(area: annual.Scope, year: Year) -> AnnualReport:
    report = annual.report_of(db.get_session(), area, year)
    if report is None:
        abort(404, f"The {year.label} report has not been begun: choose its template first.")
    return report


@bp.post("/areas/<slug>/annual-reports/<year>/approve")
def approve(slug: str, year: str):
    area = _area(slug)
    chosen_year = _year(area, year)
    allowed(annual.require_writer, area)
    session = db.get_session()
    report = _begun(area, chosen_year)

    def write(data: dict[str, Any]) -> None:
        document = annual.build(session, _plugins(), area, chosen_year)
        annual.approve(
            session,
            report,
            document,
            actor=signed_in_user(),
            revision=data["revision"],
            on=data["approved_on"],
        )

    saved, _, form = submit(ApproveForm, FormState(), write)
    if saved:
        _make_pdf(area, chosen_year)
        flash(
            "The annual report is approved: its words and figures are now kept as they are.",
            "success",
        )
    else:
        flash(next(iter(form.errors.values())), "error")
    return redirect(url_for("annual_reports.show", slug=area.slug, year=chosen_year.label))


@bp.post("/areas/<slug>/annual-reports/<year>/public")
def public_setting(slug: str, year: str):
    area = _area(slug)
    chosen_year = _year(area, year)
    allowed(annual.require_writer, area)
    session = db.get_session()
    report = _begun(area, chosen_year)

    def write(_data: dict[str, Any]) -> bool:
        annual.set_public(session, report, not report.public, actor=signed_in_user())
        return report.public

    saved, public, form = submit(FormSchema, FormState(), write)
    if saved and public:
        _make_pdf(area, chosen_year)
    if saved:
        flash(
            "The annual report is now public, at the address shown."
            if public
            else "The annual report is no longer public.",
            "success",
        )
    else:
        flash(next(iter(form.errors.values())), "error")
    return redirect(url_for("annual_reports.show", slug=area.slug, year=chosen_year.label))


@bp.get("/areas/<slug>/annual-reports/<year>/download")
def download(slug: str, year: str):
    """The report in Word or PDF (made by a job, or served at once if made already for the
    data as it is) or HTML (made here)."""
    area = _area(slug)
    chosen_year = _year(area, year)
    key = request.args.get("format", "")
    if key not in annual_formats.FORMATS:
        abort(400, f"Choose a format: {', '.join(annual_formats.FORMATS)}.")
    session = db.get_session()
    if key == "html":
        document = annual.build(session, _plugins(), area, chosen_year)
        return attachment(
            annual_formats.render(document, key),
            annual_formats.FORMATS[key],
            annual_formats.file_name(document, key),
        )
    plan = _plan_of(area, chosen_year)
    with db.transaction():
        found = report_files.ask_annual(session, area, chosen_year, plan, key, signed_in_user().id)
    if isinstance(found, ReportFile):
        return made_report(found)
    worker.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    return redirect(url_for("jobs.job_page", job_id=found.id), 303)


@bp.get("/public/<slug>/annual/<year>/")
def public_page(slug: str, year: str):
    """An approved annual report its area made public, readable without an account."""
    document = _public(slug, year)
    return self_styled(annual_formats.html(document, public=True))


@bp.get("/public/<slug>/annual/<year>/annual-report.pdf")
def public_pdf(slug: str, year: str):
    """The approved report's PDF, made by a job on approval (and again if asked for once the
    kept file has been removed: then "try again in a minute")."""
    session = db.get_session()
    report = annual.public_report(session, slug, year)
    if report is None or report.approved_at is None:
        abort(404, "There is no public annual report here.")
    area = annual.scope_of(report)
    chosen_year = annual.year_for(session, area, year)
    found = report_files.approved_file(
        session, _plan_of(area, chosen_year), chosen_year, "pdf", report.approved_at
    )
    if found is not None:
        return made_report(found)
    _make_pdf(area, chosen_year)
    page = render_template(
        "error.html",
        title="The PDF is being made",
        message="The PDF of this report is being made: try again in a minute.",
    )
    return page, 503, {"Retry-After": "60"}


def _plan_of(area: annual.Scope, year: Year):
    return found_or_404(annual.plan_of, db.get_session(), area, year)


def _make_pdf(area: annual.Scope, year: Year) -> None:
    """Queue the PDF of the report (the public one is served from it)."""
    with db.transaction() as session:
        report_files.ask_annual(session, area, year, _plan_of(area, year), "pdf", None)
    worker.wake(current_app._get_current_object())  # type: ignore[attr-defined]


def _public(slug: str, label: str) -> annual.AnnualDocument:
    session = db.get_session()
    report = annual.public_report(session, slug, label)
    if report is None:
        abort(404, "There is no public annual report here.")
    area = annual.scope_of(report)
    return annual.build(session, _plugins(), area, annual.year_for(session, area, label))

"""An area's annual report for a reporting year, in JSON or as a file."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from core import db, worker
from core.api.common import me, writing
from core.api.jobs import job_json
from core.downloads import attachment, made_report
from core.models import ReportFile
from core.services.jobs import report_files
from core.services.plans import plans
from core.services.reports import annual
from core.services.reports.formats import annual_formats
from core.services.reports.formats.json_format import block_json

bp = Blueprint("annual_api", __name__, url_prefix="/api/v1", description="Annual reports")
BLUEPRINTS = (bp,)


class AnnualArgs(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", *annual_formats.FORMATS]),
        metadata={"description": "json (default), docx, pdf or html"},
    )
    template = fields.String(
        load_default=None,
        validate=validate.Length(max=80),
        metadata={"description": "A template's key (default: the report's own); JSON and HTML"},
    )


@bp.get("/areas/<slug>/annual-reports/<year>")
@bp.arguments(AnnualArgs, location="query", unknown=RAISE)
@bp.doc(
    responses={
        "200": {
            "description": "The report: JSON sections, or the file in the format asked for",
            "content": {
                "application/json": {},
                **{m.split(";")[0]: {} for m in annual_formats.FORMATS.values()},
            },
        },
        "202": {
            "description": "PDF and Word not made yet for the data as it is: the job making it",
            "content": {"application/json": {}},
        },
    }
)
def annual_report(args, slug: str, year: str):
    """An area's annual report for a reporting year (like `2021-22`; the area `tayside`: TRIC
    PG5's Tayside-wide report): its template's
    sections in order, each with the narrative written in the app and the figures of the
    record as at the year's end (as approved, once the committee approved it), as JSON, or as
    a `docx`, `pdf` or `html` file (PDF and Word made by a job: 202 with the job's URL)."""
    session = db.get_session()
    try:
        area = annual.TAYSIDE if slug == annual.TAYSIDE.slug else plans.area_by_slug(session, slug)
        chosen = annual.year_for(session, area, year)
    except plans.NotFound as missing:
        abort(404, message=str(missing))
    except ValueError as problem:
        abort(404, message=str(problem))
    key = args["format"]
    if key in ("pdf", "docx"):
        try:
            plan = annual.plan_of(session, area, chosen)
        except plans.NotFound as missing:
            abort(404, message=str(missing))
        with writing() as session:
            found = report_files.ask_annual(session, area, chosen, plan, key, me().id)
        if isinstance(found, ReportFile):
            return made_report(found)
        worker.wake(current_app._get_current_object())  # type: ignore[attr-defined]
        answer = jsonify(job_json(found))
        answer.status_code = 202
        answer.headers["Location"] = answer.json["url"]
        return answer
    document = annual.build(
        session, current_app.extensions["cpc_plugins"], area, chosen, template_key=args["template"]
    )
    if key == "html":
        return attachment(
            annual_formats.render(document, key),
            annual_formats.FORMATS[key],
            annual_formats.file_name(document, key),
        )
    return {
        "title": document.title,
        "area": area.slug,
        "year": chosen.label,
        "starts_on": chosen.starts_on.isoformat(),
        "ends_on": chosen.ends_on.isoformat(),
        "as_at": chosen.as_at.isoformat(),
        "template": document.template.key,
        "approved_on": document.approved_on.isoformat() if document.approved_on else None,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "order": s.order,
                "blocks": [block_json(b) for b in s.blocks],
            }
            for s in document.sections
        ],
        "skipped_plugins": [str(p) for p in document.problems],
    }

"""A plan's committee progress report, in JSON or as a file."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from core import db, worker
from core.api.areas import get_or_404
from core.api.common import me, writing
from core.api.jobs import job_json
from core.downloads import attachment, made_report
from core.models import Plan, ReportFile
from core.schemas.dates import PlanDate
from core.services.jobs import report_files
from core.services.progress import reporting
from core.services.reports.formats import FORMATS, file_name, render
from core.services.reports.formats.json_format import as_json
from core.services.reports.report import CONTENTS, build_report

report_bp = Blueprint("report_api", __name__, url_prefix="/api/v1", description="Reports")
BLUEPRINTS = (report_bp,)


class ReportArgs(Schema):
    class Meta:
        unknown = RAISE

    as_at = PlanDate(
        load_default=None,
        metadata={
            "description": "The reporting date (default: the plan's latest reporting date on or "
            "before today, else the end of an ended plan, else today)"
        },
    )
    contents = fields.String(
        load_default="full",
        validate=validate.OneOf(list(CONTENTS)),
        metadata={
            "description": "full (default: all of it) or summary (what changed, updates not "
            "received, exceptions, the Progress/Update table, KPIs and the CYPFP page)"
        },
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", *FORMATS]),
        metadata={"description": "json (default), " + ", ".join(FORMATS)},
    )


@report_bp.get("/plans/<id:plan_id>/report")
@report_bp.arguments(ReportArgs, location="query", unknown=RAISE)
@report_bp.doc(
    responses={
        "200": {
            "description": "The report: JSON sections, or the file in the format asked for",
            "content": {
                "application/json": {},
                **{fmt.mimetype.split(";")[0]: {} for fmt in FORMATS.values()},
            },
        },
        "202": {
            "description": "PDF and Word not made yet for the data as it is: the job making "
            "it (follow `Location`, `GET /api/v1/jobs/{id}`, until its `result_url` is set)",
            "content": {"application/json": {}},
        },
    }
)
def plan_report(args, plan_id: int):
    """The plan's committee progress report as at a reporting date: its sections (what changed
    since the last report, the Progress/Update Report table, RAG by outcome with the direction
    of travel, exceptions, the whole plan, the appendices and the partnership summary) as
    JSON, or as a `docx`, `pdf`, `xlsx`, `csv` or `html` file. PDF and Word are made by a job:
    served at once if made already for the data as it is, else 202 with the job's URL."""
    plan = get_or_404(Plan, plan_id)
    key = args["format"]
    if key in report_files.SLOW_FORMATS:
        return _by_job(plan, args, key)
    report = build_report(
        db.get_session(),
        current_app.extensions["cpc_plugins"],
        plan,
        args["as_at"],
        args["contents"],
    )
    if key == "json":
        return as_json(report)
    return attachment(render(report, key), FORMATS[key].mimetype, file_name(report, key))


def _by_job(plan: Plan, args: dict, key: str):
    """PDF and Word: the file at once if it is made already for the data as it is; else 202
    with the job making it (``Location``: ``GET /api/v1/jobs/{id}``)."""
    with writing() as session:
        as_at = args["as_at"] or reporting.default_as_at(session, plan).day
        found = report_files.ask(session, plan, as_at, args["contents"], key, me().id)
    if isinstance(found, ReportFile):
        return made_report(found)
    worker.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    answer = jsonify(job_json(found))
    answer.status_code = 202
    answer.headers["Location"] = answer.json["url"]
    return answer

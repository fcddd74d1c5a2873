"""Jobs: a report being prepared (or any job, for an admin) and what it made."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from core import db
from core.api.common import me
from core.downloads import made_report
from core.enums import JobState, Role
from core.models import Job
from core.services.jobs import report_files

jobs_bp = Blueprint("api_jobs", __name__, url_prefix="/api/v1/jobs", description="Jobs")
BLUEPRINTS = (jobs_bp,)


class JobSchema(Schema):
    id = fields.Integer(metadata={"description": "The job's number"})
    kind = fields.String(metadata={"description": "report, email or webhook"})
    title = fields.String(metadata={"description": "What it is, in words"})
    state = fields.Enum(
        JobState, by_value=True, metadata={"description": "waiting, running, done or failed"}
    )
    progress = fields.Integer(metadata={"description": "0 to 100"})
    step = fields.String(metadata={"description": "What it is doing now"})
    attempts = fields.Integer(metadata={"description": "Tries so far"})
    error = fields.String(metadata={"description": "Why the last try failed (empty if none)"})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    url = fields.String(metadata={"description": "This job"})
    result_url = fields.String(
        allow_none=True, metadata={"description": "Its file, once it is done (else null)"}
    )


def job_json(job: Job) -> dict:
    made = report_files.result_file(db.get_session(), job)
    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "state": job.state,
        "progress": job.progress,
        "step": job.step,
        "attempts": job.attempts,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "url": url_for("api_jobs.get_job", job_id=job.id),
        "result_url": url_for("api_jobs.job_result", job_id=job.id) if made else None,
    }


def _job(job_id: int) -> Job:
    job = db.get_session().get(Job, job_id)
    user = me()
    if job is None or (user.role is not Role.ADMIN and job.user_id != user.id):
        abort(404, message=f"There is no job {job_id} of yours.")
    return job


@jobs_bp.get("/<id:job_id>")
@jobs_bp.response(200, JobSchema)
def get_job(job_id: int):
    """A job you asked for (admins: any job): its state, how far it is, and once it is done
    the URL of what it made. A report asked for in PDF or Word answers 202 with this URL."""
    return job_json(_job(job_id))


@jobs_bp.get("/<id:job_id>/result")
@jobs_bp.doc(responses={"200": {"description": "The file the job made"}})
def job_result(job_id: int):
    """The file a finished job made (a report in PDF or Word); 404 until it is done, or once
    it is no longer kept (a week)."""
    job = _job(job_id)
    made = report_files.result_file(db.get_session(), job)
    if made is None:
        abort(404, message=f"Job {job_id} has no file: it is {job.state.value}.")
    return made_report(made)

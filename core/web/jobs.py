"""Jobs in the app: following a report being prepared (its progress, then its download), and
the admins' Jobs page (waiting, running and failed jobs, with the reason, and retry)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from core import db, worker
from core.downloads import made_report
from core.enums import JobState, Role
from core.identity import signed_in_user
from core.models import Job
from core.services.errors import Conflict
from core.services.jobs import queue, report_files
from core.web.forms import admins_only

bp = Blueprint("jobs", __name__)
admin = Blueprint("jobs_admin", __name__, url_prefix="/admin/jobs")
admin.before_request(admins_only)
PER_PAGE = 50


def followed_job(job_id: int) -> Job:
    """A job the signed-in user may follow: their own, or any for an admin; else 404 (a job's
    number says nothing of whether it exists)."""
    job = db.get_session().get(Job, job_id)
    me = signed_in_user()
    if job is None or (me.role is not Role.ADMIN and job.user_id != me.id):
        abort(404, f"There is no job {job_id} of yours.")
    return job


@bp.get("/jobs/<id:job_id>/")
def job_page(job_id: int):
    """A job being done: what it is, how far it is, and its file when ready. The page checks
    again by itself (script), or by its "Check again" link."""
    job = followed_job(job_id)
    return render_template(
        "job.html", job=job, file=report_files.result_file(db.get_session(), job)
    )


@bp.get("/jobs/<id:job_id>/file")
def job_file(job_id: int):
    job = followed_job(job_id)
    made = report_files.result_file(db.get_session(), job)
    if made is None:
        abort(404, "This job has no file (yet): it may still be running, or its file was removed.")
    return made_report(made)


@admin.get("/")
def index():
    """Jobs newest first, of one state or all, a page at a time."""
    state_text = request.args.get("state", "")
    state = next((s for s in JobState if s.value == state_text), None)
    if state_text and state is None:
        abort(400, "“State”: choose waiting, running, done or failed.")
    try:
        page = max(1, min(10_000, int(request.args.get("page", "1"))))
    except ValueError:
        abort(400, "“Page” must be a whole number.")
    session = db.get_session()
    rows = queue.listing(session, state, page=page, per_page=PER_PAGE + 1)
    return render_template(
        "jobs.html",
        rows=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        state=state,
        counts=queue.counts(session),
        states=list(JobState),
    )


@admin.post("/<id:job_id>/retry")
def retry(job_id: int):
    try:
        with db.transaction() as session:
            job = queue.retry(session, job_id)
    except Conflict as refused:
        abort(409, refused.message)
    worker.wake(_app())
    flash(f"Job {job.id} is waiting to run again.", "success")
    return redirect(url_for("jobs_admin.index", state="failed"))


def _app():
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]

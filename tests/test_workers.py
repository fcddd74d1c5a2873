"""`cpc worker` processes sharing one PostgreSQL queue: every job run, none run twice at once,
and a job whose worker is killed in the middle of it taken back and finished by the other."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from core.enums import JobState
from core.models import Job, ReportFile
from core.services.jobs import report_files
from tests.helpers import in_session, plan_of

pytestmark = pytest.mark.skipif(
    not os.environ.get("CPC_DATABASE_URL"), reason="worker processes share a PostgreSQL queue"
)
JOBS = 50
LEASE = 2  # seconds without a heartbeat before a killed worker's job is taken back


def _worker(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CPC_DATABASE_URL": database_url,
        "CPC_SECRET_KEY": "test",
        "CPC_JOB_LEASE_SECONDS": str(LEASE),
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _jobs(app) -> list[Job]:
    return in_session(app, lambda s: list(s.scalars(sa.select(Job).order_by(Job.id))))


def test_two_workers_run_fifty_report_jobs_once_each_though_one_is_killed_mid_job(
    app, database_url
):
    def queue_reports(session):
        plan = plan_of(session)
        # First, a PDF (seconds of work: the one the killed worker will be in the middle of),
        # then 49 CSVs for 49 different dates.
        first = report_files.ask(session, plan, dt.date(2022, 9, 30), "summary", "pdf", None)
        for day in range(1, JOBS):
            as_at = dt.date(2022, 1, 1) + dt.timedelta(days=day)
            report_files.ask(session, plan, as_at, "full", "csv", None)
        session.commit()
        return first.id

    pdf_job = in_session(app, queue_reports)
    assert len(_jobs(app)) == JOBS
    doomed = _worker(database_url)
    survivor = None
    try:
        running = _until(
            lambda: next(
                (j for j in _jobs(app) if j.id == pdf_job and j.state is JobState.RUNNING), None
            ),
            60,
            "the first worker taking the PDF job",
        )
        assert f":{doomed.pid}:" in running.worker
        survivor = _worker(database_url)
        doomed.send_signal(signal.SIGKILL)  # in the middle of the PDF
        doomed.wait(timeout=10)
        done = _until(
            lambda: (jobs := _jobs(app)) and all(j.state is JobState.DONE for j in jobs) and jobs,
            240,
            "every job done",
        )
    finally:
        for process in (doomed, survivor):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    by_id = {job.id: job for job in done}
    assert len(done) == JOBS
    taken_back = by_id[pdf_job]
    # Tried by the killed worker, then taken back and finished by the other.
    assert taken_back.attempts == 2 and f":{survivor.pid}:" in taken_back.worker
    assert all(job.attempts == 1 for job in done if job.id != pdf_job)  # none run twice
    files = in_session(
        app, lambda s: s.scalars(sa.select(ReportFile.id).order_by(ReportFile.id)).all()
    )
    assert sorted(job.result["report_file"] for job in done) == list(files)  # one each
    assert len(files) == JOBS

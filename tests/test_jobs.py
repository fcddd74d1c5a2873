"""The job queue as its users meet it: a report in PDF or Word prepared by a job and then
offered for download (in the app and through the API), served at once when asked again for
the same data and made anew after a change; emails tried again with back-off and never twice;
a job whose worker was killed taken back; the admins' Jobs page; and the webhook."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core import data_version, db
from core.enums import JobState, Rag, ReviewState
from core.models import Job, ProgressUpdate, ReportFile, ReportingDate, SharedAction
from core.outbox import after_change, period_event, shared_event, update_event
from core.services import mail
from core.services.jobs import emails, queue
from core.worker import Worker
from tests.conftest import add_accounts
from tests.helpers import (
    PK,
    SEPTEMBER,
    AuthActions,
    action,
    csrf_token,
    download_by_job,
    in_session,
    plan_of,
    report,
)

PLAN = f"/areas/{PK}/plans/2021-2023"
PDF = f"{PLAN}/report/download?as_at={SEPTEMBER.isoformat()}&format=pdf&contents=summary"


def _jobs(app) -> list[Job]:
    return in_session(app, lambda s: list(s.scalars(sa.select(Job).order_by(Job.id))))


@pytest.mark.usefixtures("meetings")
def test_a_pdf_is_prepared_by_a_job_then_served_at_once_until_the_data_changes(app, client, auth):
    auth.login("pk")
    asked = client.get(PDF)
    assert asked.status_code == 303  # to the job's page, not a wait for the file
    job_page = client.get(asked.headers["Location"])
    assert "Preparing" in job_page.text and "Check again" in job_page.text
    assert "<progress" in job_page.text
    # Asking again while it waits joins the same job.
    assert client.get(PDF).headers["Location"] == asked.headers["Location"]
    assert len(_jobs(app)) == 1

    first = download_by_job(client, PDF)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(first.data)).pages)
    assert "progress report as at 30 September 2022" in text
    assert first.headers["Content-Disposition"].endswith('-summary-report-2022-09-30.pdf"')

    again = client.get(PDF)  # made already for the data as it is: at once, no new job
    assert again.status_code == 200 and again.data == first.data
    assert len(_jobs(app)) == 1

    # A change to the plan's data: the file made before is not served for it.
    def post(session):
        report(session, "1.2", Rag.GREEN, on=SEPTEMBER - dt.timedelta(days=3))

    in_session(app, post)
    assert client.get(PDF).status_code == 303
    assert len(_jobs(app)) == 2


@pytest.mark.usefixtures("meetings")
def test_the_api_answers_202_with_the_job_and_its_file_once_done(app, client, auth):
    auth.login("pk")
    plan_id = in_session(app, lambda s: plan_of(s).id)
    url = f"/api/v1/plans/{plan_id}/report?as_at=2022-09-30&format=docx"
    asked = client.get(url)
    assert asked.status_code == 202
    job = asked.get_json()
    assert asked.headers["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert job["state"] == "waiting" and job["result_url"] is None
    assert client.get(f"{job['url']}/result").status_code == 404
    app.extensions["cpc_jobs"].wait()
    done = client.get(job["url"]).get_json()
    assert done["state"] == "done" and done["progress"] == 100
    word = client.get(done["result_url"])
    assert word.status_code == 200 and word.data[:2] == b"PK"
    assert client.get(url).status_code == 200  # now at once
    # Somebody else's job is not theirs to follow.
    auth.logout()
    auth.login("angus")
    assert client.get(job["url"]).status_code == 404
    assert client.get(f"/jobs/{job['id']}/file").status_code == 404


def test_the_data_version_counts_committed_changes_only(app, accounts):
    def version():
        return in_session(app, data_version.current)

    start = version()

    def reword(session):
        action(session, "1.1").text = "Synthetic: reworded."
        session.commit()

    in_session(app, reword)
    assert version() == start + 1

    def core_update_then_rollback(session):
        session.execute(sa.text("UPDATE actions SET text = 'x' WHERE id = -1"))
        session.rollback()

    in_session(app, core_update_then_rollback)
    assert version() == start + 1  # nothing committed

    def core_update(session):
        session.execute(sa.text("UPDATE plans SET summary = summary"))
        session.commit()

    in_session(app, core_update)
    assert version() == start + 2
    AuthActions(app.test_client(), accounts).login("pk")
    assert version() == start + 2  # a sign-in changes no plan data


def test_an_email_is_tried_three_times_with_back_off_then_failed_and_retried_by_an_admin(
    make_app, smtp_server, password_hash
):
    app = make_app(SMTP_URL="smtp://127.0.0.1:9", BASE_URL="https://cpc.test.invalid")
    names = add_accounts(app, password_hash)

    def queue_one(session):
        emails.enqueue(session, [mail.Mail("someone@test.invalid", "Synthetic", "Hello")])
        session.commit()

    in_session(app, queue_one)
    jobs = app.extensions["cpc_jobs"]
    for attempt in (1, 2, 3):
        jobs.wait()
        (job,) = _jobs(app)
        assert job.attempts == attempt and "The mail server did not take it" in job.error
        if attempt < 3:
            assert job.state is JobState.WAITING
            run_after = job.run_after.replace(tzinfo=dt.UTC)  # UTC (SQLite keeps no zone)
            wait = (run_after - dt.datetime.now(dt.UTC)).total_seconds()
            assert 30 * 4 ** (attempt - 1) - 5 < wait <= 30 * 4 ** (attempt - 1)

            def due_now(session):
                session.execute(sa.update(Job).values(run_after=queue.now()))
                session.commit()

            in_session(app, due_now)
    assert job.state is JobState.FAILED

    admin = app.test_client()
    AuthActions(admin, names).login("admin")
    page = admin.get("/admin/jobs/?state=failed")
    assert page.status_code == 200
    assert "Email to someone@test.invalid: Synthetic" in page.text
    assert "The mail server did not take it" in page.text and "3 of 3" in page.text
    # The mail server is mended; the admin retries; it is sent once.
    app.config["SMTP_URL"] = smtp_server.url
    token = csrf_token(admin, "/admin/jobs/?state=failed")
    retried = admin.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert retried.status_code == 302
    assert admin.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token}).status_code == 409
    received = smtp_server.take(app)
    assert [m["Subject"] for m in received] == ["Synthetic"]
    (job,) = _jobs(app)
    assert job.state is JobState.DONE and "body" not in job.args  # the body is not kept
    # Others may not see or use the Jobs page.
    coordinator = app.test_client()
    AuthActions(coordinator, names).login("pk")
    assert coordinator.get("/admin/jobs/").status_code == 403


def test_a_job_whose_worker_stopped_is_taken_back_but_an_email_is_never_sent_twice(app):
    def two_jobs(session):
        emails.enqueue(session, [mail.Mail("someone@test.invalid", "Synthetic", "Hello")])
        queue.enqueue(session, "report", {"plan_id": plan_of(session).id}, title="Synthetic")
        session.commit()
        first = queue.claim(session, "killed-worker")
        second = queue.claim(session, "killed-worker")
        # Their worker was killed: no heartbeat since long ago.
        session.execute(sa.update(Job).values(heartbeat_at=queue.now() - dt.timedelta(minutes=5)))
        session.commit()
        return first, second

    _first, second = in_session(app, two_jobs)
    live = in_session(app, lambda s: queue.claim(s, "alive"))
    assert live is None  # both are running (as far as the queue knows)
    taken = in_session(app, lambda s: queue.recover_stale(s, dt.timedelta(seconds=60)))
    assert taken == 2
    email, report_job = _jobs(app)
    assert email.state is JobState.FAILED and "may or may not have been sent" in email.error
    assert report_job.state is JobState.WAITING and "stopped before it finished" in report_job.error
    # The killed worker's late finish is refused: the job is no longer its own.
    assert not in_session(app, lambda s: queue.finish(s, second, {"x": 1}))


def test_the_webhook_is_told_of_submitted_returned_locked_and_reworded(app, accounts):
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app.config["WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/hook"
        with app.test_request_context():
            session = db.get_session()
            update = report(session, "1.1", Rag.GREEN, on=dt.date(2022, 5, 1))
            assert update.action.plan.area.slug == PK
            session.expunge(update)
            update.review = ReviewState.SUBMITTED  # as a contributor's update waits
            after_change(update_event(update, "posted"))  # waiting for review: "submitted"
            after_change(update_event(update, "returned"))
            after_change(update_event(update, "accepted"))  # not told
            record = ReportingDate(
                plan_id=plan_of(session).id,
                reported_on=dt.date(2022, 6, 9),
                deadline=dt.date(2022, 6, 1),
            )
            session.add(record)
            session.commit()
            after_change(period_event(record, "locked"))
            shared = session.scalars(sa.select(SharedAction)).first()
            after_change(shared_event(shared, "reworded"))
        Worker(app).run_until_idle()
        texts = [message["text"] for message in received]
        assert len(texts) == 4, texts
        assert texts[0].startswith("Tayside CPC improvement plans, Perth and Kinross: An update")
        assert "waiting for review" in texts[0] and "1.1 submitted" in texts[0]
        assert "returned" in texts[1]
        assert "locked" in texts[2] and "9 June 2022" in texts[2]
        assert texts[3].startswith("Tayside CPC improvement plans, Tayside: TRIC PG5 reworded")
    finally:
        server.shutdown()
        server.server_close()


def test_report_files_and_jobs_are_kept_for_a_while_then_forgotten(app):
    def old_things(session):
        plan = plan_of(session)
        session.add(
            ReportFile(
                plan_id=plan.id,
                as_at=SEPTEMBER,
                contents="full",
                format="pdf",
                data_version=0,
                file_name="old.pdf",
                mimetype="application/pdf",
                content=b"%PDF",
                created_at=queue.now() - dt.timedelta(days=8),
            )
        )
        session.commit()

    in_session(app, old_things)
    worker = Worker(app)
    with app.app_context(), app.extensions["cpc_sessionmaker"]() as session:
        worker.tidy(session, force=True)
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ReportFile.id)))) == 0


def test_with_the_mail_server_stalled_requests_answer_and_the_mail_goes_once_it_answers(
    make_app, smtp_server, accounts_for
):
    """The forgotten-password, review and PG5-rewording requests answer while the mail
    server is stalled (their emails still on the queue or in the worker's hands), and each
    email goes out, once, when the server answers."""
    app = make_app(SMTP_URL=smtp_server.url, BASE_URL="https://cpc.test.invalid")
    accounts = accounts_for(app)
    jobs = app.extensions["cpc_jobs"]
    jobs.start()  # the web process's own worker thread, as `cpc serve` runs it
    try:
        smtp_server.answering.clear()
        coordinator = AuthActions(app.test_client(), accounts)
        coordinator.login("pk")
        action_id = in_session(app, lambda s: action(s, "1.1").id)
        linked = coordinator.post(f"/actions/{action_id}/contributors", {"email": accounts["lead"]})
        assert linked.status_code == 302
        lead = AuthActions(app.test_client(), accounts)
        lead.login("lead")
        form = f"/actions/{action_id}/updates/new"
        posted = lead.post(
            form,
            {
                "reported_on": "2022-03-15",
                "status": "in_progress",
                "rag": "A",
                "commentary": "Synthetic: a draft",
            },
            form,
        )
        assert posted.status_code == 302
        update_id = in_session(
            app,
            lambda s: s.scalar(sa.select(sa.func.max(ProgressUpdate.id))),
        )
        visitor = app.test_client()
        forgotten = visitor.post(
            "/forgotten-password",
            data={
                "csrf_token": csrf_token(visitor, "/forgotten-password"),
                "email": accounts["lead"],
            },
        )
        returned = coordinator.post(f"/updates/{update_id}/return", {"comment": "Synthetic: why?"})
        pg5 = AuthActions(app.test_client(), accounts)
        pg5.login("pg5")
        page = pg5.client.get("/tric/shared-actions/inter-agency-referral-discussions/edit").text
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        reworded = pg5.post(
            "/tric/shared-actions/inter-agency-referral-discussions/edit",
            {
                "version": version,
                "title": "IRDs guidance (synthetic rewording)",
                "text": "Synthetic new wording",
                "expected_impact": "Synthetic impact",
                "lead": "TRIC PG5",
                "target_date": "2022-07-31",
            },
            "/tric/shared-actions/inter-agency-referral-discussions/edit",
        )
        assert (forgotten.status_code, returned.status_code, reworded.status_code) == (
            200,
            302,
            302,
        )
        # Answered, every one, while the server has answered nothing.
        assert smtp_server.messages == []
        queued = _jobs(app)
        assert {job.kind for job in queued} == {"email"}
        subjects = sorted(job.args["subject"] for job in queued)
        assert any("Reset your password" in s for s in subjects)
        assert any("returned" in s for s in subjects)
        assert any("reworded" in s.lower() or "wording" in s.lower() for s in subjects), subjects
        assert all(job.state is not JobState.DONE for job in queued)

        smtp_server.answering.set()  # the server answers
        jobs.wait()
        received = sorted(message["Subject"] for message in smtp_server.take(app))
        assert received == subjects  # each once
        assert all(job.state is JobState.DONE and job.attempts == 1 for job in _jobs(app))
    finally:
        smtp_server.answering.set()
        jobs.stop()

"""axe-core on every page of the app: no serious or critical accessibility violations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from core.enums import Rag
from core.models import Action
from tests.browser.conftest import ANY, check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK, action, add_reporting_date, in_session, plan_of, report, reword

PLAN = f"/areas/{PK}/plans/2021-2023/"


def test_the_checker_reports_a_real_violation(page):
    page.set_content("<html><body><img src='x.png'><a href='#'></a></body></html>")
    with pytest.raises(AssertionError, match="critical image-alt"):
        check_accessibility(page)


def test_every_page_has_no_serious_or_critical_violations(page, live_app):
    local, shared = in_session(live_app, lambda s: (action(s, "2.1").id, action(s, "1.3").id))

    def meeting(session):
        from core.services.accounts.password_resets import request_reset

        add_reporting_date(session)  # 31 March 2022, for its missing-updates page
        _user, token = request_reset(session, "viewer@test.invalid")  # for the reset page
        session.commit()
        return token

    reset_token = in_session(live_app, meeting)
    sign_in(page, "admin")
    for url in (
        "/",
        f"/areas/{PK}/",
        "/areas/angus/",
        PLAN,
        f"{PLAN}?as_at=2022-06-01",
        f"{PLAN}actions/?rag=none&q=practice",
        f"{PLAN}actions/?rag=purple",  # with an error
        f"{PLAN}actions/new",
        f"/actions/{local}",
        f"/actions/{shared}",
        f"/actions/{local}/updates/new",
        f"/actions/{local}/complete",
        f"/actions/{local}/edit",
        "/account/password",
        "/admin/users/",
        "/admin/users/new",
        "/tric/",
        "/tric/print",
        "/tric/shared-actions/",
        "/tric/shared-actions/chronologies/",
        "/tric/shared-actions/chronologies/edit",
        "/tric/shared-actions/new",
        "/tric/shared-actions/chronologies/adopt/angus",
        "/tric/shared-actions/chronologies/not-applicable/angus",
        "/account/tokens",
        "/api/v1/docs",
        f"{PLAN}report/",
        f"{PLAN}report/print?as_at=2022-06-01",
        f"{PLAN}changes/",
        f"/areas/{PK}/plans/import",
        f"{PLAN}reporting-dates/2022-03-31/missing",
        "/forgotten-password",
        "/accessibility",
        "/reset-password/not-a-real-link",  # the "cannot be used" page
        f"/reset-password/{reset_token}",
        "/areas/nowhere/",  # the "not found" page
    ):
        page.goto(url)
        check_accessibility(page)

    # Forms showing their errors, and the pages that follow a successful write.
    page.goto(f"/actions/{local}/updates/new")
    page.get_by_role("button", name="Save update").click()
    check_accessibility(page)
    page.get_by_label("Commentary").fill("Synthetic commentary")
    page.get_by_role("button", name="Save update").click()
    check_accessibility(page)
    page.goto(f"/actions/{local}/edit")
    page.get_by_label("Action/task").fill("Synthetic rewording")
    page.get_by_role("button", name="Save changes").click()
    check_accessibility(page)  # the action page with its wording history
    page.goto("/admin/users/new")
    page.get_by_role("button", name="Create account").click()
    check_accessibility(page)
    page.get_by_label("Email address").fill("someone@test.invalid")
    page.get_by_label("Viewer").check()
    page.get_by_role("button", name="Create account").click()
    check_accessibility(page)  # the one-time password page
    page.get_by_role("link", name="Back to accounts").click()
    page.get_by_role("link", name="Change someone@test.invalid").click()
    check_accessibility(page)
    page.goto("/account/password")
    page.get_by_role("button", name="Change password").click()
    check_accessibility(page)


def test_the_record_keeping_pages_have_no_serious_or_critical_violations(page, live_app):
    """The audit trail, correcting, withdrawing and redacting an update, and the page that
    shows a colleague's change beside yours."""
    local = in_session(live_app, lambda s: action(s, "2.1").id)
    update = in_session(live_app, lambda s: report(s, "2.1", Rag.AMBER).id)
    sign_in(page, "admin")
    for url in (
        "/admin/audit/",
        "/admin/audit/?kind=progress_updates&since=2020-01-01",
        f"/updates/{update}/correct",
        f"/updates/{update}/withdraw",
        f"/updates/{update}/redact",
        f"{PLAN}reporting-dates",
        "/tric/reporting-dates",
    ):
        page.goto(url)
        check_accessibility(page)
    page.goto(f"/updates/{update}/correct")
    page.get_by_role("button", name="Save the correction").click()  # no reason: an error
    check_accessibility(page)
    page.get_by_label("Why").fill("RAG entered wrongly")
    page.get_by_role("button", name="Save the correction").click()
    check_accessibility(page)  # the action page, the original struck through
    # Two editors: the second sees the first one's wording beside their own.
    page.goto(f"/actions/{local}/edit")
    in_session(
        live_app,
        lambda s: (reword(s, s.get(Action, local), "Synthetic: their wording"), s.commit()),
    )
    page.get_by_label("Action/task").fill("Synthetic: my wording")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Someone else changed this while you were editing")).to_be_visible()
    check_accessibility(page)


def test_pages_work_on_a_phone_sized_screen(browser, base_url, live_app):
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, "pk")
        page.goto(PLAN)
        check_accessibility(page)
        # The menu folds away behind a button, and opens from the keyboard.
        menu = page.get_by_role("button", name="Menu")
        menu.focus()
        page.keyboard.press("Enter")
        page.get_by_role("link", name="Perth and Kinross dashboard").click()
        expect(page).to_have_url(re.compile(f"/areas/{PK}/$"))
        page.wait_for_load_state("load")  # its styles too
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the dashboard scrolls sideways on a phone ({width}px)"
    finally:
        context.close()


def test_the_areas_plan_and_accessibility_pages_have_no_violation_of_any_impact(page, live_app):
    """Moderate ones too: the account bar sits in a landmark and every region's name is its
    own."""
    sign_in(page, "pk")
    for url in ("/", PLAN, f"/areas/{PK}/", "/accessibility"):
        page.goto(url)
        check_accessibility(page, ANY)


def test_the_job_pages_have_no_serious_or_critical_violations(page, live_app):
    """A report being prepared (waiting to be tried again), and the admins' Jobs page with a
    failed email and its Retry button."""

    def jobs(session):
        from core.enums import JobState
        from core.models import Job, User
        from core.services.jobs import emails, queue, report_files
        from core.services.mail import Mail

        admin = session.scalar(sa.select(User).where(User.email == "admin@test.invalid"))
        waiting = report_files.ask(
            session, plan_of(session), dt.date(2022, 9, 30), "full", "pdf", admin.id
        )
        waiting.run_after = queue.now() + dt.timedelta(hours=1)  # as after a failed try
        waiting.attempts, waiting.error = 1, "Synthetic: the last try failed."
        (failed,) = emails.enqueue(session, [Mail("someone@test.invalid", "Synthetic", "Hi")])
        session.get(Job, failed).state = JobState.FAILED
        session.get(Job, failed).error = "Synthetic: the mail server did not take it."
        session.commit()
        return waiting.id

    waiting = in_session(live_app, jobs)
    sign_in(page, "admin")
    page.goto(f"/jobs/{waiting}/")
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    check_accessibility(page)
    page.goto("/admin/jobs/")
    expect(page.get_by_text("Synthetic: the mail server did not take it.")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name=re.compile("^Retry")).click()
    expect(page.get_by_text("is waiting to run again")).to_be_visible()
    check_accessibility(page)

"""A contributor follows their reminder's link, signs in and submits an update; the
coordinator accepts it; the dashboard and the committee report show it with its direction of
travel."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from core import db
from core.enums import Rag
from core.services.accounts.contributors import link_contributor
from core.services.notify import reminders
from tests.browser.conftest import check_accessibility
from tests.conftest import ACCOUNTS
from tests.helpers import PK, TEST_PASSWORD, action, add_reporting_date, in_session, report


def _sign_in_here(page: Page, who: str) -> None:
    page.get_by_label("Email address").fill(ACCOUNTS[who][0])
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_contributor_answers_a_reminder_and_the_coordinator_accepts(
    page: Page, live_app, base_url
):
    today = dt.date.today()

    def setup(session):
        # Synthetic: the committee met in March 2022 (1.1 was Red then), and meets again in
        # three weeks, with updates due in three days.
        add_reporting_date(session, dt.date(2022, 3, 31))
        session.commit()
        report(session, "1.1", Rag.RED, on=dt.date(2022, 3, 1))
        from core.services.progress.reporting import add_reporting_date as add

        found = action(session, "1.1")
        add(session, found.plan, actor=None, reported_on=today + dt.timedelta(21),
            deadline=today + dt.timedelta(3))  # fmt: skip
        link_contributor(session, found, actor=None, email=ACCOUNTS["lead"][0])
        session.commit()
        return found.id

    action_id = in_session(live_app, setup)
    with live_app.app_context():
        session = db.get_session()
        due = reminders.due(
            session,
            today,
            lambda record: f"{base_url}/missing",
            lambda found: f"{base_url}/actions/{found.id}/updates/new",
        )
        session.rollback()
        sent = []
        reminders.send_reminders(session, due, sent.append)
    [mail] = [m for m in sent if m.to == ACCOUNTS["lead"][0]]
    link = re.search(r"Post its update: (\S+)", mail.body).group(1)
    assert link == f"{base_url}/actions/{action_id}/updates/new"

    # The contributor follows the link, signs in, and lands on the form.
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in_here(page, "lead")
    expect(page.get_by_role("heading", name="Post a progress update")).to_be_visible()
    expect(page.locator("#suggestion")).to_contain_text("target date passed and not completed")
    # Last quarter's RAG (Red) is shown, not filled in.
    expect(page.get_by_label("R: Red")).not_to_be_checked()
    check_accessibility(page)
    page.get_by_label("In progress").check()
    page.get_by_label("A: Amber").check()
    page.get_by_label("Commentary").fill("Synthetic: the new guidance is in draft.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("The evidence suggests Red").first).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Why a greener RAG than suggested?").fill(
        "Synthetic: the committee agreed a new date."
    )
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("has been submitted")).to_be_visible()
    expect(page.get_by_text("Submitted, waiting for the coordinator's review")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="My actions").click()
    expect(page.locator(f"#mine-{action_id}")).to_contain_text(
        "awaiting the coordinator's review since"
    )
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    # The coordinator signs in to their dashboard, where the update waits for review.
    page.goto("/sign-in")
    _sign_in_here(page, "pk")
    expect(page.get_by_role("heading", name="Perth and Kinross dashboard")).to_be_visible()
    review = page.locator("#review-list")
    expect(review).to_contain_text("Action 1.1")
    check_accessibility(page)
    review.get_by_role("link", name="Action 1.1").click()
    page.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_text("is accepted: it now counts")).to_be_visible()
    expect(page.locator("#current-rag")).to_contain_text("Amber")
    expect(page.locator("#current-rag")).to_contain_text("Better")
    check_accessibility(page)

    # The dashboard as at today lists it (overdue) with its direction of travel, and so does
    # the report.
    page.goto(f"/areas/{PK}/?as_at={today.isoformat()}")
    row = page.locator(f"#row-{action_id}").first
    expect(row).to_contain_text("Amber")
    expect(row).to_contain_text("Better since the previous reporting date")
    page.goto(f"/areas/{PK}/plans/2021-2023/report/print?as_at={today.isoformat()}")
    moves = page.locator("table", has_text="Direction").first
    expect(moves.locator("tr", has_text="1.1").first).to_contain_text("Better")
    greener = page.locator("table", has_text="Why greener")
    expect(greener).to_contain_text("Synthetic: the committee agreed a new date.")

"""A coordinator's reporting cycle in a real browser, and an Angus coordinator refused."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.conftest import ACCOUNTS
from tests.helpers import PK, TEST_PASSWORD, action, in_session

PLAN = f"/areas/{PK}/plans/2021-2023/"


def sign_in(page: Page, who: str) -> None:
    page.goto("/sign-in")
    check_accessibility(page)
    page.get_by_label("Email address").fill(ACCOUNTS[who][0])
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {ACCOUNTS[who][0]}")).to_be_visible()


def rag_count(page: Page, which: str) -> int:
    return int(page.locator(f"#count-{which} .cpc-counts__number").inner_text())


def test_pk_coordinator_reports_adds_an_action_and_sees_the_dashboard_change(page, live_app):
    sign_in(page, "pk")
    page.get_by_role("link", name="Perth and Kinross dashboard").click()
    check_accessibility(page)
    # The committee meets today: with that reporting date set, the pages show today.
    page.get_by_role("link", name=re.compile("Reporting dates")).click()
    today = dt.date.today().isoformat()
    page.get_by_label("Date of the meeting").fill(today)
    page.get_by_label("Deadline for updates").fill(today)
    page.get_by_role("button", name="Add reporting date").click()
    expect(page.get_by_text("has been added")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Perth and Kinross dashboard").click()
    expect(page.locator("#as-at-default")).to_contain_text("the latest reporting date")
    greens = rag_count(page, "green")
    total = int(page.locator(".cpc-summary td").nth(1).inner_text())

    # Post an update marking 1.3 Green, from the plan's table.
    page.goto(PLAN)
    check_accessibility(page)
    page.locator("#action-1\\.3").get_by_role("link", name="1.3").click()
    check_accessibility(page)
    page.get_by_role("link", name="Post a progress update").click()
    # First a mistake: no commentary and a bad link. The form keeps what was typed.
    page.get_by_label("In progress").check()
    page.get_by_label("G: Green").check()
    page.get_by_label("Link to evidence (optional)").fill("not a link")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page)
    expect(page.get_by_label("G: Green")).to_be_checked()
    expect(page.get_by_label("Link to evidence (optional)")).to_have_value("not a link")
    page.get_by_label("Link to evidence (optional)").fill("https://example.org/minutes")
    page.get_by_label("Commentary").fill("Guidance agreed by the committee.")
    # 1.3's target date has passed, so the platform suggests Red: Green needs a reason.
    expect(page.locator("#suggestion")).to_contain_text("target date passed and not completed")
    page.get_by_label("Why a greener RAG than suggested?").fill("The committee agreed it is done.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Your update on action 1.3 has been saved.")).to_be_visible()
    expect(page.locator("#current-rag")).to_contain_text("Green")
    expect(page.locator("#history")).to_be_visible()
    expect(page.get_by_text("Guidance agreed by the committee.")).to_be_visible()
    check_accessibility(page)

    # Add a local action to outcome 2.
    page.goto(PLAN)
    page.get_by_role("link", name="Add a local action").click()
    check_accessibility(page)
    outcome_2 = page.locator("#outcome option", has_text="Outcome 2:").inner_text()
    page.get_by_label("Outcome").select_option(label=outcome_2)
    page.get_by_label("Action/task").fill("Synthetic test action: review the local audit.")
    page.get_by_label("Strategic leads").fill("Test lead")
    page.get_by_role("button", name="Add action").click()
    added = page.get_by_text(re.compile(r"Action 2\.\d+ has been added to the plan"))
    expect(added).to_be_visible()
    check_accessibility(page)

    # The dashboard and summary show both changes.
    page.get_by_role("link", name="Perth and Kinross dashboard").click()
    assert rag_count(page, "green") == greens + 1
    assert int(page.locator(".cpc-summary td").nth(1).inner_text()) == total + 1
    assert page.locator(".cpc-summary td").nth(3).inner_text() == "1"  # added
    expect(page.locator("#latest-updates + .cpc-history")).to_contain_text("Action 1.3")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"/areas/{PK}/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_angus_coordinator_cannot_change_a_perth_and_kinross_action(page, live_app):
    action_id = in_session(live_app, lambda session: action(session, "2.1").id)
    sign_in(page, "angus")
    page.goto(f"/actions/{action_id}")
    check_accessibility(page)
    expect(page.get_by_role("link", name="Post a progress update")).to_have_count(0)

    # By the form's address: refused, and the page says why.
    response = page.goto(f"/actions/{action_id}/updates/new")
    assert response.status == 403
    expect(page.get_by_text("Only Perth and Kinross's coordinators")).to_be_visible()
    check_accessibility(page)

    # By a direct POST with the Angus coordinator's own valid session and CSRF token.
    page.goto("/areas/angus/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    posted = page.request.post(
        f"/actions/{action_id}/updates/new",
        form={
            "csrf_token": token,
            "reported_on": dt.date.today().isoformat(),
            "status": "in_progress",
            "rag": "R",
            "commentary": "Should never be saved",
        },
    )
    assert posted.status == 403
    page.goto(f"/actions/{action_id}")
    expect(page.get_by_text("No progress has been reported on this action yet.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))

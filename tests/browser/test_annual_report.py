"""A coordinator in a real browser writes an annual report's narrative, approves it and makes
it public; axe checks each page, and the public page read without an account."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK


def test_an_annual_report_written_approved_and_published(page, live_app):
    sign_in(page, "pk")
    page.goto(f"/areas/{PK}/")
    page.get_by_role("link", name="Annual reports").click()
    check_accessibility(page)
    page.get_by_role("link", name="2021-22").click()
    check_accessibility(page)
    page.get_by_role("button", name="Begin the report with this template").click()
    expect(page.get_by_text("The annual report's template is set.")).to_be_visible()
    page.locator("#section-context").get_by_role("link", name="Write").click()
    check_accessibility(page)
    page.get_by_label("Its text").fill(
        "Synthetic context.\n\n- a synthetic point\n- see https://example.test/context"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#section-context")).to_contain_text("Version 1")
    page.get_by_label("The date the committee approved it").fill("2022-10-05")
    page.get_by_role("button", name="Record the committee's approval").click()
    expect(page.locator("#approved")).to_contain_text("5 October 2022")
    page.get_by_role("button", name="Make it public").click()
    check_accessibility(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"/public/{PK}/annual/2021-22/")
    expect(page.get_by_role("heading", name="Context", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="https://example.test/context")).to_be_visible()
    check_accessibility(page)

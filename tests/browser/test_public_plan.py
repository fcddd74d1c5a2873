"""A public plan page, read without an account, passes the accessibility checks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from core.services.plans.plans import set_public
from tests.browser.conftest import check_accessibility
from tests.helpers import PK, in_session, plan_of


def test_a_visitor_reads_a_public_plan_and_its_print_view(page: Page, live_app):
    in_session(
        live_app,
        lambda s: (set_public(s, plan_of(s), actor=None, public=True), s.commit()),
    )
    page.goto(f"/public/{PK}/2021-2023/")
    expect(page.get_by_role("heading", name="Outcomes and actions")).to_be_visible()
    expect(page.locator("#approved")).to_contain_text("has not yet approved")
    check_accessibility(page)
    page.get_by_role("link", name="A version of this page to print").click()
    expect(page.get_by_role("heading", name="Plan on a page")).to_be_visible()
    check_accessibility(page)

"""Narrow screens (320, 375 and 421 px wide) never scroll sideways, the plan's RAG stays on
screen, and after a skip link a form's answer puts focus on its error summary or banner."""

from __future__ import annotations

import pytest

from core.enums import Rag
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK, action, in_session, report

PLAN = f"/areas/{PK}/plans/2021-2023/"
WIDE = "document.documentElement.scrollWidth"


@pytest.mark.parametrize("width", [320, 375, 421])
def test_no_page_scrolls_sideways_on_a_narrow_screen(browser, base_url, live_app, width):
    in_session(live_app, lambda s: report(s, "1.3", Rag.AMBER))  # a rollup trend to show
    local = in_session(live_app, lambda s: action(s, "2.1").id)
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 700})
    page = context.new_page()
    try:
        sign_in(page, "admin")
        for url in ("/", f"/areas/{PK}/", PLAN, f"{PLAN}actions/", f"/actions/{local}",
                    "/tric/", "/tric/shared-actions/", "/admin/users/"):  # fmt: skip
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.evaluate(WIDE) <= width, f"{url} scrolls sideways at {width}px"
        page.goto(PLAN)
        row = page.locator("#action-2\\.1")
        rag = row.locator("[data-label='RAG']")
        box = rag.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, "the RAG is off screen"
        text = row.locator("th.cpc-action-text")
        assert text.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    finally:
        context.close()


def test_the_plan_table_keeps_left_aligned_text_and_row_borders_on_a_wide_screen(page, live_app):
    sign_in(page, "admin")
    page.goto(PLAN)
    cell = page.locator("#action-2\\.1 th.cpc-action-text")
    assert cell.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    assert cell.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"


def test_after_the_skip_link_a_forms_answer_focuses_its_summary_or_banner(page, live_app):
    local = in_session(live_app, lambda s: action(s, "2.1").id)
    sign_in(page, "pk")
    page.goto(f"/actions/{local}/updates/new")
    page.locator(".govuk-skip-link").focus()
    page.keyboard.press("Enter")  # the skip link
    page.wait_for_url("**#main-content")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")
    assert "#" not in page.url
    focused = page.evaluate("document.activeElement.className")
    assert "govuk-error-summary" in focused, focused
    page.get_by_label("Commentary").fill("Done for now.")
    page.get_by_label("Completed").check()
    page.get_by_label("No RAG").check()
    page.get_by_label("Reporting date").fill("2022-03-01")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")
    assert "#" not in page.url
    focused = page.evaluate("document.activeElement.className")
    assert "govuk-notification-banner" in focused, focused


OUTSIDE = """(width) => [...document.querySelectorAll(
    'main a, main button, main input, main select, main textarea')]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden')
  .filter(e => { const b = e.getBoundingClientRect(); return b.right > width + 1 || b.left < -1; })
  .map(e => (e.id || e.name || e.textContent || e.tagName).trim().slice(0, 60))"""


@pytest.mark.parametrize("width", [320, 375])
def test_every_control_and_area_cell_is_reachable_without_scrolling_sideways(
    browser, base_url, live_app, width
):
    """On a phone, the wide tables stack (My actions, the rollup's areas, the KPI month grid,
    the summary tables): every link, button and field lies inside the screen's width."""
    from core.services.accounts.contributors import link_contributor
    from tests.conftest import ACCOUNTS

    def link_the_lead(session):
        found = action(session, "1.1")
        link_contributor(session, found, actor=None, email=ACCOUNTS["lead"][0])
        session.commit()
        return found.id

    first = in_session(live_app, link_the_lead)
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 700})
    page = context.new_page()
    try:
        pages = {
            "lead": ["/my-actions/", f"/actions/{first}/updates/new"],
            "pg5": ["/tric/", "/tric/kpis/"],
            "pk": ["/", f"/areas/{PK}/", PLAN, f"{PLAN}actions/", f"{PLAN}report/",
                   f"/areas/{PK}/kpis/", f"/areas/{PK}/kpis/figures?month=2025-03"],
        }  # fmt: skip
        for who, urls in pages.items():
            sign_in(page, who)
            for url in urls:
                page.goto(url)
                page.wait_for_load_state("load")
                outside = page.evaluate(OUTSIDE, width)
                assert outside == [], f"{url} at {width}px: {outside}"
            page.get_by_role("button", name="Sign out").click()
    finally:
        context.close()

"""A coordinator in a real browser plans a self-evaluation of indicator 2.1, rates it "4 Good",
links evidence, tags an action and sees the indicator's page, the calendar and PG5's
side-by-side; axe checks every page on the way (no serious or critical violation)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK

TWO_ONE = "2.1 Impact on children and young people"


def test_a_self_evaluation_rated_and_seen_by_indicator_and_across_tayside(page, live_app):
    sign_in(page, "pk")
    page.goto(f"/areas/{PK}/")
    page.get_by_role("link", name="Self-evaluation: the calendar").click()
    check_accessibility(page)
    page.get_by_role("link", name="Plan a self-evaluation").click()
    page.get_by_role("button", name="Add the self-evaluation").click()  # nothing given
    expect(page.get_by_text("Say what the self-evaluation looks at.")).to_have_count(2)
    check_accessibility(page)
    page.get_by_label("What it looks at").fill("Synthetic case file audit")
    page.get_by_label("Planned for").fill("2022-02-01")
    page.get_by_label("Done on (optional)").fill("2022-03-10")
    page.get_by_label(TWO_ONE).select_option(label="4 Good")
    page.get_by_label("How good are we now?").fill("Synthetic answer.")
    page.get_by_label("Who agreed the ratings (needed with a rating)").fill("Synthetic CPC")
    page.get_by_role("button", name="Add the self-evaluation").click()
    expect(page.get_by_role("heading", name="Synthetic case file audit")).to_be_visible()
    expect(page.locator("#ratings")).to_contain_text("4 Good")
    check_accessibility(page)

    page.get_by_role("radio", name="Document").check()
    page.get_by_label("A document: its link").fill("https://docs.test.invalid/audit.pdf")
    page.get_by_label("A document: its title").fill("Synthetic audit report")
    page.get_by_role("button", name="Link the evidence").click()
    expect(page.locator("#evidence-list")).to_contain_text("Synthetic audit report")
    check_accessibility(page)

    page.get_by_role("link", name=TWO_ONE).click()
    expect(page.locator("#latest-rating")).to_contain_text("Latest rating: 4 Good")
    check_accessibility(page)

    page.goto(f"/areas/{PK}/plans/2021-2023/actions/?q=IRD")
    page.locator("table a").first.click()
    page.get_by_label("Tag with a quality indicator").select_option(label=TWO_ONE)
    page.get_by_role("button", name="Tag it").click()
    expect(page.locator("#indicator-tags")).to_contain_text(TWO_ONE)
    check_accessibility(page)

    page.goto(f"/areas/{PK}/self-evaluation/")
    expect(page.locator("#latest-ratings ~ div table").first).to_contain_text("4 Good")
    check_accessibility(page)
    page.goto(f"/areas/{PK}/plans/2021-2023/")
    page.get_by_label("Show only the actions serving a quality indicator").select_option(
        label=TWO_ONE
    )
    page.locator("#actions form").get_by_role("button", name="Show").click()
    expect(page.locator("#indicator-filter")).to_contain_text("Showing only the 1 action")
    check_accessibility(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "pg5")
    page.goto("/tric/self-evaluation/")
    row = page.get_by_role("row").filter(has_text=TWO_ONE)
    expect(row).to_contain_text("4 Good")
    expect(row).to_contain_text("Not rated yet")
    check_accessibility(page)

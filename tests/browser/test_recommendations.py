"""A coordinator in a real browser records a learning review and its recommendations, links the
actions answering them and closes one; axe checks every page on the way (no serious or
critical violation)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK


def test_a_learning_review_to_its_recommendations_and_their_actions(page, live_app):
    sign_in(page, "pk")
    page.goto(f"/areas/{PK}/")
    page.get_by_role("link", name="Learning reviews", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name="Add a learning review").click()
    page.get_by_role("button", name="Add the review").click()  # no reference: an error
    expect(page.get_by_text("Give the review a reference")).to_have_count(2)
    check_accessibility(page)
    page.get_by_label("Reference").fill("LR-2024-01")
    page.get_by_label("Date the notification was received (optional)").fill("2024-01-10")
    page.get_by_role("button", name="Add the review").click()
    expect(page.get_by_role("heading", name="Learning review LR-2024-01")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Record its stages and the decision").click()
    check_accessibility(page)
    page.get_by_role("radio", name="Yes").check()
    page.locator("#decision_done").fill("2024-03-01")
    page.locator("#chief_officers_group_done").fill("2024-09-10")
    page.locator("#final_report_to_care_inspectorate_due").fill("2020-01-31")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#decision")).to_have_text("A review proceeds.")
    expect(page.locator("#review-stages")).to_contain_text("Overdue")  # the tag says it in words

    page.get_by_role("link", name="Add a recommendation from this review").click()
    check_accessibility(page)
    page.get_by_label("Reference", exact=True).fill("LR1-R1")
    page.get_by_label("The recommendation, in its own words").fill(
        "Synthetic: improve the quality of chronologies."
    )
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.get_by_role("heading", name="Recommendation LR1-R1")).to_be_visible()
    expect(page.get_by_text("No action answers this recommendation yet.")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("The action’s number in Perth and Kinross’s current plan").fill("1.1")
    page.get_by_role("button", name="Link the action").click()
    expect(page.get_by_text("The action now answers this recommendation.")).to_be_visible()
    expect(page.locator("#answering ~ div table")).to_contain_text("1.1")
    check_accessibility(page)

    page.get_by_role("radio", name="Closed").check()
    page.get_by_label("Why it is closed (needed to close it)").fill("Agreed by the committee.")
    page.get_by_role("button", name="Save where it stands").click()
    expect(page.locator("#unfinished-warning")).to_contain_text("Perth and Kinross 1.1")
    check_accessibility(page)
    page.get_by_label("Close it although some of its actions are not completed").check()
    page.get_by_role("button", name="Save where it stands").click()
    expect(page.get_by_text("Recommendation LR1-R1 is now closed.")).to_be_visible()

    page.goto(f"/areas/{PK}/recommendations/")
    expect(page.locator("#recommendation-counts")).to_contain_text("0 open, 0 addressed, 1 closed")
    check_accessibility(page)
    page.goto("/tric/recommendations/")
    check_accessibility(page)
    page.goto(f"/areas/{PK}/recommendations/new")
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page).to_have_url(re.compile("/recommendations/new$"))
    check_accessibility(page)


def test_a_viewer_sees_only_how_many_learning_reviews_there_are(page, live_app):
    sign_in(page, "viewer")
    page.goto(f"/areas/{PK}/learning-reviews/")
    expect(page.locator("#counts-only")).to_be_visible()
    check_accessibility(page)


def test_the_quality_framework_pages(page, live_app):
    sign_in(page, "admin")
    page.goto("/self-evaluation/")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("A quality framework for children")).click()
    expect(page.locator("#partial")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Add an indicator from the published framework").click()
    page.get_by_role("button", name="Add the indicator").click()  # nothing given: errors
    check_accessibility(page)

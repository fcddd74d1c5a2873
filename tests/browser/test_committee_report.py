"""A coordinator sets a reporting date, posts updates and downloads the committee report."""

from __future__ import annotations

import datetime as dt
import re

from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import PLAN, sign_in
from tests.helpers import PK


def post_update(page, code: str, rag_label: str, commentary: str) -> None:
    page.goto(PLAN)
    row = page.locator(f"[id='action-{code}']")
    row.get_by_role("link", name=code).click()
    page.get_by_role("link", name="Post a progress update").click()
    page.get_by_label("In progress").check()
    page.get_by_label(rag_label).check()
    if rag_label != "R: Red":  # the plan's target dates have passed: Red is suggested
        page.get_by_label("Why a greener RAG than suggested?").fill("Synthetic: a new date")
    page.get_by_label("Commentary").fill(commentary)
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text(f"Your update on action {code} has been saved.")).to_be_visible()


def _prepared(page, link: str):
    """A PDF or Word report as a user gets it: its link opens the job's page, which shows the
    progress and then, without a reload by hand, the download; then back to the report page."""
    page.get_by_role("link", name=re.compile(link)).click()
    expect(page.locator("#job-status")).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as made:
        page.get_by_role("link", name=re.compile("^Download")).click()
    page.go_back()
    expect(page.get_by_role("heading", name="Committee report")).to_be_visible()
    return made


def test_coordinator_sets_a_date_posts_updates_and_downloads_the_report(page, live_app):
    sign_in(page, "pk")
    page.goto(f"/areas/{PK}/plans/2021-2023/reporting-dates")
    today = dt.date.today()
    page.get_by_label("Date of the meeting").fill(today.isoformat())
    page.get_by_label("Deadline for updates").fill(today.isoformat())
    page.get_by_role("button", name="Add reporting date").click()
    expect(page.get_by_text("has been added")).to_be_visible()

    post_update(page, "1.3", "R: Red", "Synthetic: the guidance launch has slipped.")
    post_update(page, "2.1", "A: Amber", "Synthetic: training places are short.")

    page.goto(PLAN)
    page.get_by_role("link", name=re.compile("Committee report")).click()
    expect(page.get_by_role("heading", name="Committee report")).to_be_visible()
    expect(page.locator("#as-at-default")).to_contain_text("the latest reporting date")
    check_accessibility(page)

    word = _prepared(page, r"^Word \(DOCX\).*full paper")
    assert word.value.suggested_filename == f"{PK}-2021-2023-report-{today.isoformat()}.docx"
    document = Document(str(word.value.path()))
    exceptions = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][:4]
        == ["No", "Action/task", "Strategic Lead", "Target date"]
    )
    found = {  # RAG now, and the latest commentary
        row.cells[0].text: (row.cells[5].text, row.cells[6].text) for row in exceptions.rows[1:]
    }
    assert found["1.3"][0] == "R: Red" and found["1.3"][1].endswith(
        "the guidance launch has slipped."
    )
    assert found["2.1"][0] == "A: Amber"

    pdf = _prepared(page, r"^PDF.*full paper")
    full = PdfReader(pdf.value.path()).pages
    text = " ".join(p.extract_text() for p in full)
    assert "the guidance launch has slipped." in " ".join(text.split())
    summary = _prepared(page, r"^PDF.*summary paper")
    assert summary.value.suggested_filename.startswith(f"{PK}-2021-2023-summary-report-")
    short = PdfReader(summary.value.path()).pages
    assert len(short) < len(full)
    assert "the guidance launch has slipped." in " ".join(
        " ".join(p.extract_text() for p in short).split()
    )

    page.get_by_role("link", name=re.compile("Print view.*full paper")).click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{PLAN}changes/")
    expect(
        page.get_by_role("heading", name="What changed between two reporting dates")
    ).to_be_visible()
    check_accessibility(page)

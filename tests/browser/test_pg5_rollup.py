"""A TRIC PG5 member opens the rollup, drills into a cell, and exports it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from core.enums import Rag
from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK, in_session, report

# The shipped frames adopt nothing: these tests adopt as the coordinators would.
pytestmark = pytest.mark.usefixtures("tayside_adoptions")

IRD = "inter-agency-referral-discussions"
A4_LANDSCAPE_CSS_PX = 1047  # 277mm of printable width at 96 pixels to the inch


def _reports(session) -> None:
    for area, rag, on in (
        ("angus", Rag.AMBER, dt.date(2022, 3, 1)),
        ("dundee", Rag.GREEN, dt.date(2022, 3, 1)),
        (PK, Rag.GREEN, dt.date(2022, 3, 1)),
        ("dundee", Rag.RED, dt.date(2022, 6, 1)),
    ):
        report(session, "3.1", rag, on=on, area_slug=area)


def _cell(page: Page, area: str) -> str:
    return page.locator(f"#cell-{IRD}-{area}").get_attribute("data-rag")


def test_pg5_opens_the_rollup_drills_into_a_cell_and_exports_it(page, live_app):
    in_session(live_app, _reports)
    sign_in(page, "pg5")
    page.get_by_role("link", name="Tayside rollup").click()
    check_accessibility(page)
    page.get_by_role("link", name="01/06/2022").click()  # a reporting date
    check_accessibility(page)
    row = page.locator(f"#row-{IRD}")
    expect(row.locator("[data-tayside]")).to_contain_text("Red")
    shown = {area: _cell(page, area) for area in ("angus", "dundee", PK)}
    assert shown == {"angus": "A", "dundee": "R", PK: "G"}
    trend_rows = page.locator("#trend-table tbody tr")
    expect(trend_rows).to_have_count(2)
    page_trend = [trend_rows.nth(i).locator("td").all_inner_texts() for i in range(2)]

    # The export carries the same numbers as the page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the matrix as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    header, body = rows[1], {r[1]: dict(zip(rows[1], r, strict=True)) for r in rows[2:]}
    assert header[:3] == ["Shared action", "Code", "Tayside status"]
    exported = {
        area: body[IRD][f"{name}: RAG"][0]
        for area, name in (("angus", "Angus"), ("dundee", "Dundee"), (PK, "Perth and Kinross"))
    }
    assert exported == shown
    assert body[IRD]["Tayside status"] == "Red"
    for key, values in body.items():
        expect(page.locator(f"#row-{key} [data-tayside]")).to_contain_text(values["Tayside status"])
    assert [counts[:3] for counts in page_trend] == [["0", "1", "2"], ["1", "1", "1"]]
    with page.expect_download() as spreadsheet:
        page.get_by_role("link", name="Download the matrix as a spreadsheet (XLSX)").click()
    assert spreadsheet.value.suggested_filename == "tric-pg5-rollup-2022-06-01.xlsx"
    book = load_workbook(io.BytesIO(spreadsheet.value.path().read_bytes()))
    sheet_trend = [[str(c.value) for c in r[1:]] for r in book["Trend"].iter_rows(min_row=2)]
    assert sheet_trend == page_trend

    # Drill into Dundee's cell: its update history, with commentary.
    page.locator(f"#cell-{IRD}-dundee").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Action 3.1")).to_be_visible()
    history = page.locator("#history + .cpc-history")
    expect(history.locator("li")).to_have_count(2)
    expect(history.locator("li").first).to_contain_text("1 June 2022")
    expect(history.locator("li").first).to_contain_text("Test update for 3.1")
    check_accessibility(page)


def test_the_print_view_fits_a4_landscape(browser, base_url, live_app):
    in_session(live_app, _reports)
    context = browser.new_context(
        base_url=base_url, viewport={"width": A4_LANDSCAPE_CSS_PX, "height": 700}
    )
    page = context.new_page()
    try:
        sign_in(page, "viewer")
        page.goto("/tric/?as_at=2022-06-01")
        page.get_by_role("link", name="Print view (fits A4 landscape)").click()
        expect(page).to_have_url(re.compile(r"/tric/print"))
        page.wait_for_load_state("load")  # its styles too
        page.emulate_media(media="print")
        check_accessibility(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= A4_LANDSCAPE_CSS_PX, f"the print view is {width}px wide"
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert boxes, "no pages in the PDF"
        for width_pt, height_pt in boxes:  # A4 landscape is 842 by 595 points
            assert abs(float(width_pt) - 842) < 2 and abs(float(height_pt) - 595) < 2
    finally:
        context.close()

"""A coordinator enters a month's KPI figures and sees the chart and the table change; the KPI
pages pass axe. The figures are synthetic."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from core.models import Kpi
from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK, in_session


def enter(page, month: str, irds: str, good: tuple[str, str], sampled_on: str) -> None:
    page.goto(f"/areas/{PK}/kpis/")
    page.get_by_role("link", name="Enter a month's figures").click()
    page.get_by_label("Month").fill(month)
    page.get_by_role("button", name="Show this month").click()
    expect(page.get_by_role("heading", name=re.compile("KPI figures for"))).to_be_visible()
    page.get_by_label("Figure, No. of IRDs held", exact=True).fill(irds)
    name = "Sampling (No. and %) of IRDs evaluated as good or better"
    page.get_by_label(f"Number, {name}", exact=True).fill(good[0])
    page.get_by_label(f"Out of, {name}", exact=True).fill(good[1])
    row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True))
    row.get_by_label("Sampling date").fill(sampled_on)
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_text("figure(s) for")).to_be_visible()


def test_a_coordinator_enters_a_month_and_sees_the_chart_and_table_change(page, live_app):
    sign_in(page, "pk")
    page.goto(f"/areas/{PK}/kpis/")
    check_accessibility(page)
    page.goto(f"/areas/{PK}/kpis/figures?month=2025-02")
    page.get_by_label("Figure, No. of IRDs held", exact=True).fill("many")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "No. of IRDs held: Enter a number."
    )
    check_accessibility(page)  # the grid showing its error

    enter(page, "2025-02", "12", ("6", "10"), "2025-02-14")
    enter(page, "2025-03", "15", ("9", "10"), "2025-03-14")
    check_accessibility(page)

    page.goto(f"/areas/{PK}/kpis/")
    irds = page.locator("#kpi-list tr", has=page.get_by_role("link", name="No. of IRDs held"))
    expect(irds).to_contain_text("15 (March 2025)")  # the period as people write it
    expect(irds).to_contain_text("+3")
    irds_link = page.locator("#kpi-list").get_by_role("link", name="No. of IRDs held", exact=True)
    irds_link.click()
    series = page.locator("#kpi-series")
    expect(series.locator("tbody tr")).to_have_count(2)
    expect(series).to_contain_text("12")
    expect(series).to_contain_text("15")
    chart = page.locator("svg.cpc-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(2)  # the two points
    key = page.locator("ul.cpc-chart-key")
    expect(key).to_contain_text("Perth and Kinross")  # the key, under the chart, in words
    check_accessibility(page)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: the key stays readable
    size = key.locator("li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 14
    box = key.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    enter(page, "2025-04", "20", ("7", "10"), "2025-04-14")
    page.goto(f"/areas/{PK}/kpis/")
    irds_link = page.locator("#kpi-list").get_by_role("link", name="No. of IRDs held", exact=True)
    irds_link.click()
    expect(page.locator("#kpi-series tbody tr")).to_have_count(3)
    expect(page.locator("svg.cpc-chart circle")).to_have_count(3)
    page.goto(f"/areas/{PK}/kpis/")
    sampled = page.locator(
        "#kpi-list tr",
        has=page.get_by_role(
            "link", name="Sampling (No. and %) of IRDs evaluated as good or better"
        ),
    )
    expect(sampled).to_contain_text("70.0% (7 of 10)")
    expect(sampled).to_contain_text("-20 points")


def test_the_other_kpi_pages_pass_axe(page, live_app):
    sign_in(page, "admin")
    irds = in_session(
        live_app, lambda s: s.scalar(select(Kpi.id).where(Kpi.key == "no-of-irds-held"))
    )
    for url in (
        "/tric/kpis/",
        "/tric/kpis/new",
        f"/areas/{PK}/kpis/new",
        "/kpis/import",
        f"/kpis/{irds}/edit",
    ):
        page.goto(url)
        check_accessibility(page)
    page.goto("/tric/kpis/new")
    page.get_by_role("button", name="Define the KPI").click()
    check_accessibility(page)  # the form with its error
    page.get_by_label("Name").fill("Synthetic Tayside share")
    page.get_by_label("Unit").select_option("percentage")
    page.get_by_label("How the areas’ figures combine").select_option("ratio_of_sums")
    page.get_by_role("button", name="Define the KPI").click()
    expect(page.get_by_role("heading", name="Synthetic Tayside share")).to_be_visible()
    check_accessibility(page)


def test_an_administrator_imports_the_national_statistics_and_reads_the_comparison(
    page, live_app, tmp_path
):
    """The import page and a national measure's comparison pass axe; the figures are
    synthetic, for the three areas."""
    from tests.test_national_measures import EDITION_2022_23, EDITION_2023_24

    sign_in(page, "admin")
    page.goto("/kpis/national/import")
    check_accessibility(page)
    table = tmp_path / "national.csv"
    table.write_text(EDITION_2022_23.replace(",2022-23,Synthetic", ",2020-21,Synthetic", 1))
    page.get_by_label("The CSV or Excel file").set_input_files(str(table))
    page.get_by_role("button", name="Import the figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Row 2, column edition: The 2020-21 edition cannot give figures for 2021-22."
    )
    check_accessibility(page)  # the page naming the problem
    for text in (EDITION_2022_23, EDITION_2023_24):
        table.write_text(text, encoding="utf-8")
        page.get_by_label("The CSV or Excel file").set_input_files(str(table))
        page.get_by_role("button", name="Import the figures").click()
        expect(page.get_by_text("Imported:")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Initial and pre-birth")).click()
    compared = page.locator("#kpi-compare")
    expect(compared).to_contain_text("Break in the series")
    expect(compared.locator("th[scope=col]")).to_have_text(
        ["Year", "Angus", "Dundee", "Perth and Kinross", "Tayside", "Scotland"]
    )
    expect(page.locator("svg.cpc-chart").first).to_be_visible()
    check_accessibility(page)

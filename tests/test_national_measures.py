"""National measures: the published child protection statistics as KPIs every area shares,
imported edition by edition (nothing stored unless every row is valid), compared with Tayside
(a rate is the ratio of the sums) and Scotland, with a break where the definition changed."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from core.hooks.kpi import KpiFigure
from core.models import Area, Kpi, KpiValue
from core.services.kpis.periods import parse_period, period_containing, period_words
from tests.helpers import csrf_token, in_session
from tests.test_hooks import Plugin
from tests.test_kpis import api  # noqa: F401  (the fixture)

MEETINGS = "initial-pre-birth-planning-meetings"
REGISTER = "children-on-register-31-july"
POPULATION = "children-aged-0-17"
HEADER = "area,year,measure,value,numerator,denominator,edition,source\n"
# Synthetic figures (not the published ones) for the three areas, in the two editions.
EDITION_2022_23 = HEADER + (
    f"S12000041,2021-22,{MEETINGS},,100,20000,2022-23,Synthetic\n"
    f"Dundee City,2021-22,{MEETINGS},,150,25000,2022-23,Synthetic\n"
    f"Perth & Kinross,2021-22,{MEETINGS},,60,30000,2022-23,Synthetic\n"
    f"S12000041,2022-23,{MEETINGS},,110,20000,2022-23,Synthetic\n"
    f"Dundee City,2022-23,{MEETINGS},,140,25000,2022-23,Synthetic\n"
    f"Perth & Kinross,2022-23,{MEETINGS},,70,30000,2022-23,Synthetic\n"
    f"S92000003,2022-23,{MEETINGS},,4000,1000000,2022-23,Synthetic\n"
)
EDITION_2023_24 = HEADER + (
    f"S12000041,2023-24,{POPULATION},20000,,,2023-24,Synthetic\n"
    f"S12000042,2023-24,{POPULATION},24000,,,2023-24,Synthetic\n"
    f"S12000048,2023-24,{POPULATION},31000,,,2023-24,Synthetic\n"
    # 2022-23 revised for Dundee only; the others the same figures in the new edition.
    f"Angus,2022-23,{MEETINGS},,110,20000,2023-24,Synthetic\n"
    f"Dundee City,2022-23,{MEETINGS},,145,25000,2023-24,Synthetic\n"
    f"Perth & Kinross,2022-23,{MEETINGS},,70,30000,2023-24,Synthetic\n"
    # 2023-24: the populations come from the population measure above; one rate given.
    f"Angus,2023-24,{MEETINGS},6.0,120,,2023-24,Synthetic\n"
    f"Dundee City,2023-24,{MEETINGS},,96,,2023-24,Synthetic\n"
    f"Perth & Kinross,2023-24,{MEETINGS},,31,,2023-24,Synthetic\n"
)


def national(app, key: str) -> int:
    return in_session(app, lambda s: s.scalars(sa.select(Kpi.id).where(Kpi.key == key)).one())


def figures(app, key: str) -> list[tuple]:
    """(area, year, value, numerator, edition, definition, retired?, superseded_by) of every
    figure of the measure, by area, year and id."""

    def read(session):
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    Area.slug,
                    KpiValue.period,
                    KpiValue.value,
                    KpiValue.numerator,
                    KpiValue.edition,
                    KpiValue.definition,
                    KpiValue.retired_at.is_not(None),
                    KpiValue.superseded_by,
                )
                .join(Area, Area.id == KpiValue.area_id)
                .join(Kpi, Kpi.id == KpiValue.kpi_id)
                .where(Kpi.key == key)
                .order_by(Area.slug, KpiValue.period, KpiValue.id)
            )
        ]

    return in_session(app, read)


def count_figures(app) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(KpiValue)))


def import_file(runner, tmp_path, text: str, name: str = "table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["kpi", "import-national", str(path)])


def test_the_measures_ship_with_their_sources_and_scotland_is_compared_with_not_a_cpc(
    app, client, auth
):
    def read(session):
        measures = session.scalars(sa.select(Kpi).where(Kpi.national.is_(True))).all()
        scotland = session.scalars(sa.select(Area).where(Area.slug == "scotland")).one()
        return [(k.key, k.source, [d.key for d in k.definitions]) for k in measures], (
            scotland.is_reference,
            scotland.code,
        )

    measures, scotland = in_session(app, read)
    assert {key for key, _, _ in measures} == {MEETINGS, REGISTER, POPULATION,
                                              "registrations-after-planning-meetings"}  # fmt: skip
    assert all(
        "gov.scot/publications/childrens-social-work-statistics" in s for _, s, _ in measures
    )
    assert dict((k, d) for k, _, d in measures)[MEETINGS] == [
        "case-conferences",
        "planning-meetings",
    ]
    assert scotland == (True, "S92000003")
    # The published revision ships as two editions: 2,031 first, revised to 2,019.
    assert figures(app, REGISTER) == [
        ("scotland", "2021-22", 2031.0, None, "2021-22", "register-31-july", True, "2022-23"),
        ("scotland", "2021-22", 2019.0, None, "2022-23", "register-31-july", False, None),
        ("scotland", "2022-23", 2094.0, None, "2022-23", "register-31-july", False, None),
    ]
    # Scotland is no CPC: not among the areas, not in the rollup, has no area pages.
    auth.login("viewer")
    assert "Scotland" not in client.get("/").text
    assert "Scotland" not in client.get("/tric/").text
    assert client.get("/areas/scotland/").status_code == 404
    listed = client.get("/api/v1/areas/").get_json()["items"]
    assert "scotland" not in [a["slug"] for a in listed]
    # ... but it is beside each national measure in an area's KPI list.
    page = client.get("/areas/perth-and-kinross/kpis/").text
    assert "Scotland (national measures)" in page
    row = re.search(r"Children on the child protection register at 31 July.*?</tr>", page, re.S)
    assert "2,094" in row.group(0) and "(2022-23)" in row.group(0)


def test_two_editions_revise_a_year_rates_combine_as_ratio_of_sums_and_a_break_is_drawn(
    app,
    runner,
    tmp_path,
    client,
    auth,
    api,  # noqa: F811
):
    first = import_file(runner, tmp_path, EDITION_2022_23)
    assert first.exit_code == 0, first.output
    # Scotland's 2022-23 in the 2022-23 edition is older than the shipped 2023-24 edition's.
    assert "1 from an older edition kept in the history only" in first.output
    second = import_file(runner, tmp_path, EDITION_2023_24)
    assert second.exit_code == 0, second.output

    found = figures(app, MEETINGS)
    dundee = [f for f in found if f[0] == "dundee" and f[1] == "2022-23"]
    # The revised figure is in force; the 2022-23 edition's is kept, superseded by 2023-24.
    assert dundee == [
        ("dundee", "2022-23", 5.6, 140.0, "2022-23", "case-conferences", True, "2023-24"),
        ("dundee", "2022-23", 5.8, 145.0, "2023-24", "planning-meetings", False, None),
    ]
    # The rates without a population took it from the population measure.
    in_force = {(f[0], f[1]): f for f in found if not f[6]}
    assert in_force[("dundee", "2023-24")][2] == pytest.approx(4.0)
    assert in_force[("perth-and-kinross", "2023-24")][2] == pytest.approx(1.0)

    kpi = national(app, MEETINGS)
    auth.login("viewer")
    compared = api("viewer", "get", f"/api/v1/kpis/{kpi}/compare").get_json()
    assert compared["periods"] == ["2021-22", "2022-23", "2023-24"]
    assert compared["breaks"] == ["2022-23"]
    series = {s["key"]: s for s in compared["series"]}
    assert [s["kind"] for s in compared["series"]] == ["area"] * 3 + ["tayside", "reference"]
    tayside = {f["period"]: f for f in series["tayside"]["figures"]}
    # The ratio of the sums (247 in 75,000), not the average of the three rates (3.67).
    assert tayside["2023-24"]["value"] == pytest.approx(1000 * (120 + 96 + 31) / 75000)
    assert tayside["2023-24"]["value"] != pytest.approx((6.0 + 4.0 + 1.0) / 3)
    assert tayside["2022-23"]["value"] == pytest.approx(1000 * 325 / 75000)
    scotland = {f["period"]: f for f in series["scotland"]["figures"]}
    assert scotland["2023-24"]["value"] == 4.0 and scotland["2023-24"]["numerator"] == 4069
    assert scotland["2021-22"]["value"] is None

    # One area: the area, Tayside and Scotland.
    dundee_only = api("viewer", "get", f"/api/v1/kpis/{kpi}/compare?areas=dundee&from=2022-23")
    names = [s["name"] for s in dundee_only.get_json()["series"]]
    assert names == ["Dundee", "Tayside", "Scotland"]
    assert dundee_only.get_json()["periods"] == ["2022-23", "2023-24"]

    page = client.get(f"/kpis/{kpi}/?area=dundee")
    text = html.unescape(page.text)
    assert "Definition changed" in text  # on the chart
    assert "Break in the series" in text and "from the 2023-24 edition" in text
    assert "Superseded by the 2023-24 edition" in text
    table = re.search(r'<table class="govuk-table" id="kpi-compare">.*?</table>', text, re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.group(0)))
    assert "3.3 per 1,000" in words  # Tayside 2023-24
    assert "5.8 per 1,000 (145 in 25,000) (2023-24 edition)" in words


def test_tayside_is_incomplete_when_an_area_has_no_figure(app, runner, tmp_path, api):  # noqa: F811
    import_file(
        runner,
        tmp_path,
        HEADER
        + f"Angus,2023-24,{MEETINGS},,120,20000,2023-24,Synthetic\n"
        + f"Dundee City,2023-24,{MEETINGS},,96,24000,2023-24,Synthetic\n",
    )
    kpi = national(app, MEETINGS)
    compared = api("viewer", "get", f"/api/v1/kpis/{kpi}/compare?areas=angus").get_json()
    tayside = next(s for s in compared["series"] if s["key"] == "tayside")["figures"]
    # 2022-23 is there for Scotland's shipped figure: no area has one.
    assert tayside[0]["period"] == "2022-23"
    assert tayside[0]["missing"] == ["Angus", "Dundee", "Perth and Kinross"]
    assert tayside[1:] == [
        {
            "period": "2023-24",
            "value": None,
            "numerator": None,
            "denominator": None,
            "definition": "",
            "edition": "",
            "incomplete": True,
            "missing": ["Perth and Kinross"],
        }
    ]


def test_a_hostile_table_is_refused_with_every_problem_named_and_nothing_stored(
    app, runner, tmp_path
):
    before = count_figures(app)
    out = import_file(
        runner,
        tmp_path,
        HEADER
        + f"S12999999,2023-24,{MEETINGS},,1,100,2023-24,Synthetic\n"  # no such code
        + f"Angus,2023-24,{MEETINGS},=1+2,1,100,2023-24,Synthetic\n"  # a formula
        + f'Angus,2023-24,{MEETINGS},,1,100,2023-24,=HYPERLINK("x")\n'  # a formula
        + "Angus,2023-24,no-such-measure,5,,,2023-24,Synthetic\n"
        + f"Angus,2023,{MEETINGS},,1,100,2023-24,Synthetic\n"  # not a statistical year
        + f"Angus,2023-24,{MEETINGS},,1,100,2022-23,Synthetic\n"  # edition before the year
        + f"Dundee,2023-24,{MEETINGS},9.9,1,100,2023-24,Synthetic\n"  # rate not its parts
        + f"Dundee,2022-23,{MEETINGS},,-5,100,2023-24,Synthetic\n"  # negative count
        + f"Perth & Kinross,2023-24,{MEETINGS},,7,,2023-24,Synthetic\n",  # no population
    )
    assert out.exit_code == 1
    for expected in (
        "Row 2, column area: No area has the code or name 'S12999999'",
        "Row 3, column value: This cell holds a formula",
        "Row 4, column source: This cell holds a formula",
        "Row 5, column measure: There is no national measure with the key 'no-such-measure'",
        "Row 6, column year: Write the period as a statistical year, like 2023-24.",
        "Row 7, column edition: The 2022-23 edition cannot give figures for 2023-24.",
        "Row 8, column value: The rate 9.9 does not match 1 in 100 (10.0)",
        "Row 9, column numerator: The count cannot be negative.",
        "Row 10, column denominator: Give the population (denominator)",
    ):
        assert expected in out.output, out.output
    assert "Nothing was imported: 9 problem(s)" in out.output
    assert count_figures(app) == before

    nul = import_file(runner, tmp_path, HEADER + "Angus,2023-24,\x00,1,,,2023-24,x\n")
    assert "The file holds a NUL character." in nul.output and nul.exit_code == 1
    rows = f"Angus,2023-24,{MEETINGS},,1,100,2023-24,Synthetic\n"
    huge = import_file(runner, tmp_path, HEADER + rows * 1_000_000)
    assert "The file is larger than 5 MB." in huge.output and huge.exit_code == 1
    many = import_file(runner, tmp_path, HEADER + "\n" * 30_000)
    assert "more than 20,000 rows" in many.output
    assert count_figures(app) == before


def test_an_excel_table_is_read_and_its_formulas_refused(app, client, auth, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["area", "year", "measure", "value", "edition", "source"])
    sheet.append(["S12000048", "2023-24", REGISTER, 12, "2023-24", "Synthetic"])
    sheet.append(["S12000041", "2023-24", REGISTER, "=SUM(1,2)", "2023-24", "Synthetic"])
    blob = io.BytesIO()
    book.save(blob)
    auth.login("admin")
    token = csrf_token(client, "/kpis/national/import")
    refused = client.post(
        "/kpis/national/import",
        data={"csrf_token": token, "file": (io.BytesIO(blob.getvalue()), "table.xlsx")},
    )
    assert refused.status_code == 400
    assert "Row 3, column value: This cell holds a formula" in html.unescape(refused.text)
    sheet.delete_rows(3)
    blob = io.BytesIO()
    book.save(blob)
    done = client.post(
        "/kpis/national/import",
        data={"csrf_token": token, "file": (io.BytesIO(blob.getvalue()), "table.xlsx")},
        follow_redirects=True,
    )
    assert "Imported: 1 figure(s) recorded." in html.unescape(done.text)
    pk = [f for f in figures(app, REGISTER) if f[0] == "perth-and-kinross"]
    assert pk == [("perth-and-kinross", "2023-24", 12.0, None, "2023-24", "register-31-july",
                   False, None)]  # fmt: skip


def test_only_administrators_import_the_national_statistics(app, client, auth, tmp_path):
    auth.login("pk")
    assert client.get("/kpis/national/import").status_code == 403
    token = csrf_token(client, "/kpis/import")
    blob = io.BytesIO(EDITION_2022_23.encode())
    refused = client.post(
        "/kpis/national/import", data={"csrf_token": token, "file": (blob, "t.csv")}
    )
    assert refused.status_code == 403
    assert figures(app, MEETINGS)[0][0] == "scotland"  # only the shipped figures


def test_the_same_edition_again_changes_nothing_and_a_different_figure_is_a_correction(
    app, runner, tmp_path
):
    import_file(runner, tmp_path, EDITION_2022_23)
    again = import_file(runner, tmp_path, EDITION_2022_23)
    assert "0 figure(s) recorded; 7 already recorded as they are." in again.output
    fixed = import_file(
        runner, tmp_path, HEADER + f"Angus,2022-23,{MEETINGS},,111,20000,2022-23,Synthetic\n"
    )
    assert "1 figure(s) recorded; 1 correcting the same edition's." in fixed.output
    angus = [f for f in figures(app, MEETINGS) if f[:2] == ("angus", "2022-23")]
    assert [(f[3], f[6], f[7]) for f in angus] == [(110.0, True, None), (111.0, False, None)]


def test_the_reports_compare_each_national_measure(app, runner, tmp_path, client, auth):
    import_file(runner, tmp_path, EDITION_2022_23)
    auth.login("pk")
    # The plan ended in 2023: the latest statistical year ended by then is 2022-23.
    text = html.unescape(client.get("/areas/perth-and-kinross/plans/2021-2023/report/print").text)
    table = re.search(r"National measures compared.*?</table>", text, re.S)
    assert table, "the committee report has no national measures table"
    row = re.search(r"Initial and pre-birth.*?</tr>", table.group(0), re.S).group(0)
    cells = [c.strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    assert cells == [
        "2022-23",
        "2.3 per 1,000 (70 in 30,000)",
        "4.3 per 1,000",  # 320 in 75,000: the ratio of the sums
        "4.1 per 1,000",  # Scotland's, as published (its population is not given there)
    ]
    # The KPI list puts Scotland's figure of the same year beside the area's latest (not
    # Scotland's latest, 4.0 in 2023-24).
    listed = html.unescape(client.get("/areas/perth-and-kinross/kpis/").text)
    row = re.search(r"Initial and pre-birth child.*?</tr>", listed, re.S).group(0)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells[2:4] == ["2.3 per 1,000 (70 in 30,000) (2022-23)", "4.1 per 1,000 (2022-23)"]


def test_the_statistical_year_is_a_period_like_any_other():
    year = parse_period("2023-24")
    assert (year.start.isoformat(), year.end.isoformat(), year.label) == (
        "2023-08-01",
        "2024-07-31",
        "2023-24",
    )
    from core.enums import KpiFrequency

    assert parse_period("2011/12", KpiFrequency.STATISTICAL_YEAR).text == "2011-12"
    assert period_words("2011-12") == "December 2011"
    assert period_words("2011-12", frequency=KpiFrequency.STATISTICAL_YEAR) == "2011-12"
    with pytest.raises(Exception, match="statistical year, like 2023-24"):
        parse_period("2023-25", KpiFrequency.STATISTICAL_YEAR)


def test_the_annual_report_compares_the_national_measures_as_the_committee_report_does(
    app, runner, tmp_path
):
    import_file(runner, tmp_path, EDITION_2022_23)

    def blocks(session):
        from core.services.reports.annual_data import Year, blocks

        area = session.scalars(sa.select(Area).where(Area.slug == "perth-and-kinross")).one()
        year = Year("2022-23", dt.date(2022, 8, 1), dt.date(2023, 7, 31), dt.date(2023, 7, 31))
        return blocks(session, area, year, {"kpis"}, app.extensions["cpc_plugins"])["kpis"]

    found = in_session(app, blocks)
    table = next(b for b in found if getattr(b, "key", "") == "national")
    rows = {row[0].text: [c.text for c in row[1:]] for row in table.rows}
    assert table.columns == ["National measure", "Year", "Perth and Kinross", "Tayside", "Scotland"]
    assert rows[
        "Initial and pre-birth child protection planning meetings, per 1,000 children aged 0-17"
    ] == ["2022-23", "2.3 per 1,000 (70 in 30,000)", "4.3 per 1,000", "4.1 per 1,000"]
    # Perth and Kinross has no register figure: the latest year Scotland has, no figure for it.
    assert rows["Children on the child protection register at 31 July"] == [
        "2022-23",
        "No figure",
        "Incomplete: no figure for Angus, Dundee, Perth and Kinross",
        "2,094",
    ]


def test_an_areas_own_system_is_asked_for_the_last_statistical_year(make_app):
    asked = []

    def kpi_values(area, kpi, period):
        asked.append((area, kpi.key, period))
        if kpi.key == REGISTER and area == "perth-and-kinross":
            return KpiFigure(value=41, source="Synthetic system")
        return None

    app = make_app(EXTRA_PLUGINS=[("pk-system", Plugin(kpi_values=kpi_values))])
    out = app.test_cli_runner().invoke(args=["kpi", "pull", "--area", "perth-and-kinross"])
    year = period_containing(dt.date.today(), "statistical_year").previous().text
    assert ("perth-and-kinross", REGISTER, year) in asked
    assert "Recorded 1 figure(s)." in out.output
    pk = [f for f in figures(app, REGISTER) if f[0] == "perth-and-kinross"]
    assert pk == [("perth-and-kinross", year, 41.0, None, "", "register-31-july", False, None)]

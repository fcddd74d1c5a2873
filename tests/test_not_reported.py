"""The committee clerk's quarter: reporting dates on 9 June and 8 September 2022, 24 of 25
actions updated for June, seven completed by September, and action 4.3 with no update for
September. As at 8 September, 4.3 is "Not reported this period" (its June Green beside it,
never as current) in every section and count of the paper, in all five formats, and on every
page; 2.2, 3.5 and 4.2 are overdue everywhere. The summary paper fits in 8 A4 pages."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from core import db
from core.enums import ActionKind, ProgressStatus, Rag
from core.services.reports.formats import render
from core.services.reports.report import build_report
from tests.helpers import PK, plan_of, report
from tests.test_report import docx_tables, table_starting

JUNE, SEPTEMBER = dt.date(2022, 6, 9), dt.date(2022, 9, 8)
PLAN = f"/areas/{PK}/plans/2021-2023"
SILENT = "4.3"
OVERDUE = ("2.2", "3.5", "4.2")
COMPLETED = ("1.3", "1.4", "3.1", "3.2", "3.3", "4.4", "5.2")
# What the paper prints for 4.3, and for the overdue actions (targets of 31 July 2022).
NOT_THIS_PERIOD = "Not reported this period (last update 1 June 2022: Green)"
LATE = "Overdue since 1 August 2022"
FIRST = {"1.2": Rag.RED, "2.2": Rag.AMBER, "3.5": Rag.AMBER, "4.2": Rag.AMBER}


def clerks_quarter(app):
    """The scenario, through the engine as the coordinator would post it (synthetic text);
    the ``quarter`` fixture."""
    from core.services.progress.reporting import add_reporting_date

    with app.app_context():
        session = db.get_session()
        plan = plan_of(session)
        for day in (JUNE, SEPTEMBER):
            add_reporting_date(
                session, plan, actor=None, reported_on=day, deadline=day - dt.timedelta(14)
            )
        session.commit()
        ordered = sorted(plan.actions, key=lambda a: a.position)
        improvement = [a.code for a in ordered if a.kind is ActionKind.IMPROVEMENT]
        ongoing = [a.code for a in ordered if a.kind is ActionKind.ONGOING]
        assert len(improvement) == 25
        for code in ongoing:  # the ongoing/maintenance actions report in both periods
            for day in (dt.date(2022, 6, 1), dt.date(2022, 9, 1)):
                status = ProgressStatus.ONGOING
                report(session, code, Rag.GREEN, status, on=day, kind=ActionKind.ONGOING)
        for code in improvement:
            if code != "6.3":  # 24 of 25 in June
                report(session, code, FIRST.get(code, Rag.GREEN), on=dt.date(2022, 6, 1))
        for code in improvement:
            if code == SILENT:
                continue
            if code in COMPLETED:
                report(session, code, None, ProgressStatus.COMPLETED, on=dt.date(2022, 9, 1))
            else:
                rag = Rag.GREEN if code in ("1.2",) else FIRST.get(code, Rag.GREEN)
                report(session, code, rag, on=dt.date(2022, 9, 1))
    return app


def _paper(app, fmt: str, contents: str = "full") -> bytes:
    with app.app_context():
        session = db.get_session()
        built = build_report(
            session, app.extensions["cpc_plugins"], plan_of(session), SEPTEMBER, contents
        )
        return render(built, fmt)


def _words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_the_word_paper_says_not_reported_and_overdue_in_every_section(quarter):
    tables = docx_tables(_paper(quarter, "docx"))
    # Wherever a table shows 4.3's RAG now, it is June's Green as last period's, never as
    # current (the direction table's "Was" is the RAG at 9 June, which was Green).
    now = [
        row[table[0].index(column)]
        for table in tables
        for column in ("Now", "RAG")
        if column in table[0]
        for row in table[1:]
        if row and row[0] == SILENT
    ]
    assert now == [NOT_THIS_PERIOD, NOT_THIS_PERIOD]
    missing = table_starting(tables, "No", "Action/task", "Strategic Lead", "Last update")
    assert [row[0] for row in missing[1:]] == [SILENT]
    assert missing[1][3:] == ["01/06/2022", "Green"]
    counts = table_starting(tables, "Outcome", "Red", "Amber", "Green", "Completed")
    everything = dict(zip(counts[0], counts[-1], strict=True))
    assert everything["Not reported"] == "1"
    moves, direction = [
        t for t in tables if t[0] == ["No", "Action/task", "Was", "Now", "Direction"]
    ]
    assert SILENT not in [row[0] for row in moves[1:]]  # "RAG moves": it did not move
    assert {row[0]: row[4] for row in direction[1:]}[SILENT] == "Not reported"
    exceptions = table_starting(tables, "No", "Action/task", "Strategic Lead", "Target date")
    assert [row[0] for row in exceptions[1:]] == list(OVERDUE)
    assert all(LATE in row[3] for row in exceptions[1:])
    # Leads as the plan prints a cell of two, not "A; B".
    leads = {row[0]: row[2] for row in exceptions[1:]}
    assert leads["3.5"] == (
        "CPC Practice Improvement Working Group and Protecting People Co-ordination Group"
    )
    plan_rows = {
        row[0]: row
        for table in tables
        if table[0][:3] == ["No", "Expected Impact", "Actions/Tasks"]
        for row in table[1:]
    }
    assert plan_rows[SILENT][5] == NOT_THIS_PERIOD
    assert plan_rows[SILENT][6].startswith("No update this period.")
    assert all(LATE in plan_rows[code][4] for code in OVERDUE)
    from docx import Document

    words = " ".join(p.text for p in Document(io.BytesIO(_paper(quarter, "docx"))).paragraphs)
    assert f"Updates not received for this period: 1: {SILENT}" in words
    assert all(f"{code} (since 1 August 2022)" in words for code in OVERDUE)
    assert "1 update not received" in words


def test_the_pdf_and_html_papers_say_it_too(quarter):
    pdf = PdfReader(io.BytesIO(_paper(quarter, "pdf")))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    page = _words(_paper(quarter, "html").decode())
    for said in (text, page):
        assert said.count(NOT_THIS_PERIOD) >= 2  # the direction and plan tables
        assert "Updates not received" in said
        assert f"Updates not received for this period: 1: {SILENT}" in said
        assert said.count(LATE) >= 2 * len(OVERDUE)  # exceptions and plan tables
        assert "1 update not received" in said


def test_the_workbook_and_csv_say_it_too(quarter):
    book = load_workbook(io.BytesIO(_paper(quarter, "xlsx")))
    missing = [[c.value for c in row] for row in book["Not received"].iter_rows()]
    header = next(row for row in missing if row[:2] == ["No", "Action/task"])
    listed = missing[missing.index(header) + 1 :]
    assert [row[0] for row in listed if row[0]] == [SILENT]
    plan = [[c.value for c in row] for row in book["The plan"].iter_rows()]
    head = next(row for row in plan if "RAG" in row and "No" in row)
    row = next(r for r in plan if r[head.index("No")] == SILENT)
    assert row[head.index("RAG")] == NOT_THIS_PERIOD
    sheet = book["The plan"]
    for code in OVERDUE:  # the target stays a date, with the words after it
        at = next(i for i, r in enumerate(plan, 1) if r[head.index("No")] == code)
        target = sheet.cell(row=at, column=head.index("Target Timescale") + 1)
        assert target.value == dt.datetime(2022, 7, 31)
        assert target.number_format == f'DD/MM/YYYY "{LATE}"'
    flat = list(csv.reader(io.StringIO(_paper(quarter, "csv").decode("utf-8-sig"))))
    columns = next(r for r in flat if r[:2] == ["Outcome", "No"])
    by_code = {r[1]: dict(zip(columns, r, strict=True)) for r in flat if len(r) == len(columns)}
    assert by_code[SILENT]["RAG"] == NOT_THIS_PERIOD
    assert by_code[SILENT]["Status"] == "Not reported this period"
    assert by_code[SILENT]["Direction of travel"] == "Not reported"
    assert all(by_code[code]["Overdue"] == LATE for code in OVERDUE)


def test_every_page_counts_the_silent_action_as_not_reported(quarter, client_for, api):
    web = client_for(quarter, "viewer")
    at = SEPTEMBER.isoformat()
    plan = web.get(f"{PLAN}/?as_at={at}").text
    row = plan[plan.index(f'id="action-{SILENT}"') :]
    row = _words(row[: row.index("</tr>")])
    assert "Not reported this period (last update 1 June 2022: Green)" in row
    assert "Not reported since the previous reporting date" in row  # its direction
    assert "1 not reported this period" in _words(plan)
    board = web.get(f"/areas/{PK}/?as_at={at}").text
    counted = re.search(r'id="count-not-reported"><span[^>]*>(\d+)<', board)
    assert counted and counted.group(1) == "1"
    green = re.search(r'id="count-green"><span[^>]*>(\d+)<', board)
    none = _words(web.get(f"{PLAN}/actions/?rag=none&as_at={at}").text)
    greens = _words(web.get(f"{PLAN}/actions/?rag=G&as_at={at}").text)
    assert f"open action {SILENT}" in none and f"open action {SILENT}" not in greens
    # The Find actions filter and the dashboard count the same Greens (the filter also
    # lists the ongoing actions, all Green here, which the counts leave out).
    with quarter.app_context():
        ongoing = sum(a.kind is ActionKind.ONGOING for a in plan_of(db.get_session()).actions)
    assert green and int(green.group(1)) == greens.count("open action ") - ongoing
    # The missing-updates page lists the same action as the paper's "Updates not received".
    missing = web.get(f"{PLAN}/reporting-dates/{at}/missing").text
    assert re.findall(r">(?:Ongoing action|Action) ([\d.]+)</a>", missing) == [SILENT, SILENT]
    assert "1 action with no update" in _words(missing)  # two leads: listed under each
    found = api("get", f"/api/v1/actions/?plan={_plan_id(quarter)}&as_at={at}&rag=none").json
    silent = next(item for item in found["items"] if item["code"] == SILENT)
    assert silent["reported_this_period"] is False and silent["direction"] == "not_reported"
    assert silent["period_since"] == JUNE.isoformat()


def _plan_id(app) -> int:
    with app.app_context():
        return plan_of(db.get_session()).id


def test_the_summary_paper_fits_in_eight_pages_and_the_full_paper_holds_the_rest(quarter):
    summary = PdfReader(io.BytesIO(_paper(quarter, "pdf", "summary")))
    full = PdfReader(io.BytesIO(_paper(quarter, "pdf", "full")))
    assert len(summary.pages) <= 8 < len(full.pages)
    text = " ".join(" ".join(page.extract_text() for page in summary.pages).split())
    for heading in ("What changed", "Updates not received", "Exceptions", "Progress/Update"):
        assert heading in text
    assert "Perth and Kinross CPC: summary progress report as at 8 September 2022" in text
    assert "Appendix 2:" not in text and "Plan on a page" not in text
    # Every action's full text appears once in the full paper; elsewhere its first words.
    with quarter.app_context():
        words = plan_of(db.get_session()).actions[0].text
    whole = " ".join(" ".join(page.extract_text() for page in full.pages).split())
    assert whole.count(" ".join(words.split())) == 1

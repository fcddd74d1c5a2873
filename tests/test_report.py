"""The committee's progress report: its sections, checked in the files a coordinator downloads
(Word, Excel, PDF, CSV, HTML) against the database, for two reporting dates."""

from __future__ import annotations

import csv
import datetime as dt
import io

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from core import db
from core.enums import ActionKind, ProgressStatus, Rag
from core.hooks.report import Cell, Paragraph, ReportSection, Table
from core.hooks.specs import hookimpl
from core.models import Action
from core.services.progress.progress import latest_updates
from core.services.reports.formats import render
from core.services.reports.report import build_report
from tests.helpers import (
    MARCH,
    SEPTEMBER,
    action,
    add_reporting_date,
    count_queries,
    in_session,
    plan_of,
    post_march,
    post_september,
    report,
    reword,
    two_meetings,
)

RAG_WORDS = {Rag.RED: "R: Red", Rag.AMBER: "A: Amber", Rag.GREEN: "G: Green"}


def made(app, as_at, fmt, plan_slug=None):
    with app.app_context():
        session = db.get_session()
        built = build_report(session, app.extensions["cpc_plugins"], plan_of(session), as_at)
        return render(built, fmt)


def expected_rags(app, as_at) -> dict[str, str]:
    """From the database: each improvement action's RAG in words as at ``as_at``."""

    def read(session):
        plan = plan_of(session)
        latest = latest_updates(session, Action.plan_id == plan.id, as_at=as_at)
        found = {}
        for item in plan.actions:
            if item.kind is not ActionKind.IMPROVEMENT:
                continue
            update = latest.get(item.id)
            if update is None:
                found[item.code] = "Not reported"
            elif update.rag is None:
                found[item.code] = "Completed"
            else:
                found[item.code] = RAG_WORDS[update.rag]
        return found

    return in_session(app, read)


def overdue_codes(app, as_at) -> list[str]:
    """From the database: the improvement actions past their target date and not completed
    as at ``as_at``, in plan order."""

    def read(session):
        plan = plan_of(session)
        latest = latest_updates(session, Action.plan_id == plan.id, as_at=as_at)
        return [
            item.code
            for item in sorted(plan.actions, key=lambda a: a.position)
            if item.kind is ActionKind.IMPROVEMENT
            and item.target_date is not None
            and item.target_date < as_at
            and not (latest.get(item.id) and latest[item.id].status is ProgressStatus.COMPLETED)
        ]

    return in_session(app, read)


def docx_tables(blob: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(blob))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def table_starting(tables, *header):
    return next(t for t in tables if tuple(t[0][: len(header)]) == header)


def test_the_summary_table_as_published_in_word_excel_and_pdf(app):
    as_published = dt.date(2021, 8, 1)
    tables = docx_tables(made(app, as_published, "docx"))
    summary = table_starting(tables, "Date", "Progress/Update Report")
    assert summary[1] == [
        "01/08/2021",
        "Published",
        "25",
        "-",
        "-",
        "25 (Year 1: 10 and Year 2: 15)",
    ]

    book = load_workbook(io.BytesIO(made(app, as_published, "xlsx")))
    sheet = book["Progress Update Report"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(
        [
            "Date",
            "Progress/Update Report",
            "Total Actions/Tasks",
            "Total Actions/Tasks Completed",
            "Total Actions/Tasks Added",
            "Total Actions/Tasks Ongoing",
        ]
    )
    published = rows[header + 1]
    assert published[0] == dt.datetime(2021, 8, 1)  # a real date, not text
    assert published[1:] == ["Published", 25, 0, 0, "25 (Year 1: 10 and Year 2: 15)"]
    assert sheet.cell(header + 2, 4).number_format == '0;-0;"-"'  # shown as "-", as published
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{header + 1}:")

    pdf = PdfReader(io.BytesIO(made(app, as_published, "pdf")))
    assert pdf.metadata.title.startswith("Perth and Kinross: CPC Improvement Plan")
    assert "/StructTreeRoot" in pdf.trailer["/Root"]  # tagged, for screen readers
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "25 (Year 1: 10 and Year 2: 15)" in " ".join(text.split())


def test_two_meetings_every_rag_exceptions_and_direction_of_travel(meetings):
    app = meetings
    for as_at in (MARCH, SEPTEMBER):
        tables = docx_tables(made(app, as_at, "docx"))
        plan_rows = [
            row
            for table in tables
            if table[0][:3] == ["No", "Expected Impact", "Actions/Tasks"]
            for row in table[1:]
        ]
        assert {row[0]: row[5] for row in plan_rows} == expected_rags(app, as_at)

    tables = docx_tables(made(app, SEPTEMBER, "docx"))
    exceptions = table_starting(
        tables, "No", "Action/task", "Strategic Lead", "Target date", "RAG before", "RAG now"
    )
    assert [(row[0], row[4], row[5]) for row in exceptions[1:3]] == [
        ("1.3", "R: Red", "R: Red"),
        ("1.1", "G: Green", "A: Amber"),
    ]
    assert exceptions[1][6].endswith("Test update for 1.3")
    # Then every action past its target date and not completed, whatever its RAG.
    overdue = overdue_codes(app, SEPTEMBER)
    assert overdue and [row[0] for row in exceptions[3:]] == [
        code for code in overdue if code not in ("1.3", "1.1")
    ]
    assert all("Overdue since" in row[3] for row in exceptions[1:] if row[0] in overdue)

    direction = {
        row[0]: row[4]
        for row in table_starting(tables, "No", "Action/task", "Was", "Now", "Direction")[1:]
    }
    # The first table of that shape is the "RAG moves" one: only the actions that moved.
    assert direction == {"1.1": "Worse", "1.2": "Better"}
    outcome_counts = table_starting(tables, "Outcome", "Red", "Amber", "Green")
    all_outcomes = outcome_counts[-1]
    assert all_outcomes[0] == "All outcomes"
    # Red 1.3, Amber 1.1, Green 1.2; completed 1.4 and 2.1; better 1.2, worse 1.1.
    assert all_outcomes[1:4] == ["1", "1", "1"] and all_outcomes[4] == "2"
    columns = outcome_counts[0]
    assert all_outcomes[columns.index("Better")] == "1"
    assert all_outcomes[columns.index("Worse")] == "1"

    summary = table_starting(tables, "Date", "Progress/Update Report")
    assert [row[0] for row in summary[1:]] == ["01/08/2021", "31/03/2022", "30/09/2022"]
    assert summary[2][3] == "1" and summary[3][3] == "2"  # completed by each meeting

    book = load_workbook(io.BytesIO(made(app, SEPTEMBER, "xlsx")))
    sheet = book["Exceptions"]
    red = next(row for row in sheet.iter_rows() if row[0].value == "1.3")
    assert red[5].value == "R: Red" and red[5].fill.fgColor.rgb.endswith("D4351C")


def test_rag_cells_in_word_are_shaded_and_written_out(meetings):
    document = Document(io.BytesIO(made(meetings, SEPTEMBER, "docx")))
    shaded = {}
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                fill = cell._tc.xpath("./w:tcPr/w:shd/@w:fill")
                if cell.text in RAG_WORDS.values():
                    shaded[cell.text] = fill[0] if fill else None
    assert shaded == {"R: Red": "D4351C", "A: Amber": "FFDD00", "G: Green": "00703C"}
    assert [s.orientation for s in document.sections][:2] == [0, 1]  # the plan is landscape
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0].startswith("What changed since the last report, 31 March 2022")
    assert "Appendix 2: ongoing/maintenance actions" in headings


def test_a_past_report_is_unchanged_by_later_updates(app):
    two_meetings(app, september=False)
    before = {fmt: made(app, MARCH, fmt) for fmt in ("html", "csv")}
    before_docx = docx_tables(made(app, MARCH, "docx"))
    in_session(app, post_september)
    assert {fmt: made(app, MARCH, fmt) for fmt in ("html", "csv")} == before
    assert docx_tables(made(app, MARCH, "docx")) == before_docx
    assert made(app, SEPTEMBER, "html") != before["html"]


def test_wording_is_as_it_was_on_the_reporting_date(meetings):
    app = meetings
    today = dt.date.today()
    with app.app_context():
        session = db.get_session()
        old = action(session, "1.2").text
        reword(session, action(session, "1.2"), "Synthetic new wording of 1.2")
        add_reporting_date(session, today)
        session.commit()
    march = made(app, MARCH, "html").decode()
    assert old in march and "Synthetic new wording of 1.2" not in march
    now = docx_tables(made(app, today, "docx"))
    changed = table_starting(now, "No", "What changed", "Before", "After")
    assert changed[1][:4] == ["1.2", "Action/task", old, "Synthetic new wording of 1.2"]
    rows = [r for t in now if t[0][:3] == ["No", "Expected Impact", "Actions/Tasks"] for r in t]
    assert next(r for r in rows if r[0] == "1.2")[2] == "Synthetic new wording of 1.2"


def test_csv_is_the_action_table_with_formulas_neutralised(meetings):
    with meetings.app_context():
        session = db.get_session()
        post = report(session, "1.1", Rag.RED, on=dt.date(2022, 9, 2))
        assert post.commentary == "Test update for 1.1"
    text = made(meetings, SEPTEMBER, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(expected_rags(meetings, SEPTEMBER)) + sum(
        1 for r in rows if r["Outcome"] == "Ongoing/maintenance"
    )
    one = next(r for r in rows if r["No"] == "1.1")
    assert one["RAG"] == "R: Red" and one["Last update"] == "2022-09-02"


class Plugin:
    def __init__(self, **impls):
        for name, fn in impls.items():
            setattr(self, name, hookimpl(fn))


def test_hook_report_sections(make_app, client):
    def extra(report):
        return [
            ReportSection(
                "synthetic-local",
                "Synthetic local section",
                35,
                [
                    Paragraph(f"{len(report.actions)} actions as at {report.as_at.isoformat()}"),
                    Table(["Code"], [[Cell(a.code)] for a in report.actions[:2]]),
                ],
            )
        ]

    def broken(report):
        raise RuntimeError("synthetic failure")

    app = make_app(
        EXTRA_PLUGINS=[
            ("synthetic-sections", Plugin(report_sections=extra)),
            ("synthetic-broken", Plugin(report_sections=broken)),
        ]
    )
    with app.app_context():
        session = db.get_session()
        built = build_report(session, app.extensions["cpc_plugins"], plan_of(session), MARCH)
        keys = [section.key for section in built.sections]
        assert keys.index("rag") < keys.index("synthetic-local") < keys.index("exceptions")
        assert [p.plugin for p in built.problems] == ["synthetic-broken"]
        count = len(built.data.actions)
    tables = docx_tables(made(app, MARCH, "docx"))
    assert table_starting(tables, "Code")[1:] == [["1.1"], ["1.2"]]
    assert f"{count} actions as at 2022-03-31" in made(app, MARCH, "html").decode()


def test_the_report_takes_the_same_number_of_queries_whatever_the_history(app):
    def queries(as_at) -> int:
        with app.app_context():
            session = db.get_session()
            with count_queries(app) as counted:
                built = build_report(
                    session, app.extensions["cpc_plugins"], plan_of(session), as_at
                )
                render(built, "xlsx")
            return counted.n

    with app.app_context():
        session = db.get_session()
        add_reporting_date(session, dt.date(2022, 1, 31))
        add_reporting_date(session, MARCH)
        session.commit()
        post_march(session)
    few = queries(MARCH)  # two reporting dates, four updates
    with app.app_context():
        session = db.get_session()
        for month in range(4, 13):
            day = dt.date(2022, month, 28)
            add_reporting_date(session, day)
            session.commit()
            for code in ("1.1", "1.2", "2.1", "3.1"):
                report(session, code, list(Rag)[month % 3], on=day)
    assert queries(dt.date(2022, 12, 28)) == few


def test_the_paper_says_each_thing_once_and_names_ongoing_actions_as_such(meetings):
    import csv as csv_module
    import re

    text = " ".join(re.sub(r"<[^>]+>", " ", made(meetings, SEPTEMBER, "html").decode()).split())
    assert re.search(r"\d+ \(Year 1: \d+ and Year 2: \d+\) are ongoing", text)
    assert not re.search(r"\d+ \(\d+ \(", text)  # never "18 (18 (Year 1: ..."
    assert "KPI(s)" not in text
    rows = list(
        csv_module.reader(io.StringIO(made(meetings, SEPTEMBER, "csv").decode("utf-8-sig")))
    )
    ongoing = [row[1] for row in rows[1:] if row[0] == "Ongoing/maintenance"]
    assert ongoing and all(re.fullmatch(r"Ongoing \d+", number) for number in ongoing)


def test_the_plan_prints_with_its_plan_on_a_page_legend_table_and_whole_outcomes(meetings):
    tables = docx_tables(made(meetings, SEPTEMBER, "docx"))
    legend = table_starting(tables, "RAG", "What it means in this plan")
    assert [row[0] for row in legend[1:]] == ["R: Red", "A: Amber", "G: Green"]
    assert legend[1][1].startswith("RED:")  # the plan's own published meaning
    document = Document(io.BytesIO(made(meetings, SEPTEMBER, "docx")))
    text = [p.text for p in document.paragraphs]
    on_a_page = text.index("Plan on a page")
    first_outcome = next(i for i, t in enumerate(text) if t.startswith("Outcome 1 "))
    assert on_a_page < first_outcome
    assert any(
        t.startswith("Relationship with Children and Families: 1. Focus on the Child") for t in text
    )
    assert "¹ Children and Young People including Unborn Babies. ² Parents and Carers." in text


def test_each_sheets_filter_covers_its_whole_table(meetings):
    from openpyxl.utils.cell import range_boundaries

    book = load_workbook(io.BytesIO(made(meetings, SEPTEMBER, "xlsx")))
    for sheet in book:
        if not sheet.auto_filter.ref:
            continue
        first_col, _header, last_col, last_row = range_boundaries(sheet.auto_filter.ref)
        width = last_col - first_col + 1
        below = sheet.iter_rows(min_row=last_row + 1, values_only=True)
        # Nothing under the filtered table has the table's shape: no row was left out of it.
        assert not [row for row in below if sum(c is not None for c in row) == width], sheet.title
    plan = book["The plan"]
    codes = [row[1] for row in plan.iter_rows(values_only=True)]
    assert {"1.1", "3.1", "6.4"} <= set(codes)  # every outcome's actions, in one table
    last_row = range_boundaries(plan.auto_filter.ref)[3]
    assert last_row >= max(i for i, code in enumerate(codes, 1) if code == "6.4")


def test_the_first_report_says_it_is_the_first(meetings):
    tables = docx_tables(made(meetings, MARCH, "docx"))
    direction = table_starting(tables, "No", "Action/task", "Was", "Now", "Direction")
    was = {row[2] for row in direction[1:]}
    assert was == {"First report"}  # not "Not in the plan" for every action
    later = table_starting(
        docx_tables(made(meetings, SEPTEMBER, "docx")), "No", "Action/task", "Was"
    )
    assert "First report" not in {row[2] for row in later[1:]}


def test_the_word_file_is_a4_british_english_and_says_who_made_it_and_when(meetings):
    import zipfile

    from docx.oxml.ns import qn

    blob = made(meetings, SEPTEMBER, "docx")
    document = Document(io.BytesIO(blob))
    for section in document.sections:
        sides = sorted([section.page_width.cm, section.page_height.cm])
        assert [round(side, 1) for side in sides] == [21.0, 29.7]  # A4
        margins = [section.left_margin, section.right_margin, section.top_margin]
        assert [round(margin.cm, 2) for margin in margins] == [2.0, 2.0, 2.0]
    assert any(s.page_width > s.page_height for s in document.sections)  # the plan: landscape
    props = document.core_properties
    assert props.author == "Perth and Kinross Child Protection Committee"
    assert props.created.date() == dt.date.today()
    lang = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )
    assert lang.get(qn("w:val")) == "en-GB"
    with zipfile.ZipFile(io.BytesIO(blob)) as parts:
        told = parts.read("docProps/core.xml") + parts.read("docProps/app.xml")
    assert b"python-docx" not in told and b"Microsoft" not in told
    # Every table's header row repeats on each page, and no other row is split between pages;
    # each table has alt text (a title and a description); headings are Word's own styles, and
    # there is no picture without a description.
    for table in document.tables:
        first, *rest = table.rows
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rest)
        title = table._tbl.tblPr.find(qn("w:tblCaption"))
        described = table._tbl.tblPr.find(qn("w:tblDescription"))
        assert title is not None and title.get(qn("w:val"))
        assert described is not None and "rows of" in described.get(qn("w:val"))
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert {p.style.name for p in headings} <= {"Heading 1", "Heading 2", "Heading 3"}
    assert any(p.text == "Exceptions: actions at Red or Amber, or overdue" for p in headings)
    for shape in document.inline_shapes:
        assert shape._inline.docPr.get("descr")


def test_the_pdf_keeps_headings_with_their_content_and_its_footer_on_one_line(meetings):
    import re

    pdf = PdfReader(io.BytesIO(made(meetings, SEPTEMBER, "pdf")))
    footer = re.compile(
        r"Perth and Kinross CPC: progress report as at 30 September 2022 Page \d+ of \d+$"
    )
    headings = re.compile(r"^(Outcome \d+ – |Priority \d+: |Appendix \d|Exceptions|Summary for)")
    for number, page in enumerate(pdf.pages, 1):
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        assert footer.search(lines[-1]), f"page {number}: {lines[-1]!r}"
        assert not headings.match(lines[-2]), f"page {number} ends on a heading: {lines[-2]!r}"

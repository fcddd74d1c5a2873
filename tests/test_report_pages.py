"""The committee report in the app, through the API and on the command line; what changed
between two meetings; and "as at" leaving out what came later."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from core import db
from core.services.plans.document import plan_document
from core.services.tric import shared
from core.services.tric.rollup import tayside_rollup
from tests.helpers import MARCH, PK, SEPTEMBER, action, download_by_job, in_session, plan_of

PLAN = f"/areas/{PK}/plans/2021-2023"


@pytest.mark.usefixtures("meetings")
def test_the_committee_report_page_offers_every_format_for_the_latest_meeting(client, auth):
    auth.login("viewer")
    page = client.get(f"{PLAN}/report/")
    assert page.status_code == 200
    assert "Shown as at 30 September 2022, the latest reporting date" in page.text
    for name in ("Word (DOCX)", "PDF", "Excel (XLSX)", "CSV (the action table)", "Print view"):
        assert name in page.text
    word = download_by_job(client, f"{PLAN}/report/download?as_at={MARCH.isoformat()}&format=docx")
    assert word.status_code == 200
    assert word.headers["Content-Disposition"] == (
        f'attachment; filename="{PK}-2021-2023-report-2022-03-31.docx"'
    )
    headings = [p.text for p in Document(io.BytesIO(word.data)).paragraphs]
    title = "Perth and Kinross: CPC Improvement Plan 1 August 2021 – 31 July 2023"
    assert f"{title}, progress report as at 31 March 2022" in headings
    printed = client.get(f"{PLAN}/report/print?as_at={SEPTEMBER.isoformat()}")
    assert (
        "data-cpc-print" in printed.text and "Exceptions: actions at Red or Amber" in printed.text
    )
    assert client.get(f"{PLAN}/report/download?format=exe").status_code == 400
    assert client.get(f"{PLAN}/report/?as_at=1700-01-01").status_code == 400


def test_the_report_through_the_api(meetings, client, auth):
    app = meetings
    auth.login("viewer")
    plan_id = in_session(app, lambda s: plan_of(s).id)
    found = client.get(f"/api/v1/plans/{plan_id}/report?as_at={SEPTEMBER.isoformat()}")
    assert found.status_code == 200
    body = found.get_json()
    assert body["as_at"] == "2022-09-30" and body["previous_reporting_date"] == "2022-03-31"
    exceptions = next(s for s in body["sections"] if s["key"] == "exceptions")
    rows = exceptions["blocks"][0]["rows"]
    assert [(r[0]["text"], r[5]["rag"]) for r in rows[:2]] == [("1.3", "R"), ("1.1", "A")]
    # The rest are overdue, each saying since when.
    assert rows[2:] and all("Overdue since" in r[3]["text"] for r in rows[2:])
    sheet = client.get(f"/api/v1/plans/{plan_id}/report?as_at=2022-09-30&format=xlsx")
    assert sheet.mimetype.endswith("spreadsheetml.sheet")
    assert "Exceptions" in load_workbook(io.BytesIO(sheet.data)).sheetnames
    wrong = client.get(f"/api/v1/plans/{plan_id}/report?format=odt")
    assert wrong.status_code == 422 and "format" in wrong.text


@pytest.mark.usefixtures("meetings")
def test_cpc_report_writes_the_file(runner, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["report", PK, "--as-at", "2022-03-31", "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "progress report as at 31 March 2022" in result.output
    book = load_workbook(out)
    assert book.sheetnames[:4] == [
        "What changed",
        "Not received",
        "Progress Update Report",
        "RAG by outcome",
    ]
    bad = runner.invoke(args=["report", "nowhere", "--format", "pdf", "--output", str(out)])
    assert bad.exit_code != 0 and "There is no area 'nowhere'" in bad.output


@pytest.mark.usefixtures("meetings")
def test_what_changed_between_two_meetings(client, auth):
    auth.login("viewer")
    page = client.get(f"{PLAN}/changes/?from=2022-03-31&to=2022-09-30")
    assert page.status_code == 200
    text = page.text
    assert "From 31 March 2022 to 30 September 2022" in text
    moves = text[text.index("RAG moves") : text.index("Newly overdue")]
    assert "1.1" in moves and "1.2" in moves and "1.3" not in moves
    overdue = text[text.index("Newly overdue") : text.index("Added to the plan")]
    assert "1.3" in overdue  # due by the end of Year 1 (31 July 2022), still Red
    assert client.get(f"{PLAN}/changes/?from=2022-09-30&to=2022-03-31").status_code == 400


def test_as_at_leaves_out_shared_actions_and_adoptions_made_later(app):
    """The rollup as at 30 June 2022 has no shared action or adoption made today."""
    with app.app_context():
        session = db.get_session()
        made = shared.create_shared_action(
            session, actor=None, title="Synthetic later action", text="Made in the app."
        )
        plan = plan_of(session)
        outcome = next(o for o in plan.outcomes if o.number == 1)
        shared.adopt_shared_action(session, made, plan, actor=None, outcome=outcome)
        session.commit()
        plugins = app.extensions["cpc_plugins"]
        then = tayside_rollup(session, plugins, dt.date(2022, 6, 30))
        now = tayside_rollup(session, plugins, dt.date.today())
        assert made.key not in [row.key for row in then.rows]
        assert now.row(made.key).cells[PK] is not None
        copy = shared.adoption_in(session, made, plan)
        then_doc = plan_document(session, plan, dt.date(2022, 6, 30))
        now_doc = plan_document(session, plan, dt.date.today())
        assert copy.id not in {a.id for a in then_doc.state.actions}
        assert copy.id in {a.id for a in now_doc.state.actions}
        assert action(session, "1.1").id in {a.id for a in then_doc.state.actions}

"""Overdue stays overdue: every view that shows a RAG also says "Overdue since ..." for an
action past its target date and not completed, whatever its RAG, and the report's exceptions
list every overdue action."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from tests.helpers import PK, SEPTEMBER
from tests.test_report import docx_tables, made, overdue_codes, table_starting

PLAN = f"/areas/{PK}/plans/2021-2023"


def _since(app, code: str) -> str:
    from core import db
    from tests.helpers import action

    with app.app_context():
        target = action(db.get_session(), code).target_date
    day = target + dt.timedelta(days=1)
    return f"Overdue since {day.day} {day:%B %Y}"


@pytest.fixture
def overdue(meetings) -> tuple[str, str]:
    """An action past its target date on the September meeting, and what it should say."""
    codes = overdue_codes(meetings, SEPTEMBER)
    assert codes
    return codes[0], _since(meetings, codes[0])


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_page_with_a_rag_says_since_when_an_action_is_overdue(meetings, client_for, overdue):
    code, said = overdue
    web = client_for(meetings, "viewer")
    as_at = SEPTEMBER.isoformat()
    plan = web.get(f"{PLAN}/?as_at={as_at}").text
    row = plan[plan.index(f'id="action-{code}"') :]
    assert said in _text(row[: row.index("</tr>")])
    found = _text(web.get(f"{PLAN}/actions/?overdue=1&as_at={as_at}").text)
    assert f"{code}" in found and said in found
    board = _text(web.get(f"/areas/{PK}/?as_at={as_at}").text)
    assert said in board


def test_the_rollup_says_since_when_an_adopted_action_is_overdue(
    app, client_for, tayside_adoptions
):
    web = client_for(app, "pg5")
    page = _text(web.get("/tric/?as_at=2022-09-30").text)
    shared = re.findall(r"Overdue since \d{1,2} \w+ \d{4}", page)
    assert shared, "an adopted shared action past its target date shows as overdue"
    assert "Overdue since 1 August 2022" in shared  # target dates of 31 July 2022
    csv = web.get("/tric/rollup.csv?as_at=2022-09-30").text
    assert "Overdue since 1 August 2022" in csv


def test_the_paper_lists_every_overdue_action_in_its_exceptions_plan_and_cypfp_summary(
    meetings, overdue
):
    code, said = overdue
    codes = overdue_codes(meetings, SEPTEMBER)
    tables = docx_tables(made(meetings, SEPTEMBER, "docx"))
    exceptions = table_starting(tables, "No", "Action/task", "Strategic Lead", "Target date")
    listed = {row[0]: row[3] for row in exceptions[1:]}
    assert set(codes) <= set(listed)
    assert said in listed[code]
    plan_rows = {
        row[0]: row
        for table in tables
        if table[0][:3] == ["No", "Expected Impact", "Actions/Tasks"]
        for row in table[1:]
    }
    assert said in plan_rows[code][4]
    page = _text(made(meetings, SEPTEMBER, "html").decode())
    summary = page[page.index("Summary for the Children, Young People and Families") :]
    assert f"Overdue (past the target date and not completed): {len(codes)}:" in summary
    assert f"{code} (since {said.removeprefix('Overdue since ')})" in summary


def test_what_will_bring_it_back_on_track_is_asked_kept_and_shown_with_the_exceptions(
    meetings, api, client_for
):
    from core.services.plans.plan_transfer import export_plan
    from tests.helpers import action, in_session, plan_of

    first = in_session(meetings, lambda s: action(s, "1.3").id)
    form = client_for(meetings, "pk").get(f"/actions/{first}/updates/new").text
    assert "What will bring it back on track?" in form
    plan = "Synthetic: a second trainer starts in October; the launch moves to November."
    update = {
        "reported_on": "2022-09-20",
        "status": "in_progress",
        "rag": "R",
        "commentary": "Synthetic: the launch has slipped.",
        "back_on_track": plan,
    }
    posted = api("post", f"/api/v1/actions/{first}/updates", who="pk", json=update)
    assert posted.status_code == 201, posted.text
    listed = api("get", f"/api/v1/actions/{first}/updates", who="viewer").json
    assert plan in [u["back_on_track"] for u in listed["items"]]
    tables = docx_tables(made(meetings, SEPTEMBER, "docx"))
    exceptions = table_starting(tables, "No", "Action/task", "Strategic Lead", "Target date")
    assert exceptions[0][-1] == "What will bring it back on track"
    assert {row[0]: row[-1] for row in exceptions[1:]}["1.3"] == plan
    exported = in_session(meetings, lambda s: export_plan(s, plan_of(s)))
    carried = [
        u.get("back_on_track")
        for group in exported["priority_groups"]
        for outcome in group["outcomes"]
        for item in outcome["actions"]
        for u in item["updates"]
    ]
    assert plan in carried  # the plan file carries it, and takes it back on import

"""What a coordinator does in the browser's place: the dashboard, an action's page and history,
posting updates, adding, editing and completing actions, and finding actions."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from core.enums import ProgressStatus, Rag
from core.models import Action, ActionChange, ProgressUpdate
from tests.helpers import PK, action, in_session, report

PLAN = f"/areas/{PK}/plans/2021-2023/"


def _id(app, code, area=PK):
    return in_session(app, lambda s: action(s, code, area).id)


def _codes(html: str) -> list[str]:
    """The action numbers listed in an action table, in order."""
    return re.findall(r'href="/actions/\d+">([\d.]+)<span', html)


def _count(text: str, which: str) -> int:
    """A number from the dashboard's counts: red, amber, green, not-reported, overdue..."""
    match = re.search(rf'id="count-{which}"><span class="cpc-counts__number">(\d+)<', text)
    assert match, which
    return int(match.group(1))


def test_dashboard_shows_rag_counts_overdue_due_soon_and_latest_updates(client, auth, session):
    report(session, "1.1", Rag.RED, on=dt.date(2022, 4, 1))
    report(session, "2.3", Rag.AMBER, on=dt.date(2022, 5, 1))
    report(session, "1.3", None, ProgressStatus.COMPLETED, on=dt.date(2022, 5, 2))
    auth.login("viewer")
    page = client.get(f"/areas/{PK}/?as_at=2022-06-01").text
    assert "Perth and Kinross dashboard" in page
    assert (_count(page, "red"), _count(page, "amber"), _count(page, "green")) == (1, 1, 0)
    assert (_count(page, "completed"), _count(page, "not-reported")) == (1, 22)
    assert (_count(page, "overdue"), _count(page, "due-soon")) == (0, 9)
    # Year 1 ends 31 July 2022: its actions not completed (all but 1.3) are due within 90 days.
    due = page[page.index('id="due-soon"') : page.index('id="latest-updates"')]
    assert _codes(due) == ["1.4", "2.2", "3.1", "3.2", "3.3", "3.5", "4.2", "4.4", "5.2"]
    assert "No action is overdue." in page
    latest = page[page.index('id="latest-updates"') :]
    assert latest.index("Action 1.3") < latest.index("Action 2.3") < latest.index("Action 1.1")
    assert 'data-label="Total actions/tasks">25</td>' in page  # the summary row
    later = client.get(f"/areas/{PK}/?as_at=2022-08-15").text
    overdue = later[later.index('id="overdue"') : later.index('id="due-soon"')]
    assert _codes(overdue)[:3] == ["1.4", "2.2", "3.1"] and "1.3" not in _codes(overdue)


def test_action_page_shows_the_action_and_its_history_newest_first(client, auth, app, session):
    report(session, "4.4", Rag.AMBER, on=dt.date(2022, 1, 10))
    report(session, "4.4", Rag.GREEN, on=dt.date(2022, 6, 10))
    auth.login("viewer")
    page = client.get(f"/actions/{_id(app, '4.4')}").text
    assert "Consultant Paediatrician" in page and "By end of Year 1" in page
    assert "G</span> Green" in page[page.index('id="current-rag"') :]
    history = page[page.index('id="history"') :]
    assert history.index("10 June 2022") < history.index("10 January 2022")
    kpis = page[page.index("Key performance indicator") :]
    assert "<li>" in kpis[:2000]


def test_a_bad_update_names_each_field_keeps_what_was_typed_and_saves_nothing(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    typed = {
        "reported_on": "2022-02-30",
        "status": "in_progress",
        "rag": "A",
        "commentary": "Half written <b>note</b>",
        "evidence_url": "minutes folder",
    }
    response = auth.post(f"/actions/{action_id}/updates/new", typed)
    assert response.status_code == 400
    page = response.text
    assert page.count('class="govuk-error-message"') == 2
    assert "Enter the reporting date as a real date" in page
    assert "Enter the evidence link as a full web address" in page
    assert 'href="#reported_on"' in page and 'href="#evidence_url"' in page  # error summary
    assert ">Half written &lt;b&gt;note&lt;/b&gt;</textarea>" in page
    assert 'value="minutes folder"' in page
    assert re.search(r'value="A" checked', page)
    assert page.startswith("<!doctype html>") and "<title>Error: " in page
    # The service's own rules come back the same way: a RAG is needed while in progress.
    no_rag = {**typed, "reported_on": "2022-03-01", "evidence_url": "", "rag": ""}
    response = auth.post(f"/actions/{action_id}/updates/new", no_rag)
    assert "needs a RAG status" in response.text
    future = {**no_rag, "rag": "A", "reported_on": "2098-01-01"}
    assert "cannot be in the future" in auth.post(f"/actions/{action_id}/updates/new", future).text
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id)))) == 0


def test_a_good_update_is_saved_with_its_author_and_shown(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    form = {
        "reported_on": "2022-03-01",
        "status": "in_progress",
        "rag": "R",
        "commentary": "Staffing gaps are delaying the work.",
        "evidence_url": "https://example.org/cpc/minutes-march",
    }
    response = auth.post(f"/actions/{action_id}/updates/new", form)
    assert response.status_code == 302 and response.location == f"/actions/{action_id}"
    page = client.get(response.location).text
    assert "Your update on action 2.1 has been saved." in page
    assert "Staffing gaps are delaying the work." in page
    assert "by pk.coordinator@test.invalid" in page
    assert 'href="https://example.org/cpc/minutes-march"' in page


def test_an_added_action_counts_as_added_and_appears_in_the_plan(client, auth, app):
    auth.login("pk")
    outcome = in_session(app, lambda s: action(s, "2.1").outcome_id)
    missing = auth.post(f"{PLAN}actions/new", {"outcome": str(outcome), "text": " "})
    assert missing.status_code == 400 and "Say what the action is." in missing.text
    late = auth.post(
        f"{PLAN}actions/new",
        {"outcome": str(outcome), "text": "Synthetic test action", "target_date": "2030-01-01"},
    )
    assert "The target date must fall within the plan" in late.text
    assert 'value="2030-01-01"' in late.text and ">Synthetic test action</textarea>" in late.text
    response = auth.post(
        f"{PLAN}actions/new",
        {
            "outcome": str(outcome),
            "text": "Synthetic test action",
            "expected_impact": "Synthetic impact",
            "leads": "Lead one\nLead two\n",
            "target_date": "2023-03-31",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Action 2.4 has been added to the plan." in page
    assert "Lead one" in page and "Lead two" in page
    today = dt.date.today().isoformat()
    summary = client.get(f"/areas/{PK}/?as_at={today}").text
    row = summary[summary.index("Total actions/tasks added") :]
    assert re.search(r"<td[^>]*>26</td>\s*<td[^>]*>-</td>\s*<td[^>]*>1</td>", row)
    assert 'id="action-2.4"' in client.get(f"{PLAN}?as_at={today}").text
    # The plan has ended and has no reporting dates: its page shows it as at its end, when
    # the action added today did not exist yet.
    ended = client.get(PLAN).text
    assert "Shown as at 31 July 2023, the end of the plan" in ended
    assert 'id="action-2.4"' not in ended


def test_editing_wording_keeps_the_change_and_refuses_a_stale_form(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    revision = in_session(app, lambda s: s.get(Action, action_id).revision)
    old_text = in_session(app, lambda s: s.get(Action, action_id).text)
    form = {
        "text": "Synthetic rewording of 2.1",
        "expected_impact": "Synthetic impact",
        "leads": "Chief Social Work Officer (CSWO)",
        "target_date": "2023-07-31",
        "revision": str(revision),
    }
    assert auth.post(f"/actions/{action_id}/edit", form).status_code == 302
    page = client.get(f"/actions/{action_id}").text
    assert "Synthetic rewording of 2.1" in page[: page.index('id="history"')]
    changes = page[page.index('id="changes"') :]
    assert "Action/task changed by pk.coordinator@test.invalid" in changes
    assert old_text[:40] in changes and "Expected impact changed" in changes
    assert "Strategic leads changed" not in changes  # unchanged fields are not listed
    # Someone else's form, opened before that edit, is refused and saves nothing.
    stale = auth.post(f"/actions/{action_id}/edit", {**form, "text": "Another wording"})
    assert stale.status_code == 400
    assert "Someone else changed this action while you were editing it" in stale.text
    assert in_session(app, lambda s: s.get(Action, action_id).text) == form["text"]
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ActionChange.id)))) == 2


def test_marking_completed_counts_in_the_summary(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.2")
    response = auth.post(
        f"/actions/{action_id}/complete", {"reported_on": "2022-06-30", "commentary": "Done."}
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Action 2.2 is marked as completed." in page
    assert "Mark as completed" not in page
    assert "cpc-rag--done" in page[page.index('id="current-rag"') :][:200]
    dashboard = client.get(f"/areas/{PK}/?as_at=2022-07-01").text
    row = dashboard[dashboard.index("Total actions/tasks ongoing") :]
    assert re.search(r"<td[^>]*>25</td>\s*<td[^>]*>1</td>", row)


def test_finding_actions_by_outcome_rag_status_lead_overdue_and_words(client, auth, session):
    report(session, "3.1", Rag.RED, on=dt.date(2022, 4, 1))
    report(session, "3.4", Rag.GREEN, on=dt.date(2022, 4, 1))
    report(session, "1.1", Rag.RED, on=dt.date(2022, 4, 1))
    report(session, "4.4", None, ProgressStatus.COMPLETED, on=dt.date(2022, 4, 1))
    auth.login("viewer")
    url = f"{PLAN}actions/?as_at=2022-09-01&"

    def found(query: str) -> list[str]:
        page = client.get(url + query)
        assert page.status_code == 200, page.text
        return _codes(page.text)

    assert found("outcome=3") == ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]
    assert found("rag=R") == ["1.1", "3.1"]
    assert found("outcome=3&rag=R") == ["3.1"]
    assert found("status=completed") == ["4.4"]
    assert found("lead=paediatrician") == ["4.4"]
    assert found("q=chronolog") == ["3.3"]
    overdue = found("overdue=1")
    assert "4.4" not in overdue and "3.2" in overdue and "1.1" not in overdue
    assert len(found("rag=none")) == 25 + 7 - 3  # every action, ongoing ones too, less 3 RAGs
    bad = client.get(url + "rag=purple")
    assert bad.status_code == 400 and "Choose Red, Amber, Green or none." in bad.text

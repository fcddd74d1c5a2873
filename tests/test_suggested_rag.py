"""A RAG the committee can trust: the engine suggests one from the evidence and says why; the
form shows it and never fills in last quarter's RAG; a greener choice needs a reason, which
the report lists; and each action's direction of travel shows beside its RAG."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from core.default_plugins.suggest_rag import suggest_rag
from core.enums import ActionKind, KpiDirection, KpiFrequency, KpiUnit, ProgressStatus, Rag
from core.hooks.rag import ActionFacts
from core.models import Action, Kpi, ProgressUpdate
from core.services.kpis import kpis
from tests.helpers import PK, AuthActions, action, add_reporting_date, in_session, report

START, TARGET = dt.date(2021, 8, 1), dt.date(2023, 7, 31)


def facts(**given) -> ActionFacts:
    base = dict(
        area=PK,
        code="1.1",
        kind=ActionKind.IMPROVEMENT,
        status=ProgressStatus.IN_PROGRESS,
        as_at=dt.date(2022, 3, 1),
        plan_start=START,
        target_date=TARGET,
        last_reported_on=dt.date(2022, 1, 1),
    )
    return ActionFacts(**{**base, **given})


@pytest.mark.parametrize(
    ("given", "rag", "reason"),
    [
        ({"as_at": dt.date(2023, 9, 1), "last_reported_on": dt.date(2023, 8, 1)}, Rag.RED,
         "target date passed and not completed"),
        ({"status": ProgressStatus.NOT_STARTED, "as_at": dt.date(2023, 3, 1),
          "last_reported_on": dt.date(2023, 2, 1)}, Rag.RED,
         "not started with 79% of the time to its target date gone"),
        ({"status": ProgressStatus.NOT_STARTED, "as_at": dt.date(2022, 9, 1),
          "last_reported_on": dt.date(2022, 8, 1)}, Rag.AMBER,
         "not started with 54% of the time to its target date gone"),
        ({"last_reported_on": dt.date(2021, 9, 1)}, Rag.AMBER, "no update for 181 days"),
        ({"last_reported_on": None}, Rag.AMBER, "no update in 212 days"),
        ({"kpis_off_target": ("Synthetic: IRDs within 5 days",)}, Rag.AMBER,
         "linked KPI off target: Synthetic: IRDs within 5 days"),
        ({}, Rag.GREEN, "on track: 29% of the time to its target date gone, updated recently "
         "and no linked KPI off target"),
        ({"status": ProgressStatus.COMPLETED, "as_at": dt.date(2024, 1, 1)}, None,
         "completed: a completed action carries no RAG"),
        ({"target_date": None, "kind": ActionKind.ONGOING}, Rag.GREEN,
         "updated recently and no linked KPI off target"),
    ],
)  # fmt: skip
def test_the_built_in_rule_suggests_a_rag_and_says_why(given, rag, reason):
    suggestion = suggest_rag(facts(**given))
    assert (suggestion.rag, suggestion.reason) == (rag, reason)


MEETING = dt.date(2022, 3, 31)


@pytest.mark.parametrize(
    ("given", "rag", "reason"),
    [
        # A first update before the plan's first reporting date: the gap it closes is no
        # evidence against it.
        ({"last_reported_on": None, "previous_reporting_date": None}, Rag.GREEN, "on track"),
        # A first update after a meeting it missed: the gap since the plan began counts.
        ({"last_reported_on": None, "as_at": dt.date(2022, 6, 1),
          "previous_reporting_date": MEETING}, Rag.AMBER, "no update in 304 days"),
        # It reported for the last meeting: not late, however long ago that was.
        ({"last_reported_on": MEETING, "as_at": dt.date(2022, 9, 1),
          "previous_reporting_date": MEETING}, Rag.GREEN, "on track"),
        # Its last update is older than the last meeting: it missed it, and the gap counts.
        ({"last_reported_on": dt.date(2021, 10, 1), "as_at": dt.date(2022, 6, 1),
          "previous_reporting_date": MEETING}, Rag.AMBER, "no update for 243 days"),
        # No reporting dates at all: a later update is judged by the gap, as before.
        ({"last_reported_on": dt.date(2021, 9, 1), "previous_reporting_date": None}, Rag.AMBER,
         "no update for 181 days"),
        # Dates and KPIs still count for an update being posted.
        ({"as_at": dt.date(2023, 9, 1), "last_reported_on": None}, Rag.RED,
         "target date passed and not completed"),
    ],
)  # fmt: skip
def test_an_update_being_posted_is_not_judged_by_the_gap_it_closes(given, rag, reason):
    suggestion = suggest_rag(facts(new_update=True, **given))
    assert suggestion.rag is rag
    assert suggestion.reason.startswith(reason)


def test_a_realistic_first_quarter_needs_a_reason_only_where_the_evidence_is_against_it(
    app, accounts, api
):
    """Every action's first update for the plan's first meeting, each as honest as a lead
    would give it: Green where on track, Red where its target date has passed. Only the
    actions genuinely late (or off target) are suggested anything worse than what was given."""
    meeting = dt.date(2022, 6, 9)
    in_session(app, lambda s: (add_reporting_date(s, meeting), s.commit()))
    posted_on = dt.date(2022, 6, 1)

    def improvement_actions(session):
        return [
            (a.id, a.code, a.target_date)
            for a in session.scalars(
                sa.select(Action).where(Action.kind == ActionKind.IMPROVEMENT).order_by(Action.id)
            )
            if a.plan.area.slug == PK
        ]

    listed = in_session(app, improvement_actions)
    late = {code for _id, code, target in listed if target is not None and target < posted_on}
    needed = set()
    for action_id, code, _target in listed:
        honest = "R" if code in late else "G"
        update = {"reported_on": posted_on.isoformat(), "status": "in_progress", "rag": honest,
                  "commentary": "Synthetic: an honest first update."}  # fmt: skip
        answer = api("post", f"/api/v1/actions/{action_id}/updates", who="pk", json=update)
        if answer.status_code == 422 and "rag_reason" in answer.text:
            needed.add(code)
        else:
            assert answer.status_code == 201, answer.text
    assert len(listed) >= 20
    assert needed <= late
    assert needed == set()  # an honest Red is never greener than the suggestion


def test_red_reasons_come_first_and_every_reason_is_given():
    suggestion = suggest_rag(facts(as_at=dt.date(2023, 9, 1), last_reported_on=dt.date(2023, 1, 1)))
    assert suggestion.rag is Rag.RED
    assert suggestion.reason == "target date passed and not completed; no update for 243 days"


def _form(action_id: int) -> str:
    return f"/actions/{action_id}/updates/new"


def test_the_form_shows_the_suggestion_and_never_fills_in_last_quarters_rag(app, accounts, auth):
    first = in_session(app, lambda s: action(s, "1.3").id)
    in_session(app, lambda s: report(s, "1.3", Rag.GREEN, on=dt.date(2022, 3, 1)))
    auth.login("pk")
    page = auth.client.get(_form(first)).text
    suggestion = page[page.index('id="suggestion"') :]
    # 1.3's target date, 31 July 2022, has passed.
    assert "R Red" in re.sub(r"<[^>]+>", "", suggestion[: suggestion.index("</div>")])
    assert "target date passed and not completed" in suggestion
    assert "Last update:" in page  # shown, for reference
    assert not re.search(r'name="rag" type="radio" value="G" checked', page)
    assert not re.search(r'value="[RAG]"[^>]*checked', page)
    assert not re.search(r'name="rag"[^>]*checked', page)  # nor "No RAG": the person chooses
    assert not re.search(r'name="status"[^>]*checked', page)
    # Sent back with "No RAG" chosen (refused: in progress needs one), the choice is kept.
    refused = auth.post(_form(first), {"reported_on": "2022-03-05", "status": "in_progress",
                                        "rag": "", "commentary": "x"}, _form(first))  # fmt: skip
    assert refused.status_code == 400
    assert re.search(r'name="rag" type="radio" value="" checked', refused.text)


def test_a_greener_rag_than_suggested_needs_a_reason_and_the_report_lists_it(
    app, accounts, auth, client_for
):
    first = in_session(app, lambda s: action(s, "1.3").id)
    in_session(app, lambda s: (add_reporting_date(s, dt.date(2022, 9, 30)), s.commit()))
    auth.login("pk")
    update = {"reported_on": "2022-09-15", "status": "in_progress", "rag": "G", "commentary": "x"}
    refused = auth.post(_form(first), update, _form(first))
    assert refused.status_code == 400
    assert (
        # A first update before the plan's first reporting date is not judged by its gap.
        "The evidence suggests Red (target date passed and not completed): say why you chose "
        "Green, which is greener." in refused.text.replace("&#39;", "'")
    )
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id)))) == 0
    # Red, as suggested, needs no reason; nor does Amber... only greener ones do.
    reason = "Synthetic: the committee agreed a new date in August"
    saved = auth.post(_form(first), {**update, "rag_reason": reason}, _form(first))
    assert saved.status_code == 302
    stored = in_session(app, lambda s: s.scalars(sa.select(ProgressUpdate)).one())
    assert (stored.rag, stored.suggested_rag, stored.rag_reason) == (Rag.GREEN, Rag.RED, reason)
    assert "target date passed" in stored.suggestion_reason
    shown = auth.client.get(f"/actions/{first}").text
    assert reason in shown and "The platform suggested" in shown

    web = client_for(app, "viewer")
    page = web.get(f"/areas/{PK}/plans/2021-2023/report/print?as_at=2022-09-30")
    assert page.status_code == 200
    greener = page.text[page.text.index("RAGs greener than the platform suggested") :]
    row = greener[: greener.index("</table>")]
    assert ">1.3<" in row and reason in row and "target date passed and not completed" in row
    assert "G: Green" in row and "R: Red" in row


def test_the_api_refuses_a_greener_rag_without_a_reason_and_shows_the_suggestion(app, api):
    first = in_session(app, lambda s: action(s, "1.3").id)
    update = {"reported_on": "2022-09-15", "status": "in_progress", "rag": "A", "commentary": "x"}
    refused = api("post", f"/api/v1/actions/{first}/updates", who="pk", json=update)
    assert refused.status_code == 422
    assert "The evidence suggests Red" in refused.text and "rag_reason" in refused.text
    saved = api(
        "post",
        f"/api/v1/actions/{first}/updates",
        who="pk",
        json={**update, "rag_reason": "Synthetic: a new date is agreed"},
    )
    assert saved.status_code == 201
    body = saved.get_json()
    assert (body["suggested_rag"], body["rag"], body["review"]) == ("R", "A", "accepted")
    state = api("get", f"/api/v1/actions/{first}").get_json()
    assert state["suggested_rag"] == "R"
    assert state["reason"].startswith("target date passed and not completed")
    assert state["direction"] == "new"
    listed = api("get", f"/api/v1/actions/?area={PK}&q=1.3").get_json()
    assert {"suggested_rag", "reason", "direction"} <= set(listed["items"][0])


def test_a_kpi_off_target_makes_the_suggestion_amber(app, api):
    def setup(session):
        found = action(session, "1.1")
        kpi = kpis.define_kpi(
            session,
            actor=None,
            area=found.plan.area,
            name="Synthetic: IRDs held within 5 days",
            counted="Synthetic",
            unit=KpiUnit.COUNT,
            frequency=KpiFrequency.MONTHLY,
            direction=KpiDirection.HIGHER,
            target_value=10,
            actions=[found],
        )
        session.flush()
        kpis.record_value(session, kpi, found.plan.area, actor=None, period="2022-02", value=4)
        session.commit()
        return found.id

    first = in_session(app, setup)
    report_on = {"reported_on": "2022-03-01", "status": "in_progress", "commentary": "x"}
    refused = api(
        "post", f"/api/v1/actions/{first}/updates", who="pk", json={**report_on, "rag": "G"}
    )
    assert refused.status_code == 422
    assert "linked KPI off target: Synthetic: IRDs held within 5 days" in refused.text
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(Kpi.id)))) >= 1


def test_direction_of_travel_beside_every_rag(app, client_for, tayside_adoptions, api):
    def history(session):
        add_reporting_date(session, dt.date(2022, 3, 31))
        add_reporting_date(session, dt.date(2022, 9, 30))
        session.commit()
        report(session, "1.1", Rag.AMBER, on=dt.date(2022, 3, 1))
        report(session, "1.2", Rag.GREEN, on=dt.date(2022, 3, 1))
        report(session, "1.1", Rag.GREEN, on=dt.date(2022, 9, 1))
        report(session, "1.2", Rag.RED, on=dt.date(2022, 9, 1))
        report(session, "1.5", Rag.AMBER, on=dt.date(2022, 9, 1))
        return {code: action(session, code).id for code in ("1.1", "1.2", "1.5")}

    ids = in_session(app, history)
    web = client_for(app, "viewer")
    as_at = "as_at=2022-09-30"

    def words(html: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    plan = web.get(f"/areas/{PK}/plans/2021-2023/?{as_at}").text
    for code, way in (("1.1", "Better"), ("1.2", "Worse"), ("1.5", "New")):
        row = plan[plan.index(f'id="action-{code}"') :]
        assert f"{way} since the previous reporting date" in words(row[: row.index("</tr>")])
    found = web.get(f"/areas/{PK}/plans/2021-2023/actions/?{as_at}&q=1.2").text
    assert "Worse since the previous reporting date" in words(found)
    # The action's own page shows where it stands: for this ended plan, as at its last
    # reporting date (not "not reported this period" for a period that never came).
    page = web.get(f"/actions/{ids['1.1']}").text
    current = words(page[page.index('id="current-rag"') :].split("</dd>")[0])
    assert "Better since the previous reporting date" in current
    assert "Not reported this period" not in current
    state = api("get", f"/api/v1/actions/?area={PK}&{as_at}&q=1.2").get_json()
    assert state["items"][0]["direction"] == "worse"
    report_page = web.get(f"/areas/{PK}/plans/2021-2023/report/print?{as_at}").text
    assert "Better" in report_page and "Worse" in report_page


def test_a_pg5_rewording_tells_the_areas_coordinators(
    make_app, smtp_server, accounts_for, client_for
):
    app = make_app(SMTP_URL=smtp_server.url, BASE_URL="https://cpc.example.test")
    accounts = accounts_for(app)
    key, copy_id = in_session(
        app,
        lambda s: next(
            (a.shared_action.key, a.id)
            for a in s.scalars(sa.select(Action))
            if a.shared_action_id is not None and a.plan.area.slug == PK
        ),
    )
    pg5 = AuthActions(client_for(app, "pg5"), accounts)
    edit = f"/tric/shared-actions/{key}/edit"
    form = pg5.client.get(edit).text

    def value(name: str) -> str:
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', form)
        if found:
            return found.group(1)
        area = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', form)
        return area.group(1) if area else ""

    fields = {
        name: html.unescape(value(name))
        for name in ("title", "expected_impact", "lead", "target_date", "version")
    }
    fields["text"] = "Synthetic rewording by TRIC PG5 for this test."
    saved = pg5.post(edit, fields, edit)
    assert saved.status_code == 302, saved.text[:400]
    mails = smtp_server.take(app)
    assert [m["To"] for m in mails] == [accounts["pk"]]
    body = smtp_server.body(mails[0]).replace("\r\n", "\n")
    assert "Synthetic rewording by TRIC PG5 for this test." in body
    # The old wording and the new, and a link to the area's copy.
    old = in_session(app, lambda s: s.get(Action, copy_id).shared_action.versions[0].text)
    assert f"The wording before:\n{old}" in body
    assert f"The action: https://cpc.example.test/actions/{copy_id}" in body
    coordinator = client_for(app, "pk")
    board = coordinator.get(f"/areas/{PK}/").text
    listed = board[board.index('id="reworded-list"') :]
    assert f'/actions/{copy_id}#changes"' in listed[: listed.index("</ul>")]
    # The next committee report lists it under "Wording changes".
    today = dt.date.today().isoformat()
    printed = coordinator.get(f"/areas/{PK}/plans/2021-2023/report/print?as_at={today}").text
    changes = printed[printed.index("Wording changes") :]
    assert "Synthetic rewording by TRIC PG5 for this test." in changes[: changes.index("</table>")]


def test_the_form_and_its_refusal_give_one_suggestion_and_reason(app, accounts, auth):
    """The suggestion shown on the form is the one the update is judged by, reason and all."""
    first = in_session(app, lambda s: action(s, "1.3").id)
    in_session(app, lambda s: report(s, "1.3", Rag.GREEN, on=dt.date(2021, 9, 1)))
    in_session(app, lambda s: (add_reporting_date(s, dt.date(2022, 3, 31)), s.commit()))
    auth.login("pk")
    update = {"reported_on": "2022-06-15", "status": "in_progress", "rag": "G", "commentary": "x"}
    refused = auth.post(_form(first), update, _form(first))
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    said = re.search(r"The evidence suggests (\w+) \(([^)]*)\)", page)
    shown = page[page.index('id="suggestion"') :]
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown[: shown.index("</div>")]))
    assert said and said.group(2) in shown  # the same reason, days and all
    assert "no update for 287 days" in said.group(2)  # it missed the March meeting

"""Recommendations as coordinators and PG5 use them: added and linked to the actions answering
them (in the app, the API and plan files), traced on the area's and Tayside's pages and on the
dashboard, closed only with a reason (and a second confirmation while an action is not
completed), listed in the committee report, and the learning review digest of `cpc remind`."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
import sqlalchemy as sa

from core import db
from core.enums import ProgressStatus, Rag, RecommendationSource, RecommendationState, ReviewStage
from core.models import Action, Area, Plan, Recommendation, SharedAction, User
from core.services.improvement import learning_reviews, recommendations
from core.services.improvement.recommendations import RecommendationText
from core.services.plans import loader
from core.services.progress.progress import post_update
from core.services.reports.formats import render
from core.services.reports.report import build_report
from tests.helpers import PK, action, count_queries, in_session, plan_of, report
from tests.served import api_token

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _with_accounts(accounts):
    """The test accounts, whom the recommendations here are added and linked by."""


def _user(session, email: str) -> User:
    return session.scalars(sa.select(User).where(User.email == email)).one()


def _add(app, email: str, reference: str, area: str | None = PK, text: str = "Synthetic") -> int:
    def add(session):
        found = (
            None
            if area is None
            else session.scalars(sa.select(Area).where(Area.slug == area)).one()
        )
        made = recommendations.add(
            session,
            actor=_user(session, email),
            area=found,
            words=RecommendationText(reference, RecommendationSource.JOINT_INSPECTION, text),
        )
        session.commit()
        return made.id

    return in_session(app, add)


def _link(app, email: str, recommendation_id: int, code: str, area: str = PK) -> None:
    def link(session):
        recommendations.link_action(
            session,
            session.get(Recommendation, recommendation_id),
            action(session, code, area),
            actor=_user(session, email),
        )
        session.commit()

    in_session(app, link)


def _complete(app, code: str) -> None:
    def complete(session):
        post_update(
            session,
            action(session, code),
            actor=None,
            reported_on=TODAY,
            status=ProgressStatus.COMPLETED,
            rag=None,
            commentary="Synthetic: done",
        )
        session.commit()

    in_session(app, complete)


# The API ----------------------------------------------------------------------------------------


@pytest.fixture
def api(app, accounts):
    tokens = {who: api_token(app, accounts[who]) for who in ("pk", "angus", "viewer", "pg5")}
    client = app.test_client()

    def call(method: str, path: str, who: str = "pk", **kwargs):
        headers = {"Authorization": f"Bearer {tokens[who]}", **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def test_a_recommendation_made_read_linked_and_reworded_through_the_api(app, api):
    made = api(
        "POST",
        "/api/v1/recommendations",
        json={
            "area": PK,
            "reference": "JI-2024 R1",
            "source_kind": "joint_inspection",
            "source_reference": "Synthetic joint inspection",
            "source_date": "2024-03-01",
            "text": "Improve the quality of chronologies.",
        },
    )
    assert made.status_code == 201, made.text
    body = made.get_json()
    assert body["state"] == "open" and body["actions"] == [] and body["area"] == PK
    action_id = in_session(app, lambda s: action(s, "1.1").id)
    linked = api(
        "POST", f"/api/v1/actions/{action_id}/recommendations", json={"recommendation": body["id"]}
    )
    assert linked.status_code == 201 and linked.get_json()["actions"] == [action_id]
    again = api(
        "POST", f"/api/v1/actions/{action_id}/recommendations", json={"recommendation": body["id"]}
    )
    assert again.status_code == 200

    read = api("GET", f"/api/v1/recommendations/{body['id']}", who="viewer")
    assert read.status_code == 200 and read.get_json()["actions"] == [action_id]
    stale = read.headers["ETag"]
    changed = api(
        "PATCH",
        f"/api/v1/recommendations/{body['id']}",
        json={"text": "Improve chronologies across services."},
        headers={"If-Match": stale},
    )
    assert changed.status_code == 200 and changed.get_json()["revision"] == 2
    refused = api(
        "PATCH",
        f"/api/v1/recommendations/{body['id']}",
        json={"text": "From a stale read"},
        headers={"If-Match": stale},
    )
    assert refused.status_code == 412
    listed = api("GET", f"/api/v1/recommendations?area={PK}&state=open").get_json()
    assert [item["reference"] for item in listed["items"]] == ["JI-2024 R1"]


def test_who_may_change_and_link_recommendations(app, api, tayside_adoptions):
    recommendation_id = _add(app, "pk.coordinator@test.invalid", "R1")
    body = {"area": PK, "reference": "R2", "source_kind": "audit", "text": "Synthetic"}
    assert api("POST", "/api/v1/recommendations", who="viewer", json=body).status_code == 403
    assert api("POST", "/api/v1/recommendations", who="angus", json=body).status_code == 403
    tayside = {**body, "area": None, "reference": "T1"}
    assert api("POST", "/api/v1/recommendations", who="pk", json=tayside).status_code == 403
    assert api("POST", "/api/v1/recommendations", who="pg5", json=tayside).status_code == 201
    pk_action = in_session(app, lambda s: action(s, "1.1").id)
    angus_action = in_session(
        app,
        lambda s: s.scalar(
            sa.select(Action.id).join(Plan).join(Area).where(Area.slug == "angus").limit(1)
        ),
    )
    link = {"recommendation": recommendation_id}
    # Another area's coordinator may not link this area's action, nor their own to this
    # area's recommendation.
    assert (
        api(
            "POST", f"/api/v1/actions/{pk_action}/recommendations", who="angus", json=link
        ).status_code
        == 403
    )
    own = api("POST", f"/api/v1/actions/{angus_action}/recommendations", who="angus", json=link)
    assert (
        own.status_code == 422 and "only Perth and Kinross's actions" in own.get_json()["message"]
    )
    missing = api(
        "POST", f"/api/v1/actions/{pk_action}/recommendations", json={"recommendation": 999999}
    )
    assert missing.status_code == 422


def test_a_reference_is_unique_in_its_area_and_the_same_may_be_used_elsewhere(app, api):
    body = {"area": PK, "reference": "R1", "source_kind": "audit", "text": "Synthetic"}
    assert api("POST", "/api/v1/recommendations", json=body).status_code == 201
    again = api("POST", "/api/v1/recommendations", json=body)
    assert again.status_code == 422 and "already a recommendation R1" in again.get_json()["message"]
    angus = api("POST", "/api/v1/recommendations", who="angus", json={**body, "area": "angus"})
    assert angus.status_code == 201


def test_closing_needs_a_reason_and_a_second_confirmation_while_an_action_is_unfinished(app, api):
    recommendation_id = _add(app, "pk.coordinator@test.invalid", "R1")
    _link(app, "pk.coordinator@test.invalid", recommendation_id, "1.1")
    _link(app, "pk.coordinator@test.invalid", recommendation_id, "1.2")
    _complete(app, "1.2")
    path = f"/api/v1/recommendations/{recommendation_id}"

    def patch(body):
        etag = api("GET", path).headers["ETag"]
        return api("PATCH", path, json=body, headers={"If-Match": etag})

    no_reason = patch({"state": "closed"})
    assert no_reason.status_code == 422 and "Say why" in no_reason.get_json()["message"]
    unconfirmed = patch({"state": "closed", "closed_reason": "The committee agreed."})
    assert unconfirmed.status_code == 422
    message = unconfirmed.get_json()["message"]
    assert "1 of its actions is not completed (Perth and Kinross 1.1)" in message
    assert api("GET", path).get_json()["state"] == "open"  # nothing saved
    closed = patch({"state": "closed", "closed_reason": "The committee agreed.", "confirm": True})
    assert closed.status_code == 200
    assert closed.get_json()["state"] == "closed"
    assert closed.get_json()["closed_reason"] == "The committee agreed."
    reopened = patch({"state": "open"})
    assert reopened.get_json()["closed_reason"] == "" and reopened.get_json()["closed_on"] is None


def test_closing_in_the_app_asks_again_naming_the_unfinished_actions(app, client_for):
    recommendation_id = _add(app, "pk.coordinator@test.invalid", "R1")
    _link(app, "pk.coordinator@test.invalid", recommendation_id, "1.1")
    web = client_for(app, "pk")
    page = web.get(f"/recommendations/{recommendation_id}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "state": "closed", "reason": "Agreed.", "revision": "1"}
    asked = web.post(f"/recommendations/{recommendation_id}/state", data=form)
    assert asked.status_code == 400
    assert 'id="unfinished-warning"' in asked.text and "Perth and Kinross 1.1" in asked.text
    assert 'name="confirm"' in asked.text
    done = web.post(f"/recommendations/{recommendation_id}/state", data={**form, "confirm": "y"})
    assert done.status_code == 302
    state = in_session(app, lambda s: s.get(Recommendation, recommendation_id).state)
    assert state is RecommendationState.CLOSED


# Traceability -----------------------------------------------------------------------------------


def test_the_dashboard_names_recommendations_with_no_action_and_those_done_but_open(
    app, client_for
):
    lonely = _add(app, "pk.coordinator@test.invalid", "R-LONELY", text="Nobody answers this.")
    done = _add(app, "pk.coordinator@test.invalid", "R-DONE", text="Every action is done.")
    _link(app, "pk.coordinator@test.invalid", done, "1.2")
    _complete(app, "1.2")
    web = client_for(app, "viewer")
    board = web.get(f"/areas/{PK}/").text
    without = board.split('id="without-action"')[1].split("</ul>")[0]
    finished = board.split('id="done-but-open"')[1].split("</ul>")[0]
    assert f"/recommendations/{lonely}" in without and "R-DONE" not in without
    assert f"/recommendations/{done}" in finished and "R-LONELY" not in finished
    trace = web.get(f"/areas/{PK}/recommendations/").text
    assert "No action answers this recommendation yet." in trace
    assert "1 not closed with no action answering it." in trace
    assert "1 not closed whose every action is completed." in trace


def test_a_tayside_recommendation_answered_by_a_shared_action_shows_every_adopting_area(
    app, tayside_adoptions, client_for
):
    recommendation_id = _add(app, "pg5.member@test.invalid", "T-R1", area=None)

    def link_shared(session):
        shared = session.scalars(sa.select(SharedAction).order_by(SharedAction.position)).first()
        recommendations.link_shared_action(
            session,
            session.get(Recommendation, recommendation_id),
            shared,
            actor=_user(session, "pg5.member@test.invalid"),
        )
        session.commit()
        copies = session.scalars(
            sa.select(Action).where(Action.shared_action_id == shared.id)
        ).all()
        return {(a.plan.area.name, a.code, a.id) for a in copies}

    copies = in_session(app, link_shared)
    assert {name for name, _, _ in copies} >= {"Angus", "Dundee", "Perth and Kinross"}
    web = client_for(app, "pg5")
    page = web.get("/tric/recommendations/").text
    for name, code, _ in copies:
        assert f"{name} {code}" in page
    name, code, action_id = sorted(copies)[0]
    assert "T-R1" in web.get(f"/actions/{action_id}").text
    # A coordinator may not link a shared action; PG5 does.
    refused = client_for(app, "pk").get(f"/recommendations/{recommendation_id}").text
    assert 'id="link-shared-action"' not in refused


def test_the_traceability_page_takes_the_same_queries_for_one_recommendation_or_ten(
    app, client_for
):
    web = client_for(app, "viewer")

    def queries() -> int:
        with count_queries(app) as counted:
            assert web.get(f"/areas/{PK}/recommendations/").status_code == 200
        return counted.n

    first = _add(app, "pk.coordinator@test.invalid", "R0")
    _link(app, "pk.coordinator@test.invalid", first, "1.1")
    few = queries()
    codes = in_session(
        app, lambda s: [a.code for a in plan_of(s).actions if a.kind.value == "improvement"][:10]
    )
    for n, code in enumerate(codes, 1):
        made = _add(app, "pk.coordinator@test.invalid", f"R{n}")
        _link(app, "pk.coordinator@test.invalid", made, code)
        _link(app, "pk.coordinator@test.invalid", made, codes[0])
    assert queries() == few


# The committee report ---------------------------------------------------------------------------


def test_the_report_lists_every_open_recommendation_with_its_actions(app):
    answered = _add(app, "pk.coordinator@test.invalid", "R1", text="Answered by two actions.")
    _add(app, "pk.coordinator@test.invalid", "R2", text="Answered by none.")
    closed = _add(app, "pk.coordinator@test.invalid", "R3", text="Closed already.")
    _link(app, "pk.coordinator@test.invalid", answered, "1.1")
    _link(app, "pk.coordinator@test.invalid", answered, "2.1")
    rag = Rag.AMBER
    in_session(app, lambda s: (report(s, "1.1", rag, on=TODAY), s.commit()))

    def close(session):
        found = session.get(Recommendation, closed)
        recommendations.set_state(
            session,
            found,
            actor=_user(session, "admin@test.invalid"),
            revision=found.revision,
            state=RecommendationState.CLOSED,
            reason="Done",
            confirmed=True,
        )
        session.commit()

    in_session(app, close)
    with app.app_context():
        session = db.get_session()
        built = build_report(session, app.extensions["cpc_plugins"], plan_of(session), TODAY)
        section = next(s for s in built.sections if s.key == "recommendations")
        html = render(built, "html")
        text = html.decode() if isinstance(html, bytes) else html
    orders = [s.key for s in built.sections]
    assert orders.index("exceptions") < orders.index("recommendations") < orders.index("plan")
    rows = {row[0].text: row for row in section.tables[0].rows}
    assert set(rows) == {"R1", "R2"}
    assert "1.1: A: Amber" in rows["R1"][4].text and "2.1:" in rows["R1"][4].text
    assert rows["R2"][4].text == "No action answers it yet."
    assert "Answered by none." in text and "Closed already." not in text


# Plan files -------------------------------------------------------------------------------------


def test_a_plan_file_links_its_actions_to_the_recommendations_they_answer(app):
    _add(app, "admin@test.invalid", "LR-R1")
    _add(app, "pg5.member@test.invalid", "T-R9", area=None)
    with app.app_context():
        session = db.get_session()
        plan = plan_of(session)
        data = loader.PlanFileSchema().load(_synthetic_plan_file(["LR-R1", "T-R9"]))
        built = loader.build_plan(session, plan.area, data, {})
        session.add(built)
        session.flush()
        answered = [r.reference for r in built.actions[0].recommendations]
        session.rollback()
    assert sorted(answered) == ["LR-R1", "T-R9"]
    with app.app_context(), pytest.raises(loader.PlanDataError, match="no recommendation 'NOPE'"):
        session = db.get_session()
        data = loader.PlanFileSchema().load(_synthetic_plan_file(["NOPE"]))
        loader.build_plan(session, plan_of(session).area, data, {})


def _synthetic_plan_file(answers: list[str]) -> dict:
    return json.loads(
        json.dumps(
            {
                "area": PK,
                "slug": "synthetic-answers",
                "title": "Synthetic plan (test data)",
                "period_start": "2024-01-01",
                "period_end": "2025-12-31",
                "priority_groups": [
                    {
                        "title": "Synthetic group",
                        "outcomes": [
                            {
                                "number": 1,
                                "title": "Synthetic outcome",
                                "actions": [
                                    {"code": "1.1", "text": "Synthetic action", "answers": answers}
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    )


# cpc remind -------------------------------------------------------------------------------------


def test_remind_sends_coordinators_the_learning_review_stages_due_or_overdue(
    app, accounts, runner, caplog
):
    def review(session):
        area = session.scalars(sa.select(Area).where(Area.slug == PK)).one()
        admin = _user(session, accounts["admin"])
        made = learning_reviews.add(
            session, actor=admin, area=area, reference="LR-DUE", notified_on=dt.date(2024, 1, 1)
        )
        due = {
            ReviewStage.INFORMATION_GATHERING: dt.date(2024, 2, 1),
            ReviewStage.DECISION: dt.date(2024, 3, 5),
            ReviewStage.CHIEF_OFFICERS_GROUP: dt.date(2024, 6, 1),
        }
        learning_reviews.edit(
            session,
            made,
            actor=admin,
            revision=made.revision,
            reference="LR-DUE",
            proceeds=None,
            stages={stage: learning_reviews.StageDates(due_on=day) for stage, day in due.items()},
            today=dt.date(2024, 3, 1),
        )
        session.commit()

    in_session(app, review)
    with caplog.at_level(logging.WARNING, logger="core.services.mail"):
        result = runner.invoke(args=["remind", "--today", "2024-03-01"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 reminder(s)" in result.output
    assert f"Sent: {accounts['pk']}: Learning review stages due: Perth and Kinross" in result.output
    mail = caplog.text
    assert "LR-DUE: Information gathered, overdue since 01 February 2024" in mail
    assert "LR-DUE: Decision on whether a review proceeds, due 05 March 2024" in mail
    assert "Chief Officers Group" not in mail  # due in June: not yet
    again = runner.invoke(args=["remind", "--today", "2024-03-02"])
    assert "Sent 0 reminder(s) through the job queue; 1 had been sent already." in again.output

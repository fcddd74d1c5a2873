"""Self-evaluation as a coordinator does it: an activity on the calendar looking at indicator
2.1, rated "4 Good" with who agreed it, its evidence (a KPI's figures, the evidence menu, a
progress update, a document) and the recommendation it led to; the indicator's page and PG5's
side-by-side; the calendar quarter by quarter (done, done later, slipped, planned) and in the
committee report; actions and KPIs tagged with indicators, and the plan page and Find actions
filtered by one. All test data here is synthetic."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from core import db
from core.enums import Rag, RecommendationSource
from core.models import (
    AuditEntry,
    EvidenceSource,
    Kpi,
    QualityIndicator,
    Recommendation,
    SelfEvaluation,
    SelfEvaluationRating,
)
from core.services.kpis.kpis import record_value
from core.services.reports.formats import render
from core.services.reports.report import build_report
from tests.helpers import PK, AuthActions, action, count_queries, in_session, plan_of, report

CALENDAR = f"/areas/{PK}/self-evaluation/"
TODAY = dt.date.today()


@pytest.fixture
def coordinator(app, client, accounts) -> AuthActions:
    auth = AuthActions(client, accounts)
    auth.login("pk")
    return auth


def indicator_id(app, number: str) -> int:
    return in_session(
        app,
        lambda s: s.scalar(sa.select(QualityIndicator.id).where(QualityIndicator.number == number)),
    )


def _id_from(response) -> int:
    assert response.status_code == 302, response.text
    return int(re.search(r"/(\d+)$", response.headers["Location"]).group(1))


def plan_activity(coordinator, title: str, planned_on: str, **fields) -> int:
    """An activity planned for ``planned_on``, looking at indicator 2.1 unless told which."""
    if not any(name.startswith("indicator_") for name in fields):
        fields[f"indicator_{indicator_id(coordinator.client.application, '2.1')}"] = "looked"
    return _id_from(
        coordinator.post(f"{CALENDAR}new", {"title": title, "planned_on": planned_on, **fields})
    )


def rated_21(app, coordinator, title="Synthetic case file audit", rating="4", **fields) -> int:
    """A self-evaluation of indicator 2.1, done and rated."""
    return plan_activity(
        coordinator,
        title,
        "2022-02-01",
        done_on="2022-03-10",
        agreed_by="Synthetic CPC meeting",
        how_good_now="Synthetic answer: most cases show good chronologies.",
        **{f"indicator_{indicator_id(app, '2.1')}": rating},
        **fields,
    )


def test_a_self_evaluation_of_21_rated_good_shows_on_the_indicator_page_and_pg5s_side_by_side(
    app, coordinator, client_for, accounts
):
    activity_id = rated_21(app, coordinator)
    page = coordinator.client.get(f"/self-evaluations/{activity_id}").text
    assert "2.1 Impact on children and young people" in page and "4 Good" in page
    assert "Synthetic CPC meeting" in page and "most cases show good chronologies" in page

    # Evidence: a KPI with its figures, an evidence-menu entry, an update, a document.
    kpi_id = in_session(
        app, lambda s: s.scalar(sa.select(Kpi.id).where(Kpi.key == "no-of-irds-held"))
    )

    def figure(session):
        kpi = session.get(Kpi, kpi_id)
        record_value(session, kpi, kpi.area, actor=None, period="2022-02", value=17)
        session.commit()

    in_session(app, figure)
    in_session(app, lambda s: report(s, "1.1", Rag.GREEN, on=dt.date(2022, 3, 1)))
    menu = in_session(
        app,
        lambda s: s.scalar(
            sa.select(EvidenceSource.id)
            .where(EvidenceSource.plan_id == plan_of(s).id)
            .order_by(EvidenceSource.position)
        ),
    )
    evidence = f"/self-evaluations/{activity_id}/evidence"
    for form in (
        {"kind": "kpi", "kpi": str(kpi_id)},
        {"kind": "evidence_source", "evidence_source": str(menu)},
        {"kind": "update", "action": "1.1"},
        {"kind": "document", "url": "https://docs.test.invalid/audit.pdf", "title": "Audit report"},
    ):
        assert coordinator.post(evidence, form).status_code == 302
    page = coordinator.client.get(f"/self-evaluations/{activity_id}").text
    assert "17" in page and "February 2022" in page  # the KPI's figure by the day it was done
    assert "action 1.1</a>, update of 1 March 2022" in page
    assert 'href="https://docs.test.invalid/audit.pdf"' in page

    # The recommendation it led to is of kind "self-evaluation".
    answer = coordinator.client.get(
        f"/areas/{PK}/recommendations/new?self_evaluation={activity_id}"
    )
    assert "From the self-evaluation" in answer.text
    made = _id_from(
        coordinator.post(
            f"/areas/{PK}/recommendations/new?self_evaluation={activity_id}",
            {
                "reference": "SE-R1",
                "source_kind": "joint_inspection",
                "text": "Synthetic: strengthen chronologies.",
                "self_evaluation": str(activity_id),
            },
        )
    )
    found = in_session(app, lambda s: s.get(Recommendation, made))
    assert found.source_kind is RecommendationSource.SELF_EVALUATION
    assert found.self_evaluation_id == activity_id
    assert "SE-R1" in coordinator.client.get(f"/self-evaluations/{activity_id}").text
    shown = coordinator.client.get(f"/recommendations/{made}").text
    assert "From the self-evaluation" in shown and "Synthetic case file audit" in shown

    # The indicator's page: its latest rating, its evidence.
    viewer = client_for(app, "viewer")
    indicator = viewer.get(f"{CALENDAR}indicators/{indicator_id(app, '2.1')}/").text
    latest = indicator.split('id="latest-rating"')[1].split("</div>")[0]
    assert "Latest rating: 4 Good" in latest and "10 March 2022" in latest
    assert "Audit report" in indicator and "Synthetic case file audit" in indicator
    assert "SE-R1</a>: Synthetic: strengthen chronologies." in indicator

    # PG5 sees it beside the areas that have not rated it (never an average).
    side = client_for(app, "pg5").get("/tric/self-evaluation/").text
    row = next(r for r in side.split("<tr")[1:] if "2.1 Impact on children" in r)
    cells = row.split("<td")[1:]
    names = re.findall(r'<th scope="col" class="govuk-table__header">([^<]+)</th>', side)[1:]
    by_area = dict(zip(names, cells, strict=True))
    assert (
        "4 Good" in by_area["Perth and Kinross"] and "10 March 2022" in by_area["Perth and Kinross"]
    )
    assert "Not rated yet" in by_area["Angus"] and "Not rated yet" in by_area["Dundee"]


def test_the_latest_rating_is_the_latest_agreed_and_the_history_keeps_the_rest(app, coordinator):
    rated_21(app, coordinator, "Synthetic first look", "3")
    plan_activity(
        coordinator,
        "Synthetic second look",
        "2022-10-01",
        done_on="2022-11-15",
        agreed_by="Synthetic CPC",
        **{f"indicator_{indicator_id(app, '2.1')}": "5"},
    )
    page = coordinator.client.get(f"{CALENDAR}indicators/{indicator_id(app, '2.1')}/").text
    assert "Latest rating: 5 Very good" in page
    history = page.split('id="history"')[1].split("</table>")[0]
    assert history.index("5 Very good") < history.index("3 Adequate")
    calendar = coordinator.client.get(CALENDAR).text
    latest = calendar.split('id="latest-ratings"')[1]
    assert "5 Very good" in latest and "3 Adequate" not in latest


def test_the_calendar_shows_each_quarter_done_done_later_slipped_and_planned(app, coordinator):
    plan_activity(coordinator, "Synthetic done on time", "2021-09-01", done_on="2021-10-20")
    plan_activity(coordinator, "Synthetic done late", "2021-09-01", done_on="2022-01-05")
    plan_activity(coordinator, "Synthetic slipped", "2022-05-01")
    plan_activity(coordinator, "Synthetic outside", "2024-05-01")
    page = coordinator.client.get(CALENDAR).text
    quarters = re.findall(r">Quarter (\d+: [^<]+)<(.*?)(?=>Quarter \d|id=\"outside\")", page, re.S)
    by_quarter = {head.split(" to ")[0]: body for head, body in quarters}
    first = by_quarter["1: 1 August 2021"]
    assert "Synthetic done on time" in first and ">Done<" in first
    assert "Synthetic done late" in first and ">Done later<" in first
    fourth = by_quarter["4: 1 May 2022"]
    assert "Synthetic slipped" in fourth and ">Slipped<" in fourth
    assert "Synthetic outside" in page.split('id="outside"')[1]
    assert "Nothing planned." in by_quarter["8: 1 May 2023"]
    counts = page.split('id="calendar-counts"')[1].split("</p>")[0]
    assert "1 done in the quarter planned, 1 done later than planned, 1 slipped" in counts
    assert len(by_quarter) == 8  # a two-year plan


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(app, coordinator):
    two_one = f"indicator_{indicator_id(app, '2.1')}"
    cases = [
        ({"planned_on": "2022-01-01", two_one: "looked"}, "Say what the self-evaluation looks at"),
        ({"title": "Synthetic", "planned_on": "2022-01-01"}, "Choose at least one indicator"),
        ({"title": "Synthetic", "planned_on": "2022-01-01", two_one: "7"}, "2.1 Impact on"),
        (
            {"title": "Synthetic", "planned_on": "2022-01-01", two_one: "4"},
            "Give the date it was done",
        ),
        (
            {
                "title": "Synthetic",
                "planned_on": "2022-01-01",
                "done_on": "2022-02-01",
                two_one: "4",
            },
            "Say who agreed the ratings",
        ),
        ({"title": "Synthetic", "planned_on": "2022-02-30", two_one: "looked"}, "real date"),
        (
            {"title": "S", "planned_on": "2022-01-01", "done_on": "2090-01-01", two_one: "looked"},
            "in the future",
        ),
        ({"title": "x" * 400, "planned_on": "2022-01-01", two_one: "looked"}, "300"),
        ({"title": "x\x00", "planned_on": "2022-01-01", two_one: "looked"}, "NUL"),
    ]
    for form, says in cases:
        answer = coordinator.post(f"{CALENDAR}new", form)
        assert answer.status_code == 400, (form, answer.status_code)
        assert says in answer.text, (form, says)
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(SelfEvaluation.id)))) == 0


def test_who_may_change_a_self_evaluation_and_who_reads_it(app, coordinator, client_for):
    activity_id = rated_21(app, coordinator)
    for who in ("viewer", "angus", "pg5", "lead"):
        web = client_for(app, who)
        assert web.get(f"/self-evaluations/{activity_id}").status_code == 200
        assert web.get(f"{CALENDAR}new").status_code == 403
        assert web.get(f"/self-evaluations/{activity_id}/edit").status_code == 403
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/account/password").text)
        answer = web.post(
            f"/self-evaluations/{activity_id}/evidence",
            data={
                "kind": "document",
                "url": "https://x.test.invalid",
                "title": "T",
                "csrf_token": token.group(1),
            },
        )
        assert answer.status_code == 403
    assert (
        "Change the self-evaluation"
        not in client_for(app, "viewer").get(f"/self-evaluations/{activity_id}").text
    )
    # The public pages never show it.
    assert "Synthetic case file audit" not in app.test_client().get(CALENDAR).text


def test_an_edit_from_an_old_revision_is_refused_and_nothing_of_it_saved(app, coordinator):
    activity_id = rated_21(app, coordinator)
    revision = in_session(app, lambda s: s.get(SelfEvaluation, activity_id).revision)
    form = {
        "title": "Synthetic first edit",
        "planned_on": "2022-02-01",
        "done_on": "2022-03-10",
        "agreed_by": "Synthetic CPC meeting",
        f"indicator_{indicator_id(app, '2.1')}": "5",
        "revision": str(revision),
    }
    assert coordinator.post(f"/self-evaluations/{activity_id}/edit", form).status_code == 302
    stale = coordinator.post(
        f"/self-evaluations/{activity_id}/edit",
        {**form, "title": "Synthetic second edit", f"indicator_{indicator_id(app, '2.1')}": "2"},
    )
    assert stale.status_code == 400 and "Someone else changed" in stale.text
    found = in_session(
        app,
        lambda s: (
            s.get(SelfEvaluation, activity_id).title,
            s.scalar(sa.select(SelfEvaluationRating.rating)),
        ),
    )
    assert found == ("Synthetic first edit", 5)
    # The audit trail has the change of rating, in the area.
    entries = in_session(
        app,
        lambda s: [
            (e.kind, e.event, e.area_id is not None)
            for e in s.scalars(
                sa.select(AuditEntry).where(AuditEntry.kind.like("self_evaluation%"))
            )
        ],
    )
    assert ("self_evaluations", "created", True) in entries
    assert ("self_evaluation_ratings", "changed", True) in entries


def test_actions_and_kpis_tagged_with_an_indicator_show_on_its_page_and_filter_the_plan(
    app, coordinator, client_for
):
    two_one = indicator_id(app, "2.1")
    answer = coordinator.post(
        "/actions/{}/indicators".format(_action_id(app, "1.1")), {"indicator": str(two_one)}
    )
    assert answer.status_code == 302
    coordinator.post(
        "/actions/{}/indicators".format(_action_id(app, "3.2")), {"indicator": str(two_one)}
    )
    in_session(app, lambda s: report(s, "1.1", Rag.AMBER, on=TODAY))
    kpi_id = in_session(
        app, lambda s: s.scalar(sa.select(Kpi.id).where(Kpi.key == "no-of-irds-held"))
    )
    assert (
        coordinator.post(f"/kpis/{kpi_id}/indicators", {"indicator": str(two_one)}).status_code
        == 302
    )

    viewer = client_for(app, "viewer")
    action_page = viewer.get(f"/actions/{_action_id(app, '1.1')}").text
    assert "2.1 Impact on children and young people" in action_page.split('id="indicators"')[1]
    page = viewer.get(f"{CALENDAR}indicators/{two_one}/").text
    actions = page.split('id="actions"')[1].split('id="kpis"')[0]
    assert "2 actions of the current plan serving 2.1" in actions
    assert re.search(r">1\.1<.*?Amber", actions, re.S) and ">3.2<" in actions
    assert "No. of IRDs held</a>: no figure yet" in page.split('id="kpis"')[1]

    # Find actions and the plan page show only the tagged actions.
    found = viewer.get(f"/areas/{PK}/plans/2021-2023/actions/?indicator={two_one}").text
    assert "2 actions match your filters" in found
    plan = viewer.get(f"/areas/{PK}/plans/2021-2023/?indicator={two_one}").text
    assert "Showing only the 2 actions tagged with 2.1" in plan
    assert re.findall(r'id="action-([\d.]+)"', plan) == ["1.1", "3.2"]
    whole = viewer.get(f"/areas/{PK}/plans/2021-2023/").text
    assert len(re.findall(r'id="action-([\d.]+)"', whole)) > 10
    for bad in ("abc", "99999999", "-1", "1" * 40):
        assert viewer.get(f"/areas/{PK}/plans/2021-2023/?indicator={bad}").status_code == 400
    refused = viewer.get(f"/areas/{PK}/plans/2021-2023/actions/?indicator=abc")
    assert refused.status_code == 400 and "Choose one of the quality indicators" in refused.text

    # Untagging removes it; another area's coordinator may not tag P&K's action.
    coordinator.post(f"/actions/{_action_id(app, '3.2')}/indicators/{two_one}/remove", {})
    assert "1 action of the current plan" in viewer.get(f"{CALENDAR}indicators/{two_one}/").text
    angus = AuthActions(app.test_client(), {"angus": "angus.coordinator@test.invalid"})
    angus.login("angus")
    assert (
        angus.post(
            f"/actions/{_action_id(app, '3.2')}/indicators", {"indicator": str(two_one)}
        ).status_code
        == 403
    )


def _action_id(app, code: str) -> int:
    return in_session(app, lambda s: action(s, code).id)


def test_the_committee_report_has_the_self_evaluation_calendar_as_at_its_date(app, coordinator):
    rated_21(app, coordinator)
    plan_activity(coordinator, "Synthetic slipped", "2022-05-01")
    with app.app_context():
        session = db.get_session()
        plugins = app.extensions["cpc_plugins"]
        before = build_report(session, plugins, plan_of(session), dt.date(2022, 3, 1))
        after = build_report(session, plugins, plan_of(session), dt.date(2022, 9, 1))
        html = render(after, "html")
    early = next(s for s in before.sections if s.key == "self-evaluation")
    rows = {row[1].text: row for row in early.tables[0].rows}
    # On 1 March 2022 the audit (done 10 March) was not done and not yet rated.
    assert rows["Synthetic case file audit"][4].text == "Planned"
    assert rows["Synthetic case file audit"][2].text == "2.1: not rated"
    late = next(s for s in after.sections if s.key == "self-evaluation")
    rows = {row[1].text: row for row in late.tables[0].rows}
    assert rows["Synthetic case file audit"][2].text == "2.1: 4 Good"
    assert rows["Synthetic case file audit"][4].text == "Done"
    assert rows["Synthetic slipped"][4].text == "Slipped"
    assert "1 done in the quarter planned, 0 done later than planned, 1 slipped" in (
        late.blocks[0].text
    )
    keys = [s.key for s in after.sections]
    assert keys.index("appendix-2") < keys.index("self-evaluation")
    text = html.decode() if isinstance(html, bytes) else html
    assert "Self-evaluation calendar" in text


@pytest.mark.parametrize(
    "path",
    [CALENDAR, "/tric/self-evaluation/", "INDICATOR", "ACTIVITY"],
)
def test_the_self_evaluation_pages_take_the_same_queries_for_one_activity_or_twelve(
    app, coordinator, client_for, path
):
    viewer = client_for(app, "viewer")
    first = rated_21(app, coordinator)
    url = (
        f"{CALENDAR}indicators/{indicator_id(app, '2.1')}/"
        if path == "INDICATOR"
        else f"/self-evaluations/{first}"
        if path == "ACTIVITY"
        else path
    )
    for form in ({"kind": "document", "url": "https://d.test.invalid/1", "title": "One"},):
        coordinator.post(f"/self-evaluations/{first}/evidence", form)

    def queries() -> int:
        with count_queries(app) as counted:
            assert viewer.get(url).status_code == 200
        return counted.n

    few = queries()
    for n in range(11):
        made = rated_21(app, coordinator, f"Synthetic look {n}", str(n % 6 + 1))
        coordinator.post(
            f"/self-evaluations/{made}/evidence",
            {"kind": "document", "url": f"https://d.test.invalid/{n}", "title": f"Doc {n}"},
        )
        coordinator.post(
            f"/self-evaluations/{first}/evidence",
            {"kind": "document", "url": f"https://e.test.invalid/{n}", "title": f"More {n}"},
        )
    assert queries() == few


def test_a_self_evaluation_made_read_and_changed_through_the_api(app, api, client_for):
    body = {
        "area": PK,
        "title": "Synthetic audit by API",
        "planned_on": "2022-02-01",
        "ratings": [{"indicator": "2.1"}, {"indicator": "5.3"}],
    }
    made = api("post", "/api/v1/self-evaluations", who="pk", json=body)
    assert made.status_code == 201, made.text
    path = f"/api/v1/self-evaluations/{made.json['id']}"
    assert [(r["indicator"], r["rating"]) for r in made.json["ratings"]] == [
        ("2.1", None),
        ("5.3", None),
    ]
    etag = api("get", path).headers["ETag"]
    rate = {
        "done_on": "2022-03-10",
        "agreed_by": "Synthetic CPC",
        "ratings": [{"indicator": "2.1", "rating": 4}],
    }
    changed = api("patch", path, who="pk", json=rate, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json["ratings"] == [
        {
            "indicator": "2.1",
            "indicator_id": indicator_id(app, "2.1"),
            "rating": 4,
            "rating_words": "4 Good",
        }
    ]
    stale = api("patch", path, who="pk", json={"title": "Late"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    latest = api("get", "/api/v1/self-evaluation/latest-ratings").json["items"]
    assert [(i["area"], i["indicator"], i["rating_words"], i["agreed_on"]) for i in latest] == [
        (PK, "2.1", "4 Good", "2022-03-10")
    ]
    listed = api("get", f"/api/v1/self-evaluations?area={PK}").json
    assert listed["total"] == 1 and listed["items"][0]["title"] == "Synthetic audit by API"

    refused = [
        (api("post", "/api/v1/self-evaluations", who="angus", json=body), 403),
        (api("post", "/api/v1/self-evaluations", who="viewer", json=body), 403),
        (
            api(
                "post",
                "/api/v1/self-evaluations",
                who="pk",
                json={**body, "ratings": [{"indicator": "9.9"}]},
            ),
            422,
        ),
        (
            api(
                "post",
                "/api/v1/self-evaluations",
                who="pk",
                json={**body, "ratings": [{"indicator": "2.1", "rating": 7}]},
            ),
            422,
        ),
        (
            api(
                "post",
                "/api/v1/self-evaluations",
                who="pk",
                json={**body, "ratings": [{"indicator": "2.1", "rating": 4}]},
            ),
            422,
        ),
        (api("post", "/api/v1/self-evaluations", who="pk", json={**body, "area": "nowhere"}), 422),
    ]
    for answer, status in refused:
        assert answer.status_code == status, answer.text
    assert "choose a rating on the framework's scale" in refused[3][0].json["message"]
    assert "Give the date it was done" in refused[4][0].json["message"]
    assert api("get", "/api/v1/self-evaluations").json["total"] == 1


def test_a_tayside_wide_kpi_is_tagged_by_pg5_and_an_areas_kpi_by_its_coordinators(app, client_for):
    from core.services.kpis.kpis import define_kpi

    def make(session):
        made = define_kpi(session, actor=None, area=None, name="Synthetic Tayside KPI")
        session.commit()
        return made.id

    tayside = in_session(app, make)
    own = in_session(app, lambda s: s.scalar(sa.select(Kpi.id).where(Kpi.key == "no-of-irds-held")))
    two_one = str(indicator_id(app, "2.1"))

    def tag(who: str, kpi_id: int) -> int:
        web = client_for(app, who)
        page = web.get(f"/kpis/{kpi_id}/").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = web.post(
            f"/kpis/{kpi_id}/indicators", data={"indicator": two_one, "csrf_token": token}
        )
        return answer.status_code

    assert [tag(who, tayside) for who in ("pk", "viewer", "pg5")] == [403, 403, 302]
    assert [tag(who, own) for who in ("pg5", "angus", "pk")] == [403, 403, 302]
    tagged = in_session(
        app, lambda s: sorted(k.id for k in s.scalars(sa.select(Kpi)) if k.indicators)
    )
    assert tagged == sorted([tayside, own])

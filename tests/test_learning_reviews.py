"""Learning reviews as a coordinator walks one: the register, its stages from notification to
the Chief Officers Group, three recommendations (two answered by new actions, one by an
existing action) on the traceability page with the actions' RAGs, and who may read it (the
area's coordinators and administrators; every read audited)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from core.enums import Rag, ReviewStage
from core.models import AuditEntry, LearningReview, Outcome, Recommendation
from tests.helpers import PK, AuthActions, in_session, plan_of, report

REVIEWS = f"/areas/{PK}/learning-reviews/"
STAGE_DATES = {
    ReviewStage.NOTIFICATION: "2024-01-10",
    ReviewStage.INFORMATION_GATHERING: "2024-02-01",
    ReviewStage.RECOMMENDATION_TO_CPC: "2024-02-20",
    ReviewStage.DECISION: "2024-03-01",
    ReviewStage.CARE_INSPECTORATE_NOTIFIED: "2024-03-05",
    ReviewStage.CHIEF_OFFICERS_GROUP: "2024-09-10",
}


@pytest.fixture
def coordinator(app, client, accounts) -> AuthActions:
    auth = AuthActions(client, accounts)
    auth.login("pk")
    return auth


def _id_from(response) -> int:
    assert response.status_code == 302, response.text
    return int(re.search(r"/(\d+)$", response.headers["Location"]).group(1))


def add_review(coordinator: AuthActions, reference: str = "LR-2024-01") -> int:
    return _id_from(
        coordinator.post(f"{REVIEWS}new", {"reference": reference, "notified_on": "2024-01-10"})
    )


def walk_to_chief_officers(app, coordinator: AuthActions, review_id: int) -> None:
    reference, revision = in_session(
        app,
        lambda s: (
            s.get(LearningReview, review_id).reference,
            s.get(LearningReview, review_id).revision,
        ),
    )
    form = {"reference": reference, "proceeds": "yes", "revision": str(revision)}
    for stage, day in STAGE_DATES.items():
        form[f"{stage.value}_done"] = day
    form[f"{ReviewStage.FINAL_REPORT_TO_CARE_INSPECTORATE.value}_due"] = "2030-01-31"
    answer = coordinator.post(f"/learning-reviews/{review_id}/edit", form)
    assert answer.status_code == 302, answer.text


def add_recommendation(coordinator, reference: str, text: str, review_id: int | None) -> int:
    form = {"reference": reference, "source_kind": "learning_review", "text": text}
    if review_id is not None:
        form["learning_review"] = str(review_id)
    return _id_from(coordinator.post(f"/areas/{PK}/recommendations/new", form))


def new_action(app, coordinator: AuthActions, text: str) -> str:
    outcome_id = in_session(
        app,
        lambda s: s.scalar(
            sa.select(Outcome.id).where(Outcome.plan_id == plan_of(s).id, Outcome.number == 1)
        ),
    )
    answer = coordinator.post(
        f"/areas/{PK}/plans/2021-2023/actions/new",
        {"outcome": str(outcome_id), "text": text, "leads": "CPC Lead Officer"},
    )
    assert answer.status_code == 302, answer.text
    return in_session(
        app,
        lambda s: s.scalar(
            sa.select(sa.text("code")).select_from(sa.table("actions")).where(sa.text("text = :t")),
            {"t": text},
        ),
    )


def test_a_review_walked_to_the_chief_officers_group_shows_its_recommendations_and_actions(
    app, coordinator, client_for
):
    review_id = add_review(coordinator)
    walk_to_chief_officers(app, coordinator, review_id)
    page = coordinator.client.get(f"/learning-reviews/{review_id}").text
    assert "A review proceeds." in page
    assert "Considered by the Chief Officers Group" in page and "10 September 2024" in page
    assert "Overdue" not in page  # the final report is due in 2030

    first = add_recommendation(coordinator, "LR1-R1", "Strengthen chronologies.", review_id)
    second = add_recommendation(coordinator, "LR1-R2", "Audit multi-agency plans.", review_id)
    third = add_recommendation(coordinator, "LR1-R3", "Share learning widely.", review_id)
    codes = [
        new_action(app, coordinator, "Synthetic test action: chronology training"),
        new_action(app, coordinator, "Synthetic test action: plan audit"),
    ]
    for recommendation_id, code in ((first, codes[0]), (second, codes[1]), (third, "1.1")):
        answer = coordinator.post(
            f"/recommendations/{recommendation_id}/actions", {"action": code, "area": PK}
        )
        assert answer.status_code == 302, answer.text

    trace = coordinator.client.get(f"/areas/{PK}/recommendations/").text
    for reference in ("LR1-R1", "LR1-R2", "LR1-R3"):
        assert reference in trace
    (section,) = [part for part in trace.split("<section")[1:] if ">LR1-R3</a>" in part]
    assert "Not reported" in section  # action 1.1 has no update yet
    # Once 1.1 is reported Amber, its RAG shows in words (never colour alone).
    in_session(app, lambda s: (report(s, "1.1", Rag.AMBER, on=dt.date.today()), s.commit()))
    trace = coordinator.client.get(f"/areas/{PK}/recommendations/").text
    (section,) = [part for part in trace.split("<section")[1:] if ">LR1-R3</a>" in part]
    assert "Amber" in section
    assert "0 not closed with no action" in trace
    review_page = coordinator.client.get(f"/learning-reviews/{review_id}").text
    assert all(code in review_page for code in (*codes, "1.1"))

    for who in ("viewer", "angus"):
        other = client_for(app, who)
        assert other.get(f"/learning-reviews/{review_id}").status_code == 403
        assert other.get(f"/learning-reviews/{review_id}/edit").status_code == 403
        register = other.get(REVIEWS)
        assert register.status_code == 200
        assert "LR-2024-01" not in register.text and 'id="counts-only"' in register.text
        assert "1 learning review in its register" in register.text

    reads = in_session(
        app,
        lambda s: s.execute(
            sa.select(AuditEntry.actor_email, AuditEntry.event).where(
                AuditEntry.kind == "learning_reviews", AuditEntry.record_id == review_id
            )
        ).all(),
    )
    assert ("pk.coordinator@test.invalid", "read") in reads
    assert {email for email, event in reads if event == "read"} == {"pk.coordinator@test.invalid"}


def test_a_review_reference_is_unique_in_its_area_and_never_blank(app, coordinator):
    add_review(coordinator)
    again = coordinator.post(f"{REVIEWS}new", {"reference": "LR-2024-01"})
    assert again.status_code == 400
    assert "already has a learning review LR-2024-01" in again.text
    blank = coordinator.post(f"{REVIEWS}new", {"reference": "  "})
    assert blank.status_code == 400 and "Give the review a reference" in blank.text
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(LearningReview.id)))) == 1


def test_the_form_says_never_to_write_a_name(coordinator):
    page = coordinator.client.get(f"{REVIEWS}new").text
    assert "Never write a child's or a family member's name" in page.replace("&#39;", "'")


def test_a_stage_done_in_the_future_is_refused_and_nothing_saved(app, coordinator):
    review_id = add_review(coordinator)
    revision = in_session(app, lambda s: s.get(LearningReview, review_id).revision)
    answer = coordinator.post(
        f"/learning-reviews/{review_id}/edit",
        {
            "reference": "LR-2024-01",
            "revision": str(revision),
            "decision_done": "2090-01-01",
            "decision_due": "2024-05-01",
        },
    )
    assert answer.status_code == 400 and "the date done is in the future" in answer.text
    stage = in_session(
        app, lambda s: s.get(LearningReview, review_id).stage(ReviewStage.DECISION).due_on
    )
    assert stage is None


def test_a_recommendation_from_a_review_is_of_kind_learning_review(app, coordinator):
    review_id = add_review(coordinator)
    recommendation_id = _id_from(
        coordinator.post(
            f"/areas/{PK}/recommendations/new",
            {
                "reference": "R1",
                "source_kind": "audit",
                "text": "Check the plans.",
                "learning_review": str(review_id),
            },
        )
    )
    kind = in_session(app, lambda s: s.get(Recommendation, recommendation_id).source_kind)
    assert kind.value == "learning_review"


def test_the_api_lets_only_the_area_s_coordinators_and_admins_read_a_review(app, accounts):
    from tests.served import api_token

    tokens = {who: api_token(app, accounts[who]) for who in ("pk", "angus", "viewer", "admin")}
    client = app.test_client()

    def call(method, path, who, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[who]}", **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    made = call(
        "POST",
        "/api/v1/learning-reviews",
        "pk",
        json={"area": PK, "reference": "LR-API-1", "notified_on": "2024-01-10"},
    )
    assert made.status_code == 201, made.text
    review_id = made.get_json()["id"]
    assert (
        call(
            "POST", "/api/v1/learning-reviews", "angus", json={"area": PK, "reference": "X"}
        ).status_code
        == 403
    )
    for who in ("viewer", "angus"):
        assert call("GET", f"/api/v1/learning-reviews/{review_id}", who).status_code == 403
        listed = call("GET", f"/api/v1/learning-reviews?area={PK}", who).get_json()
        assert listed["items"] == []
        assert listed["counts"] == [{"area": PK, "total": 1, "under_way": 1}]
    read = call("GET", f"/api/v1/learning-reviews/{review_id}", "admin")
    assert read.status_code == 200 and read.get_json()["reference"] == "LR-API-1"
    etag = read.headers["ETag"]
    moved = call(
        "PATCH",
        f"/api/v1/learning-reviews/{review_id}",
        "pk",
        json={"proceeds": False, "stages": [{"stage": "decision", "done_on": "2024-02-01"}]},
        headers={"If-Match": etag},
    )
    assert moved.status_code == 200 and moved.get_json()["proceeds"] is False
    stale = call(
        "PATCH",
        f"/api/v1/learning-reviews/{review_id}",
        "pk",
        json={"proceeds": True},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    listed = call("GET", "/api/v1/learning-reviews", "viewer").get_json()
    assert {"area": PK, "total": 1, "under_way": 0} in listed["counts"]  # no review proceeds

    readers = in_session(
        app,
        lambda s: (
            s.execute(
                sa.select(AuditEntry.actor_email).where(
                    AuditEntry.kind == "learning_reviews",
                    AuditEntry.event == "read",
                    AuditEntry.record_id == review_id,
                )
            )
            .scalars()
            .all()
        ),
    )
    assert set(readers) == {accounts["admin"], accounts["pk"]}


def test_the_register_and_a_review_take_the_same_queries_for_one_review_or_six(app, coordinator):
    from tests.helpers import count_queries

    def queries(path: str) -> int:
        with count_queries(app) as counted:
            assert coordinator.client.get(path).status_code == 200
        return counted.n

    first = add_review(coordinator, "LR-0")
    add_recommendation(coordinator, "R-0", "Synthetic", first)
    few = queries(REVIEWS), queries(f"/learning-reviews/{first}")
    for n in range(1, 6):
        review_id = add_review(coordinator, f"LR-{n}")
        walk_to_chief_officers(app, coordinator, review_id)
        add_recommendation(coordinator, f"R-{n}", "Synthetic", review_id)
        add_recommendation(coordinator, f"R-{n}b", "Synthetic", first)
    assert (queries(REVIEWS), queries(f"/learning-reviews/{first}")) == few

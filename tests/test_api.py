"""The JSON API: each resource's happy path, validation errors, permission refusals, stale
If-Match, pagination and filters, and personal tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa

from core.enums import Rag
from core.models import ApiToken, ProgressUpdate
from tests.conftest import ACCOUNTS
from tests.helpers import PK, action, csrf_token, in_session, report


def _id(app, code, area=PK):
    return in_session(app, lambda s: action(s, code, area).id)


def _updates(app) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id))))


def test_without_a_token_the_api_answers_401_in_json(client, tokens):
    response = client.get("/api/v1/areas/")
    assert response.status_code == 401
    assert response.json["message"].startswith("Sign in")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    bad = client.get("/api/v1/areas/", headers={"Authorization": "Bearer cpc_not-a-token"})
    assert bad.status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200  # the documents are public
    docs = client.get("/api/v1/docs").text
    assert "Operations" in docs and "<code>/api/v1/actions/{action_id}/updates</code>" in docs
    assert "<code>as_at</code>" in docs  # descriptions' `code` is set as code


def test_areas_and_summary_match_the_command_line(app, api, runner):
    areas = api("get", "/api/v1/areas/").json
    assert areas["total"] == 3 and [a["slug"] for a in areas["items"]] == [
        "angus",
        "dundee",
        PK,
    ]
    assert areas["items"][2]["current_plan"]["slug"] == "2021-2023"
    summary = api("get", f"/api/v1/areas/{PK}/summary?as_at=2022-05-01").json
    cli = json.loads(runner.invoke(args=["summary", PK, "--as-at", "2022-05-01", "--json"]).output)
    assert summary == cli
    missing = api("get", "/api/v1/areas/fife/summary")
    assert missing.status_code == 404 and "There is no area 'fife'" in missing.json["message"]


def test_plans_outcomes_and_kpi_measures(api):
    plans = api("get", f"/api/v1/plans/?area={PK}").json
    plan_id = plans["items"][0]["id"]
    plan = api("get", f"/api/v1/plans/{plan_id}").json
    assert plan["area"] == PK and [o["number"] for o in plan["outcomes"]] == [1, 2, 3, 4, 5, 6]
    outcomes = api("get", f"/api/v1/outcomes/?plan={plan_id}&page_size=4").json
    assert (outcomes["total"], outcomes["pages"], len(outcomes["items"])) == (6, 2, 4)
    second = api("get", f"/api/v1/outcomes/?plan={plan_id}&page_size=4&page=2").json
    assert [o["number"] for o in second["items"]] == [5, 6]
    one = api("get", f"/api/v1/outcomes/{second['items'][0]['id']}").json
    assert one["title"] == second["items"][0]["title"]
    kpis = api("get", f"/api/v1/kpi-measures/?area={PK}&page_size=200").json
    assert kpis["total"] > 0 and kpis["items"][0]["action_code"] == "1.1"
    assert api("get", "/api/v1/plans/999999").status_code == 404


def _reports(app, *reports):
    """Post updates outside any request (the API's requests each get their own context)."""

    def post(session):
        for code, rag, area in reports:
            report(session, code, rag, on=dt.date(2022, 4, 1), area_slug=area)

    in_session(app, post)


def test_actions_filter_by_area_rag_status_overdue_and_text(app, api, tayside_adoptions):
    _reports(
        app,
        ("3.1", Rag.RED, PK),
        ("1.1", Rag.RED, PK),
        ("3.4", Rag.GREEN, PK),
        ("3.1", Rag.RED, "dundee"),
    )

    def codes(query):
        found = api("get", f"/api/v1/actions/?as_at=2022-09-01&page_size=200&{query}").json
        return [(a["area"], a["code"]) for a in found["items"]]

    assert codes(f"area={PK}&rag=R") == [(PK, "1.1"), (PK, "3.1")]
    assert codes("rag=R") == [("dundee", "3.1"), (PK, "1.1"), (PK, "3.1")]
    assert codes(f"area={PK}&outcome=3&rag=G") == [(PK, "3.4")]
    assert codes(f"area={PK}&q=chronolog") == [(PK, "3.3")]
    assert codes(f"area={PK}&lead=paediatrician") == [(PK, "4.4")]
    overdue = codes(f"area={PK}&overdue=true")
    assert (PK, "3.2") in overdue and (PK, "6.4") not in overdue  # Year 2 not due yet
    page = api("get", f"/api/v1/actions/?area={PK}&page_size=10&page=3").json
    assert (page["total"], page["pages"], len(page["items"])) == (32, 4, 10)
    item = api("get", f"/api/v1/actions/?area={PK}&rag=R&as_at=2022-09-01").json["items"][0]
    assert item["current"] == {"rag": "R", "status": "in_progress", "reported_on": "2022-04-01"}
    bad = api("get", "/api/v1/actions/?rag=purple&page_size=0&colour=red")
    assert bad.status_code == 422
    assert set(bad.json["errors"]["query"]) == {"rag", "page_size", "colour"}


def test_posting_and_reading_progress_updates(app, api):
    action_id = _id(app, "2.1")
    url = f"/api/v1/actions/{action_id}/updates"
    update = {"reported_on": "2022-03-01", "status": "in_progress", "rag": "A", "commentary": "x"}
    created = api("post", url, who="pk", json=update)
    assert created.status_code == 201, created.json
    assert created.json["author"] == "pk.coordinator@test.invalid" and created.json["rag"] == "A"
    later = {**update, "reported_on": "2022-06-01", "rag": "G"}
    api("post", url, who="admin", json=later)
    listed = api("get", url).json
    assert [u["reported_on"] for u in listed["items"]] == ["2022-06-01", "2022-03-01"]
    one = api("get", f"/api/v1/actions/{action_id}").json
    assert one["current"]["rag"] == "G"
    assert api("put", f"{url}/1", who="admin", json=update).status_code in (404, 405)
    assert api("delete", url, who="admin").status_code == 405  # append-only


def test_bad_updates_get_422_naming_each_field_and_save_nothing(app, api):
    url = f"/api/v1/actions/{_id(app, '2.1')}/updates"
    bad = api(
        "post",
        url,
        who="pk",
        json={"reported_on": "31/03/2022", "status": "done", "evidence_url": "x", "extra": 1},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {
        "reported_on",
        "status",
        "evidence_url",
        "extra",
        "commentary",
    }
    assert bad.json["errors"]["json"]["extra"] == ["Unknown field."]
    rule = api(
        "post",
        url,
        who="pk",
        json={"reported_on": "2022-03-01", "status": "in_progress", "commentary": "x"},
    )
    assert rule.status_code == 422 and "rag" in rule.json["errors"]["json"]
    assert "needs a RAG status" in rule.json["message"]
    assert _updates(app) == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", True), ("pk", True), ("angus", False), ("pg5", False), ("viewer", False)],
)
def test_each_role_writing_a_perth_and_kinross_action(app, api, who, allowed):
    action_id = _id(app, "2.1")
    update = {"reported_on": "2022-03-01", "status": "not_started", "commentary": "x"}
    posted = api("post", f"/api/v1/actions/{action_id}/updates", who=who, json=update)
    etag = api("get", f"/api/v1/actions/{action_id}").headers["ETag"]
    patched = api(
        "patch",
        f"/api/v1/actions/{action_id}",
        who=who,
        json={"text": f"Synthetic wording by {who}"},
        headers={"If-Match": etag},
    )
    outcome_id = in_session(app, lambda s: action(s, "2.1").outcome_id)
    added = api(
        "post", "/api/v1/actions/", who=who, json={"outcome_id": outcome_id, "text": "Synthetic"}
    )
    for response, success in ((posted, 201), (patched, 200), (added, 201)):
        assert response.status_code == (success if allowed else 403), response.json
    assert _updates(app) == (1 if allowed else 0)
    if not allowed:
        assert "Only Perth and Kinross's coordinators" in posted.json["message"]


def test_a_stale_if_match_gets_412_and_changes_nothing(app, api):
    action_id = _id(app, "2.1")
    read = api("get", f"/api/v1/actions/{action_id}")
    etag = read.headers["ETag"]
    assert etag == f'"{read.json["revision"]}"'
    missing = api("patch", f"/api/v1/actions/{action_id}", who="pk", json={"text": "A"})
    assert missing.status_code == 428
    first = api(
        "patch",
        f"/api/v1/actions/{action_id}",
        who="pk",
        json={"text": "Synthetic first edit"},
        headers={"If-Match": etag},
    )
    assert first.status_code == 200 and first.headers["ETag"] != etag
    second = api(
        "patch",
        f"/api/v1/actions/{action_id}",
        who="admin",
        json={"text": "Synthetic second edit"},
        headers={"If-Match": etag},
    )
    assert second.status_code == 412
    assert api("get", f"/api/v1/actions/{action_id}").json["text"] == "Synthetic first edit"


def test_shared_actions_adoption_and_the_rollup(app, api, runner):
    created = api(
        "post",
        "/api/v1/shared-actions/",
        who="pg5",
        json={"title": "Synthetic shared action", "text": "Synthetic", "kind": "ongoing"},
    )
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    key = created.json["key"]
    refused = api("post", "/api/v1/shared-actions/", who="pk", json={"title": "x", "text": "y"})
    assert refused.status_code == 403
    reworded = api(
        "patch",
        f"/api/v1/shared-actions/{key}",
        who="pg5",
        json={"text": "Synthetic, reworded"},
        headers={"If-Match": '"1"'},
    )
    assert reworded.json["version"] == 2
    stale = api(
        "patch",
        f"/api/v1/shared-actions/{key}",
        who="admin",
        json={"text": "Lost"},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    adopted = api("post", f"/api/v1/shared-actions/{key}/adoptions", who="pk", json={"area": PK})
    assert adopted.status_code == 201 and adopted.json["action_code"] == "8"
    other = api("post", f"/api/v1/shared-actions/{key}/adoptions", who="pk", json={"area": "angus"})
    assert other.status_code == 403
    na = api(
        "post",
        f"/api/v1/shared-actions/{key}/not-applicable",
        who="angus",
        json={"area": "angus", "reason": "Synthetic reason"},
    )
    assert na.status_code == 201
    adoptions = {a["area"]: a for a in api("get", f"/api/v1/shared-actions/{key}/adoptions").json}
    assert adoptions[PK]["adopted_version"] == 2
    assert adoptions["angus"]["not_applicable_reason"] == "Synthetic reason"
    assert not adoptions["dundee"]["adopted"]
    _reports(app, ("3.1", Rag.AMBER, PK))
    rollup = api("get", "/api/v1/rollup?as_at=2022-06-01").json
    cli = json.loads(runner.invoke(args=["rollup", "--as-at", "2022-06-01", "--json"]).output)
    assert rollup == cli
    assert api("get", "/api/v1/rollup?as_at=soon").status_code == 422


def test_tokens_are_stored_hashed_and_stop_working_when_revoked(app, client, auth, tokens):
    token = tokens["pk"]
    stored = in_session(app, lambda s: s.scalars(sa.select(ApiToken.token_hash)).all())
    assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json == {"email": "pk.coordinator@test.invalid", "role": "coordinator", "areas": [PK]}
    auth.login("pk")
    made = auth.post("/account/tokens", {"name": "Synthetic dashboard"})
    assert made.status_code == 200 and "shown only this once" in made.text
    page = client.get("/account/tokens").text
    assert "Synthetic dashboard" in page and "pk tests" in page
    assert token not in page  # only its first characters
    token_id = in_session(
        app, lambda s: s.scalar(sa.select(ApiToken.id).where(ApiToken.name == "pk tests"))
    )
    assert auth.post(f"/account/tokens/{token_id}/revoke", {}).status_code == 302
    other = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 401


def test_a_browser_session_can_read_but_writes_need_the_csrf_header(app, client, auth):
    auth.login("pk")
    assert client.get("/api/v1/me").json["email"] == "pk.coordinator@test.invalid"
    url = f"/api/v1/actions/{_id(app, '2.1')}/updates"
    update = {"reported_on": "2022-03-01", "status": "not_started", "commentary": "x"}
    refused = client.post(url, json=update)
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json["message"]
    token = csrf_token(client, "/account/password")
    assert client.post(url, json=update, headers={"X-CSRFToken": token}).status_code == 201
    assert _updates(app) == 1


def test_cpc_token_create_refuses_unknown_accounts(runner, accounts):
    result = runner.invoke(args=["token", "create", "nobody@test.invalid"])
    assert result.exit_code == 1 and "There is no active account" in result.output


def test_api_list_pages_issue_a_fixed_number_of_queries(make_app, password_hash):
    from core.services.demo.synthetic import SyntheticAreaPlugin
    from tests.conftest import add_accounts
    from tests.helpers import count_queries

    def counts(app, slug):
        add_accounts(app, password_hash)
        result = app.test_cli_runner().invoke(args=["token", "create", "viewer@test.invalid"])
        headers = {"Authorization": f"Bearer {result.stdout.strip()}"}
        client = app.test_client()
        seen = []
        for url in (
            "/api/v1/areas/",
            f"/api/v1/actions/?area={slug}&page_size=200",
            "/api/v1/actions/?page_size=200",
            "/api/v1/rollup",
        ):
            with count_queries(app) as counted:
                assert client.get(url, headers=headers).status_code == 200
            seen.append(counted.n)
        return seen

    small = make_app(EXTRA_PLUGINS=[("s", SyntheticAreaPlugin("small-shire", 1, 2))])
    first = counts(small, "small-shire")
    big = make_app(
        EXTRA_PLUGINS=[
            ("s", SyntheticAreaPlugin("small-shire", 1, 2)),
            ("b", SyntheticAreaPlugin("big-shire", 6, 8)),
        ]
    )
    assert counts(big, "big-shire") == first


def test_admins_manage_accounts_through_the_api(app, api):
    assert api("get", "/api/v1/users/", who="pk").status_code == 403
    listed = api("get", "/api/v1/users/", who="admin").json
    assert listed["total"] == len(ACCOUNTS)
    bad = api(
        "post",
        "/api/v1/users/",
        who="admin",
        json={"email": "x@test.invalid", "role": "coordinator"},
    )
    assert bad.status_code == 422 and "areas" in bad.json["errors"]["json"]
    made = api(
        "post",
        "/api/v1/users/",
        who="admin",
        json={"email": "new@test.invalid", "role": "coordinator", "areas": ["dundee"]},
    )
    assert made.status_code == 201 and made.json["areas"] == ["dundee"]
    from tests.helpers import AuthActions

    password = made.json["password"]
    signed_in = AuthActions(app.test_client(), {}).login("new@test.invalid", password)
    assert signed_in.status_code == 302
    user_id = made.json["id"]
    patched = api("patch", f"/api/v1/users/{user_id}", who="admin", json={"is_active": False})
    assert patched.json["is_active"] is False
    reset = api("post", f"/api/v1/users/{user_id}/reset-password", who="admin")
    assert reset.status_code == 200 and reset.json["password"] != password
    assert api("get", "/api/v1/users/999999", who="admin").status_code == 404


def test_your_tokens_through_the_api(api, client):
    made = api("post", "/api/v1/tokens/", who="pk", json={"name": "Synthetic script"})
    assert made.status_code == 201 and made.json["token"].startswith("cpc_")
    new = {"Authorization": f"Bearer {made.json['token']}"}
    assert client.get("/api/v1/me", headers=new).json["email"] == "pk.coordinator@test.invalid"
    mine = api("get", "/api/v1/tokens/", who="pk").json
    assert {t["name"] for t in mine["items"]} == {"pk tests", "Synthetic script"}
    assert "token" not in mine["items"][0]
    assert api("delete", f"/api/v1/tokens/{made.json['id']}", who="angus").status_code == 404
    assert api("delete", f"/api/v1/tokens/{made.json['id']}", who="pk").status_code == 204
    assert client.get("/api/v1/me", headers=new).status_code == 401


def test_withdrawing_does_not_apply_through_the_api(api, tayside_adoptions):
    key = "chronologies"
    # Angus has adopted it, so it cannot also say it does not apply.
    refused = api(
        "post",
        f"/api/v1/shared-actions/{key}/not-applicable",
        who="angus",
        json={"area": "angus", "reason": "Synthetic"},
    )
    assert refused.status_code == 422 and "adopted this as action 3.3" in refused.json["message"]
    made = api(
        "post",
        "/api/v1/shared-actions/",
        who="pg5",
        json={"title": "Synthetic shared action", "text": "Synthetic"},
    ).json["key"]
    url = f"/api/v1/shared-actions/{made}/not-applicable"
    api("post", url, who="angus", json={"area": "angus", "reason": "Synthetic"})
    assert api("delete", f"{url}/angus", who="pk").status_code == 403
    assert api("delete", f"{url}/angus", who="angus").status_code == 204
    assert api("delete", f"{url}/angus", who="angus").status_code == 404
    adoptions = {a["area"]: a for a in api("get", f"/api/v1/shared-actions/{made}/adoptions").json}
    assert adoptions["angus"]["not_applicable"] is False


def test_every_path_answers_with_and_without_a_final_slash_the_same_way(app, api):
    """One convention: each path is documented one way, and the other spelling answers the
    same (no redirect that a client might follow without a POST's body)."""
    paths = api("get", "/api/v1/openapi.json").json["paths"]
    plain = [path for path, operations in paths.items() if "get" in operations and "{" not in path]
    assert len(plain) > 8
    for path in plain:
        other = path[:-1] if path.endswith("/") else path + "/"
        documented, spelled = api("get", path, who="admin"), api("get", other, who="admin")
        assert spelled.status_code == documented.status_code == 200, other
        assert spelled.json == documented.json, other
    body = {"name": "Synthetic measure", "unit": "count", "frequency": "monthly", "area": PK}
    made = api("post", "/api/v1/kpis/", who="pk", json=body)
    assert made.status_code == 201, made.text
    again = api("post", "/api/v1/kpis", who="pk", json={**body, "name": "Synthetic other"})
    assert again.status_code == 201, again.text

"""Correcting, withdrawing and redacting progress updates: nothing is erased, the original
stays marked with who, when and why, and every view uses the corrected record."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from core.enums import ProgressStatus, Rag
from core.models import AuditEntry, ProgressUpdate
from core.services.plans.summary import plan_state
from tests.helpers import PK, action, csrf_token, in_session, plan_of, report
from tests.served import api_token

MARCH = dt.date(2022, 3, 1)


def _api(app, accounts, who):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, accounts[who])}"
    return client


def _red_update(app, code="2.1") -> int:
    return in_session(app, lambda s: report(s, code, Rag.RED, on=MARCH).id)


def test_a_correction_replaces_the_update_in_every_view_and_keeps_the_original(client, auth, app):
    original = _red_update(app)
    action_id = in_session(app, lambda s: action(s, "2.1").id)
    auth.login("pk")
    answer = auth.post(
        f"/updates/{original}/correct",
        {
            "reported_on": "2022-03-01",
            "status": "in_progress",
            "rag": "A",
            "commentary": "Test update for 2.1",
            "reason": "RAG entered as Red by mistake",
        },
    )
    assert answer.status_code == 302
    page = client.get(f"/actions/{action_id}").text
    retired = page[page.index(f'id="update-{original}"') :]
    assert "<del>" in retired[:600]
    assert "Corrected by pk.coordinator@test.invalid" in retired
    assert "RAG entered as Red by mistake" in retired
    current = re.search(r'id="current-rag">(.*?)</dd>', page, re.S).group(1)
    assert "Amber" in current and "Red" not in current
    # As at a date before the correction was made, the views show the record as corrected.
    state = in_session(app, lambda s: plan_state(s, plan_of(s), dt.date(2022, 4, 1)))
    assert (state.rag_total.red, state.rag_total.amber) == (0, 1)
    dashboard = client.get(f"/areas/{PK}/?as_at=2022-04-01").text
    assert re.search(r'id="count-amber"><span class="cpc-counts__number">1<', dashboard)
    assert re.search(r'id="count-red"><span class="cpc-counts__number">0<', dashboard)


def test_the_rollup_uses_the_corrected_record(app, accounts, client_for):
    original = _red_update(app, "3.1")  # Perth and Kinross's copy of the IRD shared action
    api = _api(app, accounts, "pk")
    answer = api.post(
        f"/api/v1/updates/{original}/correction",
        json={"rag": "G", "reason": "Green, as the minutes say"},
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["corrects_id"] == original and answer.json["rag"] == "G"
    assert answer.json["commentary"] == "Test update for 3.1"  # not sent: kept as it was
    rollup = api.get("/api/v1/rollup?as_at=2022-04-01").json
    ird = next(r for r in rollup if r["code"] == "inter-agency-referral-discussions")
    assert ird["areas"][PK]["rag"] == "G"
    old = api.get(f"/api/v1/updates/{original}").json
    assert (
        old["retired_how"] == "corrected" and old["retired_reason"] == "Green, as the minutes say"
    )
    assert old["retired_by"] == accounts["pk"]


def test_a_withdrawn_update_counts_nowhere_and_cannot_be_withdrawn_twice(app, accounts):
    earlier = in_session(app, lambda s: report(s, "2.1", Rag.GREEN, on=dt.date(2022, 1, 1)).id)
    original = _red_update(app)
    api = _api(app, accounts, "pk")
    assert api.post(f"/api/v1/updates/{original}/withdrawal", json={}).status_code == 422
    answer = api.post(
        f"/api/v1/updates/{original}/withdrawal", json={"reason": "Posted on the wrong action"}
    )
    assert answer.status_code == 200 and answer.json["retired_how"] == "withdrawn"
    action_id = in_session(app, lambda s: action(s, "2.1").id)
    current = api.get(f"/api/v1/actions/{action_id}").json["current"]
    assert current["reported_on"] == "2022-01-01" and current["rag"] == "G"
    again = api.post(f"/api/v1/updates/{original}/withdrawal", json={"reason": "Again"})
    assert again.status_code == 409
    listed = api.get(f"/api/v1/actions/{action_id}/updates").json["items"]
    assert {u["id"] for u in listed} == {earlier, original}  # nothing erased


def test_only_the_areas_coordinators_and_admins_correct_and_only_admins_redact(app, accounts):
    original = _red_update(app)
    for who in ("angus", "viewer", "pg5"):
        api = _api(app, accounts, who)
        assert (
            api.post(
                f"/api/v1/updates/{original}/correction", json={"rag": "A", "reason": "x"}
            ).status_code
            == 403
        )
        assert (
            api.post(f"/api/v1/updates/{original}/withdrawal", json={"reason": "x"}).status_code
            == 403
        )
    pk = _api(app, accounts, "pk")
    assert pk.post(f"/api/v1/updates/{original}/redaction", json={"reason": "x"}).status_code == 403
    assert in_session(app, lambda s: s.get(ProgressUpdate, original).retired_at) is None


def test_an_admin_redaction_removes_the_text_everywhere_and_records_the_fact(
    app, accounts, client_for
):
    secret = "Named child: Jane Example, 7"

    def post(session):
        return report(session, "2.1", Rag.AMBER, on=MARCH).id

    original = in_session(app, post)
    in_session(
        app,
        lambda s: (
            s.execute(
                sa.update(ProgressUpdate)
                .where(ProgressUpdate.id == original)
                .values(commentary=secret)
            ),
            s.execute(
                sa.update(AuditEntry)
                .where(AuditEntry.kind == "progress_updates", AuditEntry.record_id == original)
                .values(after={"commentary": secret})
            ),
            s.commit(),
        ),
    )
    web = client_for(app, "admin")
    action_id = in_session(app, lambda s: action(s, "2.1").id)
    assert "Remove sensitive commentary" in web.get(f"/actions/{action_id}").text
    answer = web.post(
        f"/updates/{original}/redact",
        data={
            "reason": "Commentary named a child",
            "csrf_token": csrf_token(web, "/account/password"),
        },
    )
    assert answer.status_code == 302
    assert secret not in web.get(f"/actions/{action_id}").text

    def trail(session):
        entries = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.kind == "progress_updates")
        ).all()
        return [(e.event, e.summary, e.before, e.after) for e in entries]

    entries = in_session(app, trail)
    assert secret not in str(entries)
    assert any(e[0] == "redacted" and "Commentary named a child" in e[1] for e in entries)
    stored = in_session(app, lambda s: s.get(ProgressUpdate, original))
    assert stored.redacted_at is not None and stored.retired_at is None  # it still counts


def test_corrections_and_withdrawals_are_in_the_audit_trail(app, accounts):
    original = _red_update(app)
    api = _api(app, accounts, "pk")
    made = api.post(
        f"/api/v1/updates/{original}/correction",
        json={"status": "completed", "rag": None, "reason": "It was finished"},
    ).json
    api.post(f"/api/v1/updates/{made['id']}/withdrawal", json={"reason": "Not finished after all"})
    events = in_session(
        app,
        lambda s: [
            (e.event, e.record_id, e.actor_email)
            for e in s.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.kind == "progress_updates")
                .order_by(AuditEntry.id)
            )
        ],
    )
    assert ("corrected", original, accounts["pk"]) in events
    assert ("created", made["id"], accounts["pk"]) in events
    assert ("withdrawn", made["id"], accounts["pk"]) in events
    assert ProgressStatus.COMPLETED.value == made["status"]

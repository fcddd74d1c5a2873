"""The audit trail: an entry for every create and change, in the same transaction (none for a
change rolled back), who, when, from where, before and after; browsed by admins in the app and
at /api/v1/audit; never changed."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import String, Text

from core import db
from core.db import Base
from core.enums import ProgressStatus, Rag
from core.models import ApiToken, AuditEntry, Kpi, KpiValue, ProgressUpdate, User
from core.services.kpis.kpis import record_value
from core.services.records.audit import EXEMPT, SECRET, AuditTrailIsPermanent
from tests.helpers import (
    PK,
    TEST_PASSWORD,
    action,
    add_reporting_date,
    annual_report_values,
    csrf_token,
    in_session,
    not_applying_in_dundee,
    report,
    reword,
    self_evaluation_values,
    sso_identity,
)
from tests.served import api_token


def _entries(session, **where) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(session.scalars(query))


def _text_column(mapper):
    """A text column a change can be made to (one long enough to hold a changed value)."""
    for column in mapper.local_table.columns:
        text = isinstance(column.type, String | Text) and not getattr(column.type, "enums", None)
        roomy = (getattr(column.type, "length", None) or 60) >= 20
        if text and roomy and not column.foreign_keys and column.name not in SECRETS:
            return column.name
    return None


SECRETS = ("password_hash", "token_hash")


def test_every_mapped_table_is_audited_on_create_and_change_or_exempt_with_a_reason(app, accounts):
    # Rows of every kind: a token, a "does not apply" record, a progress update.
    api_token(app, accounts["pk"])
    with app.app_context(), db.transaction() as session:
        not_applying_in_dundee(session, "Audited")
        add_reporting_date(session)
    in_session(app, lambda s: report(s, "2.1", Rag.AMBER))
    with app.app_context(), db.transaction() as session:
        reword(session, action(session, "2.1"), "Reworded")
    with app.app_context(), db.transaction() as session:
        irds = session.scalars(sa.select(Kpi).where(Kpi.key == "no-of-irds-held")).one()
        record_value(session, irds, irds.area, actor=None, period="2025-03", value=3)
    with app.app_context(), db.transaction() as session:  # a learning review, its recommendation
        from core.enums import RecommendationSource
        from core.services.improvement import learning_reviews, recommendations

        admin = session.scalars(sa.select(User).where(User.email == accounts["admin"])).one()
        area = action(session, "2.1").plan.area
        review = learning_reviews.add(
            session, actor=admin, area=area, reference="LR-A", notified_on=None
        )
        words = recommendations.RecommendationText("R1", RecommendationSource.AUDIT, "Audited")
        recommendations.add(session, actor=admin, area=area, words=words, learning_review=review)
    self_evaluation_values(app, accounts["admin"], "A1")  # an activity, its rating, evidence
    annual_report_values(app, accounts["admin"])  # an annual report and a section's words
    with app.app_context(), db.transaction() as session:
        sso_identity(session, accounts["pk"])  # a single sign-on link
    with app.app_context():
        session = db.get_session()
        checked = []
        for mapper in Base.registry.mappers:
            table = mapper.local_table.name
            if table in EXEMPT:
                assert len(EXEMPT[table]) > 20, f"say why {table} is not audited"
                continue
            row = session.scalars(sa.select(mapper.class_).limit(1)).first()
            assert row is not None, f"no {table} row to check"
            created = _entries(session, kind=table, event="created", record_id=row.id)
            assert created, f"no entry for a new {table} row"
            assert created[0].after["id"] == row.id
            column = _text_column(mapper)
            if mapper.class_ in (ProgressUpdate, KpiValue) or column is None:
                checked.append(table)
                continue  # append-only: never changed (corrections are new records)
            old = getattr(row, column)
            longest = min(60, mapper.local_table.columns[column].type.length or 60)
            new = f"{old} (audited change)"[:longest]
            setattr(row, column, new)
            session.commit()
            changed = _entries(session, kind=table, event="changed", record_id=row.id)
            assert changed, f"no entry for a change of {table}"
            assert changed[-1].before[column] == old
            assert changed[-1].after[column] == new
            checked.append(table)
    assert {
        "actions",
        "progress_updates",
        "users",
        "api_tokens",
        "not_applicable",
        "kpis",
        "kpi_values",
    } <= set(checked)


def test_a_change_rolled_back_leaves_no_entry(app):
    with app.app_context():
        session = db.get_session()
        before = session.scalar(sa.select(sa.func.count(AuditEntry.id)))
        user = User(email="rolled.back@test.invalid", password_hash="x")
        session.add(user)
        session.flush()  # the entry is written with the row...
        assert session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before + 1
        session.rollback()  # ...and goes with it
        assert session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before


def test_the_trail_cannot_be_changed_or_deleted(app):
    with app.app_context():
        session = db.get_session()
        entry = session.scalars(sa.select(AuditEntry).limit(1)).one()
        entry.summary = "rewritten"
        with pytest.raises(AuditTrailIsPermanent):
            session.flush()
        session.rollback()
        session.delete(session.scalars(sa.select(AuditEntry).limit(1)).one())
        with pytest.raises(AuditTrailIsPermanent):
            session.flush()


def test_promoting_and_demoting_and_switching_off_an_account_are_recorded(
    client, auth, app, accounts
):
    auth.login("admin")
    pk_id = in_session(
        app, lambda s: s.scalar(sa.select(User.id).where(User.email == accounts["pk"]))
    )
    for role, active in (("admin", True), ("coordinator", False), ("coordinator", True)):
        form = {"role": role, "areas": [] if role == "admin" else ["angus"]}
        if active:
            form["is_active"] = "y"
        assert auth.post(f"/admin/users/{pk_id}", form).status_code == 302
    changes = in_session(app, lambda s: _entries(s, kind="users", event="changed", record_id=pk_id))
    assert [(c.before.get("role"), c.after.get("role")) for c in changes][:2] == [
        ("coordinator", "admin"),
        ("admin", "coordinator"),
    ]
    assert changes[1].after["areas"] == ["angus"]
    switched = [c.after["is_active"] for c in changes if "is_active" in c.after]
    assert switched == [False, True]
    assert all(c.actor_email == accounts["admin"] and c.remote_addr == "127.0.0.1" for c in changes)


def test_tokens_passwords_and_sign_ins_are_recorded_without_secrets(client, auth, app, accounts):
    token = api_token(app, accounts["pk"])
    auth.login("pk", password="not the password")
    auth.login("admin")
    pk_id = in_session(
        app, lambda s: s.scalar(sa.select(User.id).where(User.email == accounts["pk"]))
    )
    record = in_session(app, lambda s: s.scalars(sa.select(ApiToken.id)).first())
    assert auth.post(f"/admin/users/{pk_id}/tokens/{record}/revoke", {}).status_code == 302
    auth.post(f"/admin/users/{pk_id}/reset-password", {"confirm": "yes"})

    def found(session):
        return {
            "failed": _entries(session, kind="sign_in", event="sign_in_failed"),
            "signed_in": _entries(session, kind="sign_in", event="signed_in"),
            "revoked": [
                e
                for e in _entries(session, kind="api_tokens", event="changed")
                if e.after.get("revoked_at")
            ],
            "password": [
                e
                for e in _entries(session, kind="users", event="changed", record_id=pk_id)
                if "password_hash" in e.after
            ],
            "all": _entries(session),
        }

    got = in_session(app, found)
    assert got["failed"][0].summary == f"Failed sign-in for {accounts['pk']}"
    assert got["failed"][0].remote_addr == "127.0.0.1"
    assert got["signed_in"][-1].actor_email == accounts["admin"]
    assert got["revoked"][0].actor_email == accounts["admin"]  # who revoked it
    assert got["password"][-1].after["password_hash"] == SECRET
    text = " ".join(str((e.before, e.after)) for e in got["all"])
    hashed = in_session(
        app, lambda s: s.scalar(sa.select(User.password_hash).where(User.id == pk_id))
    )
    assert hashed not in text and token not in text and "$argon2" not in text


def test_admins_read_the_trail_in_the_app_and_the_api_with_filters(client, auth, app, accounts):
    in_session(
        app, lambda s: report(s, "2.1", None, ProgressStatus.NOT_STARTED, on=dt.date(2022, 3, 1))
    )
    admin = api_token(app, accounts["admin"])
    api = app.test_client()
    headers = {"Authorization": f"Bearer {admin}"}
    page = api.get(f"/api/v1/audit/?area={PK}&kind=progress_updates", headers=headers).json
    assert page["total"] == 1 and page["items"][0]["area"] == PK
    assert page["items"][0]["after"]["status"] == "not_started"
    everything = api.get("/api/v1/audit/?page_size=5", headers=headers).json
    assert everything["total"] > 100 and len(everything["items"]) == 5
    today = dt.date.today().isoformat()
    assert api.get(f"/api/v1/audit/?since={today}", headers=headers).json["total"] > 0
    assert api.get("/api/v1/audit/?until=2001-01-01", headers=headers).json["total"] == 0
    assert api.get("/api/v1/audit/?area=fife", headers=headers).status_code == 422
    mine = api.get(f"/api/v1/audit/?user={accounts['admin']}", headers=headers).json
    assert all(e["user"] == accounts["admin"] for e in mine["items"])
    for method in ("post", "patch", "delete"):
        assert getattr(api, method)("/api/v1/audit/", headers=headers).status_code == 405
    viewer = api_token(app, accounts["viewer"])
    refused = api.get("/api/v1/audit/", headers={"Authorization": f"Bearer {viewer}"})
    assert refused.status_code == 403
    # In the app: admins only, with the same filters.
    auth.login("viewer")
    assert client.get("/admin/audit/").status_code == 403
    auth.logout()
    auth.login("admin")
    shown = client.get(f"/admin/audit/?area={PK}&kind=progress_updates")
    assert shown.status_code == 200
    assert "1 entry" in shown.text and "progress update" in shown.text
    assert "Audit trail" in client.get("/").text  # in the menu


def test_sign_in_with_the_right_password_after_a_failure_is_recorded(client, auth, app):
    auth.login("pk", password="wrong " + TEST_PASSWORD)
    auth.login("pk")
    events = in_session(app, lambda s: [e.event for e in _entries(s, kind="sign_in")])
    assert events == ["sign_in_failed", "signed_in"]
    auth.logout()
    assert in_session(app, lambda s: _entries(s, kind="sign_in")[-1].event) == "signed_out"
    token = csrf_token(client)
    assert token


def test_the_filter_names_kinds_of_record_in_plain_words(app, client_for):
    from core.services.records.audit import KIND_WORDS

    page = client_for(app, "admin").get("/admin/audit/").text
    select = page[page.index('name="kind"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', select)
    assert options  # the loaded plans are in the trail
    assert all(html.unescape(label) == KIND_WORDS[value] for value, label in options)
    assert ("plans", "Plans") in options

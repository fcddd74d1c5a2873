"""Sessions that really end, tokens that do not outlive a password, a throttle that holds under
concurrent guessing, strong password hashes and rules, and a private SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from core.models import ApiToken, User, UserSession
from core.services.accounts import accounts as account_service
from tests.helpers import TEST_PASSWORD, csrf_token, in_session
from tests.served import api_token


def _user(session, email) -> User:
    return session.scalars(sa.select(User).where(User.email == email)).one()


def _copy_of(client, app):
    """Another browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(client, auth, app):
    auth.login("pk")
    copy = _copy_of(client, app)
    assert copy.get("/").status_code == 200
    auth.logout()
    answer = copy.get("/")
    assert answer.status_code == 302 and answer.location.startswith("/sign-in")


def _age_sessions(app, email, *, idle: dt.timedelta, age: dt.timedelta):
    def change(session):
        now = dt.datetime.now(dt.UTC)
        session.execute(
            sa.update(UserSession)
            .where(UserSession.user_id == _user(session, email).id)
            .values(last_seen_at=now - idle, created_at=now - age)
        )
        session.commit()

    in_session(app, change)


def test_a_session_ends_after_eight_idle_hours(client, auth, app):
    auth.login("pk")
    _age_sessions(app, auth.accounts["pk"], idle=dt.timedelta(hours=7), age=dt.timedelta(hours=7))
    assert client.get("/").status_code == 200  # used within 8 hours: still signed in
    _age_sessions(app, auth.accounts["pk"], idle=dt.timedelta(hours=9), age=dt.timedelta(hours=9))
    assert client.get("/").status_code == 302


def test_a_session_ends_after_its_lifetime_however_busy(client, auth, app):
    auth.login("pk")
    _age_sessions(app, auth.accounts["pk"], idle=dt.timedelta(0), age=dt.timedelta(hours=25))
    assert client.get("/").status_code == 302


def test_the_idle_timeout_and_lifetime_are_configurable(monkeypatch, make_app, client_for):
    monkeypatch.setenv("CPC_SESSION_IDLE_HOURS", "0.5")
    monkeypatch.setenv("CPC_SESSION_LIFETIME_HOURS", "2")
    app = make_app()
    rules = app.config["SESSION_RULES"]
    assert rules.idle == dt.timedelta(minutes=30) and rules.lifetime == dt.timedelta(hours=2)
    client = client_for(app, "pk")
    _age_sessions(
        app, "pk.coordinator@test.invalid", idle=dt.timedelta(minutes=40), age=dt.timedelta(hours=1)
    )
    assert client.get("/").status_code == 302


def _bearer(app, token):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_an_admin_reset_revokes_tokens_and_lifts_the_lockout(client, auth, app, accounts):
    token = api_token(app, accounts["pk"])
    assert _bearer(app, token).status_code == 200
    for _ in range(5):
        auth.login("pk", password="not the password")
    assert auth.login("pk").status_code == 429  # locked out, even with the right password
    auth.login("admin")
    pk_id = in_session(app, lambda s: _user(s, accounts["pk"]).id)
    page = auth.post(f"/admin/users/{pk_id}/reset-password", {"confirm": "yes"})
    assert page.status_code == 200
    new_password = page.text.split('id="new-password">')[1].split("<")[0].strip()
    assert _bearer(app, token).status_code == 401
    auth.logout()
    assert auth.login("pk", password=new_password).status_code == 302  # the lockout is lifted


def test_changing_your_own_password_revokes_your_tokens(client, auth, app, accounts):
    token = api_token(app, accounts["pk"])
    auth.login("pk")
    new = "orbit kettle maple tramline"
    answer = auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert answer.status_code == 302
    assert "1 API token(s) have been revoked" in client.get("/").text
    assert _bearer(app, token).status_code == 401
    assert client.get("/").status_code == 200  # this browser is still signed in


def test_admins_list_and_revoke_anyones_tokens(app, client_for, accounts):
    token = api_token(app, accounts["pk"])
    pk_id = in_session(app, lambda s: _user(s, accounts["pk"]).id)
    admin = api_token(app, accounts["admin"])
    headers = {"Authorization": f"Bearer {admin}"}
    api = app.test_client()
    listed = api.get(f"/api/v1/users/{pk_id}/tokens", headers=headers).json
    assert [t["name"] for t in listed["items"]] == ["concurrency test"]
    token_id = listed["items"][0]["id"]
    viewer = api_token(app, accounts["viewer"])
    refused = api.delete(
        f"/api/v1/users/{pk_id}/tokens/{token_id}", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert refused.status_code == 403
    assert _bearer(app, token).status_code == 200
    assert (
        api.delete(f"/api/v1/users/{pk_id}/tokens/{token_id}", headers=headers).status_code == 204
    )
    assert _bearer(app, token).status_code == 401
    # In the app too: the account's page lists its tokens with a button to revoke each.
    token = api_token(app, accounts["pk"])
    web = client_for(app, "admin")
    page = web.get(f"/admin/users/{pk_id}")
    assert "concurrency test" in page.text and "Revoke" in page.text
    record_id = in_session(
        app,
        lambda s: s.scalars(
            sa.select(ApiToken.id).where(ApiToken.user_id == pk_id, ApiToken.revoked_at.is_(None))
        ).one(),
    )
    answer = web.post(
        f"/admin/users/{pk_id}/tokens/{record_id}/revoke",
        data={"csrf_token": csrf_token(web, f"/admin/users/{pk_id}")},
    )
    assert answer.status_code == 302
    assert _bearer(app, token).status_code == 401


def test_the_change_password_form_is_throttled_like_sign_in(client, auth, app):
    auth.login("pk")
    new = "orbit kettle maple tramline"

    def change(current):
        return auth.post(
            "/account/password",
            {"current_password": current, "new_password": new, "confirm_password": new},
        )

    for n in range(5):
        assert "The current password is not right." in change(f"guess {n}").text
    answer = change(TEST_PASSWORD)  # even the right one, once the limit is reached
    assert answer.status_code == 400
    assert "Too many failed attempts" in answer.text


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaaaa", "password1234", "qwertyuiop12", "pk.coordinator@test.invalid"]
)
def test_easily_guessed_passwords_are_refused(client, auth, weak):
    auth.login("pk")
    answer = auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": weak, "confirm_password": weak},
    )
    assert answer.status_code == 400
    assert "This password is too easy to guess" in answer.text


def test_passwords_are_hashed_with_argon2id_and_old_hashes_replaced_at_sign_in(
    client, auth, app, accounts
):
    def set_legacy(session):
        user = _user(session, accounts["pk"])
        user.password_hash = generate_password_hash(TEST_PASSWORD, method="scrypt")
        session.commit()

    in_session(app, set_legacy)
    assert auth.login("pk").status_code == 302
    stored = in_session(app, lambda s: _user(s, accounts["pk"]).password_hash)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert account_service.verify_password(stored, TEST_PASSWORD)


def test_the_sqlite_file_is_readable_by_its_owner_only(make_app):
    app = make_app()
    url = sa.engine.make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite file only")
    mode = stat.S_IMODE(os.stat(url.database).st_mode)
    assert mode & 0o077 == 0, oct(mode)


def _token_audit(app) -> list[str]:
    from core.models import AuditEntry

    return in_session(
        app,
        lambda s: s.scalars(
            sa.select(AuditEntry.summary)
            .where(AuditEntry.kind == "api_tokens", AuditEntry.event == "revoked")
            .order_by(AuditEntry.id)
        ).all(),
    )


def test_tokens_revoked_by_a_reset_or_a_new_password_are_in_the_audit_trail(
    client, auth, app, accounts
):
    api_token(app, accounts["pk"])
    auth.login("admin")
    pk_id = in_session(app, lambda s: _user(s, accounts["pk"]).id)
    auth.post(f"/admin/users/{pk_id}/reset-password", {"confirm": "yes"})
    api_token(app, accounts["viewer"])
    auth.logout()
    auth.login("viewer")
    new = "orbit kettle maple tramline"
    auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert _token_audit(app) == [
        f"1 API token(s) of {accounts['pk']} revoked: an administrator ({accounts['admin']}) "
        "reset the password",
        f"1 API token(s) of {accounts['viewer']} revoked: the password was changed",
    ]


def test_switching_an_account_off_revokes_its_tokens_for_good(client, auth, app, accounts):
    token = api_token(app, accounts["viewer"])
    assert _bearer(app, token).status_code == 200
    auth.login("admin")
    viewer_id = in_session(app, lambda s: _user(s, accounts["viewer"]).id)
    page = f"/admin/users/{viewer_id}"
    assert auth.post(page, {"role": "viewer"}, page).status_code == 302  # switched off
    assert auth.post(page, {"role": "viewer", "is_active": "y"}, page).status_code == 302
    assert _bearer(app, token).status_code == 401  # on again, the old token still does not work
    assert _token_audit(app) == [
        f"1 API token(s) of {accounts['viewer']} revoked: the account was switched off"
    ]

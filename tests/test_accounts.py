"""Signing in and out, passwords, the sign-in throttle, CSRF and session cookies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from core import create_app
from core.models import ProgressUpdate, SignInAttempt, User
from tests.helpers import PK, TEST_PASSWORD, action, csrf_token, in_session


def _user(app, email) -> User:
    return in_session(app, lambda s: s.scalars(sa.select(User).where(User.email == email)).one())


def _updates(app) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id))))


def test_every_page_but_sign_in_needs_an_account(client, accounts):
    for url in ("/", f"/areas/{PK}/", f"/areas/{PK}/plans/2021-2023/", "/admin/users/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/sign-in?next=")
    assert client.get("/sign-in").status_code == 200
    static = client.get("/static/cpc.js")
    assert static.status_code == 200
    static.close()


def test_sign_in_goes_where_asked_but_never_off_site(client, auth):
    token = csrf_token(client)
    form = {"email": auth.accounts["pk"], "password": TEST_PASSWORD, "csrf_token": token}
    response = client.post(f"/sign-in?next=/areas/{PK}/", data=form)
    assert response.location == f"/areas/{PK}/"
    auth.logout()
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf_token(client)
        response = client.post(f"/sign-in?next={elsewhere}", data={**form, "csrf_token": token})
        assert response.location == "/", elsewhere
        auth.logout()


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, auth, app):
    wrong = auth.login("pk", password="not the password")
    unknown = auth.login("nobody@test.invalid")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "The email address or password is not right." in response.text
    assert client.get("/").status_code == 302  # still signed out
    assert _user(app, auth.accounts["pk"]).password_hash.startswith("$argon2id$")


def test_sign_in_is_throttled_after_five_failures_for_an_email(client, auth, app):
    for _ in range(5):
        assert auth.login("pk", password="guess").status_code == 400
    blocked = auth.login("pk")  # even the right password, for now
    assert blocked.status_code == 429
    assert "Too many failed attempts to sign in. Wait 15 minutes" in blocked.text
    assert client.get("/").status_code == 302
    assert auth.login("viewer").status_code == 302  # other accounts are unaffected
    auth.logout()

    def age_attempts(session):
        earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
        session.execute(sa.update(SignInAttempt).values(attempted_at=earlier))
        session.commit()

    in_session(app, age_attempts)  # the window passes
    assert auth.login("pk").status_code == 302


def test_sign_in_is_throttled_after_twenty_failures_from_one_address(client, auth):
    for n in range(20):
        assert auth.login(f"guess{n}@test.invalid", password="guess").status_code == 400
    assert auth.login("pk").status_code == 429


def test_sign_out_needs_a_post_and_ends_the_session(client, auth):
    auth.login("pk")
    assert client.get("/sign-out").status_code == 405
    response = auth.logout()
    assert response.location == "/sign-in"
    assert client.get("/").status_code == 302


def test_forms_without_a_valid_csrf_token_are_refused_and_nothing_is_saved(client, auth, app):
    auth.login("pk")
    action_id = in_session(app, lambda s: action(s, "2.1").id)
    form = {
        "reported_on": "2022-03-01",
        "status": "in_progress",
        "rag": "R",
        "commentary": "Forged",
    }
    for token in (None, "not-a-token"):
        data = form if token is None else {**form, "csrf_token": token}
        response = client.post(f"/actions/{action_id}/updates/new", data=data)
        assert response.status_code == 400
        assert "This form could not be sent" in response.text
    assert _updates(app) == 0
    # A token from another session is no good either.
    other = app.test_client()
    foreign = csrf_token(other)
    response = client.post(
        f"/actions/{action_id}/updates/new", data={**form, "csrf_token": foreign}
    )
    assert response.status_code == 400 and _updates(app) == 0
    # Signing in needs one too.
    response = app.test_client().post(
        "/sign-in", data={"email": auth.accounts["pk"], "password": TEST_PASSWORD}
    )
    assert response.status_code == 400


def test_session_cookies_are_httponly_samesite_and_secure_over_https(make_app, password_hash):
    from tests.conftest import add_accounts
    from tests.helpers import AuthActions

    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = AuthActions(client, add_accounts(app, password_hash)).login("pk")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_cookies_are_secure_unless_the_environment_says_plain_http(monkeypatch, tmp_path):
    config = {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    monkeypatch.delenv("CPC_SECURE_COOKIES", raising=False)
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("CPC_SECURE_COOKIES", "0")
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is False


def test_changing_your_password_signs_out_your_other_sessions(client, auth, app, accounts):
    from tests.helpers import AuthActions

    elsewhere = app.test_client()
    AuthActions(elsewhere, accounts).login("pk")
    auth.login("pk")
    new = "a brand new passphrase for tests"
    bad = auth.post(
        "/account/password",
        {"current_password": "wrong", "new_password": new, "confirm_password": new},
    )
    assert bad.status_code == 400 and "The current password is not right." in bad.text
    short = auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert "at least 12 characters" in short.text
    mismatch = auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": new, "confirm_password": new + "x"},
    )
    assert "The two new passwords are not the same." in mismatch.text
    done = auth.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    assert elsewhere.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login("pk").status_code == 400
    assert auth.login("pk", password=new).status_code == 302


def test_a_switched_off_account_cannot_sign_in_and_its_sessions_end(client, auth, app):
    from tests.helpers import AuthActions

    viewer = app.test_client()
    AuthActions(viewer, auth.accounts).login("viewer")
    auth.login("admin")
    viewer_id = _user(app, auth.accounts["viewer"]).id
    response = auth.post(f"/admin/users/{viewer_id}", {"role": "viewer"})  # "Can sign in" unticked
    assert response.status_code == 302
    assert viewer.get("/").status_code == 302
    assert AuthActions(app.test_client(), auth.accounts).login("viewer").status_code == 400


def test_the_weak_password_refusals_own_example_is_accepted(app):
    """The refusal suggests a kind of password with an example: that example must work."""
    from core.services.accounts.accounts import AccountError, check_new_password

    with pytest.raises(AccountError) as refused:
        check_new_password("password1234")
    example = re.search(r"like “([^”]+)”", str(refused.value.message))
    assert example, refused.value.message
    check_new_password(example.group(1), user_inputs=["pk.coordinator@test.invalid"])

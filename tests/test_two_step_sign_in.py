"""Two-step sign-in for local accounts: set up from the account page with a QR code drawn on
the server and ten recovery codes; the code after the password, accepted once only (also
across two processes); a recovery code once; wrong codes count towards the throttle; a role
that requires it sets it up at sign-in; an admin resets it (audited)."""

from __future__ import annotations

import html
import re
import time

import pyotp
import sqlalchemy as sa

from core.models import AuditEntry, RecoveryCode, SecondFactor, User
from tests.helpers import PK, TEST_PASSWORD, AuthActions, csrf_token, in_session
from tests.served import client as web_client
from tests.served import csrf_of, race, served_in_processes

COORDINATOR = "pk.coordinator@test.invalid"


def set_up(client) -> tuple[str, list[str]]:
    """Two-step sign-in set up from the account page; the secret and the recovery codes."""
    page = client.get("/account/two-step")
    assert page.status_code == 200
    assert "<svg" in page.text and "QR code to scan with your app" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    done = client.post(
        "/account/two-step",
        data={"action": "confirm", "code": pyotp.TOTP(secret).now(),
              "csrf_token": csrf_token(client, "/account/two-step")},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    codes = re.findall(r'<code class="cpc-key">([0-9a-f]{6}-[0-9a-f]{6})</code>', done.text)
    return secret, codes


def password_step(client, email: str = COORDINATOR):
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token}
    )


def code_step(client, code: str):
    return client.post(
        "/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")}
    )


def later_code(secret: str, steps: int = 1) -> str:
    """The code of a later 30-second step (within the one step of drift accepted)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def sign_out(client) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/two-step")})


def test_a_code_is_asked_for_after_the_password_and_works_once(app, accounts, client, auth):
    auth.login("pk")
    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = in_session(app, lambda s: s.scalars(sa.select(RecoveryCode.code_hash)).all())
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    sign_out(client)

    answer = password_step(client)
    assert answer.headers["Location"] == "/sign-in/code"
    assert client.get(f"/areas/{PK}/").status_code == 302  # not signed in yet
    # The code used to set it up has been spent: it does not work again.
    assert code_step(client, pyotp.TOTP(secret).now()).status_code == 400
    signed = code_step(client, later_code(secret))
    assert signed.status_code == 302 and signed.headers["Location"] == f"/areas/{PK}/"
    sign_out(client)
    password_step(client)
    replay = code_step(client, later_code(secret))
    assert replay.status_code == 400
    assert "has been used" in html.unescape(replay.text)

    # A recovery code signs in once.
    assert code_step(client, codes[0]).status_code == 302
    sign_out(client)
    password_step(client)
    assert code_step(client, codes[0]).status_code == 400
    events = in_session(
        app,
        lambda s: s.scalars(sa.select(AuditEntry.summary).where(AuditEntry.kind == "users")).all(),
    )
    assert f"{COORDINATOR} signed in with a recovery code" in events


def test_wrong_codes_count_towards_the_sign_in_throttle(app, accounts, client, auth):
    auth.login("pk")
    set_up(client)
    sign_out(client)
    password_step(client)
    answers = [code_step(client, "000000").status_code for _ in range(6)]
    assert answers[:4] == [400] * 4 and answers[-1] == 429


def test_a_code_sent_twice_at_once_to_two_processes_signs_in_once(app, accounts, database_url):
    client = app.test_client()
    AuthActions(client, accounts).login("pk")
    secret, _codes = set_up(client)
    with served_in_processes(database_url) as urls:
        sessions = []
        for url in urls:
            browser = web_client(url)
            page = browser.get(f"{url}/sign-in")
            sent = browser.post(
                f"{url}/sign-in",
                data={"email": COORDINATOR, "password": TEST_PASSWORD,
                      "csrf_token": csrf_of(page.text)},
                allow_redirects=False,
            )  # fmt: skip
            assert sent.headers["Location"] == "/sign-in/code"
            form = browser.get(f"{url}/sign-in/code")
            sessions.append((url, browser, csrf_of(form.text)))
        code = later_code(secret)

        def send(i: int) -> int:
            url, browser, token = sessions[i]
            return browser.post(
                f"{url}/sign-in/code",
                data={"code": code, "csrf_token": token},
                allow_redirects=False,
            ).status_code

        assert sorted(race(2, send)) == [302, 400]


def test_a_role_that_requires_it_sets_it_up_at_sign_in(make_app, accounts_for):
    app = make_app(REQUIRE_MFA=("coordinator",))
    accounts_for(app)
    client = app.test_client()
    assert password_step(client).headers["Location"] == "/sign-in/set-up"
    page = client.get("/sign-in/set-up")
    assert "Your role must sign in with two steps" in page.text
    assert client.get(f"/areas/{PK}/").status_code == 302
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    wrong = client.post(
        "/sign-in/set-up",
        data={"action": "confirm", "code": "123456", "csrf_token": csrf_of(page.text)},
    )
    assert wrong.status_code == 400 and "That code is not right" in html.unescape(wrong.text)
    done = client.post(
        "/sign-in/set-up",
        data={"action": "confirm", "code": pyotp.TOTP(secret).now(),
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert "Your recovery codes" in done.text
    assert client.get(f"/areas/{PK}/").status_code == 200  # signed in
    # It cannot be turned off while the role requires it.
    assert "cannot be turned off" in client.get("/account/two-step").text


def test_an_admin_resets_someones_second_factor(app, accounts, client, auth):
    auth.login("pk")
    set_up(client)
    sign_out(client)
    admin = app.test_client()
    AuthActions(admin, accounts).login("admin")
    pk = in_session(app, lambda s: s.scalar(sa.select(User.id).where(User.email == COORDINATOR)))
    page = f"/admin/users/{pk}"
    assert "Reset two-step sign-in" in admin.get(page).text
    reset = admin.post(f"{page}/reset-two-step", data={"csrf_token": csrf_token(admin, page)})
    assert reset.status_code == 302
    # The password alone signs them in again (their role does not require a second factor).
    assert password_step(client).headers["Location"] == f"/areas/{PK}/"
    events = in_session(
        app,
        lambda s: s.scalars(
            sa.select(AuditEntry.summary).where(AuditEntry.event == "mfa_reset")
        ).all(),
    )
    assert events == [f"admin@test.invalid reset the two-step sign-in of {COORDINATOR}"]


def test_turning_it_off_needs_the_password(app, accounts, client, auth):
    auth.login("pk")
    set_up(client)
    token = csrf_token(client, "/account/two-step")
    wrong = client.post(
        "/account/two-step", data={"action": "off", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 400 and "The password is not right." in wrong.text
    assert '<strong id="recovery-left">10</strong>' in wrong.text
    right = client.post(
        "/account/two-step",
        data={"action": "off", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert right.status_code == 302
    assert "QR code" in client.get("/account/two-step").text  # not set up any more


def test_the_two_step_forms_need_a_csrf_token(app, accounts, client, auth):
    auth.login("pk")
    secret, _codes = set_up(client)
    sign_out(client)
    password_step(client)  # part-way: the code is asked for
    forged = client.post("/sign-in/code", data={"code": later_code(secret)})
    assert forged.status_code == 400 and "This form could not be sent" in forged.text
    assert client.get(f"/areas/{PK}/").status_code == 302  # not signed in
    admin = app.test_client()
    AuthActions(admin, accounts).login("admin")
    pk = in_session(app, lambda s: s.scalar(sa.select(User.id).where(User.email == COORDINATOR)))
    assert admin.post(f"/admin/users/{pk}/reset-two-step").status_code == 400
    assert (
        admin.post("/account/two-step", data={"action": "confirm", "code": "1"}).status_code == 400
    )
    with client.session_transaction() as cookie:
        cookie["pending"] = {"uid": pk, "at": int(time.time()), "next": ""}
    assert client.post("/sign-in/set-up", data={"action": "confirm"}).status_code == 400
    still = in_session(
        app,
        lambda s: s.scalar(sa.select(SecondFactor.enabled_at).where(SecondFactor.user_id == pk)),
    )
    assert still is not None  # nothing reset

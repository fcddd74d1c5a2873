"""A forgotten password: a reset link by email that works once and expires, the same answer
whether or not the account exists, every session ended; email through SMTP, or the log."""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import threading

import pytest
import sqlalchemy as sa

from core.models import PasswordReset, UserSession
from core.services import mail, password_resets
from tests.helpers import TEST_PASSWORD, AuthActions, csrf_token, in_session

NEW_PASSWORD = "wobbly lantern orchard fifteen"
LINK = re.compile(r"http://localhost/reset-password/(\S+)")


def ask(client, email: str, caplog) -> str | None:
    """Ask for a reset link; the link from the email written to the log, if one was sent."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.services.mail"):
        answer = client.post(
            "/forgotten-password",
            data={"csrf_token": csrf_token(client, "/forgotten-password"), "email": email},
        )
    assert answer.status_code == 200
    assert "If there is an account with that email address" in answer.text
    found = LINK.search(caplog.text)
    return found.group(1) if found else None


def test_a_link_by_email_sets_a_new_password_once_and_signs_out_everywhere(app, accounts, caplog):
    elsewhere = app.test_client()
    assert AuthActions(elsewhere, accounts).login("pk").status_code == 302
    visitor = app.test_client()
    token = ask(visitor, accounts["pk"].upper(), caplog)
    assert token and "Subject: Reset your password" in caplog.text
    page = f"/reset-password/{token}"
    assert visitor.get(page).status_code == 200
    mismatch = visitor.post(
        page,
        data={
            "csrf_token": csrf_token(visitor, page),
            "new_password": NEW_PASSWORD,
            "confirm_password": "something else",
        },
    )
    assert (
        mismatch.status_code == 400 and "The two new passwords are not the same." in mismatch.text
    )
    done = visitor.post(
        page,
        data={
            "csrf_token": csrf_token(visitor, page),
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert elsewhere.get("/").status_code == 302  # the other session has ended
    again = visitor.get(page)
    assert again.status_code == 404 and "used already" in again.text
    fresh = app.test_client()
    assert AuthActions(fresh, accounts).login("pk", NEW_PASSWORD).status_code == 302
    assert AuthActions(app.test_client(), accounts).login("pk", TEST_PASSWORD).status_code == 400


def test_an_unknown_or_switched_off_account_gets_the_same_answer_and_no_email(
    app, accounts, caplog
):
    assert ask(app.test_client(), "nobody@test.invalid", caplog) is None
    visitor = app.test_client()
    wrong = visitor.post(
        "/forgotten-password",
        data={"csrf_token": csrf_token(visitor, "/forgotten-password"), "email": "not an email"},
    )
    assert wrong.status_code == 400 and "Enter an email address in the right format" in wrong.text

    def switch_off(session):
        from core.services.accounts import user_by_email

        user_by_email(session, accounts["viewer"]).is_active = False
        session.commit()

    in_session(app, switch_off)
    assert ask(app.test_client(), accounts["viewer"], caplog) is None


def test_links_expire_after_an_hour_and_at_most_three_are_sent_an_hour(app, accounts, caplog):
    visitor = app.test_client()
    tokens = [ask(visitor, accounts["pk"], caplog) for _ in range(4)]
    assert all(tokens[:3]) and tokens[3] is None

    def later(session):
        with pytest.raises(password_resets.ResetRefused, match="expired"):
            password_resets.reset_for(
                session, tokens[0], now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)
            )
        assert session.scalar(sa.select(sa.func.count(PasswordReset.id))) == 3

    in_session(app, later)
    assert visitor.get("/reset-password/not-a-real-link").status_code == 404


def test_two_uses_of_one_link_at_once_set_the_password_once(app, accounts, caplog):
    from tests.served import browser_client, race, served_in_threads, statuses

    token = ask(app.test_client(), accounts["pk"], caplog)
    app.config["SESSION_COOKIE_SECURE"] = False
    with served_in_threads(app) as urls:
        page = f"{urls[0]}/reset-password/{token}"
        clients = [browser_client(urls[0], accounts["viewer"]) for _ in range(4)]
        forms = [c.get(page).text for c in clients]
        answers = race(
            4,
            lambda i: clients[i].post(
                page,
                data={
                    "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', forms[i])[1],
                    "new_password": f"{NEW_PASSWORD} {i}",
                    "confirm_password": f"{NEW_PASSWORD} {i}",
                },
                allow_redirects=False,
            ),
        )
    found = statuses(answers)
    assert found.count(302) == 1 and all(s in (302, 400, 404) for s in found), found
    spent = in_session(
        app, lambda s: s.scalar(sa.select(PasswordReset.used_at).where(PasswordReset.id == 1))
    )
    assert spent is not None
    sessions = in_session(app, lambda s: s.scalar(sa.select(sa.func.count(UserSession.id))))
    assert sessions >= 4  # the viewers' own sessions were untouched


class FakeSmtp:
    """Just enough of an SMTP server, on loopback, to receive one message."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with self.listener:
            connection, _ = self.listener.accept()
        with connection, connection.makefile("rwb") as stream:

            def say(line: str) -> None:
                stream.write(line.encode() + b"\r\n")
                stream.flush()

            say("220 fake ESMTP")
            data = False
            lines: list[str] = []
            for raw in stream:
                line = raw.decode().rstrip("\r\n")
                if data:
                    if line == ".":
                        data = False
                        self.received.append("\n".join(lines))
                        say("250 queued")
                    else:
                        lines.append(line)
                    continue
                verb = line.split(" ")[0].upper()
                if verb == "EHLO":
                    say("250 fake")
                elif verb == "DATA":
                    data = True
                    say("354 go on")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 ok")


def test_email_goes_through_smtp_when_configured():
    server = FakeSmtp()
    mail.send(
        mail.Mail(to="pk.coordinator@test.invalid", subject="Synthetic subject", body="Hello"),
        smtp_url=f"smtp://127.0.0.1:{server.port}",
        sender="cpc@test.invalid",
    )
    server.thread.join(timeout=10)
    assert len(server.received) == 1
    message = server.received[0]
    assert "To: pk.coordinator@test.invalid" in message and "Subject: Synthetic subject" in message
    with pytest.raises(mail.MailSettingsError):
        mail.SmtpSettings.from_url("http://example.invalid")
    settings = mail.SmtpSettings.from_url("smtp://me%40x:p%40ss@mail.invalid:587?starttls=1")
    assert (settings.username, settings.password, settings.port, settings.starttls) == (
        "me@x",
        "p@ss",
        587,
        True,
    )

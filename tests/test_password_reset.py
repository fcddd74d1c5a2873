"""A forgotten password: a reset link by email that works once and expires, the same answer
whether or not the account exists, every session ended; email through SMTP, or the log."""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from core import db
from core.enums import JobState
from core.models import Job, PasswordReset, UserSession
from core.services import mail
from core.services.accounts import password_resets
from tests.helpers import TEST_PASSWORD, AuthActions, csrf_token, in_session

NEW_PASSWORD = "wobbly lantern orchard fifteen"
# Without CPC_BASE_URL and a mail server, links in the logged emails are to the local address.
LINK = re.compile(r"http://localhost:5000/reset-password/(\S+)")


def ask(client, email: str, caplog) -> str | None:
    """Ask for a reset link; the link from the email written to the log, if one was sent."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.services.mail"):
        answer = client.post(
            "/forgotten-password",
            data={"csrf_token": csrf_token(client, "/forgotten-password"), "email": email},
        )
        client.application.extensions["cpc_jobs"].wait()  # sent after the answer, by a job
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
        from core.services.accounts.accounts import user_by_email

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


def test_a_reset_link_is_built_from_the_configured_address_never_the_host_header(
    make_app, accounts_for, smtp_server
):
    app = make_app(
        SMTP_URL=smtp_server.url,
        BASE_URL="https://cpc.test.invalid/plans",
        TRUSTED_HOSTS=["cpc.test.invalid", "localhost", "attacker.test.invalid"],
    )
    accounts = accounts_for(app)
    visitor, there = app.test_client(), "http://attacker.test.invalid"
    # The attacker's host is trusted here, so the request is served: the link still is not.
    form = visitor.get("/forgotten-password", base_url=there).text
    sent = visitor.post(
        "/forgotten-password",
        base_url=there,
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form)[1],
            "email": accounts["admin"],
        },
        headers={"X-Forwarded-Host": "attacker.test.invalid"},
    )
    assert sent.status_code == 200
    [message] = smtp_server.take(app)
    body = smtp_server.body(message)
    assert "attacker" not in body
    assert re.search(r"https://cpc\.test\.invalid/plans/reset-password/\S+", body)


def test_a_request_for_another_host_is_refused_with_400(make_app):
    app = make_app(load=False, BASE_URL="https://cpc.test.invalid")
    assert app.config["TRUSTED_HOSTS"] == ["cpc.test.invalid", "localhost", "127.0.0.1"]
    client = app.test_client()
    for path in ("/sign-in", "/forgotten-password", "/api/v1/areas/", "/static/build/cpc.css"):
        refused = client.get(path, headers={"Host": "attacker.test.invalid"})
        assert refused.status_code == 400, path
        assert "does not answer to that host name" in refused.text
        with client.get(path, headers={"Host": "cpc.test.invalid"}) as served:
            assert served.status_code != 400


def test_serve_and_remind_refuse_mail_without_the_platforms_address(make_app):
    app = make_app(SMTP_URL="smtp://127.0.0.1:25", BASE_URL=None)
    for command in (["serve", "--port", "0"], ["remind"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code != 0
        assert "CPC_SMTP_URL is set but CPC_BASE_URL is not" in result.output


def _stalled_smtp() -> tuple[socket.socket, list[socket.socket]]:
    """A mail server that accepts connections and never answers."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listening.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return listening, held


@pytest.mark.parametrize("mail_server", ["stalled", "down"])
def test_the_answer_does_not_wait_for_or_depend_on_the_mail_server(
    make_app, accounts_for, mail_server
):
    """The same answer for a real account as for none, whether the mail server hangs or
    refuses: the email is queued as a job and sent after the answer by a worker (here it was
    still waiting when the answer came); a server that hangs up leaves it to be tried again,
    with the reason for the admins' Jobs page."""
    listening, held = _stalled_smtp()
    port = listening.getsockname()[1]
    if mail_server == "down":  # a port nothing listens on
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    app = make_app(SMTP_URL=f"smtp://127.0.0.1:{port}", BASE_URL="https://cpc.test.invalid")
    jobs = app.extensions["cpc_jobs"]
    accounts = accounts_for(app)
    answers = {}
    for who in (accounts["pk"], "nobody@test.invalid"):
        visitor = app.test_client()
        token = csrf_token(visitor, "/forgotten-password")
        answer = visitor.post("/forgotten-password", data={"csrf_token": token, "email": who})
        answers[who] = (answer.status_code, answer.text, jobs.pending())
    (real_status, real_page, queued), (none_status, none_page, queued_after) = answers.values()
    assert real_status == none_status == 200
    assert "If there is an account with that email address" in real_page
    assert real_page == none_page
    assert queued == queued_after == 1  # one email, for the real account, not yet sent

    def hang_up() -> None:  # the hanging server hangs up once the worker is waiting on it
        while mail_server == "stalled" and not held:
            time.sleep(0.02)
        for connection in held:
            connection.close()

    closer = threading.Thread(target=hang_up)
    closer.start()
    jobs.wait()  # the worker's try fails
    closer.join()
    listening.close()
    with app.app_context():
        job = db.get_session().scalars(select(Job)).one()
    assert job.state is JobState.WAITING and job.attempts == 1  # to be tried again later
    assert job.error.startswith("The mail server did not take it")
    assert job.args["to"] == accounts["pk"]


def test_only_the_newest_link_works_and_unknown_addresses_are_audited(app, accounts, caplog):
    visitor = app.test_client()
    first, second = ask(visitor, accounts["pk"], caplog), ask(visitor, accounts["pk"], caplog)
    page = visitor.get(f"/reset-password/{first}")
    assert page.status_code == 404 and "a newer one was sent" in page.text
    assert visitor.get(f"/reset-password/{second}").status_code == 200
    assert ask(visitor, "Nobody@Test.Invalid", caplog) is None

    def audited(session):
        from core.models import AuditEntry

        return session.scalars(
            sa.select(AuditEntry.summary).where(AuditEntry.event == "reset_refused")
        ).all()

    assert in_session(app, audited) == [
        "password reset asked for nobody@test.invalid, which has no active account"
    ]

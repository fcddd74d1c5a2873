"""`cpc remind`: each area's coordinators get a digest of the actions with no update, before
a reporting date's deadline and weekly after it; each email is sent once, however often and
however many times at once the command runs."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading

from core import db
from core.services.notify import reminders
from tests.helpers import MARCH, add_reporting_date, in_session, post_march

BEFORE, AFTER = dt.date(2022, 3, 12), dt.date(2022, 3, 25)  # deadline: 17 March 2022


def meeting(app) -> None:
    def add(session):
        add_reporting_date(session, MARCH)
        session.commit()

    in_session(app, add)


def remind(runner, caplog, day: dt.date):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.services.mail"):
        result = runner.invoke(args=["remind", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output, caplog.text


def test_the_coordinators_digest_before_and_after_the_deadline_each_sent_once(
    app, accounts, runner, caplog
):
    meeting(app)
    output, mail = remind(runner, caplog, BEFORE)
    assert "Sent 1 reminder(s)" in output
    assert f"To: {accounts['pk']}" in mail
    assert "Subject: Missing progress updates: Perth and Kinross, meeting on 31/03/2022" in mail
    assert "are due by 17 March 2022 (the deadline is coming)" in mail
    assert "32 actions have no update yet" in mail
    # Each action by its name and first words, never a cut word; ongoing ones say so.
    assert "  - Action 1.1: Further develop the existing provisions for seeking" in mail
    assert re.search(r"  - Ongoing action 1: .+ …", mail)
    assert not re.search(r"\w…", mail)
    assert "/areas/perth-and-kinross/plans/2021-2023/reporting-dates/2022-03-31/missing" in mail
    output, mail = remind(runner, caplog, BEFORE + dt.timedelta(days=1))
    assert (
        "Sent 0 reminder(s) through the job queue; 1 had been sent already." in output
        and "To:" not in mail
    )

    in_session(app, lambda s: (post_march(s), s.commit()))
    output, mail = remind(runner, caplog, AFTER)
    assert "Sent 1 reminder(s)" in output and "the deadline has passed" in mail
    assert "28 actions have no update yet" in mail  # 1.1 to 1.4 reported since
    assert "Action 1.1:" not in mail
    output, _ = remind(runner, caplog, AFTER + dt.timedelta(days=1))  # the same week
    assert "Sent 0 reminder(s)" in output
    output, _ = remind(runner, caplog, MARCH + dt.timedelta(days=1))  # after the meeting
    assert "Sent 0 reminder(s) through the job queue; 0 had been sent already." in output


def test_runs_at_the_same_moment_send_each_reminder_once(app, accounts):
    meeting(app)
    sent: list[str] = []
    start = threading.Barrier(4)

    def run() -> None:
        with app.app_context():
            session = db.get_session()
            due = reminders.due(session, BEFORE, lambda record: "http://link")
            session.rollback()
            start.wait()
            reminders.send_reminders(session, due, lambda message: sent.append(message.to))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sent == [accounts["pk"]]


def test_a_reminder_that_could_not_be_sent_is_tried_again(app, accounts):
    meeting(app)

    def failing(_message):
        raise ConnectionRefusedError("the mail server is down")

    with app.app_context():
        session = db.get_session()
        due = reminders.due(session, BEFORE, lambda record: "http://link")
        session.rollback()
        first = reminders.send_reminders(session, due, failing)
        assert first.sent == [] and "the mail server is down" in first.failed[0]
        sent: list[str] = []
        second = reminders.send_reminders(session, due, lambda message: sent.append(message.to))
        assert sent == [accounts["pk"]] and second.failed == []

"""A quarter's reporting cycle against a real SMTP server on loopback: contributors linked to
their actions get reminders (and only they, unless they switched them off), the coordinator a
digest; nothing is sent twice; contributors' updates wait for review, a returned one does not
count, and a locked period refuses a change."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading

import sqlalchemy as sa

from core.enums import Role
from core.models import User
from core.services.reports.report_data import report_data
from tests.helpers import (
    PK,
    AuthActions,
    action,
    add_reporting_date,
    csrf_token,
    in_session,
    plan_of,
)

MEETING = dt.date(2022, 3, 31)  # deadline 17 March 2022
BEFORE, AFTER = dt.date(2022, 3, 12), dt.date(2022, 3, 25)
BASE = "https://cpc.example.test"


def _contributor(app, password_hash, email: str, reminders_off: bool = False) -> str:
    def add(session):
        session.add(
            User(
                email=email,
                role=Role.CONTRIBUTOR,
                password_hash=password_hash,
                reminders_off=reminders_off,
            )
        )
        session.commit()

    in_session(app, add)
    return email


def _action_id(app, code: str) -> int:
    return in_session(app, lambda s: action(s, code).id)


def _signed_in(app, accounts, who: str) -> AuthActions:
    signed = AuthActions(app.test_client(), accounts)
    assert signed.login(who).status_code == 302
    return signed


def _remind(app, day: dt.date) -> str:
    result = app.test_cli_runner().invoke(args=["remind", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _missing_codes(client, day: dt.date = MEETING) -> list[str]:
    page = client.get(f"/areas/{PK}/plans/2021-2023/reporting-dates/{day.isoformat()}/missing")
    assert page.status_code == 200
    return re.findall(r">Action ([0-9.]+)<", page.text) or re.findall(
        r'href="/actions/\d+">([0-9.]+)<', page.text
    )


def _counted(app, code: str):
    def read(session):
        data = report_data(session, plan_of(session), MEETING)
        return next(a for a in data.actions if a.code == code).update

    update = in_session(app, read)
    return (update.rag.value if update.rag else None) if update else None


def test_a_quarter_against_a_real_mail_server(make_app, smtp_server, accounts_for, password_hash):
    app = make_app(SMTP_URL=smtp_server.url, BASE_URL=BASE)
    accounts = accounts_for(app)
    second = _contributor(app, password_hash, "second.lead@test.invalid")
    quiet = _contributor(app, password_hash, "quiet.lead@test.invalid", reminders_off=True)
    in_session(app, lambda s: (add_reporting_date(s, MEETING), s.commit()))
    ids = {code: _action_id(app, code) for code in ("1.1", "1.2", "2.1", "3.1")}

    coordinator = _signed_in(app, accounts, "pk")
    for code, email in (
        ("1.1", accounts["lead"]),
        ("1.2", accounts["lead"]),
        ("2.1", second),
        ("3.1", quiet),
    ):
        linked = coordinator.post(f"/actions/{ids[code]}/contributors", {"email": email})
        assert linked.status_code == 302
    assert accounts["lead"] in coordinator.client.get(f"/actions/{ids['1.1']}").text

    # The coordinator switched reminders off too, but the digest cannot be.
    assert coordinator.post("/account/reminders", {"reminders": "off"}).status_code == 302
    # Before the deadline: the coordinator's digest, and each contributor who wants reminders
    # an email with a link to each of their actions' update form. Nobody else.
    assert "Sent 3 reminder(s)" in _remind(app, BEFORE)
    mails = {m["To"]: smtp_server.body(m) for m in smtp_server.take(app)}
    assert sorted(mails) == sorted([accounts["pk"], accounts["lead"], second])
    lead_mail = mails[accounts["lead"]]
    assert f"{BASE}/actions/{ids['1.1']}/updates/new" in lead_mail
    assert f"{BASE}/actions/{ids['1.2']}/updates/new" in lead_mail
    assert f"/actions/{ids['2.1']}/" not in lead_mail
    assert f"{BASE}/actions/{ids['2.1']}/updates/new" in mails[second]
    assert "the deadline is coming" in mails[accounts["pk"]]

    # Again the same day, and the next day: nothing new.
    assert "Sent 0 reminder(s) through the job queue; 3 had been sent already." in _remind(
        app, BEFORE
    )
    _remind(app, BEFORE + dt.timedelta(days=1))
    assert smtp_server.take(app) == []

    # The contributor follows the link and submits an update: it waits for review, so it does
    # not count yet, but 1.1 is no longer missing.
    lead = _signed_in(app, accounts, "lead")
    missing_before = _missing_codes(coordinator.client)
    assert "1.1" in missing_before
    form = f"/actions/{ids['1.1']}/updates/new"
    update = {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A"}
    posted = lead.post(form, {**update, "commentary": "Synthetic: first draft"}, form)
    assert posted.status_code == 302
    assert "submitted" in lead.client.get(posted.location).text
    missing_now = _missing_codes(coordinator.client)
    assert "1.1" not in missing_now and len(missing_now) == len(missing_before) - 1
    assert _counted(app, "1.1") is None

    # Returned with a comment: the contributor is told, it counts nowhere, 1.1 is missing again.
    submitted = _latest_update_id(app, ids["1.1"])
    back = coordinator.post(
        f"/updates/{submitted}/return", {"comment": "Synthetic: say what the audit found."}
    )
    assert back.status_code == 302
    [told] = smtp_server.take(app)
    assert told["To"] == accounts["lead"] and "returned" in told["Subject"]
    assert "Synthetic: say what the audit found." in smtp_server.body(told)
    # The email leads to the update itself, at the platform's own address.
    assert f"{BASE}/actions/{ids['1.1']}#update-{submitted}" in smtp_server.body(told)
    assert "1.1" in _missing_codes(coordinator.client)
    assert _counted(app, "1.1") is None

    # Posted again and accepted: now it counts, and the contributor is told.
    again = lead.post(form, {**update, "commentary": "Synthetic: with the audit"}, form)
    assert again.status_code == 302
    resent = _latest_update_id(app, ids["1.1"])
    accepted = coordinator.post(f"/updates/{resent}/accept", {})
    assert accepted.status_code == 302
    [told] = smtp_server.take(app)
    assert told["To"] == accounts["lead"] and "accepted" in told["Subject"]
    assert f"{BASE}/actions/{ids['1.1']}#update-{resent}" in smtp_server.body(told)
    assert _counted(app, "1.1") == "A"

    # After the deadline, two runs at once: one set of reminders, and the lead's lists only
    # 1.2 now.
    outputs: list[str] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        outputs.append(_remind(app, AFTER))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    after = {m["To"]: smtp_server.body(m) for m in smtp_server.take(app)}
    assert sorted(after) == sorted([accounts["pk"], accounts["lead"], second])
    assert len(outputs) == 2
    assert f"/actions/{ids['1.2']}/updates/new" in after[accounts["lead"]]
    assert f"/actions/{ids['1.1']}/" not in after[accounts["lead"]]

    # The committee has met: the coordinator locks the period, and no change gets in.
    locked = coordinator.post(f"/areas/{PK}/plans/2021-2023/reporting-dates/2022-03-31/lock", {})
    assert locked.status_code == 302
    late = lead.post(
        f"/actions/{ids['1.2']}/updates/new",
        {**update, "reported_on": "2022-03-20", "commentary": "Synthetic: too late"},
        f"/actions/{ids['1.2']}/updates/new",
    )
    assert late.status_code == 400 and "is locked" in late.text
    assert _counted(app, "1.2") is None


def _latest_update_id(app, action_id: int) -> int:
    from core.models import ProgressUpdate

    return in_session(
        app,
        lambda s: s.scalar(
            sa.select(sa.func.max(ProgressUpdate.id)).where(ProgressUpdate.action_id == action_id)
        ),
    )


def test_contributors_post_only_on_their_own_actions_and_never_review(app, accounts, client_for):
    ids = {code: _action_id(app, code) for code in ("1.1", "1.2")}
    coordinator = AuthActions(client_for(app, "pk"), accounts)
    coordinator.post(f"/actions/{ids['1.1']}/contributors", {"email": accounts["lead"]})
    lead = AuthActions(client_for(app, "lead"), accounts)
    update = {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A", "commentary": "x"}
    mine = lead.post(f"/actions/{ids['1.1']}/updates/new", update)
    assert mine.status_code == 302
    other = lead.post(f"/actions/{ids['1.2']}/updates/new", update)
    assert other.status_code == 403
    assert lead.client.get(f"/actions/{ids['1.2']}/updates/new").status_code == 403
    submitted = _latest_update_id(app, ids["1.1"])
    assert lead.post(f"/updates/{submitted}/accept", {}).status_code == 403
    assert lead.post(f"/actions/{ids['1.1']}/contributors", {"email": "x@y.z"}).status_code == 403
    # Another area's coordinator cannot link anyone to Perth and Kinross's actions either.
    angus = AuthActions(client_for(app, "angus"), accounts)
    refused = angus.post(f"/actions/{ids['1.2']}/contributors", {"email": accounts["lead"]})
    assert refused.status_code == 403
    # The coordinator posts on the lead's behalf, and the update says so; it counts at once.
    page = coordinator.client.get(f"/actions/{ids['1.1']}/updates/new").text
    lead_id = in_session(
        app, lambda s: s.scalar(sa.select(User.id).where(User.email == accounts["lead"]))
    )
    assert f'<option value="{lead_id}">{accounts["lead"]}</option>' in page
    behalf = coordinator.post(
        f"/actions/{ids['1.1']}/updates/new",
        {**update, "reported_on": "2022-03-16", "on_behalf_of": str(lead_id)},
    )
    assert behalf.status_code == 302
    shown = coordinator.client.get(f"/actions/{ids['1.1']}").text
    assert f"on behalf of {accounts['lead']}" in shown
    assert "Submitted, waiting for the coordinator" in shown  # the lead's own, still waiting
    # Only contributors are linked: a viewer's address is refused with a sentence.
    wrong = coordinator.post(f"/actions/{ids['1.2']}/contributors", {"email": accounts["viewer"]})
    assert wrong.status_code == 302
    assert "is not an active contributor account" in coordinator.client.get(wrong.location).text


def test_review_can_be_switched_off_for_a_plan(app, accounts, client_for):
    first = _action_id(app, "1.1")
    coordinator = AuthActions(client_for(app, "pk"), accounts)
    coordinator.post(f"/actions/{first}/contributors", {"email": accounts["lead"]})
    dates = f"/areas/{PK}/plans/2021-2023/reporting-dates"
    assert coordinator.post(f"/areas/{PK}/plans/2021-2023/review", {"review": "off"}).status_code
    assert "count as soon as they are posted" in coordinator.client.get(dates).text
    lead = AuthActions(client_for(app, "lead"), accounts)
    lead.post(
        f"/actions/{first}/updates/new",
        {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A", "commentary": "x"},
    )
    assert _counted(app, "1.1") == "A"
    # A contributor cannot change the setting.
    assert lead.post(f"/areas/{PK}/plans/2021-2023/review", {"review": "on"}).status_code == 403


def test_a_user_switches_reminders_off_and_on(app, accounts, client_for):
    lead = AuthActions(client_for(app, "lead"), accounts)
    page = lead.client.get("/account/reminders")
    assert page.status_code == 200 and "Send me reminders" in page.text
    assert lead.post("/account/reminders", {"reminders": "off"}).status_code == 302
    off = in_session(
        app,
        lambda s: s.scalar(sa.select(User.reminders_off).where(User.email == accounts["lead"])),
    )
    assert off is True
    assert lead.post("/account/reminders", {"reminders": "maybe"}).status_code == 400
    # A coordinator is told the digest cannot be switched off.
    coordinator = client_for(app, "pk")
    assert "cannot be switched off" in coordinator.get("/account/reminders").text


def test_each_role_lands_on_its_own_home(app, accounts):
    expected = {
        "pk": f"/areas/{PK}/",
        "lead": "/my-actions/",
        "pg5": "/tric/",
        "viewer": "/",
    }
    for who, home in expected.items():
        signed = AuthActions(app.test_client(), accounts)
        assert signed.login(who).location == home, who


def test_a_contributors_home_lists_their_actions_with_what_is_due(app, accounts, client_for):
    in_session(
        app, lambda s: (add_reporting_date(s, dt.date.today() + dt.timedelta(30)), s.commit())
    )
    first = _action_id(app, "1.1")
    coordinator = AuthActions(client_for(app, "pk"), accounts)
    lead = client_for(app, "lead")
    assert "not a contributor to any action yet" in lead.get("/my-actions/").text
    coordinator.post(f"/actions/{first}/contributors", {"email": accounts["lead"]})
    page = lead.get("/my-actions/").text
    deadline = dt.date.today() + dt.timedelta(16)
    assert f'id="mine-{first}"' in page
    assert f"An update is due by {deadline.day} {deadline:%B %Y}." in page
    assert f"/actions/{first}/updates/new" in page
    # Once submitted, it says it is awaiting review, and since when; a second is no surprise.
    form = f"/actions/{first}/updates/new"
    posted = AuthActions(lead, accounts).post(
        form,
        {"reported_on": dt.date.today().isoformat(), "status": "in_progress", "rag": "R",
         "commentary": "Synthetic: submitted for review."},
        form,
    )  # fmt: skip
    assert posted.status_code == 302
    today = dt.date.today()
    page = html.unescape(lead.get("/my-actions/").text)
    assert f"awaiting the coordinator's review since {today.day} {today:%B %Y}" in page
    assert "Post another update" in page and "(yours is awaiting review)" in page
    again = html.unescape(lead.get(form).text)
    assert f"is awaiting the coordinator's review since {today.day} {today:%B %Y}" in again


def test_the_api_links_contributors_and_reviews_their_updates(app, api, accounts):
    first, second = _action_id(app, "1.1"), _action_id(app, "1.2")
    path = f"/api/v1/actions/{first}/contributors"
    assert api("get", path).get_json() == []
    linked = api("post", path, who="pk", json={"email": accounts["lead"]})
    assert linked.status_code == 201 and linked.get_json() == [{"email": accounts["lead"]}]
    assert api("post", path, who="pk", json={"email": accounts["lead"]}).status_code == 200
    unknown = api("post", path, who="pk", json={"email": "nobody@test.invalid"})
    assert unknown.status_code == 422 and "There is no account for" in unknown.text
    assert api("post", path, who="angus", json={"email": accounts["lead"]}).status_code == 403
    assert api("post", path, who="lead", json={"email": accounts["lead"]}).status_code == 403

    update = {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A", "commentary": "x"}
    mine = api("post", f"/api/v1/actions/{first}/updates", who="lead", json=update)
    assert mine.status_code == 201 and mine.get_json()["review"] == "submitted"
    assert (
        api("post", f"/api/v1/actions/{second}/updates", who="lead", json=update).status_code == 403
    )
    update_id = mine.get_json()["id"]
    assert api("get", f"/api/v1/actions/{first}").get_json()["current"] is None
    for who in ("lead", "viewer", "angus"):
        assert api("post", f"/api/v1/updates/{update_id}/accept", who=who).status_code == 403
    accepted = api("post", f"/api/v1/updates/{update_id}/accept", who="pk")
    assert accepted.status_code == 200 and accepted.get_json()["review"] == "accepted"
    assert api("get", f"/api/v1/actions/{first}").get_json()["current"]["rag"] == "A"
    again = api("post", f"/api/v1/updates/{update_id}/accept", who="pk")
    assert again.status_code == 409 and "not waiting for review" in again.text

    later = api(
        "post",
        f"/api/v1/actions/{first}/updates",
        who="lead",
        json={**update, "reported_on": "2022-03-20", "rag": "R"},
    ).get_json()["id"]
    no_comment = api("post", f"/api/v1/updates/{later}/return", who="pk", json={})
    assert no_comment.status_code == 422 and "comment" in no_comment.text
    back = api("post", f"/api/v1/updates/{later}/return", who="pk", json={"comment": "Why red?"})
    assert back.status_code == 200
    assert (back.get_json()["review"], back.get_json()["review_comment"]) == (
        "returned",
        "Why red?",
    )
    assert api("get", f"/api/v1/actions/{first}").get_json()["current"]["rag"] == "A"
    assert api("post", f"/api/v1/updates/{later}/accept", who="pk").status_code == 409

    behalf = api(
        "post",
        f"/api/v1/actions/{first}/updates",
        who="pk",
        json={**update, "reported_on": "2022-03-21", "on_behalf_of": accounts["lead"]},
    )
    assert behalf.status_code == 201
    assert (behalf.get_json()["on_behalf_of"], behalf.get_json()["review"]) == (
        accounts["lead"],
        "accepted",
    )
    wrong = api(
        "post",
        f"/api/v1/actions/{first}/updates",
        who="pk",
        json={**update, "reported_on": "2022-03-22", "on_behalf_of": accounts["viewer"]},
    )
    assert wrong.status_code == 422 and "not an active contributor account" in wrong.text


def test_two_coordinators_deciding_at_once_decide_once(app, accounts, password_hash):
    """Accept and return of the same submitted update at the same moment: exactly one wins,
    the other is told, and nothing is lost (real concurrent clients, each in its own thread)."""
    first = _action_id(app, "1.1")
    coordinator = _signed_in(app, accounts, "pk")
    coordinator.post(f"/actions/{first}/contributors", {"email": accounts["lead"]})
    lead = _signed_in(app, accounts, "lead")
    form = f"/actions/{first}/updates/new"
    update = {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A", "commentary": "x"}
    assert lead.post(form, update, form).status_code == 302
    submitted = _latest_update_id(app, first)
    second = _signed_in(app, accounts, "admin")
    tokens = {
        "accept": (coordinator, f"/updates/{submitted}/accept", {}),
        "return": (second, f"/updates/{submitted}/return", {"comment": "Synthetic"}),
    }
    prepared = {
        name: (
            who.client,
            path,
            {**data, "csrf_token": csrf_token(who.client, "/account/password")},
        )
        for name, (who, path, data) in tokens.items()
    }
    answers: dict[str, int] = {}
    start = threading.Barrier(2)

    def decide(name: str) -> None:
        client, path, data = prepared[name]
        start.wait()
        answers[name] = client.post(path, data=data).status_code

    threads = [threading.Thread(target=decide, args=(name,)) for name in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    from core.models import ProgressUpdate

    state = in_session(app, lambda s: s.get(ProgressUpdate, submitted).review.value)
    assert state in ("accepted", "returned")
    assert sorted(answers.values()) == [302, 409]
    events = in_session(
        app,
        lambda s: s.scalar(
            sa.text(
                "SELECT count(*) FROM audit_entries WHERE kind = 'progress_updates' "
                "AND event IN ('accepted', 'returned')"
            )
        ),
    )
    assert events == 1


def test_an_admin_creates_a_contributor_on_the_command_line(app, runner):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "new.lead@test.invalid",
            "--role",
            "contributor",
            "--password-stdin",
        ],
        input="orbit kettle maple tramline\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created new.lead@test.invalid: contributor." in result.output
    role = in_session(
        app, lambda s: s.scalar(sa.select(User.role).where(User.email == "new.lead@test.invalid"))
    )
    assert role is Role.CONTRIBUTOR

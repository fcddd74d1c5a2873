"""Writes sent at the same moment by real clients, to the app served by many threads and by two
separate processes on one database: of N edits from the same version exactly one is saved and
the others are told (412, or the web form's conflict page); numbers, adoptions and "does not
apply" records stay unique; no answer is a 5xx."""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from core.enums import Rag
from core.models import (
    Action,
    ActionChange,
    AnnualReport,
    AnnualReportText,
    Kpi,
    KpiValue,
    NotApplicable,
    ProgressUpdate,
    QualityIndicator,
    Recommendation,
    SelfEvaluation,
    SelfEvaluationRating,
    SharedAction,
    SharedActionVersion,
    action_indicators,
)
from tests.helpers import action, in_session, report
from tests.served import (
    api_client,
    api_token,
    browser_client,
    client,
    csrf_of,
    race,
    served_in_processes,
    served_in_threads,
    statuses,
)

ROUNDS = 6
WRITERS = 4


@pytest.fixture(params=["threads", "two processes", "one port, three workers"])
def servers(request, app, accounts, database_url):
    """Base URLs serving the app: one waitress with 16 threads; two `cpc serve` processes on
    the same PostgreSQL database; or one `cpc serve --workers 3` (three processes on one
    port)."""
    if request.param == "threads":
        app.config["SESSION_COOKIE_SECURE"] = False  # served over plain http here
        with served_in_threads(app) as urls:
            yield urls
        return
    if not os.environ.get("CPC_DATABASE_URL"):
        pytest.skip("two web processes share a database on PostgreSQL")
    if request.param == "two processes":
        with served_in_processes(database_url) as urls:
            yield urls
    else:
        with served_in_processes(database_url, count=1, workers=3) as urls:
            yield urls


def _clients(app, urls, email, count):
    token = api_token(app, email)
    return [api_client(urls[i % len(urls)], token) for i in range(count)]


def _patch_from_one_version(clients, path: str, text: str) -> list:
    """Every client PATCHes ``path`` at once with the ETag read just before: exactly one
    wins (200), every other is told its read is stale (412)."""
    etag = clients[0].get(clients[0].base + path).headers["ETag"]
    answers = race(
        len(clients),
        lambda i: clients[i].patch(
            clients[i].base + path,
            json={"text": f"{text}, writer {i}"},
            headers={"If-Match": etag},
        ),
    )
    assert statuses(answers) == [200] + [412] * (len(clients) - 1), [a.text for a in answers]
    return answers


def test_api_edits_from_one_revision_save_exactly_once(app, accounts, servers):
    action_id = in_session(app, lambda s: action(s, "1.1").id)
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    path = f"/api/v1/actions/{action_id}"
    for n in range(ROUNDS):
        answers = _patch_from_one_version(clients, path, f"Round {n}")
        winner = next(a for a in answers if a.status_code == 200)
        for loser in (a for a in answers if a.status_code == 412):
            assert "Read it again and send its new ETag." in loser.json()["message"]
        now = clients[0].get(clients[0].base + path).json()
        assert now["text"] == winner.json()["text"]  # the winner's change is the one kept

    def history(session):
        revisions = session.scalars(
            select(ActionChange.revision).where(ActionChange.action_id == action_id)
        ).all()
        return session.get(Action, action_id).revision, Counter(revisions)

    revision, revisions = in_session(app, history)
    assert revision == 1 + ROUNDS
    assert sorted(revisions) == list(range(2, 2 + ROUNDS))  # one history entry per edit
    assert set(revisions.values()) == {1}


def test_web_edits_from_one_revision_save_exactly_once_and_show_the_conflict(
    app, accounts, servers
):
    action_id = in_session(app, lambda s: action(s, "2.1").id)
    clients = [browser_client(servers[i % len(servers)], accounts["pk"]) for i in range(WRITERS)]
    path = f"/actions/{action_id}/edit"
    for n in range(ROUNDS):
        forms = [c.get(c.base + path).text for c in clients]
        revision = in_session(app, lambda s: s.get(Action, action_id).revision)

        def send(i, n=n, forms=forms, revision=revision):
            return clients[i].post(
                clients[i].base + path,
                data={
                    "csrf_token": csrf_of(forms[i]),
                    "revision": str(revision),
                    "text": f"Web round {n}, writer {i}",
                    "expected_impact": "",
                    "leads": "Chief Social Work Officer",
                },
                allow_redirects=False,
            )

        answers = race(WRITERS, send)
        assert statuses(answers) == [302] + [400] * (WRITERS - 1), [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 400)
        assert "Someone else changed this while you were editing" in loser.text
        assert "Save my version on top of theirs" in loser.text
    assert in_session(app, lambda s: s.get(Action, action_id).revision) == 1 + ROUNDS


def test_shared_action_edits_from_one_version_save_exactly_once(app, accounts, servers):
    key = in_session(app, lambda s: s.scalars(select(SharedAction.key)).first())
    clients = _clients(app, servers, accounts["pg5"], WRITERS)
    path = f"/api/v1/shared-actions/{key}"
    for n in range(ROUNDS):
        _patch_from_one_version(clients, path, f"Shared round {n}")

    def versions(session):
        definition = session.scalars(select(SharedAction).where(SharedAction.key == key)).one()
        numbers = session.scalars(
            select(SharedActionVersion.version).where(
                SharedActionVersion.shared_action_id == definition.id
            )
        ).all()
        return definition.version, sorted(numbers)

    version, numbers = in_session(app, versions)
    assert version == 1 + ROUNDS
    assert numbers == list(range(1, 2 + ROUNDS))


def test_local_actions_added_at_once_each_get_their_own_number(app, accounts, servers):
    count = 16
    outcome_id = in_session(app, lambda s: action(s, "3.1").outcome_id)
    clients = _clients(app, servers, accounts["pk"], count)
    answers = race(
        count,
        lambda i: clients[i].post(
            clients[i].base + "/api/v1/actions/",
            json={"outcome_id": outcome_id, "text": f"Added at once, number {i}"},
        ),
    )
    assert statuses(answers) == [201] * count, [getattr(a, "text", a) for a in answers]
    codes = [a.json()["code"] for a in answers]
    assert len(set(codes)) == count
    assert all(code.startswith("3.") for code in codes)


def _new_shared_action(app, accounts, servers, title: str) -> str:
    pg5 = _clients(app, servers, accounts["pg5"], 1)[0]
    made = pg5.post(
        pg5.base + "/api/v1/shared-actions/",
        json={"title": title, "text": "An ongoing Tayside action.", "kind": "ongoing"},
    )
    assert made.status_code == 201, made.text
    return made.json()["key"]


def test_does_not_apply_recorded_at_once_is_kept_once(app, accounts, servers):
    key = _new_shared_action(app, accounts, servers, "Recorded at once")
    clients = _clients(app, servers, accounts["admin"], 8)
    answers = race(
        8,
        lambda i: clients[i].post(
            f"{clients[i].base}/api/v1/shared-actions/{key}/not-applicable",
            json={"area": "dundee", "reason": f"Reason {i}"},
        ),
    )
    found = statuses(answers)
    assert found.count(201) == 1, found
    assert set(found) <= {201, 409, 422}, found
    live = in_session(
        app,
        lambda s: s.scalar(
            select(func.count())
            .select_from(NotApplicable)
            .join(SharedAction)
            .where(SharedAction.key == key, NotApplicable.withdrawn_on.is_(None))
        ),
    )
    assert live == 1


def test_adoptions_at_once_adopt_once(app, accounts, servers):
    key = _new_shared_action(app, accounts, servers, "Adopted at once")
    clients = _clients(app, servers, accounts["admin"], 8)
    answers = race(
        8,
        lambda i: clients[i].post(
            f"{clients[i].base}/api/v1/shared-actions/{key}/adoptions", json={"area": "dundee"}
        ),
    )
    found = statuses(answers)
    assert found.count(201) == 1, found
    assert set(found) <= {201, 409, 422}, found
    copies = in_session(
        app,
        lambda s: s.scalar(
            select(func.count())
            .select_from(Action)
            .join(SharedAction, Action.shared_action_id == SharedAction.id)
            .where(SharedAction.key == key)
        ),
    )
    assert copies == 1


def test_an_adoption_and_a_does_not_apply_at_once_keep_one(app, accounts, servers):
    key = _new_shared_action(app, accounts, servers, "Adopted or not")
    clients = _clients(app, servers, accounts["admin"], 8)

    def send(i):
        base = f"{clients[i].base}/api/v1/shared-actions/{key}"
        if i % 2:
            return clients[i].post(f"{base}/adoptions", json={"area": "angus"})
        return clients[i].post(f"{base}/not-applicable", json={"area": "angus", "reason": "No"})

    found = statuses(race(8, send))
    assert found.count(201) == 1, found
    assert set(found) <= {201, 409, 422}, found


def test_guesses_sent_at_once_get_no_more_than_five_password_checks(app, accounts, servers):
    count = 12
    bases = [servers[i % len(servers)] for i in range(count)]
    clients = [client(base) for base in bases]
    forms = [csrf_of(c.get(f"{bases[i]}/sign-in").text) for i, c in enumerate(clients)]
    answers = race(
        count,
        lambda i: clients[i].post(
            f"{bases[i]}/sign-in",
            data={"email": accounts["pk"], "password": f"guess {i}", "csrf_token": forms[i]},
        ),
    )
    checked = [a for a in answers if "password is not right" in a.text]
    refused = [a for a in answers if a.status_code == 429]
    assert len(checked) <= 5, [a.status_code for a in answers]
    assert len(checked) + len(refused) == count
    # Guesses one at a time are checked only until five in all have been.
    later = client(servers[0])
    for n in range(10):
        answer = later.post(
            f"{servers[0]}/sign-in",
            data={
                "email": accounts["pk"],
                "password": f"later guess {n}",
                "csrf_token": csrf_of(later.get(f"{servers[0]}/sign-in").text),
            },
        )
        if answer.status_code == 429:
            break
        checked.append(answer)
    assert len(checked) == 5
    with pytest.raises(AssertionError):  # now even the right password is refused, for a while
        browser_client(servers[0], accounts["pk"])


def test_corrections_sent_at_once_correct_once(app, accounts, servers):
    original = in_session(app, lambda s: report(s, "2.1", Rag.RED).id)
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    answers = race(
        WRITERS,
        lambda i: clients[i].post(
            f"{clients[i].base}/api/v1/updates/{original}/correction",
            json={"rag": "A", "reason": f"Correction {i}"},
        ),
    )
    assert statuses(answers) == [201] + [409] * (WRITERS - 1), [a.text for a in answers]
    corrections = in_session(
        app,
        lambda s: s.scalar(
            select(func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.corrects_id == original)
        ),
    )
    assert corrections == 1


def test_a_reporting_date_removed_at_once_is_removed_once(app, accounts, servers):
    plan_id = in_session(app, lambda s: action(s, "2.1").plan_id)
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    path = f"/api/v1/plans/{plan_id}/reporting-dates"
    made = clients[0].post(
        clients[0].base + path, json={"date": "2099-06-30", "deadline": "2099-06-16"}
    )
    assert made.status_code == 201, made.text
    answers = race(WRITERS, lambda i: clients[i].delete(f"{clients[i].base}{path}/2099-06-30"))
    found = statuses(answers)
    assert found.count(204) == 1 and set(found) <= {204, 404, 409}, found


def test_kpi_figures_sent_at_once_keep_one_in_force_and_lose_none(app, accounts, servers):
    """Writers send different figures for the same KPI, area and period at one moment: each
    is saved (a later one correcting an earlier, which stays in the history) or refused with
    409; exactly one is in force and every saved figure is in the history."""
    kpi_id = in_session(app, lambda s: s.scalar(select(Kpi.id).where(Kpi.key == "no-of-irds-held")))
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    path = f"/api/v1/kpis/{kpi_id}/values"
    for n in range(ROUNDS):
        period = f"2025-{n + 1:02d}"
        answers = race(
            WRITERS,
            lambda i, period=period, n=n: clients[i].post(
                clients[i].base + path,
                json={"area": "perth-and-kinross", "period": period, "value": 10 * n + i},
            ),
        )
        found = statuses(answers)
        assert set(found) <= {201, 409} and 201 in found, [a.text for a in answers]
        for refused in (a for a in answers if a.status_code == 409):
            assert "at the same moment" in refused.json()["message"]
        saved = {a.json()["id"] for a in answers if a.status_code == 201}

        def figures(session, period=period):
            rows = session.execute(
                select(KpiValue.id, KpiValue.retired_at).where(
                    KpiValue.kpi_id == kpi_id, KpiValue.period == period
                )
            ).all()
            return {id_ for id_, _ in rows}, [id_ for id_, retired in rows if retired is None]

        kept, in_force = in_session(app, figures)
        assert saved <= kept  # no saved figure is lost
        assert len(in_force) == 1


def test_a_lock_and_updates_sent_at_once_leave_nothing_in_the_period_after_the_lock(
    app, accounts, servers
):
    """Coordinators post updates into a period while one of them locks it: every update
    saved in the period was saved before the lock; the others are refused with a sentence."""
    from core.models import ReportingDate
    from tests.helpers import add_reporting_date, plan_of

    def meeting(session):
        add_reporting_date(session)  # 31 March 2022
        session.commit()
        return plan_of(session).id, [action(session, c).id for c in ("1.1", "1.2", "1.3", "1.4")]

    plan_id, action_ids = in_session(app, meeting)
    clients = _clients(app, servers, accounts["pk"], WRITERS + 1)
    lock = f"/api/v1/plans/{plan_id}/reporting-dates/2022-03-31/lock"
    body = {"reported_on": "2022-03-15", "status": "in_progress", "rag": "A", "commentary": "x"}
    answers = race(
        WRITERS + 1,
        lambda i: (
            clients[i].post(clients[i].base + lock)
            if i == WRITERS
            else clients[i].post(
                clients[i].base + f"/api/v1/actions/{action_ids[i % 4]}/updates", json=body
            )
        ),
    )
    assert answers[WRITERS].status_code == 200, answers[WRITERS].text
    for answer in answers[:WRITERS]:
        assert answer.status_code in (201, 422), answer.text
        if answer.status_code == 422:
            assert "is locked" in answer.json()["message"]

    def check(session):
        locked_at = session.scalar(
            select(ReportingDate.locked_at).where(ReportingDate.plan_id == plan_id)
        )
        saved = session.scalars(
            select(ProgressUpdate.created_at).where(ProgressUpdate.reported_on == date(2022, 3, 15))
        ).all()
        return locked_at, saved

    locked_at, saved = in_session(app, check)
    assert len(saved) == sum(a.status_code == 201 for a in answers[:WRITERS])
    assert all(moment <= locked_at for moment in saved)


def test_recommendation_edits_from_one_revision_save_exactly_once(app, accounts, servers):
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    made = clients[0].post(
        clients[0].base + "/api/v1/recommendations",
        json={
            "area": "perth-and-kinross",
            "reference": "RACE-1",
            "source_kind": "audit",
            "text": "Synthetic",
        },
    )
    assert made.status_code == 201, made.text
    path = f"/api/v1/recommendations/{made.json()['id']}"
    for n in range(ROUNDS):
        _patch_from_one_version(clients, path, f"Round {n}")
    assert clients[0].get(clients[0].base + path).json()["revision"] == 1 + ROUNDS


def test_recommendations_added_at_once_under_one_reference_keep_one(app, accounts, servers):
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    for n in range(ROUNDS):
        body = {
            "area": "perth-and-kinross",
            "reference": f"SAME-{n}",
            "source_kind": "audit",
            "text": "Synthetic",
        }
        answers = race(
            len(clients),
            lambda i, body=body: clients[i].post(
                clients[i].base + "/api/v1/recommendations", json=body
            ),
        )
        codes = statuses(answers)
        assert codes.count(201) == 1 and all(c in (201, 409, 422) for c in codes), codes
    count = in_session(app, lambda s: s.scalar(select(func.count(Recommendation.id))))
    assert count == ROUNDS


def test_learning_review_edits_from_one_revision_save_exactly_once(app, accounts, servers):
    clients = _clients(app, servers, accounts["pk"], WRITERS)
    made = clients[0].post(
        clients[0].base + "/api/v1/learning-reviews",
        json={"area": "perth-and-kinross", "reference": "LR-RACE"},
    )
    assert made.status_code == 201, made.text
    path = f"/api/v1/learning-reviews/{made.json()['id']}"
    for n in range(ROUNDS):
        etag = clients[0].get(clients[0].base + path).headers["ETag"]
        answers = race(
            len(clients),
            lambda i, n=n, etag=etag: clients[i].patch(
                clients[i].base + path,
                json={"stages": [{"stage": "decision", "due_on": f"2030-01-{n * 4 + i + 1:02d}"}]},
                headers={"If-Match": etag},
            ),
        )
        assert statuses(answers) == [200] + [412] * (len(clients) - 1), [a.text for a in answers]
    assert clients[0].get(clients[0].base + path).json()["revision"] == 1 + ROUNDS


def test_self_evaluation_edits_from_one_revision_save_exactly_once(app, accounts, servers):
    from tests.helpers import self_evaluation_values

    made = self_evaluation_values(app, accounts["admin"], "RACE")
    activity_id, two_one = int(made["activity_id"]), made["indicator_id"]
    clients = [browser_client(servers[i % len(servers)], accounts["pk"]) for i in range(WRITERS)]
    path = f"/self-evaluations/{activity_id}/edit"
    for n in range(ROUNDS):
        forms = [c.get(c.base + path).text for c in clients]
        revision = in_session(app, lambda s: s.get(SelfEvaluation, activity_id).revision)

        def send(i, n=n, forms=forms, revision=revision):
            return clients[i].post(
                clients[i].base + path,
                data={
                    "csrf_token": csrf_of(forms[i]),
                    "revision": str(revision),
                    "title": f"Synthetic round {n}, writer {i}",
                    "planned_on": "2022-02-01",
                    "done_on": "2022-03-01",
                    "agreed_by": "Synthetic CPC",
                    f"indicator_{two_one}": str(i % 6 + 1),
                },
                allow_redirects=False,
            )

        answers = race(WRITERS, send)
        assert statuses(answers) == [302] + [400] * (WRITERS - 1), [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 400)
        assert "Someone else changed this self-evaluation" in loser.text
    saved = in_session(
        app,
        lambda s: (
            s.get(SelfEvaluation, activity_id).revision,
            s.scalar(select(func.count(SelfEvaluationRating.id))),
        ),
    )
    assert saved == (1 + ROUNDS, 1)  # one rating row, never two


def test_an_indicator_tagged_at_once_is_tagged_once(app, accounts, servers):
    two_one = in_session(
        app, lambda s: s.scalar(select(QualityIndicator.id).where(QualityIndicator.number == "2.1"))
    )
    clients = [browser_client(servers[i % len(servers)], accounts["pk"]) for i in range(WRITERS)]
    for code in ("2.1", "2.2", "3.1"):
        action_id = in_session(app, lambda s, code=code: action(s, code).id)
        forms = [c.get(f"{c.base}/actions/{action_id}").text for c in clients]
        answers = race(
            WRITERS,
            lambda i, forms=forms, action_id=action_id: clients[i].post(
                f"{clients[i].base}/actions/{action_id}/indicators",
                data={"csrf_token": csrf_of(forms[i]), "indicator": str(two_one)},
                allow_redirects=False,
            ),
        )
        assert statuses(answers) == [302] * WRITERS, [a.text for a in answers]
        tags = in_session(
            app,
            lambda s, action_id=action_id: s.scalar(
                select(func.count())
                .select_from(action_indicators)
                .where(action_indicators.c.action_id == action_id)
            ),
        )
        assert tags == 1


def test_a_narrative_section_saved_at_once_from_one_version_keeps_one(app, accounts, servers):
    clients = [browser_client(servers[i % len(servers)], accounts["pk"]) for i in range(WRITERS)]
    page = "/areas/perth-and-kinross/annual-reports/2021-22/sections/context/edit"
    for n in range(ROUNDS):
        forms = [c.get(c.base + page).text for c in clients]
        version = {
            int(v) for v in (re.search(r'name="version" value="(\d+)"', f).group(1) for f in forms)
        }
        assert version == {n}

        def send(i, n=n, forms=forms):
            return clients[i].post(
                clients[i].base + page,
                data={
                    "csrf_token": csrf_of(forms[i]),
                    "version": str(n),
                    "text": f"Round {n}, writer {i}",
                },
                allow_redirects=False,
            )

        answers = race(WRITERS, send)
        assert statuses(answers) == [302] + [409] * (WRITERS - 1), [a.text[:300] for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert "Someone else saved this section while you were writing" in loser.text
    saved = in_session(
        app,
        lambda s: sorted(s.scalars(select(AnnualReportText.version)).all()),
    )
    assert saved == list(range(1, ROUNDS + 1))  # one version per round, none lost or doubled


def test_an_annual_report_approved_twice_at_once_is_approved_once(app, accounts, servers):
    from tests.helpers import annual_report_values

    annual_report_values(app, accounts["admin"])  # 2021-22 begun
    clients = [browser_client(servers[i % len(servers)], accounts["pk"]) for i in range(WRITERS)]
    page = "/areas/perth-and-kinross/annual-reports/2021-22/"
    forms = [c.get(c.base + page).text for c in clients]
    revision = re.search(r'name="revision" value="(\d+)"', forms[0]).group(1)
    answers = race(
        WRITERS,
        lambda i: clients[i].post(
            clients[i].base + page + "approve",
            data={
                "csrf_token": csrf_of(forms[i]),
                "revision": revision,
                "approved_on": f"2022-10-0{i + 1}",
            },
            allow_redirects=False,
        ),
    )
    assert statuses(answers) == [302] * WRITERS, [a.text[:300] for a in answers]
    approved = in_session(
        app,
        lambda s: s.scalars(
            select(AnnualReport.approved_on).where(AnnualReport.year == "2021-22")
        ).all(),
    )
    assert len(approved) == 1 and approved[0] is not None

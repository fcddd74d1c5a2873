"""Writes safe to retry: a POST with an idempotency key (the API's header, every form's hidden
field) is saved once, however often it is sent, and its first answer is given again; the 503
says whether a change may have been saved; with connections killed under load, retrying each
failed answer with its key makes no duplicate."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from core.models import Action
from tests.forms_on_page import post_forms
from tests.helpers import action, in_session
from tests.served import api_client, api_token, race, served_in_processes, served_in_threads


def _actions(app) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(sa.func.count(Action.id))))


def _new_action(app) -> dict:
    outcome_id = in_session(app, lambda s: action(s, "3.1").outcome_id)
    return {"outcome_id": outcome_id, "text": "Synthetic action added once, however often sent"}


def test_the_same_key_and_request_is_saved_once_and_answered_the_same(app, api):
    body = _new_action(app)
    before = _actions(app)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api("post", "/api/v1/actions/", who="pk", json=body, headers=key)
    again = api("post", "/api/v1/actions/", who="pk", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert _actions(app) == before + 1
    other = api("post", "/api/v1/actions/", who="pk", json={**body, "text": "Other"}, headers=key)
    assert other.status_code == 422 and "different request" in other.json["message"]
    bad = api("post", "/api/v1/actions/", who="pk", json=body, headers={"Idempotency-Key": "a b"})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json["message"]
    # Keys are each account's own: another's same key is another request.
    assert api("post", "/api/v1/actions/", who="admin", json=body, headers=key).status_code == 201
    assert _actions(app) == before + 2
    # Without a key, each POST is its own.
    assert api("post", "/api/v1/actions/", who="pk", json=body).status_code == 201
    assert _actions(app) == before + 3


def test_a_form_sent_twice_from_one_page_is_saved_once(app, client_for):
    web = client_for(app, "pk")
    outcome = in_session(app, lambda s: action(s, "3.1").outcome_id)
    page = f"/areas/perth-and-kinross/plans/2021-2023/actions/new?outcome={outcome}"
    [form] = [f for f in post_forms(web.get(page).text, page) if "text" in f.fields]
    assert form.fields["idempotency_key"]
    sent = {**form.fields, "text": "Synthetic action from a form sent twice"}
    before = _actions(app)
    first = web.post(form.action, data=sent)
    again = web.post(form.action, data=sent)
    assert first.status_code == again.status_code == 302
    assert again.location == first.location
    assert _actions(app) == before + 1
    [fresh] = [f for f in post_forms(web.get(page).text, page) if "text" in f.fields]
    assert fresh.fields["idempotency_key"] != form.fields["idempotency_key"]


def test_one_key_sent_at_once_by_several_clients_is_saved_once(app, accounts):
    app.config["SESSION_COOKIE_SECURE"] = False
    body, key = _new_action(app), str(uuid.uuid4())
    before = _actions(app)
    with served_in_threads(app) as urls:
        token = api_token(app, accounts["pk"])
        clients = [api_client(urls[0], token) for _ in range(6)]
        answers = race(
            6,
            lambda i: clients[i].post(
                clients[i].base + "/api/v1/actions/", json=body, headers={"Idempotency-Key": key}
            ),
        )
    assert _actions(app) == before + 1
    made = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(made) == 1  # every 201 is the same action
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]


def test_a_503_says_whether_the_change_may_have_been_saved(app, client_for, make_app, accounts):
    from tests.test_faults import UNREACHABLE

    token = api_token(app, accounts["pk"])
    down = make_app(load=False, DATABASE_URL=UNREACHABLE)
    answer = down.test_client().post(
        "/api/v1/actions/", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 503
    assert answer.json["may_have_saved"] is False and "Nothing was saved" in answer.json["message"]


SERVED = "cpc-fault-test"


# Connections killed in all: enough that many writes fail, few enough that every retry
# succeeds in the end however slow the machine (killing every busy connection forever, a
# write slower than the killer's round never gets through).
KILLS = 40


def _kill_connections(stop: threading.Event, killed: list[int]) -> None:
    admin = sa.create_engine(os.environ["CPC_DATABASE_URL"], poolclass=sa.pool.NullPool)
    try:
        while not stop.is_set() and sum(killed) < KILLS:
            with admin.begin() as connection:
                killed.append(
                    connection.execute(
                        sa.text(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                            f"AND application_name = '{SERVED}' AND state <> 'idle'"
                        )
                    ).scalar()
                )
            time.sleep(0.05)  # about a third of the writes lose their connection
    finally:
        admin.dispose()


def test_retrying_every_failed_write_with_its_key_makes_no_duplicate(app, accounts, database_url):
    """Connections are killed while 4 clients on 2 processes add 120 actions; every answer
    that is not 201 is retried with the same key until it is. Each key made one action."""
    if not os.environ.get("CPC_DATABASE_URL"):
        pytest.skip("PostgreSQL connections can be killed; SQLite has none")
    body = _new_action(app)
    before = _actions(app)
    token = api_token(app, accounts["pk"])
    stop, killed, failures = threading.Event(), [], []
    keys = [str(uuid.uuid4()) for _ in range(120)]
    # Only the served processes' connections are killed (named so), not any other test run's.
    served = (
        sa.engine.make_url(database_url)
        .update_query_dict({"application_name": SERVED})
        .render_as_string(hide_password=False)
    )
    with served_in_processes(served) as urls:
        clients = [api_client(urls[i % len(urls)], token) for i in range(4)]
        killer = threading.Thread(target=_kill_connections, args=(stop, killed), daemon=True)
        killer.start()

        def send(i: int) -> None:
            client = clients[i % 4]
            for key in keys[i::4]:
                for attempt in range(100):
                    time.sleep(0.01 * min(attempt, 10))  # a client backs off before a retry
                    try:
                        answer = client.post(
                            client.base + "/api/v1/actions/",
                            json={**body, "text": f"Synthetic action {key}"},
                            headers={"Idempotency-Key": key},
                            timeout=30,
                        )
                    except OSError as lost:  # the connection itself was dropped
                        failures.append(type(lost).__name__)
                        continue
                    if answer.status_code == 201:
                        break
                    failures.append((answer.status_code, answer.text[:300]))
                else:
                    raise AssertionError(f"key {key} never got a 201: {failures[-5:]}")

        workers = [threading.Thread(target=send, args=(i,)) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        stop.set()
        killer.join()
    assert sum(killed) > 0 and failures  # connections really were killed, and writes failed

    def texts(session):
        return session.scalars(
            sa.select(Action.text).where(Action.text.like("Synthetic action %"))
        ).all()

    made = in_session(app, texts)
    assert sorted(made) == sorted(f"Synthetic action {key}" for key in keys)  # none twice
    assert _actions(app) == before + len(keys)

"""Faults: a dropped or unreachable database, SQLite busy, a plugin whose rule answers nonsense,
and the request log."""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import time

import pytest
import sqlalchemy as sa

from core.enums import Rag
from core.hooks.specs import hookimpl
from tests.helpers import csrf_token, in_session
from tests.served import api_token

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"


def test_no_request_fails_after_the_database_drops_its_connections(app, make_app, client_for):
    """As after a restart: the connections in the pool were dropped while idle, and the next
    request is served on a new one."""
    if not os.environ.get("CPC_DATABASE_URL"):
        pytest.skip("PostgreSQL drops connections; SQLite has none to drop")
    # The app's connections carry a name of their own, so that only they are dropped, never
    # those of a test running beside this one (the suite runs on every core).
    name = f"cpc-drop-{secrets.token_hex(4)}"
    named = (
        sa.engine.make_url(app.config["DATABASE_URL"])
        .update_query_dict({"application_name": name})
        .render_as_string(hide_password=False)
    )
    idle = 0.2  # seconds after which a pooled connection is checked before use
    dropping = make_app(load=False, DATABASE_URL=named, DB_PING_AFTER_SECONDS=idle)
    web = client_for(dropping, "pk")
    assert web.get("/").status_code == 200  # the pool now holds a connection
    admin = sa.create_engine(os.environ["CPC_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        dropped = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = :name"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert dropped >= 1
    time.sleep(idle * 1.5)  # a restart takes the database away for longer than that
    assert web.get("/").status_code == 200
    assert web.get("/").status_code == 200  # and the new connection is kept


def test_an_unreachable_database_gives_the_apps_own_503_page_and_json(
    app, client_for, make_app, accounts
):
    web = client_for(app, "pk")
    token = api_token(app, accounts["pk"])
    down = make_app(load=False, DATABASE_URL=UNREACHABLE)
    cut_off = down.test_client()
    cut_off.set_cookie("session", web.get_cookie("session").value)
    page = cut_off.get("/")
    assert page.status_code == 503
    assert "Sorry, the service is unavailable" in page.text
    assert page.headers["Retry-After"] == "30"
    api = down.test_client().get("/api/v1/areas/", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 503
    assert "cannot reach its database" in api.json["message"]
    signed_out = down.test_client().get("/sign-in")
    assert signed_out.status_code == 200  # the sign-in page itself needs no database


def test_sqlite_busy_gives_503_with_retry_after(make_app, client_for, caplog):
    app = make_app(SQLITE_BUSY_TIMEOUT=0.2)
    url = sa.engine.make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's own lock")
    web = client_for(app, "pk")
    action_id = in_session(
        app, lambda s: s.scalar(sa.text("SELECT id FROM actions WHERE code = '1.1'"))
    )
    token = csrf_token(web, "/account/password")
    holder = sqlite3.connect(url.database)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        answer = web.post(
            f"/actions/{action_id}/updates/new",
            data={
                "csrf_token": token,
                "reported_on": "2022-03-01",
                "status": "in_progress",
                "rag": "G",
                "rag_reason": "Synthetic: greener than suggested on purpose",
                "commentary": "A secret commentary text",
            },
        )
    finally:
        holder.rollback()
        holder.close()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "The service is busy" in answer.text
    assert "A secret commentary text" not in caplog.text  # SQL parameters are never logged


class WrongAnswer:
    """A plugin whose rule answers a string, not a TaysideStatus."""

    @hookimpl
    def tayside_status(self, row):
        return "Red"


class Raises:
    @hookimpl
    def tayside_status(self, row):
        raise RuntimeError("broken rule")


@pytest.mark.parametrize("plugin", [WrongAnswer(), Raises()], ids=["wrong type", "raises"])
def test_a_rule_that_answers_nonsense_is_named_skipped_and_the_next_rule_decides(
    make_app, client_for, plugin, runner_for, accounts
):
    app = make_app(EXTRA_PLUGINS=[("broken_rule", plugin)])
    web = client_for(app, "pg5")
    page = web.get("/tric/")
    assert page.status_code == 200
    assert "The rule from the plugin broken_rule was skipped" in page.text
    assert "this installation's own rule" not in page.text  # the built-in rule decided
    for path in ("/tric/rollup.csv", "/tric/rollup.xlsx", "/tric/print"):
        assert web.get(path).status_code == 200, path
    token = api_token(app, accounts["pg5"])
    api = app.test_client().get("/api/v1/rollup", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert {row["tayside_status"] for row in api.json} <= {"R", "A", "G", "not_reported"} | {
        r.value for r in Rag
    }
    result = runner_for(app).invoke(args=["rollup", "--json"])
    assert result.exit_code == 0, result.output


def test_each_request_is_one_log_line_with_method_path_status_time_and_user(
    app, client_for, caplog
):
    web = client_for(app, "pk")
    with caplog.at_level(logging.INFO, logger="cpc.requests"):
        web.get("/areas/perth-and-kinross/")
        app.test_client().get("/sign-in/%0d%0afake")
    lines = [r.getMessage() for r in caplog.records if r.name == "cpc.requests"]
    user_id = in_session(
        app,
        lambda s: s.scalar(sa.text("SELECT id FROM users WHERE email LIKE 'pk.%'")),
    )
    assert lines[0].startswith("GET /areas/perth-and-kinross/ 200 ")
    assert lines[0].endswith(f"ms user={user_id}")
    assert lines[1].startswith("GET /sign-in/\\x0d\\x0afake 302 ") and lines[1].endswith("user=-")

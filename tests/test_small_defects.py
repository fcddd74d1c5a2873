"""Defects seen in the browser and on the command line: the edit conflict page, completed
actions and their RAG, every error in one pass, the words on the pages, `cpc --help`,
`core.hookimpl`, `cpc serve` and the set-up script."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from waitress.server import BaseWSGIServer

from core.cli import main
from core.models import Action, ProgressUpdate
from tests.helpers import PK, action, in_session, report
from tests.served import api_token

ROOT = Path(__file__).resolve().parents[1]
PLAN = f"/areas/{PK}/plans/2021-2023/"


def _id(app, code):
    return in_session(app, lambda s: action(s, code).id)


def _edit_form(revision, text):
    return {
        "text": text,
        "expected_impact": "",
        "leads": "Chief Social Work Officer (CSWO)",
        "target_date": "",
        "revision": str(revision),
    }


def test_an_edit_conflict_shows_their_change_keeps_yours_and_saves_on_top(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    opened = in_session(app, lambda s: s.get(Action, action_id).revision)
    assert (
        auth.post(f"/actions/{action_id}/edit", _edit_form(opened, "Their wording")).status_code
        == 302
    )
    mine = auth.post(f"/actions/{action_id}/edit", _edit_form(opened, "My wording"))
    assert mine.status_code == 400
    page = mine.text
    assert "Someone else changed this while you were editing" in page
    assert "pk.coordinator@test.invalid saved" in page
    assert re.search(r"Their wording</td>\s*<td[^>]*>My wording</td>", page)  # side by side
    assert ">My wording</textarea>" in page  # what I typed is kept
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    assert int(revision) == opened + 1  # saving again goes on top of their version
    again = auth.post(f"/actions/{action_id}/edit", _edit_form(revision, "My wording"))
    assert again.status_code == 302
    assert in_session(app, lambda s: s.get(Action, action_id).text) == "My wording"


def test_a_completed_update_carries_no_rag(client, auth, app, accounts):
    auth.login("pk")
    action_id = _id(app, "2.1")
    form = {"reported_on": "2022-03-01", "status": "completed", "rag": "R", "commentary": "Done"}
    answer = auth.post(f"/actions/{action_id}/updates/new", form)
    assert answer.status_code == 400
    assert "A completed action carries no RAG" in answer.text
    token = api_token(app, accounts["pk"])
    api = app.test_client().post(
        f"/api/v1/actions/{action_id}/updates",
        json={"reported_on": "2022-03-01", "status": "completed", "rag": "R", "commentary": "D"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 422 and "rag" in api.json["errors"]["json"]
    count = in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id))))
    assert count == 0
    # "No RAG" is offered, for a completed action, but not chosen for the person.
    fresh = client.get(f"/actions/{action_id}/updates/new").text
    assert 'name="rag" type="radio" value=""' in fresh and 'value="" checked' not in fresh
    assert auth.post(f"/actions/{action_id}/updates/new", {**form, "rag": ""}).status_code == 302


def test_every_error_of_the_update_form_shows_in_one_pass(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    answer = auth.post(
        f"/actions/{action_id}/updates/new",
        {"reported_on": "2022-03-01", "status": "in_progress", "rag": "", "evidence_url": "nope"},
    )
    assert answer.status_code == 400
    assert "Enter the evidence link as a full web address" in answer.text
    assert "Say what has happened since the last update" in answer.text
    assert "needs a RAG status" in answer.text  # the service's rule, in the same pass


def test_every_error_of_the_action_form_shows_in_one_pass(client, auth, app):
    auth.login("pk")
    action_id = _id(app, "2.1")
    revision = in_session(app, lambda s: s.get(Action, action_id).revision)
    form = {**_edit_form(revision, ""), "target_date": "2030-01-01"}
    answer = auth.post(f"/actions/{action_id}/edit", form)
    assert answer.status_code == 400
    assert "Say what the action is" in answer.text
    assert "The target date must fall within the plan" in answer.text


def test_status_words_are_not_said_twice(client, auth, app):
    in_session(app, lambda s: report(s, "2.1", None, status=_completed()))
    auth.login("pk")
    for url in (PLAN, f"{PLAN}actions/", f"/areas/{PK}/", f"/actions/{_id(app, '2.1')}"):
        text = re.sub(r"<[^>]+>", " ", client.get(url).text)
        text = re.sub(r"\s+", " ", text)
        assert "Completed Completed" not in text, url
        assert "Not reported Not reported" not in text, url


def _completed():
    from core.enums import ProgressStatus

    return ProgressStatus.COMPLETED


def test_the_pages_explain_their_counts_in_plain_words(client, auth, app):
    auth.login("pk")
    dashboard = client.get(f"/areas/{PK}/").text
    assert "Completed (a completed action is not given a RAG)" in dashboard
    assert "Completed without a RAG" not in dashboard
    found = client.get(f"{PLAN}actions/").text
    assert "include the plan's ongoing/maintenance actions" in found
    plan = client.get(PLAN).text
    assert "README" not in plan
    frame = client.get("/areas/angus/plans/2021-2023/").text
    assert "Nothing here is taken from a plan of Angus" in frame
    assert "every Tayside area delivers" not in frame


def test_cpc_help_lists_only_the_platforms_own_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].split()
    assert "serve" in commands and "init" in commands
    for flask_own in ("run", "shell", "routes"):
        assert flask_own not in commands


def test_plugins_mark_hooks_with_core_hookimpl_as_the_readme_says():
    import core
    from core.hooks.specs import hookimpl

    assert core.hookimpl is hookimpl
    assert "@core.hookimpl" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_serve_names_the_admins_in_the_database_and_a_busy_port_is_one_clear_line(
    app, accounts, runner, monkeypatch
):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(args=["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Cannot serve on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    app.config["ADMIN_EMAIL"] = "configured@nowhere.invalid"

    ran = []  # the server is made and its address printed, but not run here
    monkeypatch.setattr(BaseWSGIServer, "run", lambda self: (ran.append(self), self.close()))
    result = runner.invoke(args=["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert accounts["admin"] in result.output
    assert "configured@nowhere.invalid" not in result.output
    assert ran
    # Its job thread ran while it served, and stopped with it.
    assert not [t for t in threading.enumerate() if t.name == "cpc-jobs"]


def test_setup_skips_what_has_not_changed():
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup.sh")], capture_output=True, text=True, check=True
    )
    assert "Python packages: up to date" in done.stdout
    assert "Front-end packages: up to date" in done.stdout
    assert "Front end: built and up to date" in done.stdout

"""The plugin author's kit: `cpc plugins --check`, `cpc new-plugin` (whose package passes its own
tests as generated), a plugin built and installed from outside the repository and found
everywhere, and `cpc sync-plans` keeping a changed plan file and the database in step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from core.hooks.plugin_data import AreaSpec, DataSource
from core.models import Action, ActionChange, Area, AuditEntry, Plan, ProgressUpdate, User
from core.services.demo.synthetic import synthetic_plan
from core.services.plans.actions import edit_action
from tests.helpers import PK, in_session
from tests.test_hooks import Plugin

VENV_BIN = Path(sys.executable).parent
ISLE = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)


def _counts(app) -> dict[str, int]:
    models = (Area, Plan, Action, ProgressUpdate, ActionChange, AuditEntry)

    def count(session):
        return {
            m.__name__: session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
        }

    return in_session(app, count)


def test_plugins_check_finds_each_kind_of_problem_and_changes_nothing(make_app):
    clean = make_app()
    result = clean.test_cli_runner().invoke(args=["plugins", "--check"])
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output

    bad_plan = synthetic_plan(ISLE.slug, 1, 1) | {"status": "finished"}
    app = make_app(
        EXTRA_PLUGINS=[
            # A hook whose arguments are not the hook's.
            ("wrong-arguments", Plugin(tayside_status=lambda rows: None)),
            # A data file that does not pass its schema.
            ("isle", Plugin(register_areas=lambda: [ISLE],
                            contribute_plans=lambda: [DataSource(data=bad_plan)])),
            # A plan for an area the plugin does not register.
            ("trespasser", Plugin(contribute_plans=lambda: [
                DataSource(data=synthetic_plan(PK, 1, 1) | {"slug": "intruding"})])),
        ]
    )  # fmt: skip
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["plugins", "--check"])
    assert result.exit_code == 1
    said = result.output
    assert "plugin 'wrong-arguments': was left out" in said and "rows" in said
    assert "plugin 'isle': " in said and "status" in said
    assert "plugin 'trespasser': " in said and "belongs to plugin 'perth_kinross'" in said
    assert "3 problem(s) found." in said or "problem(s) found." in said
    assert _counts(app) == before  # the database is not changed


def _scaffold(tmp_path: Path, name: str = "isle") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        [str(VENV_BIN / "cpc"), "new-plugin", name, "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    return tmp_path / name


def test_new_plugin_makes_a_package_that_passes_its_own_tests(tmp_path):
    root = _scaffold(tmp_path)
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} >= {
        "pyproject.toml",
        "README.md",
        "cpc_isle/__init__.py",
        "cpc_isle/plan.json",
        "tests/test_plugin.py",
    }
    assert (
        '[project.entry-points."tayside_cpc"]\nisle = "cpc_isle"'
        in (root / "pyproject.toml").read_text()
    )
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout
    again = subprocess.run(
        [str(VENV_BIN / "cpc"), "new-plugin", "isle", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert again.returncode != 0 and "already exists" in again.stderr
    wrong = subprocess.run(
        [str(VENV_BIN / "cpc"), "new-plugin", "Bad Name", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert wrong.returncode != 0 and "is not a plugin name" in wrong.stderr


OUTSIDE_CHECK = """
import json, sys
from core.app import create_app

app = create_app()
token = sys.argv[1]
api = app.test_client()
headers = {"Authorization": f"Bearer {token}"}
area = api.get("/api/v1/areas/isle", headers=headers)
assert area.status_code == 200, area.text
key = api.get("/api/v1/shared-actions/", headers=headers).get_json()["items"][0]["key"]
outcome = api.get("/api/v1/outcomes/?area=isle", headers=headers).get_json()["items"][0]["id"]
adopted = api.post(f"/api/v1/shared-actions/{key}/adoptions",
                   json={"area": "isle", "outcome_id": outcome}, headers=headers)
assert adopted.status_code == 201, adopted.text
web = app.test_client()
page = web.get("/sign-in").text
csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
signed = web.post("/sign-in", data={"email": "outside@example.invalid",
                  "password": "orbit kettle maple tramline", "csrf_token": csrf})
assert signed.status_code == 302, signed.text
board = web.get("/areas/isle/")
assert board.status_code == 200 and "Isle (synthetic)" in board.text, board.status_code
print(json.dumps({"shared": key}))
"""


def test_a_plugin_built_outside_the_repository_is_found_everywhere(tmp_path):
    root = _scaffold(tmp_path / "src")
    site = tmp_path / "site"
    installed = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(site), str(root)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "CPC_DATABASE_URL": f"sqlite:///{tmp_path / 'outside.db'}",
        "CPC_SECRET_KEY": "outside test",
        "CPC_SECURE_COOKIES": "0",
    }

    def cpc(*args: str, stdin: str | None = None, **extra: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "cpc"), *args],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=tmp_path,
            input=stdin,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    cpc("init")
    assert "isle (0.1.0)" in cpc("plugins")
    assert "No problems found." in cpc("plugins", "--check")
    cpc("user", "create", "outside@example.invalid", "--role", "admin", "--password-stdin",
        stdin="orbit kettle maple tramline\n")  # fmt: skip
    token = cpc("token", "create", "outside@example.invalid", "--name", "outside").strip()
    checked = subprocess.run(
        [str(VENV_BIN / "python"), "-c", OUTSIDE_CHECK, token],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    key = json.loads(checked.stdout.strip().splitlines()[-1])["shared"]
    # The scaffold's area is synthetic until its real plan replaces the generated one, so the
    # rollup shows it in demonstration mode only.
    rollup = json.loads(cpc("rollup", "--json", CPC_DEMO="1"))
    row = next(item for item in rollup if item["code"] == key)
    assert row["areas"]["isle"]["adopted"] is True


def test_sync_plans_shows_and_applies_a_changed_plan_file(make_app, accounts_for, tmp_path):
    path = tmp_path / "plan.json"
    first = synthetic_plan(ISLE.slug, 2, 2)
    path.write_text(json.dumps(first), encoding="utf-8")
    plugin = Plugin(register_areas=lambda: [ISLE], contribute_plans=lambda: [DataSource.file(path)])
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    admin_email = accounts_for(app)["admin"]
    runner = app.test_cli_runner()
    assert "Every plan in the database matches" in runner.invoke(args=["sync-plans"]).output

    # A coordinator rewords 2.1 in the app; the file then changes 1.1, 2.1 and an outcome,
    # adds 1.3 and drops 2.2.
    def coordinator_edit(session):
        isle = sa.select(Action).join(Plan).join(Area).where(Area.slug == ISLE.slug)
        found = session.scalars(isle.where(Action.code == "2.1")).one()
        admin = session.scalars(sa.select(User).where(User.email == admin_email)).one()
        edit_action(
            session,
            found,
            actor=admin,
            revision=found.revision,
            text="Synthetic: worded by the coordinator",
            expected_impact=found.expected_impact,
            leads=[lead.name for lead in found.leads],
            target_date=found.target_date,
        )
        session.commit()

    in_session(app, coordinator_edit)
    changed = json.loads(json.dumps(first))
    outcomes = changed["priority_groups"][0]["outcomes"]
    outcomes[0]["title"] = "Synthetic outcome 1, retitled"
    outcomes[0]["actions"][0]["text"] = "Synthetic action 1.1, reworded in the file"
    outcomes[0]["actions"].append(
        {"code": "1.3", "text": "Synthetic action 1.3, new in the file", "leads": ["Synthetic"]}
    )
    outcomes[1]["actions"][0]["text"] = "Synthetic action 2.1, reworded in the file"
    del outcomes[1]["actions"][1]
    path.write_text(json.dumps(changed), encoding="utf-8")
    before = _counts(app)

    shown = runner.invoke(args=["sync-plans"])
    assert shown.exit_code == 0, shown.output
    said = shown.output
    assert "outcome 1 title changed" in said
    assert "action 1.1 reworded: action/task" in said.lower()
    assert "new action 1.3 in outcome 1" in said
    assert "action 2.2 is no longer in the file. It is kept" in said
    assert "2.1's action/task is kept as" in said and "edited it in the app" in said
    assert _counts(app) == before  # showing changes nothing

    applied = runner.invoke(args=["sync-plans", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "Applied 3 change(s)." in applied.output

    def state(session):
        actions = {
            a.code: a.text
            for a in session.scalars(
                sa.select(Action).join(Plan).join(Area).where(Area.slug == ISLE.slug)
            )
        }
        history = session.scalars(
            sa.select(ActionChange.new_value).join(Action).where(Action.code == "1.1")
        ).all()
        return actions, history

    actions, history = in_session(app, state)
    assert actions["1.1"] == "Synthetic action 1.1, reworded in the file"
    assert actions["1.3"] == "Synthetic action 1.3, new in the file"
    assert actions["2.1"] == "Synthetic: worded by the coordinator"  # not undone
    assert "2.2" in actions  # kept
    assert "Synthetic action 1.1, reworded in the file" in history  # in the wording history
    after = _counts(app)
    assert after["AuditEntry"] > before["AuditEntry"]
    assert after["ProgressUpdate"] == before["ProgressUpdate"]
    assert "Every plan in the database matches" not in runner.invoke(args=["sync-plans"]).output

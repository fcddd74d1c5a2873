"""``cpc init``: migrate and load, and running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from core import db
from core.db import Base


def row_counts(app):
    with app.app_context(), db.engine().connect() as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def test_init_loads_every_area_and_running_it_twice_changes_nothing(make_app):
    app = make_app(load=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "Plans added: " in first.output
    counts = row_counts(app)
    # The three CPCs and Scotland, the reference series national measures are compared with.
    assert counts["areas"] == 4 and counts["plans"] == 3 and counts["shared_actions"] == 8
    assert counts["actions"] == 32  # P&K's 25 + 7: Angus and Dundee ship a frame, no actions
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert "Plans already loaded: " in second.output and "Plans added" not in second.output
    assert row_counts(app) == counts


def test_serve_refuses_several_workers_on_sqlite(app, runner):
    if app.extensions["cpc_engine"].dialect.name != "sqlite":
        pytest.skip("several workers are what PostgreSQL is for (tests/test_concurrency.py)")
    result = runner.invoke(args=["serve", "--workers", "2", "--port", "0"])
    assert result.exit_code != 0
    assert "Several web processes need PostgreSQL" in result.output


def test_cpc_before_init_says_so_in_one_line_wherever_it_is_run(tmp_path):
    """Run from another folder, cpc uses the checkout's own instance folder (or
    CPC_INSTANCE_PATH) and creates nothing where it is run; before `cpc init`, a command that
    needs the database says so in one line."""
    import os
    import subprocess
    import sys

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "CPC_INSTANCE_PATH": str(tmp_path / "new-instance")}
    env.pop("CPC_DATABASE_URL", None)
    cpc = [sys.executable, "-c", "from core.cli import main; main()"]
    answer = subprocess.run(
        [*cpc, "user", "list"], cwd=elsewhere,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert answer.returncode == 1
    lines = answer.stderr.strip().splitlines()
    assert lines == [
        f"Error: No database yet at sqlite:///{tmp_path / 'new-instance' / 'cpc.sqlite'}: run "
        "`cpc init` first (it makes the database and loads the three areas)."
    ]
    assert list(elsewhere.iterdir()) == []  # no instance/ left where it was run


def test_the_commands_start_without_the_heavy_libraries(tmp_path):
    """`cpc --help` and `cpc user list` build the app: it imports no workbook, Word, PDF or
    migration library until a command that uses one runs (each costs a start-up)."""
    import subprocess
    import sys

    probe = (
        "import sys; from core.app import create_app; create_app(); "
        "print(sorted(m for m in ('openpyxl', 'docx', 'weasyprint', 'alembic') "
        "if m in sys.modules))"
    )
    import os

    env = {**os.environ, "CPC_INSTANCE_PATH": str(tmp_path)}
    env.pop("CPC_DATABASE_URL", None)
    found = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    assert found.stdout.strip() == "[]", found.stderr

"""``cpc init``: migrate and load, and running it again changes nothing."""

from __future__ import annotations

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
    assert counts["areas"] == 3 and counts["plans"] == 3 and counts["shared_actions"] == 8
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

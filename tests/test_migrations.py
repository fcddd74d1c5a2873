"""The Alembic migrations build exactly the models' schema from empty, and come down again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core import migrate
from core.db import Base, make_engine
from tests.helpers import init_database


def test_upgrade_from_empty_matches_the_models_and_downgrades(database_url):
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert diff == [], diff
            tables = set(sa.inspect(connection).get_table_names())
        assert set(Base.metadata.tables) <= tables
        checks = {c["name"] for c in sa.inspect(engine).get_check_constraints("progress_updates")}
        assert "ck_progress_updates_rag" in checks
        migrate.downgrade(engine)
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def test_migrating_down_and_up_keeps_every_plan_action_and_kpi(app):
    """On SQLite a migration that copies a table (plans, areas) must not take the rows that
    refer to it with the old copy."""
    engine = app.extensions["cpc_engine"]

    def counts() -> tuple[int, int, int]:
        with engine.connect() as connection:
            return tuple(
                connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("plans", "actions", "kpis")
            )

    loaded = counts()
    assert all(loaded)
    with engine.connect() as connection:
        national = connection.execute(sa.text("SELECT count(*) FROM kpis WHERE national")).scalar()
    assert national
    # The national measures (0024) go with the schema that holds them; the rest stays.
    kept = (loaded[0], loaded[1], loaded[2] - national)
    migrate.downgrade(engine, "0013")  # below the migrations that copy plans and areas
    assert counts() == kept
    migrate.upgrade(engine)
    assert counts() == kept
    init_database(app)  # as `cpc init` does after an upgrade: the national measures are back
    assert counts() == loaded

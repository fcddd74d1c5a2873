"""Running the Alembic migrations in ``migrations/`` from code (``cpc init``, tests). Alembic
is imported only when a migration runs, so that ``cpc --help`` and the other commands start
without it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from core import data_version

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def _migrating(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction for the migrations. On SQLite, foreign keys are off while they run: a
    migration that changes a table by copying it (Alembic's batch mode) drops the old copy,
    and with them on, that would delete every row referring to it (a plan's actions, an
    area's KPIs). What refers to a missing row is refused at the end instead, and nothing is
    saved."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # (a pragma that has no effect inside a transaction)
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(
                            f"The migration left {len(broken)} rows referring to rows that "
                            f"do not exist (the first in table {broken[0][0]}): nothing was "
                            "saved."
                        )
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; then every cached page part and report counts as out of date
    (the data may show differently after a migration)."""
    from alembic import command

    with data_version.uncounted(), _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)
        if sa.inspect(connection).has_table("data_version"):
            data_version.bump(connection)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    from alembic import command

    with data_version.uncounted(), _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def known_revisions() -> tuple[set[str], str | None]:
    """Every migration revision this platform has, and its head."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    return {s.revision for s in scripts.walk_revisions()}, scripts.get_current_head()

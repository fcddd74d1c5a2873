"""Running the Alembic migrations in ``migrations/`` from code (``cpc init``, tests). Alembic
is imported only when a migration runs, so that ``cpc --help`` and the other commands start
without it."""

from __future__ import annotations

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


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; then every cached page part and report counts as out of date
    (the data may show differently after a migration)."""
    from alembic import command

    with data_version.uncounted(), engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        if sa.inspect(connection).has_table("data_version"):
            data_version.bump(connection)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    from alembic import command

    with data_version.uncounted(), engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def known_revisions() -> tuple[set[str], str | None]:
    """Every migration revision this platform has, and its head."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    return {s.revision for s in scripts.walk_revisions()}, scripts.get_current_head()

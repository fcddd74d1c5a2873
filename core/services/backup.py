"""Backing up the whole database to one archive, and restoring it into an empty database, of
the same kind or the other (SQLite and PostgreSQL): how a council moves off a laptop.

The archive is a zip: ``manifest.json`` (the format, the schema's migration revision, when,
from which kind of database, and each table's row count) and one JSON Lines file per table,
rows in primary key order. Both directions read the tables as the database has them (not as
the models say), so an archive from an older schema restores too: the empty database is
migrated to the archive's revision, the rows loaded, then the database is migrated on to the
current schema.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core import migrate

FORMAT = "tayside-cpc-backup"
FORMAT_VERSION = 1
ALEMBIC = "alembic_version"
BATCH = 1000


class BackupError(ValueError):
    """The archive cannot be restored here; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    schema_revision: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def backup(engine: sa.Engine, path: Path) -> BackupReport:
    """Write every table's rows to ``path``, as one consistent snapshot taken while the app
    keeps serving (PostgreSQL: a repeatable-read transaction; SQLite: SQLite's online backup
    into a private copy first)."""
    with _snapshot(engine) as connection:
        revision = _revision(connection)
        if revision is None:
            raise BackupError("The database has no schema yet: run `cpc init` first.")
        tables = _tables(connection)
        counts: dict[str, int] = {}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                counts[table.name] = _write_table(connection, table, archive)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "database": engine.dialect.name,
                "tables": counts,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return BackupReport(revision, counts)


@contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    if engine.dialect.name != "sqlite":
        connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with connection, connection.begin():
            yield connection
        return
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "snapshot.sqlite"
        source = engine.raw_connection()
        try:
            target = sqlite3.connect(copy)
            source.driver_connection.backup(target)  # type: ignore[union-attr]
            target.close()
        finally:
            source.close()
        snapshot = sa.create_engine(f"sqlite:///{copy}", poolclass=sa.pool.NullPool)
        try:
            with snapshot.connect() as conn:
                yield conn
        finally:
            snapshot.dispose()


def _revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table(ALEMBIC):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {ALEMBIC}")).scalar()


def _tables(connection: sa.Connection) -> list[sa.Table]:
    """The database's own tables (not the models'), parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return [t for t in metadata.sorted_tables if t.name != ALEMBIC]


def _write_table(connection: sa.Connection, table: sa.Table, archive: zipfile.ZipFile) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    count = 0
    with archive.open(f"tables/{table.name}.jsonl", "w") as out:
        for row in connection.execute(sa.select(table).order_by(*order)).mappings():
            out.write(json.dumps({k: _plain(v) for k, v in row.items()}).encode("utf-8"))
            out.write(b"\n")
            count += 1
    return count


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored in UTC; SQLite hands them back without the offset.
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def restore(engine: sa.Engine, path: Path) -> BackupReport:
    """Load an archive into an empty database: migrate it to the archive's schema revision,
    load every row in one transaction, then migrate it on to the current schema. Refuses a
    database holding rows, and an archive from a newer schema than this platform knows."""
    manifest, archive = _open(path)
    with archive:
        revision = manifest["schema_revision"]
        known, head = migrate.known_revisions()
        if revision not in known:
            raise BackupError(
                f"The archive's schema (revision {revision}) is newer than this platform's "
                f"({head}): upgrade the platform first, then restore."
            )
        _require_empty(engine)
        migrate.downgrade(engine, "base")  # an empty schema of any revision, dropped
        migrate.upgrade(engine, revision)
        counts: dict[str, int] = {}
        with engine.begin() as connection:
            for table in _tables(connection):
                counts[table.name] = _load_table(connection, table, archive)
            _reset_sequences(connection)
    migrate.upgrade(engine)
    return BackupReport(revision, counts)


def _open(path: Path) -> tuple[dict[str, Any], zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
        manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BackupError(f"{path} is not a backup made by `cpc backup`: {error}") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        archive.close()
        raise BackupError(f"{path} is not a backup this version of the platform can read.")
    return manifest, archive


def _require_empty(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        for table in _tables(connection):
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise BackupError(
                    f"The database is not empty (its {table.name} table has rows): restore "
                    "into a new, empty database."
                )


def _load_table(connection: sa.Connection, table: sa.Table, archive: zipfile.ZipFile) -> int:
    name = f"tables/{table.name}.jsonl"
    if name not in archive.namelist():
        return 0
    convert = {column.name: _converter(column.type) for column in table.columns}
    batch: list[dict[str, Any]] = []
    count = 0
    with archive.open(name) as lines:
        for line in lines:
            row = json.loads(line)
            batch.append({k: convert[k](v) for k, v in row.items() if k in convert})
            if len(batch) == BATCH:
                connection.execute(table.insert(), batch)
                count, batch = count + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _converter(kind: sa.types.TypeEngine):
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else bool(v)
    return lambda v: v


def _reset_sequences(connection: sa.Connection) -> None:
    """PostgreSQL: the next id of each table after the highest restored one."""
    if connection.dialect.name != "postgresql":
        return
    for table in _tables(connection):
        if "id" not in table.columns or not isinstance(table.c.id.type, sa.Integer):
            continue
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
            )
        )

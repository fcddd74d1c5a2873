"""Backing up the whole database to one archive, and restoring it into an empty database, of
the same kind or the other (SQLite and PostgreSQL): how a council moves off a laptop.

The archive is a zip: ``manifest.json`` (the format, the schema's migration revision, when,
from which kind of database, each table's row count and each table file's SHA-256) and one
JSON Lines file per table, rows in primary key order. A restore checks every file against the
manifest before it changes anything, and leaves the database as it was if anything is wrong.
Both directions read the tables as the database has them (not as
the models say), so an archive from an older schema restores too: the empty database is
migrated to the archive's revision, the rows loaded, then the database is migrated on to the
current schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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

from core import data_version, migrate
from core.services.records.archive_limits import (
    MIB,
    UNPACKING_ERRORS,
    ArchiveLimits,
    ArchiveRefused,
    check_headers,
)

FORMAT = "tayside-cpc-backup"
FORMAT_VERSION = 2  # 2 adds each table file's SHA-256; 1 (row counts only) still restores
ALEMBIC = "alembic_version"
# Tables not in a backup: caches, made again when needed (reports made by jobs, page parts),
# and the change counter, which a migration makes anew.
NOT_BACKED_UP = frozenset({ALEMBIC, "report_files", "page_fragments", "data_version"})
BATCH = 1000
# The longest line (one row) a table file may have: a row is a few kilobytes at most.
MAX_LINE = 8 * 1024 * 1024
# An archive may unpack to this much in all; each file to at most 200 times its packed size.
LIMITS = ArchiveLimits(unpacked=64 * 1024 * MIB, member=16 * 1024 * MIB, ratio=200, members=10_000)


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
        sums: dict[str, str] = {}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                counts[table.name], sums[_member(table.name)] = _write_table(
                    connection, table, archive
                )
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "database": engine.dialect.name,
                "tables": counts,
                "sha256": sums,
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
    return [t for t in metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def _member(table_name: str) -> str:
    return f"tables/{table_name}.jsonl"


def _write_table(
    connection: sa.Connection, table: sa.Table, archive: zipfile.ZipFile
) -> tuple[int, str]:
    """Write the table's rows; their number and the file's SHA-256."""
    order = list(table.primary_key.columns) or list(table.columns)
    count, digest = 0, hashlib.sha256()
    with archive.open(_member(table.name), "w") as out:
        for row in connection.execute(sa.select(table).order_by(*order)).mappings():
            line = json.dumps({k: _plain(v) for k, v in row.items()}).encode("utf-8") + b"\n"
            out.write(line)
            digest.update(line)
            count += 1
    return count, digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored in UTC; SQLite hands them back without the offset.
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def restore(engine: sa.Engine, path: Path) -> BackupReport:
    """Load an archive into an empty database: check every table file against the manifest
    (its rows, its SHA-256, each line a JSON object of at most ``MAX_LINE`` bytes) before
    anything changes; migrate the database to the archive's schema revision, load every row
    in one transaction, then migrate it on to the current schema. Refuses a database holding
    rows, and an archive from a newer schema than this platform knows. If anything fails, the
    database is left as it was: its schema put back to the revision it had (or none)."""
    manifest, archive = _open(path)
    with archive:
        revision = manifest["schema_revision"]
        known, head = migrate.known_revisions()
        if revision not in known:
            raise BackupError(
                f"The archive's schema (revision {revision}) is newer than this platform's "
                f"({head}): upgrade the platform first, then restore."
            )
        _verify(archive, manifest)
        _require_empty(engine)
        with engine.connect() as connection:
            before = _revision(connection)
        try:
            migrate.downgrade(engine, "base")  # an empty schema of any revision, dropped
            migrate.upgrade(engine, revision)
            counts: dict[str, int] = {}
            with data_version.uncounted(), engine.begin() as connection:
                tables = {table.name: table for table in _tables(connection)}
                unknown = sorted(set(manifest["tables"]) - set(tables))
                if unknown:
                    raise BackupError(
                        f"The archive has a table {unknown[0]!r} that its schema revision "
                        f"{revision} does not: it was not made by `cpc backup`."
                    )
                for name, table in tables.items():
                    counts[name] = _load_table(connection, table, archive)
                _reset_sequences(connection)
        except Exception:
            _put_back(engine, before)
            raise
    migrate.upgrade(engine)
    return BackupReport(revision, counts)


def _put_back(engine: sa.Engine, revision: str | None) -> None:
    """The empty database as it was before the restore began: at ``revision``, or none."""
    migrate.downgrade(engine, "base")
    if revision is not None:
        migrate.upgrade(engine, revision)
        return
    with engine.begin() as connection:  # no schema at all, as before
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {ALEMBIC}"))


def _open(path: Path) -> tuple[dict[str, Any], zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{path} is not a backup made by `cpc backup`: {error}") from None
    try:
        check_headers(archive, LIMITS)
        manifest = json.loads(archive.read("manifest.json"))
    except ArchiveRefused as refused:
        archive.close()
        raise BackupError(f"{path} is refused: {refused}") from None
    except (KeyError, *UNPACKING_ERRORS) as error:
        archive.close()
        raise BackupError(f"{path} is not a backup made by `cpc backup`: {error}") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("format_version") not in (1, FORMAT_VERSION)
        or not isinstance(manifest.get("tables"), dict)
        or not isinstance(manifest.get("schema_revision"), str)
    ):
        archive.close()
        raise BackupError(f"{path} is not a backup this version of the platform can read.")
    return manifest, archive


def _verify(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every table file the manifest lists is there once, with the rows and the SHA-256 it
    says (archives of format 1 have no SHA-256: their rows are counted), each line a JSON
    object no longer than ``MAX_LINE``; and no file is there that it does not list. Read in
    chunks: no line, however long, is held whole."""
    sums = manifest.get("sha256", {}) if manifest["format_version"] >= 2 else None
    listed = {_member(name): rows for name, rows in manifest["tables"].items()}
    present = set(archive.namelist()) - {"manifest.json"}
    for name in sorted(present - set(listed)):
        raise BackupError(f"The archive holds {name}, which its manifest does not list.")
    for name, rows in sorted(listed.items()):
        if name not in present:
            raise BackupError(f"The archive has no {name}, which its manifest lists.")
        if sums is not None and not isinstance(sums.get(name), str):
            raise BackupError(f"The manifest gives no SHA-256 for {name}.")
        found, digest = _read_member(archive, name)
        if sums is not None and digest != sums[name]:
            raise BackupError(
                f"{name} is not the file that was backed up (its SHA-256 differs from the "
                "manifest's): the archive is damaged."
            )
        if found != rows:
            raise BackupError(
                f"{name} has {found} rows where the manifest says {rows}: the archive is "
                "damaged or incomplete."
            )


def _read_member(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    """Count the member's lines, checking each, and hash it."""
    digest, count = hashlib.sha256(), 0
    try:
        with archive.open(name) as stream:
            while line := stream.readline(MAX_LINE + 1):
                digest.update(line)
                count += 1
                if len(line) > MAX_LINE:
                    raise BackupError(
                        f"{name}, line {count}, is longer than {MAX_LINE // MIB} MB: no row "
                        "is, so the archive is damaged."
                    )
                if not line.endswith(b"\n"):
                    raise BackupError(f"{name}, line {count}, is cut short: the file is truncated.")
                try:
                    row = json.loads(line)
                except ValueError:
                    raise BackupError(f"{name}, line {count}, is not a JSON row.") from None
                if not isinstance(row, dict):
                    raise BackupError(f"{name}, line {count}, is not a row (a JSON object).")
    except UNPACKING_ERRORS as error:
        raise BackupError(f"{name} cannot be unpacked: {error}.") from None
    return count, digest.hexdigest()


def _require_empty(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        for table in _tables(connection):
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise BackupError(
                    f"The database is not empty (its {table.name} table has rows): restore "
                    "into a new, empty database."
                )


def _load_table(connection: sa.Connection, table: sa.Table, archive: zipfile.ZipFile) -> int:
    """Insert the table file's rows (already verified), each value checked against its
    column's type first, so a wrongly typed one is named with its line."""
    name = _member(table.name)
    if name not in archive.namelist():
        return 0
    convert = {column.name: _converter(column) for column in table.columns}
    batch: list[dict[str, Any]] = []
    count = 0
    with archive.open(name) as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = {k: convert[k](v) for k, v in json.loads(line).items() if k in convert}
            except (TypeError, ValueError) as error:
                raise BackupError(f"{name}, line {number}: {error}") from None
            batch.append(row)
            if len(batch) == BATCH:
                _insert(connection, table, batch, name, number)
                count, batch = count + len(batch), []
        if batch:
            _insert(connection, table, batch, name, number)
            count += len(batch)
    return count


def _insert(
    connection: sa.Connection, table: sa.Table, batch: list[dict[str, Any]], name: str, last: int
) -> None:
    try:
        with connection.begin_nested():
            connection.execute(table.insert(), batch)
    except sa.exc.DBAPIError as error:
        first = last - len(batch) + 1
        reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        raise BackupError(
            f"{name}, lines {first} to {last}: the database refused a row ({reason})."
        ) from None


def _converter(column: sa.Column):
    """A function that turns the JSON value into the column's type, or raises ``ValueError``
    naming the column."""
    kind = column.type

    def check(value: Any) -> Any:
        if value is None:
            if not column.nullable:
                raise ValueError(f"{column.name} is empty, but it may not be")
            return None
        if isinstance(kind, sa.DateTime) and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(kind, sa.Date) and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(kind, sa.Boolean) and value in (True, False, 0, 1):
            return bool(value)
        if isinstance(kind, sa.Integer) and type(value) is int:
            return value
        if isinstance(kind, sa.Numeric | sa.Float) and type(value) in (int, float):
            return value
        if isinstance(kind, sa.String | sa.Text | sa.Enum) and isinstance(value, str):
            return value
        if isinstance(kind, sa.JSON):
            return value
        known = (sa.DateTime, sa.Date, sa.Boolean, sa.Integer, sa.Numeric, sa.Float, sa.String)
        if isinstance(kind, known):
            raise ValueError(f"{column.name} holds {value!r}, which is not a {kind}")
        return value

    return check


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

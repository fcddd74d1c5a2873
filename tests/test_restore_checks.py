"""`cpc restore` of a damaged archive: each kind of damage ends with one sentence naming the
table file (and the line), exit 1, and the target database exactly as it was."""

from __future__ import annotations

import hashlib
import json
import secrets
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import migrate
from core.db import make_engine
from core.enums import Rag
from core.services.records import backup
from tests.conftest import build_app, fresh_database
from tests.helpers import in_session, report

Archive = dict[str, bytes]
UPDATES = "tables/progress_updates.jsonl"


def rewrite(source: Path, target: Path, change: Callable[[Archive], list[tuple[str, bytes]]]):
    with zipfile.ZipFile(source) as old:
        members = {name: old.read(name) for name in old.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a name written twice, on purpose
        for name, data in change(members):
            new.writestr(name, data)


def with_manifest(members: Archive, name: str, data: bytes) -> list[tuple[str, bytes]]:
    """``name`` replaced by ``data``, the manifest's rows and SHA-256 for it made to agree,
    so only what ``data`` holds can be wrong."""
    manifest = json.loads(members["manifest.json"])
    table = name.removeprefix("tables/").removesuffix(".jsonl")
    manifest["tables"][table] = data.count(b"\n")
    manifest["sha256"][name] = hashlib.sha256(data).hexdigest()
    changed = {**members, name: data, "manifest.json": json.dumps(manifest).encode()}
    return list(changed.items())


def first_row_with(members: Archive, **values) -> bytes:
    lines = members[UPDATES].splitlines(keepends=True)
    row = json.loads(lines[0])
    row.update(values)
    return json.dumps(row).encode() + b"\n" + b"".join(lines[1:])


DAMAGE: dict[str, tuple[Callable[[Archive], list[tuple[str, bytes]]], str]] = {
    "a table file missing": (
        lambda m: [(n, d) for n, d in m.items() if n != UPDATES],
        f"The archive has no {UPDATES}, which its manifest lists.",
    ),
    "a table file changed": (
        lambda m: list({**m, UPDATES: m[UPDATES].replace(b"Test update", b"Test updatf")}.items()),
        f"{UPDATES} is not the file that was backed up",
    ),
    "a table file truncated": (
        lambda m: with_manifest(m, UPDATES, m[UPDATES][:-20]),
        f"{UPDATES}, line 3, is cut short",
    ),
    "a table file twice": (
        lambda m: [*m.items(), (UPDATES, m[UPDATES])],
        f"It holds '{UPDATES}' twice",
    ),
    "a value of the wrong type": (
        lambda m: with_manifest(m, UPDATES, first_row_with(m, reported_on=12)),
        f"{UPDATES}, line 1: reported_on holds 12",
    ),
    "a line not JSON": (
        lambda m: with_manifest(m, UPDATES, b"{not json\n" + m[UPDATES]),
        f"{UPDATES}, line 1, is not a JSON row.",
    ),
    "a line too long": (
        lambda m: with_manifest(
            m, UPDATES, b'{"x": "' + secrets.token_hex(9 * 1024 * 512).encode() + b'"}\n'
        ),
        f"{UPDATES}, line 1, is longer than 8 MB",
    ),
    "a zip bomb": (
        lambda m: with_manifest(m, UPDATES, b'{"x": "' + b"y" * (9 * 1024 * 1024) + b'"}\n'),
        "looks like a zip bomb",
    ),
    "a file the manifest does not list": (
        lambda m: [*m.items(), ("tables/extra.jsonl", b"{}\n")],
        "The archive holds tables/extra.jsonl, which its manifest does not list.",
    ),
}


@pytest.fixture
def archive(app, tmp_path) -> Path:
    def three_updates(session):
        for code in ("1.1", "1.2", "1.3"):
            report(session, code, Rag.GREEN)

    in_session(app, three_updates)
    path = tmp_path / "cpc.zip"
    backup.backup(app.extensions["cpc_engine"], path)
    return path


def schema_of(engine: sa.Engine) -> tuple[str | None, list[str]]:
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = sorted(inspector.get_table_names())
        version = None
        if "alembic_version" in tables:
            version = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar()
    return version, tables


@pytest.mark.parametrize("kind", list(DAMAGE))
@pytest.mark.parametrize("target_state", ["no schema", "an empty schema"])
def test_a_damaged_archive_is_refused_and_the_database_left_as_it_was(
    archive, tmp_path, kind, target_state
):
    damage, said = DAMAGE[kind]
    damaged = tmp_path / "damaged.zip"
    rewrite(archive, damaged, damage)
    (tmp_path / "target").mkdir()
    with fresh_database(tmp_path / "target") as url:
        engine = make_engine(url)
        try:
            if target_state == "an empty schema":
                migrate.upgrade(engine)
            before = schema_of(engine)
            app = build_app(url, load=False)
            result = app.test_cli_runner().invoke(args=["restore", str(damaged)])
            app.extensions["cpc_engine"].dispose()
            assert result.exit_code == 1, result.output
            assert said in result.output
            assert result.output.count("\n") <= 2, result.output  # one sentence, no traceback
            assert schema_of(engine) == before
        finally:
            engine.dispose()


def test_a_whole_archive_still_restores(archive, tmp_path):
    (tmp_path / "target").mkdir()
    with fresh_database(tmp_path / "target") as url:
        app = build_app(url, load=False)
        result = app.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        with app.extensions["cpc_engine"].connect() as connection:
            restored = connection.execute(
                sa.text(
                    "SELECT count(*) FROM progress_updates WHERE commentary LIKE 'Test update for%'"
                )
            ).scalar()
        app.extensions["cpc_engine"].dispose()
        assert restored == 3

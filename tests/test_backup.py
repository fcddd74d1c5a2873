"""`cpc backup` and `cpc restore`: every row of every table, from SQLite to PostgreSQL and
back, an archive from an older schema, and the refusals."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import data_version, db, migrate
from core.db import make_engine
from core.enums import Rag
from core.models import Kpi
from core.services.accounts import password_resets
from core.services.accounts.contributors import link_contributor
from core.services.jobs import emails
from core.services.kpis import kpis
from core.services.mail import Mail
from core.services.notify import reminders
from core.services.progress import progress
from core.services.records import backup
from tests.conftest import fresh_database
from tests.helpers import (
    AuthActions,
    action,
    add_reporting_date,
    annual_report_values,
    in_session,
    not_applying_in_dundee,
    report,
    reword,
    self_evaluation_values,
    sso_identity,
)
from tests.served import api_token

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def other_kind(folder: Path, url: str) -> Iterator[str]:
    """An empty database of the other kind than ``url``: PostgreSQL for SQLite, and back."""
    if sa.engine.make_url(url).get_backend_name() != "sqlite":
        with fresh_database(folder, base=None) as found:
            yield found
        return
    base = os.environ.get("CPC_DATABASE_URL") or POSTGRES
    probe = sa.create_engine(base, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3})
    try:
        probe.connect().close()
    except sa.exc.OperationalError:
        pytest.skip(f"no PostgreSQL at {base} to restore into")
    finally:
        probe.dispose()
    with fresh_database(folder, base=base) as found:
        yield found


def _every_row(engine: sa.Engine) -> dict[str, list[dict]]:
    """Every table's rows, in primary key order, with values in one comparable form."""

    def plain(value):
        if isinstance(value, dt.datetime):
            return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        return value

    metadata = sa.MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection)
        return {
            table.name: [
                {k: plain(v) for k, v in row.items()}
                for row in connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in metadata.sorted_tables
            if table.name not in backup.NOT_BACKED_UP or table.name == "alembic_version"
        }


def _populate(app, accounts, client_for) -> None:
    """Rows in every table: accounts and their areas, a token, a session, a failed sign-in,
    updates and a correction, a contributor, a wording change, a "does not apply" record, the
    audit trail, a write's kept answer, an email waiting on the job queue."""
    token = api_token(app, accounts["pk"])
    client_for(app, "pk")  # a signed-in session
    AuthActions(app.test_client(), accounts).login("viewer", password="not the password")
    first = in_session(app, lambda s: report(s, "2.1", Rag.RED))
    with app.app_context(), db.transaction() as session:
        original = session.get(progress.ProgressUpdate, first.id)
        progress.correct_update(session, original, actor=None, reason="Amber", rag=Rag.AMBER)
        reword(session, action(session, "2.2"), "Reworded for the backup test")
        not_applying_in_dundee(session, "Backed up")
        add_reporting_date(session)
        # A KPI linked to an action, with a figure and its correction.
        irds = session.scalars(sa.select(Kpi).where(Kpi.key == "no-of-irds-held")).one()
        kpis.edit_kpi(session, irds, actor=None, version=1, actions=[action(session, "3.1")])
        kpis.record_value(session, irds, irds.area, actor=None, period="2025-03", value=1)
        kpis.record_value(session, irds, irds.area, actor=None, period="2025-03", value=2)
        password_resets.request_reset(session, accounts["viewer"])  # a reset link
        sso_identity(session, accounts["pk"])  # a single sign-on link, a recovery code
        emails.enqueue(session, [Mail("someone@test.invalid", "Synthetic", "Queued")])
        # A contributor linked to an action.
        link_contributor(session, action(session, "2.1"), actor=None, email=accounts["lead"])
        # A learning review, its recommendation answered by an action, and a Tayside-wide one
        # answered by a shared action.
        from core.enums import RecommendationSource
        from core.models import SharedAction, User
        from core.services.improvement import learning_reviews, recommendations

        admin = session.scalars(sa.select(User).where(User.email == accounts["admin"])).one()
        area = action(session, "2.1").plan.area
        review = learning_reviews.add(
            session, actor=admin, area=area, reference="LR-B", notified_on=dt.date(2024, 1, 2)
        )
        words = recommendations.RecommendationText("B1", RecommendationSource.AUDIT, "Backed up")
        found = recommendations.add(
            session, actor=admin, area=area, words=words, learning_review=review
        )
        recommendations.link_action(session, found, action(session, "2.1"), actor=admin)
        tayside = recommendations.add(session, actor=admin, area=None, words=words)
        shared = session.scalars(sa.select(SharedAction).limit(1)).one()
        recommendations.link_shared_action(session, tayside, shared, actor=admin)
    # A self-evaluation with its rating and evidence; an action and a KPI tagged.
    self_evaluation_values(app, accounts["admin"], "B1")
    annual_report_values(app, accounts["admin"])
    outcome_id = in_session(app, lambda s: action(s, "3.1").outcome_id)
    kept = app.test_client().post(  # a write sent with an idempotency key keeps its answer
        "/api/v1/actions/",
        json={"outcome_id": outcome_id, "text": "Synthetic action, backed up"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "backup-test"},
    )
    assert kept.status_code == 201, kept.text
    with app.app_context():  # a reminder in the sent-log
        session = db.get_session()
        add_reporting_date(session, dt.date(2022, 9, 30))
        session.commit()
        due = reminders.due(session, dt.date(2022, 9, 10), lambda record: "http://link")
        reminders.send_reminders(session, due[:1], lambda message: None)


def test_backup_and_restore_into_the_other_kind_keep_every_row(app, accounts, client_for, tmp_path):
    _populate(app, accounts, client_for)
    source = app.extensions["cpc_engine"]
    before = _every_row(source)
    empty = sorted(name for name, rows in before.items() if not rows and name != "alembic_version")
    assert empty == [], f"tables without rows to back up: {empty}"
    archive = tmp_path / "cpc-backup.zip"
    made = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output and oct(archive.stat().st_mode)[-3:] == "600"
    with other_kind(tmp_path, app.config["DATABASE_URL"]) as url:
        target = make_engine(url)
        try:
            report_ = backup.restore(target, archive)
            assert report_.rows["audit_entries"] == len(before["audit_entries"])
            after = _every_row(target)
        finally:
            target.dispose()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"


def test_the_restored_database_takes_new_rows_after_the_restored_ids(
    app, accounts, client_for, tmp_path, make_app
):
    archive = tmp_path / "cpc.zip"
    backup.backup(app.extensions["cpc_engine"], archive)
    with other_kind(tmp_path, app.config["DATABASE_URL"]) as url:
        restored = make_app(load=False, DATABASE_URL=url)
        with restored.app_context():
            backup_rows = json.loads(zipfile.ZipFile(archive).read("manifest.json"))["tables"]
            result = restored.test_cli_runner().invoke(args=["restore", str(archive)])
            assert result.exit_code == 0, result.output
            session = db.get_session()
            made = report(session, "2.1", Rag.GREEN)  # a new row gets a fresh id
            assert made.id == backup_rows["progress_updates"] + 1
            # The same accounts sign in.
            web = client_for(restored, "pk")
            assert web.get("/areas/perth-and-kinross/").status_code == 200
        restored.extensions["cpc_engine"].dispose()


def test_restore_refuses_a_database_that_is_not_empty_and_a_newer_archive(app, tmp_path):
    engine = app.extensions["cpc_engine"]
    archive = tmp_path / "cpc.zip"
    backup.backup(engine, archive)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(engine, archive)
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(newer, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_revision"] = "9999"
                data = json.dumps(manifest).encode()
            new.writestr(name, data)
    with _empty_sqlite(tmp_path) as url:
        target = make_engine(url)
        try:
            with pytest.raises(backup.BackupError, match="newer than this platform"):
                backup.restore(target, newer)
            with pytest.raises(backup.BackupError, match="not a backup"):
                backup.restore(target, Path(__file__))
        finally:
            target.dispose()


@contextmanager
def _empty_sqlite(folder: Path) -> Iterator[str]:
    path = folder / "empty" / "cpc.sqlite"
    path.parent.mkdir()
    yield f"sqlite:///{path}"


def test_an_archive_from_an_older_schema_is_migrated_after_restoring(database_url, tmp_path):
    old = make_engine(database_url)
    try:
        migrate.upgrade(old, "0004")  # before server-side sessions and the audit trail
        # (rows written as that schema's platform did: before the change counter existed)
        with data_version.uncounted(), old.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO areas (slug, name, committee_name, is_synthetic) "
                    "VALUES ('synthetic-01', 'Synthetic area 01', 'Synthetic CPC', :yes)"
                ),
                {"yes": True},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO users (email, password_hash, role, is_active, session_token, "
                    "created_at) VALUES ('old@test.invalid', 'x', 'viewer', :yes, 't', :now)"
                ),
                {"yes": True, "now": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
        archive = tmp_path / "old.zip"
        made = backup.backup(old, archive)
        assert made.schema_revision == "0004"
    finally:
        old.dispose()
    with other_kind(tmp_path, database_url) as url:
        target = make_engine(url)
        try:
            backup.restore(target, archive)
            inspector = sa.inspect(target)
            assert "audit_entries" in inspector.get_table_names()
            assert "session_token" not in {c["name"] for c in inspector.get_columns("users")}
            with target.connect() as connection:
                assert connection.execute(sa.text("SELECT email FROM users")).scalar() == (
                    "old@test.invalid"
                )
                version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
                assert version.scalar() == migrate.known_revisions()[1]
        finally:
            target.dispose()

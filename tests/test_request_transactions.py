"""A page's reads on PostgreSQL run without a transaction (no BEGIN or ROLLBACK round trips on
every page), yet whatever a page request writes is still all saved or none, its row locks
are held until it ends, and the data version still counts its changes."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from core import data_version, db
from core.models import Area

pytestmark = pytest.mark.skipif(
    not os.environ.get("CPC_DATABASE_URL"), reason="PostgreSQL's transactions (SQLite's unchanged)"
)


def _in_transaction(session) -> bool:
    from psycopg.pq import TransactionStatus

    status = session.connection().connection.dbapi_connection.info.transaction_status
    return status != TransactionStatus.IDLE


def test_a_page_reads_outside_a_transaction_until_it_writes(app):
    with app.test_request_context("/", method="GET"):
        session = db.get_session()
        session.scalar(sa.select(Area.name).limit(1))
        assert not _in_transaction(session)
        session.execute(
            sa.update(Area).where(Area.slug == "angus").values(name=Area.name)  # a write
        )
        assert _in_transaction(session)
        session.rollback()
        assert not _in_transaction(session)


def test_a_form_post_is_one_transaction_from_its_first_read(app):
    with app.test_request_context("/", method="POST"):
        session = db.get_session()
        session.scalar(sa.select(Area.name).limit(1))
        assert _in_transaction(session)


def test_what_a_page_writes_is_saved_whole_or_not_at_all(app):
    with app.app_context():
        names = dict(db.get_session().execute(sa.select(Area.slug, Area.name)).all())
    with app.test_request_context("/", method="GET"):
        session = db.get_session()
        for slug in ("angus", "dundee"):
            session.execute(sa.update(Area).where(Area.slug == slug).values(name="Half-saved"))
        session.rollback()
    with app.app_context():
        assert dict(db.get_session().execute(sa.select(Area.slug, Area.name)).all()) == names


def test_a_row_lock_taken_by_a_page_is_held_until_it_ends(app):
    with app.test_request_context("/", method="GET"):
        session = db.get_session()
        session.execute(sa.select(Area.id).where(Area.slug == "angus").with_for_update())
        assert _in_transaction(session)
        other = db.engine().connect()
        try:
            other.exec_driver_sql("SET lock_timeout = '200ms'")
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                other.execute(sa.update(Area).where(Area.slug == "angus").values(name=Area.name))
        finally:
            other.rollback()
            other.close()
        session.rollback()


def test_a_change_a_page_commits_counts_as_a_change(app):
    with app.app_context():
        before = data_version.current(db.get_session())
    with app.test_request_context("/", method="GET"):
        session = db.get_session()
        session.execute(sa.update(Area).where(Area.slug == "angus").values(name=Area.name))
        session.commit()
    with app.app_context():
        assert data_version.current(db.get_session()) == before + 1

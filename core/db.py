"""The database: declarative base with stable constraint names, and one engine per app."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum as PyEnum
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core import data_version

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns: 32-bit on PostgreSQL, so no id is larger than this.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum: type[PyEnum], name: str) -> sa.Enum:
    """A portable enum column storing the members' values, checked by a named constraint."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def make_engine(
    url: str, *, sqlite_busy_timeout: float = 10.0, ping_after: float = 1.0
) -> sa.Engine:
    """An engine that checks a pooled connection before use if it has been idle for more than
    ``ping_after`` seconds (so a database restart, or a connection dropped while idle, fails
    no request), and never writes SQL parameters (commentary, token hashes) into its errors.
    A SQLite database file is created readable by its owner only (it holds password hashes)
    and runs in write-ahead-log mode with a busy timeout."""
    parsed = sa.engine.make_url(url)
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "sqlite":
        _private_file(parsed.database)
        # How long a writer waits for another's lock before the request gets a 503.
        connect_args["timeout"] = sqlite_busy_timeout
    engine = sa.create_engine(url, hide_parameters=True, connect_args=connect_args)
    _ping_when_idle(engine, ping_after)
    data_version.install(engine)
    if engine.dialect.name == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")

        @sa.event.listens_for(engine, "connect")
        def _sqlite_settings(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                # Write-ahead logging: readers never wait for a writer, and a writer waits
                # (up to the busy timeout) only for another writer.
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def _private_file(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)
    path.chmod(0o600)


def lock_row(session: Session, model: type[Base], row_id: int) -> None:
    """Hold a write lock on one row until the transaction ends, so that a check made after it
    (is this number free? is this already adopted?) cannot be overtaken by another writer.
    PostgreSQL locks the row (``SELECT ... FOR UPDATE``); SQLite, which locks the whole
    database for writing, takes its write lock with a no-op update."""
    table = model.__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
    else:
        session.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())


def _ping_when_idle(engine: sa.Engine, after: float) -> None:
    """Check a connection taken from the pool if it has been idle for more than ``after``
    seconds; a dead one is replaced before the request uses it (the pool tries again).

    SQLAlchemy's ``pool_pre_ping`` checks on every checkout, a round trip on every request
    (a third of a cached page's time on PostgreSQL). A restart takes the database away for
    longer than ``after``, and a request meanwhile fails and empties the pool, so a
    connection it killed is idle for longer than that by the time it is taken again."""

    @sa.event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record):
        record.info["cpc_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy):
        # A connection a request lost (the driver knows, without asking the server).
        if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
            raise sa.exc.DisconnectionError("the database connection was lost")
        idle_since = record.info.get("cpc_idle_since")
        if idle_since is None or time.monotonic() - idle_since <= after:
            return  # just connected, or used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False  # whatever went wrong, this connection is not to be used
        if not alive:
            raise sa.exc.DisconnectionError("the database connection was lost while idle")


# Statements that may run outside a transaction in a safe request: plain reads. Under
# PostgreSQL's READ COMMITTED each statement sees its own snapshot in a transaction or not.
_PLAIN_READ = re.compile(r"^\s*SELECT\b", re.I)
_TAKES_LOCKS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.I)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _reading_engine(engine: sa.Engine) -> sa.Engine | None:
    """PostgreSQL: the engine for safe requests (GET, HEAD). Their plain reads run without a
    transaction, saving the two round trips of ``BEGIN`` and ``ROLLBACK`` on every page; a
    transaction is begun just before the first statement that is not a plain read (a write,
    a savepoint, a row lock), so what a safe request writes is committed, or rolled back,
    as a whole, as in any other request."""
    if engine.dialect.name != "postgresql":
        return None
    from psycopg.pq import TransactionStatus

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin_unless_reading(conn, cursor, statement, _parameters, _context, _executemany):
        if not conn.get_execution_options().get("cpc_reads_outside_transactions"):
            return
        if _PLAIN_READ.match(statement) and not _TAKES_LOCKS.search(statement):
            return
        if conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            cursor.execute("BEGIN")

    return engine.execution_options(
        isolation_level="AUTOCOMMIT", cpc_reads_outside_transactions=True
    )


def init_app(app: Flask) -> None:
    """Give the app its engine and session factory; close the request's session at teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        sqlite_busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"],
        ping_after=app.config["DB_PING_AFTER_SECONDS"],
    )
    app.extensions["cpc_engine"] = engine
    app.extensions["cpc_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["cpc_reading_engine"] = _reading_engine(engine)
    app.teardown_appcontext(_close_session)


def engine() -> sa.Engine:
    return current_app.extensions["cpc_engine"]


def get_session() -> Session:
    """The session for the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        factory = current_app.extensions["cpc_sessionmaker"]
        reading = current_app.extensions["cpc_reading_engine"]
        if reading is not None and has_request_context() and request.method in SAFE_METHODS:
            g.db_session = factory(bind=reading)
        else:
            g.db_session = factory()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block in one transaction on the current session: all of it is saved, or none. In
    a request whose commit waits for its end (``defer_commits``), the block is a savepoint of
    the request's one transaction."""
    session = get_session()
    if g.get("cpc_deferred") is not None:
        with session.begin_nested():
            yield session
        return
    try:
        yield session
        g.cpc_commit_started = True  # from here, a lost connection may have saved the change
        session.commit()
    except BaseException:
        session.rollback()
        raise


def defer_commits() -> None:
    """From now on in this request, blocks are savepoints and what ``after_commit`` is given
    waits: the caller commits once, at the end (``take_after_commit``). On SQLite the
    request's transaction takes the write lock at once (waiting up to the busy timeout), so a
    savepoint that reads and then writes is never refused because another writer committed
    in between (SQLite lets one writer at a time in any case)."""
    g.cpc_deferred = []
    session = get_session()
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def after_commit(run: Callable[[], None]) -> None:
    """Run ``run`` (an email, a plugin's ``after_change``) once the change is committed: now,
    or at the end of a request whose commit waits."""
    waiting = g.get("cpc_deferred")
    if waiting is None:
        run()
    else:
        waiting.append(run)


def take_after_commit() -> list[Callable[[], None]]:
    """End the deferral: what waited for the commit, to run once it is made."""
    return g.pop("cpc_deferred", None) or []


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()

"""The data version: one counter that every committed change to plan data adds one to, in the
same transaction as the change, whichever process or code path (ORM, Core, raw SQL) made it.
A report file or page fragment made at version N is used while the counter is still N, so
it is never stale after a write, in this process or any other.

The counting is done by engine events, so no service has to remember it: a connection that
ran an ``INSERT``, ``UPDATE`` or ``DELETE`` on a table that holds what pages show marks its
transaction, and the mark adds one to the counter just before the commit. The counter's row
is written last in the transaction, so waiting for it can never be part of a deadlock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

# Tables whose writes change nothing a page, a report or the API shows about the plans: the
# queue and its products, sign-in bookkeeping, and the audit trail (read only on its own page,
# which is not cached).
NOT_DATA = frozenset(
    {
        "data_version",
        "jobs",
        "report_files",
        "page_fragments",
        "user_sessions",
        "sign_in_attempts",
        "idempotency_keys",
        "password_resets",
        "api_tokens",
        "second_factors",
        "recovery_codes",
        "reminders_sent",
        "audit_entries",
        "alembic_version",
    }
)

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_MARK = "cpc_data_changed"
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"

# Set while migrations or a restore run: the table may not exist yet (an older schema), and
# the migration to the current schema that ends either bumps the counter once.
_uncounted: ContextVar[bool] = ContextVar("cpc_uncounted", default=False)


def written_table(statement: str) -> str | None:
    """The table a DML statement writes, or None for anything else."""
    found = _WRITE.match(statement)
    return found.group(1).lower() if found else None


def install(engine: sa.Engine) -> None:
    """Count every committed change to plan data made through ``engine``."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _mark(conn, _cursor, statement, _parameters, _context, _executemany):
        table = written_table(statement)
        if table is not None and table not in NOT_DATA and not _uncounted.get():
            conn.info[_MARK] = True

    @sa.event.listens_for(engine, "commit")
    def _bump(conn):
        if conn.info.pop(_MARK, False):
            cursor = conn.connection.cursor()  # the DBAPI's own: inside this transaction
            try:
                cursor.execute(_BUMP)
            except engine.dialect.loaded_dbapi.Error as error:
                # Lost here, the change is not committed: the connection is discarded and the
                # error is SQLAlchemy's, as any other statement's would be (the request is
                # answered 503, never 500).
                conn.invalidate(error)
                raise sa.exc.OperationalError(_BUMP, None, error) from error
            finally:
                cursor.close()

    @sa.event.listens_for(engine, "rollback")
    def _forget(conn):
        if conn.invalidated:  # a lost connection: its info goes with it (and asking would raise)
            return
        conn.info.pop(_MARK, None)


@contextmanager
def uncounted() -> Iterator[None]:
    """Leave the counter alone in this thread while migrations or a restore run (the
    migration to the current schema that ends either bumps it once)."""
    token = _uncounted.set(True)
    try:
        yield
    finally:
        _uncounted.reset(token)


def bump(connection: sa.Connection) -> None:
    """Add one to the counter now (after a migration, whose changes may show differently)."""
    connection.exec_driver_sql(_BUMP)


def current(session_or_connection) -> int:
    """The data version now."""
    return session_or_connection.execute(
        sa.text("SELECT version FROM data_version WHERE id = 1")
    ).scalar_one()

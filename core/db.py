"""The database: declarative base with stable constraint names, and one engine per app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum as PyEnum

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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


def make_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_foreign_keys(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def init_app(app: Flask) -> None:
    """Give the app its engine and session factory; close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["cpc_engine"] = engine
    app.extensions["cpc_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> sa.Engine:
    return current_app.extensions["cpc_engine"]


def get_session() -> Session:
    """The session for the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["cpc_sessionmaker"]()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block in one transaction on the current session: all of it is saved, or none."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()

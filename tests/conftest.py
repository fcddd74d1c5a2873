"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when CPC_DATABASE_URL is set),
an app built with the plugins a test chooses, its client and CLI runner."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from core import create_app, db
from tests.helpers import init_database

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_ebfa8d6da49546b3.txt"


def pytest_report_header(config) -> str:
    import os

    url = os.environ.get("CPC_DATABASE_URL")
    return f"database: {make_url(url).render_as_string() if url else 'SQLite (a file per test)'}"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database for this test: a SQLite file, or a PostgreSQL schema of its own."""
    import os

    base = os.environ.get("CPC_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'cpc.sqlite'}"
        return
    schema = f"test_{secrets.token_hex(6)}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database. ``load=True`` migrates it and loads every
    registered plugin's content, as ``cpc init`` does."""
    built: list[Flask] = []

    def make(load: bool = True, **config: object) -> Flask:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url, **config}
        )
        built.append(app)
        if load:
            init_database(app)
        return app

    yield make
    for app in built:
        app.extensions["cpc_engine"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with every installed plugin, its database migrated and loaded."""
    return make_app()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask):
    """The app's database session, inside an app context."""
    with app.app_context():
        yield db.get_session()


@pytest.fixture
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the published plan's text is not at {SEED} (it lives in shared/ beside main)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def client_for():
    return lambda app: app.test_client()


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()

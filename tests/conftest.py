"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when CPC_DATABASE_URL is set),
an app built with the plugins a test chooses, its client and CLI runner."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from core import create_app, db
from core.enums import Role
from core.models import Area, User
from core.services.accounts.accounts import hash_password
from tests.helpers import TEST_PASSWORD, AuthActions, adopt_everywhere, init_database, two_meetings

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_ebfa8d6da49546b3.txt"


def pytest_report_header(config) -> str:
    import os

    url = os.environ.get("CPC_DATABASE_URL")
    return f"database: {make_url(url).render_as_string() if url else 'SQLite (a file per test)'}"


@contextmanager
def fresh_database(folder: Path, base: str | None = "from the environment") -> Iterator[str]:
    """A new, empty database: a SQLite file in ``folder``, or, when CPC_DATABASE_URL (or
    ``base``) names a PostgreSQL database, a schema of its own there (dropped afterwards)."""
    import os

    if base == "from the environment":
        base = os.environ.get("CPC_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / 'cpc.sqlite'}"
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
def database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database for this test."""
    with fresh_database(tmp_path) as url:
        yield url


def build_app(database_url: str, load: bool = True, **config: object) -> Flask:
    """The app on ``database_url``; ``load=True`` migrates it and loads every registered
    plugin's content, as ``cpc init`` does."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url, **config}
    )
    if load:
        init_database(app)
    return app


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database. ``load=True`` migrates it and loads every
    registered plugin's content, as ``cpc init`` does."""
    built: list[Flask] = []

    def make(load: bool = True, **config: object) -> Flask:
        app = build_app(database_url, load, **config)
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["cpc_engine"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with every installed plugin, its database migrated and loaded."""
    return make_app()


@pytest.fixture
def tayside_adoptions(app: Flask) -> None:
    """Angus and Dundee adopt every TRIC shared action (as their coordinators would)."""
    adopt_everywhere(app)


@pytest.fixture
def meetings(app: Flask) -> Flask:
    """The app with two synthetic meetings of the Perth and Kinross committee (March and
    September 2022) and updates for each."""
    two_meetings(app)
    return app


@pytest.fixture
def quarter(app: Flask) -> Flask:
    """The app with the committee clerk's quarter (``tests.test_not_reported``): reporting
    dates on 9 June and 8 September 2022, action 4.3 silent in September."""
    from tests.test_not_reported import clerks_quarter

    return clerks_quarter(app)


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
def client_for(password_hash: str):
    """A test client for ``app``, signed in as the test account ``who`` (default: a viewer)."""

    def make(app: Flask, who: str = "viewer"):
        client = app.test_client()
        response = AuthActions(client, add_accounts(app, password_hash)).login(who)
        assert response.status_code == 302, response.text
        return client

    return make


@pytest.fixture
def reader(app: Flask, client_for):
    """A client signed in as a viewer, who may read every page."""
    return client_for(app)


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()


# Test accounts: name -> (email, role, areas).
ACCOUNTS = {
    "admin": ("admin@test.invalid", Role.ADMIN, []),
    "pk": ("pk.coordinator@test.invalid", Role.COORDINATOR, ["perth-and-kinross"]),
    "angus": ("angus.coordinator@test.invalid", Role.COORDINATOR, ["angus"]),
    "pg5": ("pg5.member@test.invalid", Role.PG5, []),
    "viewer": ("viewer@test.invalid", Role.VIEWER, []),
    "lead": ("lead@test.invalid", Role.CONTRIBUTOR, []),
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The test password hashed once (argon2id is slow on purpose)."""
    return hash_password(TEST_PASSWORD)


def add_accounts(app: Flask, password_hash: str) -> dict[str, str]:
    """Create the test accounts in the app's database; returns name -> email."""
    with app.app_context():
        session = db.get_session()
        existing = set(session.scalars(sa.select(User.email)))
        for email, role, slugs in ACCOUNTS.values():
            if email in existing:
                continue
            areas = list(session.scalars(sa.select(Area).where(Area.slug.in_(slugs))))
            session.add(User(email=email, role=role, areas=areas, password_hash=password_hash))
        session.commit()
    return {name: email for name, (email, _role, _areas) in ACCOUNTS.items()}


@pytest.fixture
def accounts(app: Flask, password_hash: str) -> dict[str, str]:
    return add_accounts(app, password_hash)


@pytest.fixture
def accounts_for(password_hash: str) -> Callable[[Flask], dict[str, str]]:
    """Create the test accounts in an app a test built itself; returns name -> email."""
    return lambda app: add_accounts(app, password_hash)


@pytest.fixture
def auth(client, accounts) -> AuthActions:
    """Sign the test client in and out as one of the test accounts."""
    return AuthActions(client, accounts)


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it is sent: ``.url`` for
    CPC_SMTP_URL, ``.messages`` as ``email.message.Message`` objects."""
    from tests.mail_server import LoopbackSmtp

    server = LoopbackSmtp()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tokens(app, accounts, runner) -> dict[str, str]:
    """A personal token for each test account, made with ``cpc token create``."""
    made = {}
    for who, email in accounts.items():
        result = runner.invoke(args=["token", "create", email, "--name", f"{who} tests"])
        assert result.exit_code == 0, result.output
        made[who] = result.stdout.strip()
    return made


@pytest.fixture
def api(client, tokens):
    """Call the API as one of the test accounts: ``api("get", path, who="pk", ...)``."""

    def call(method: str, path: str, who: str | None = "viewer", **kwargs):
        headers = kwargs.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Bearer {tokens[who]}"
        return getattr(client, method)(path, headers=headers, **kwargs)

    return call

"""Pages made once and shared by every web process until the data changes: the busiest pages
(an area's dashboard, a plan, Find actions, an action, the Tayside rollup and the API's rollup)
are kept in the database under a key of everything they depend on besides the data (the
address, the viewer, the day, the code, the plugins and the settings that show on a page),
with the data version they were made at. A page
is served from there while that is still the data version, so a write (in any process) is
seen at once; otherwise it is made and kept again.

What differs between two showings of the same page is never kept: a page is made with
placeholders for its CSRF token and its forms' one-time keys, filled in afresh each time it
is served. A page with a message waiting to be shown (after a change) is neither served from
nor kept in the cache."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from core import data_version, db
from core.models import DataVersion, PageFragment

log = logging.getLogger(__name__)

CSRF_MARK = "cpc-csrf-5b1e0c6e"
FORM_KEY_MARK = "cpc-form-key-5b1e0c6e"
# On SQLite, how long keeping a page may wait for another writer (then it is not kept).
WAIT_MS = 50
# An address longer than this is made every time (a hostile one must not fill the cache).
LONGEST = 300
fragments = PageFragment.__table__


@functools.cache
def code_version() -> str:
    """A fingerprint of the code and templates that make the pages: a page made by other
    code is never served."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for folder in ("core", "plugins", "shared_tric"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def init_app(app: Flask) -> None:
    """Placeholders for the per-showing values while a page is made for the cache."""
    app.config.setdefault("PAGE_CACHE", True)
    # What the pages depend on besides the data and the request: the code, the plugins
    # registered, and the settings that change what a page says.
    plugins = app.extensions["cpc_plugins"].names()
    settings = (app.config["DEMO"], app.config["ACCESSIBILITY_CONTACT"], app.config["BASE_URL"])
    app.extensions["cpc_page_key"] = hashlib.sha256(
        repr((code_version(), sorted(plugins), settings)).encode()
    ).hexdigest()
    form_key = app.jinja_env.globals["new_form_key"]

    def csrf_token() -> str:
        return CSRF_MARK if g.get("cpc_caching") else generate_csrf()

    def new_form_key() -> str:
        return FORM_KEY_MARK if g.get("cpc_caching") else form_key()

    # Both as globals (macros imported without context see these) and from a context
    # processor registered after Flask-WTF's, whose own ``csrf_token`` it replaces.
    app.jinja_env.globals.update(csrf_token=csrf_token, new_form_key=new_form_key)
    app.context_processor(lambda: {"csrf_token": csrf_token, "new_form_key": new_form_key})


def _key() -> str | None:
    """The cache key of this request, or None if it is not to be cached."""
    if not current_app.config["PAGE_CACHE"] or request.method != "GET":
        return None
    if len(request.full_path) > LONGEST or session.get("_flashes"):
        return None
    viewer = current_user.get_id() if current_user.is_authenticated else "-"
    parts = (
        current_app.extensions["cpc_page_key"],
        str(viewer),
        dt.date.today().isoformat(),
        request.full_path,
        request.accept_mimetypes.to_header() if request.path.startswith("/api/") else "",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _fill(body: str) -> str:
    """The page as served now: a fresh CSRF token, and a new one-time key for each form."""
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, generate_csrf())
    parts = body.split(FORM_KEY_MARK)
    if len(parts) == 1:
        return body
    keys = [uuid.uuid4().hex for _ in range(len(parts) - 1)]
    return "".join(part for pair in zip(parts, [*keys, ""], strict=True) for part in pair)


def _kept(key: str) -> tuple[str, str] | None:
    """The page kept under ``key`` if it was made at the current data version."""
    versions = DataVersion.__table__
    row = (
        db.get_session()
        .execute(
            sa.select(fragments.c.mimetype, fragments.c.body)
            .join(versions, versions.c.version == fragments.c.data_version)
            .where(fragments.c.key == key, versions.c.id == 1)
        )
        .first()
    )
    return None if row is None else (row.mimetype, row.body)


def _keep(key: str, version: int, mimetype: str, body: str) -> None:
    """Keep a page, on a connection of its own (a failure only means it is made again)."""
    engine = db.engine()
    values = {
        "key": key,
        "data_version": version,
        "mimetype": mimetype,
        "body": body,
        "made_at": dt.datetime.now(dt.UTC),
    }
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(fragments).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[fragments.c.key],
        set_={name: statement.excluded[name] for name in values if name != "key"},
        where=fragments.c.data_version <= statement.excluded.data_version,
    )
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as connection:
            if sqlite:  # never keep a reader waiting on a writer's lock: skip keeping it
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {WAIT_MS}")
            try:
                connection.execute(statement)
            finally:
                if sqlite:
                    wait = int(current_app.config["SQLITE_BUSY_TIMEOUT"] * 1000)
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
    except (SQLAlchemyError, ValueError):  # busy, gone, or text it cannot store: still served
        log.info("a page was not kept in the cache (the database was busy)", exc_info=True)


def cached_page(view: Callable) -> Callable:
    """Serve the view's page from the cache while the data is unchanged; else make, keep and
    serve it. Only a 200 answer is kept."""

    @functools.wraps(view)
    def serve(*args, **kwargs):
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        found = _kept(key)
        if found is not None:
            mimetype, body = found
            return Response(_fill(body), mimetype=mimetype)
        version = data_version.current(db.get_session())  # before the page reads the data
        g.cpc_caching = True
        try:
            answer = current_app.make_response(view(*args, **kwargs))
        finally:
            g.cpc_caching = False
        if answer.direct_passthrough:  # a file: nothing to keep or fill
            return answer
        body = answer.get_data(as_text=True)
        if answer.status_code == 200 and not session.get("_flashes"):
            _keep(key, version, answer.mimetype or "text/html", body)
        answer.set_data(_fill(body))
        return answer

    return serve

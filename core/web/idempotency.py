"""Writes that are safe to send again. A POST that carries an idempotency key (the API's
``Idempotency-Key`` header; every form's hidden ``idempotency_key`` field) runs as one
transaction that also keeps its answer, committed at the end of the request; the same key
with the same request, sent again within 24 hours, gets that first answer and changes nothing.
So a client that lost an answer (a 503 after the change was saved, a dropped connection)
retries without making a duplicate. The emails and ``after_change`` calls a write sets off
wait for that commit (``db.after_commit``)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, default_exceptions

from core import db
from core.identity import is_api_request
from core.services.records.idempotency import (
    Answer,
    KeyRefused,
    KeyReused,
    check_key,
    first_answer,
    keep_answer,
    request_hash,
)

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# Sign-in, passwords and API tokens: their answers set cookies or show secrets, never kept.
EXEMPT_BLUEPRINTS = frozenset(
    {"auth", "password_reset", "accounts", "users", "users_api", "tokens_api"}
)
PENDING = "cpc_idempotency"
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def init_app(app: Flask) -> None:
    """Register after CSRF protection and sign-in, so only a genuine request is answered."""
    app.before_request(_before)
    app.after_request(_after)
    app.jinja_env.globals["new_form_key"] = lambda: uuid.uuid4().hex


def _sent_key() -> str | None:
    if request.method != "POST" or request.blueprint in EXEMPT_BLUEPRINTS:
        return None
    if not current_user.is_authenticated:
        return None
    if is_api_request():
        return request.headers.get(HEADER)
    return request.form.get(FORM_FIELD)


def _digest() -> str:
    """The request, for telling a true retry from another request under the same key."""
    if is_api_request():
        body = request.get_data(cache=True)
    else:  # the form is parsed already (by the CSRF check), so from its fields and files
        digest = hashlib.sha256()
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"{name}={value}\n".encode("utf-8", "surrogatepass"))
        for name, upload in sorted(request.files.items(multi=True)):
            digest.update(f"{name}:{upload.filename}\n".encode("utf-8", "surrogatepass"))
            digest.update(hashlib.sha256(upload.stream.read()).digest())
            upload.stream.seek(0)
        body = digest.digest()
    return request_hash(request.method, request.path, body)


def _before() -> Response | None:
    key = _sent_key()
    if key is None:
        return None
    session = db.get_session()
    try:
        check_key(key)
        digest = _digest()
        found = first_answer(session, current_user.id, key, digest)
    except KeyRefused as refused:
        status = 422 if isinstance(refused, KeyReused) else 400
        raise _error(status, refused.message) from None
    if found is not None:
        return _replay(found)
    # End the read: the write begins its own transaction (on SQLite, one that read first
    # could not then take the write lock while another writer commits).
    session.commit()
    g.setdefault(PENDING, (current_user.id, key, digest))
    db.defer_commits()
    return None


CLASHED = (
    "A request with this Idempotency-Key was being answered at the same moment, and this one "
    "was not saved: send it again with the same key to get that answer."
)


def _error(status: int, message: str) -> HTTPException:
    """An HTTP error whose sentence shows on the page and in the API's JSON."""
    error = default_exceptions[status](message)
    error.data = {"message": message}  # type: ignore[attr-defined]
    return error


def _refusal(status: int, message: str) -> Response:
    """The error page (or the API's JSON error) for ``status``, from outside a view."""
    return current_app.make_response(current_app.handle_http_exception(_error(status, message)))


def _replay(answer: Answer) -> Response:
    replayed = Response(answer.body, answer.status, content_type=answer.content_type or None)
    if answer.location:
        replayed.headers["Location"] = answer.location
    replayed.headers["Idempotent-Replayed"] = "true"
    return replayed


def _after(response: Response) -> Response:
    pending = g.pop(PENDING, None)
    if pending is None:
        return response
    waiting = db.take_after_commit()
    session = db.get_session()
    if response.status_code >= 500:
        session.rollback()
        return response
    user_id, key, digest = pending
    try:
        if not response.is_streamed:  # a streamed answer cannot be kept: the change still is
            answer = Answer(
                response.status_code,
                response.content_type or "",
                response.headers.get("Location", ""),
                response.get_data(as_text=True),
            )
            keep_answer(session, user_id, key, digest, answer)
        g.cpc_commit_started = True
        session.commit()
    except sa_exc.IntegrityError:  # the same key sent twice at the same moment: one commits
        session.rollback()
        try:
            found = first_answer(session, user_id, key, digest)
        except KeyRefused as refused:
            return _refusal(422, refused.message)
        return _replay(found) if found else _refusal(409, CLASHED)
    except UNAVAILABLE as lost:
        with contextlib.suppress(*UNAVAILABLE):
            session.rollback()
        from core.web import database_unavailable  # the web package mounts this module

        return current_app.make_response(database_unavailable(lost))
    for run in waiting:
        try:
            run()
        except Exception:  # the change is saved; what it sets off is logged if it fails
            log.exception("an action after a committed change failed")
    return response

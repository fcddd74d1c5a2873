"""One line per request on the log (stderr when served): method, path, status, time taken and
the signed-in user's id. Nothing a person typed is logged, and SQL parameters never are (the
engine hides them from its errors)."""

from __future__ import annotations

import logging
import re
import time

import sqlalchemy as sa
from flask import Flask, Response, g, request

log = logging.getLogger("cpc.requests")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_log)


def _start() -> None:
    g.request_started = time.perf_counter()


def _log(response: Response) -> Response:
    started = g.get("request_started")
    took = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    # The user as already loaded for the request: logging never queries the database (a user
    # expired by a failed write's rollback is named by its identity, not reloaded).
    user = _user_id(g.get("_login_user"))
    path = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", request.path)
    log.info(
        "%s %s %s %.0fms user=%s", request.method, path, response.status_code, took, user or "-"
    )
    return response


def _user_id(user: object) -> object:
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None) if state is None else None

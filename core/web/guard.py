"""Input no part of the platform can store or read safely, refused before any view sees it:
NUL characters and lone surrogates anywhere in the address, the query or a form, and JSON
that is nested too deep or carries such characters. Each refusal names the field at fault.

Bodies larger than ``MAX_CONTENT_LENGTH`` (2 MiB unless configured) are refused with 413 by
Flask itself, before they are read."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from flask_smorest import abort as api_abort

from core.identity import is_api_request

# Deeper than any body the API takes; far below where Python's own parsers give up.
MAX_JSON_DEPTH = 20
SURROGATE = re.compile(r"[\ud800-\udfff]")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable_input)


def problem_with(text: str) -> str | None:
    """What makes ``text`` impossible to store, in plain English, or ``None``."""
    if "\x00" in text:
        return "contains a NUL character (an invisible control character), which cannot be saved"
    if SURROGATE.search(text):
        return "contains a broken character (a lone UTF-16 surrogate), which cannot be saved"
    return None


def _refuse_unstorable_input() -> None:
    places: list[tuple[str, str]] = [("the address", request.path)]
    places += [(f"the query parameter “{k}”", v) for k, v in _pairs(request.args)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        places += [(f"the form field “{k}”", v) for k, v in _pairs(request.form)]
    for where, text in places:
        problem = problem_with(text)
        if problem:
            _refuse(400, f"{where[0].upper()}{where[1:]} {problem}. Remove it and try again.")
    if request.is_json and is_api_request() and request.content_length != 0:
        _check_json()


def _pairs(multi) -> list[tuple[str, str]]:
    found = []
    for key, values in multi.lists():
        found.append((key, key))
        found += [(key, value) for value in values]
    return found


def _check_json() -> None:
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
        _too_deep()
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            _too_deep()
        if isinstance(value, str):
            problem = problem_with(value)
            if problem:
                message = f"“{path or 'the body'}” {problem}."
                api_abort(422, message=message, errors={"json": {path or "_body": [message]}})
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                stack.append((key, name, depth + 1))
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            stack += [(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]


def _too_deep() -> None:
    api_abort(
        400,
        message=f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep: send it flat.",
    )


def _refuse(code: int, message: str) -> None:
    if is_api_request():
        api_abort(code, message=message)
    abort(code, message)

"""Turning marshmallow's nested error messages into "field.path: problem" lines."""

from __future__ import annotations

from typing import Any


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``{"outcomes": {0: {"title": ["Missing data ..."]}}}`` becomes
    ``[("outcomes.0.title", "Missing data ...")]``."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            path = str(key) if key != "_schema" else ""
            out.extend(flatten_errors(value, ".".join(p for p in (prefix, path) if p)))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix, message) for message in messages]
    if isinstance(messages, list):
        return [pair for item in messages for pair in flatten_errors(item, prefix)]
    return [(prefix, str(messages))]

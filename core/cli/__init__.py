"""The ``cpc`` command line: ``main`` (the console script, a Flask CLI group over the app
factory) and one module per group of commands. May use the services and the app; nothing
below the web or the API imports it.

``main`` is made on first use, so that the app factory can import the command modules
without importing itself."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        from core.cli.group import main

        return main
    raise AttributeError(f"module 'core.cli' has no attribute {name!r}")

"""Settings: defaults, then the environment (CPC_*), then the test config."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("CPC_DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'cpc.sqlite'}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind https (any real deployment), cookies are sent over https only.
        SESSION_COOKIE_SECURE=os.environ.get("CPC_SECURE_COOKIES", "1") != "0",
        # Plugins come from the "tayside_cpc" entry points, plus any given here as
        # (name, plugin) pairs (tests register plugins in-process this way).
        PLUGINS_FROM_ENTRY_POINTS=True,
        EXTRA_PLUGINS=(),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("CPC_SECRET_KEY") or _instance_secret(app)


def _instance_secret(app: Flask) -> str:
    """A secret generated once per installation and kept in the instance folder (never in
    the repository). Several web processes on several machines need CPC_SECRET_KEY instead."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()

"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from core import config, db, web, worker
from core.cli import commands
from core.db import MAX_ID
from core.hooks.registry import PluginRegistry, build_registry
from core.web import plugin_pages


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app with its own plugin manager, database engine, commands and pages."""
    app = Flask(
        __name__,
        instance_path=str(instance_folder()),
        template_folder="web/templates",
        static_folder="web/static",
    )
    config.configure(app, test_config)
    app.url_map.converters["id"] = IdConverter
    app.extensions["cpc_plugins"] = build_registry(
        entry_points=app.config["PLUGINS_FROM_ENTRY_POINTS"],
        extra=app.config["EXTRA_PLUGINS"],
    )
    db.init_app(app)
    worker.init_app(app)
    commands.init_app(app)
    web.init_app(app)
    plugin_pages.init_app(app, app.extensions["cpc_plugins"])
    return app


def instance_folder() -> Path:
    """Where the installation keeps its SQLite database and generated secret:
    ``CPC_INSTANCE_PATH`` if set; else, in a checkout of the platform, its own ``instance/``
    (whatever the working folder, so ``cpc`` run elsewhere finds the same database); else
    ``instance/`` in the working folder."""
    if os.environ.get("CPC_INSTANCE_PATH"):
        return Path(os.environ["CPC_INSTANCE_PATH"])
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").exists() and (checkout / "migrations").is_dir():
        return checkout / "instance"
    return Path.cwd() / "instance"


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 up to the largest an INTEGER column holds; others are 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def plugins_of(app: Flask) -> PluginRegistry:
    return app.extensions["cpc_plugins"]

"""The application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from core import commands, config, db, web
from core.plugins import PluginRegistry, build_registry


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app with its own plugin manager, database engine, commands and pages."""
    app = Flask(
        __name__,
        instance_path=str(Path.cwd() / "instance"),
        template_folder="web/templates",
        static_folder="web/static",
    )
    config.configure(app, test_config)
    app.extensions["cpc_plugins"] = build_registry(
        entry_points=app.config["PLUGINS_FROM_ENTRY_POINTS"],
        extra=app.config["EXTRA_PLUGINS"],
    )
    db.init_app(app)
    commands.init_app(app)
    web.init_app(app)
    return app


def plugins_of(app: Flask) -> PluginRegistry:
    return app.extensions["cpc_plugins"]

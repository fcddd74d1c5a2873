"""The plan engine: models, services, hookspecs and web app for CPC improvement plans.

Plugins mark their hook implementations with ``@core.hookimpl``."""

from core.app import create_app
from core.hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]

"""The plan engine: models, services, the plugin seam (``hooks``) and the web app for CPC
improvement plans.

Plugins mark their hook implementations with ``@core.hookimpl``."""

from core import moved as _moved

# Plugins written against the old module paths (core.hookspecs, core.services.loader, ...).
_moved.install()

from core.app import create_app  # noqa: E402
from core.hooks.specs import hookimpl  # noqa: E402

__all__ = ["create_app", "hookimpl"]

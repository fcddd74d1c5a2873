"""The plan engine: models, services, hookspecs and web app for CPC improvement plans."""

from core.app import create_app

__all__ = ["create_app"]

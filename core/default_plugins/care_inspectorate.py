"""The Care Inspectorate's quality framework for children and young people in need of care and
protection, as a built-in plugin, only as far as its text could be sourced (``partial``: its
``source`` says which indicators are missing, for an administrator to add in the app)."""

from __future__ import annotations

from pathlib import Path

from core.hooks.plugin_data import DataSource
from core.hooks.specs import hookimpl

FRAMEWORK = Path(__file__).parent / "care_inspectorate_care_and_protection.json"


@hookimpl
def contribute_frameworks() -> list[DataSource]:
    return [DataSource.file(FRAMEWORK)]

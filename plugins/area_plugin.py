"""What the three area plugins have in common: an area, and plan files beside the module."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.plugin_data import AreaSpec, DataSource


def plan_files(module_file: str) -> Iterable[DataSource]:
    """Every ``plan_*.json`` beside the plugin module, oldest plan first."""
    return [DataSource.file(path) for path in sorted(Path(module_file).parent.glob("plan_*.json"))]


__all__ = ["AreaSpec", "plan_files"]

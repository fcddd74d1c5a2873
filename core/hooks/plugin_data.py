"""What plugins hand to the engine: area registrations and data sources (files or mappings)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AreaSpec:
    """An area a plugin registers: its slug (``perth-and-kinross``), name and committee; the
    council's official code (``S12000048``) and its name as the national statistics' tables
    print it (``Perth & Kinross``), by which an import of those tables finds it. A reference
    series (``is_reference``: Scotland) reports national measures only and is not a CPC."""

    slug: str
    name: str
    committee_name: str
    is_synthetic: bool = False
    code: str | None = None
    statistics_name: str | None = None
    is_reference: bool = False


class DataSourceError(ValueError):
    """A data source could not be read: the file is missing or is not valid JSON."""


@dataclass(frozen=True)
class DataSource:
    """A plugin's data: a JSON file (``path``) or an in-memory mapping (``data``).

    The engine reads and validates it, so errors name the file and the field.
    """

    path: Path | None = None
    data: Mapping[str, Any] | None = None

    @classmethod
    def file(cls, path: str | Path) -> DataSource:
        return cls(path=Path(path))

    @property
    def label(self) -> str:
        return self.path.name if self.path is not None else "(in-memory data)"

    def read(self) -> Mapping[str, Any]:
        if self.data is not None:
            return self.data
        if self.path is None:
            raise DataSourceError("the data source names neither a file nor data")
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataSourceError(f"cannot read the file: {exc.strerror}") from exc
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataSourceError(
                f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
        if not isinstance(loaded, Mapping):
            raise DataSourceError("the file must hold a JSON object")
        return loaded

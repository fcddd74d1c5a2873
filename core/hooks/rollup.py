"""The shapes of the TRIC rollup, shared by the engine and the ``tayside_status`` hook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from core.enums import Direction, ProgressStatus, Rag


class TaysideStatus(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NOT_REPORTED = "not_reported"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RollupCell:
    """One area's current state on one shared action."""

    area_slug: str
    area_name: str
    action_id: int
    action_code: str
    rag: Rag | None
    status: ProgressStatus | None
    last_reported_on: dt.date | None
    overdue: bool
    # Not reported this period: its latest update is from before the period of the latest
    # reporting date (across Tayside), and is not a completion.
    stale: bool = False
    # Direction of travel since the area's previous reporting date.
    direction: Direction | None = None
    # The day it became overdue (the day after its target date), if it is.
    overdue_since: dt.date | None = None

    @property
    def reported(self) -> bool:
        """Reported this period (a stale cell counts as not reported, as in every count)."""
        return self.last_reported_on is not None and not self.stale


@dataclass(frozen=True)
class RollupRow:
    """A shared action and each area's cell; an area that has not adopted it has ``None``, and
    if it recorded that the action does not apply to it, its reason is in ``not_applicable``."""

    key: str
    title: str
    target_date: dt.date | None
    cells: dict[str, RollupCell | None]
    tayside_status: TaysideStatus | None = None
    not_applicable: dict[str, str] = field(default_factory=dict)
    # The plugin whose ``tayside_status`` rule decided the status.
    decided_by: str | None = None

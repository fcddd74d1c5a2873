"""KPI figures pulled from each area's own system (the ``kpi_values`` hook), as a job: an area
plugin that is slow or down holds up a worker, never a command or a page, and a pull that
clashes with a figure saved at the same moment is tried again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core.hooks.registry import PluginRegistry
from core.models import Area, Job
from core.services.errors import Conflict
from core.services.jobs import queue
from core.services.kpis.kpi_transfer import pull_values
from core.services.plans.plans import area_by_slug

KIND = "kpi_pull"


class PullClashed(Exception):
    """A figure was saved at the same moment as the pull's: worth trying again."""


def enqueue(session: Session, *, area: Area | None, period: str | None, today: dt.date) -> Job:
    """Queue a pull of ``area``'s KPI figures (None: every area) for ``period`` (None: each
    KPI's last period due as at ``today``); the same pull already waiting or running is
    answered instead of a second one. The caller commits."""
    where = area.slug if area else "every area"
    return queue.enqueue(
        session,
        KIND,
        {"area": area.slug if area else None, "period": period, "today": today.isoformat()},
        title=f"KPI figures pulled for {where}, {period or 'the last period due'}",
        key=f"{KIND}:{area.slug if area else '*'}:{period or 'due'}:{today.isoformat()}",
        area_id=area.id if area else None,
    )


def run(session: Session, plugins: PluginRegistry, args: dict) -> dict:
    """The job: pull and record the figures; what was recorded, proposed, unchanged, not
    found, and the plugins' problems."""
    area = area_by_slug(session, args["area"]) if args["area"] else None
    try:
        result = pull_values(
            session,
            plugins,
            area=area,
            period=args["period"],
            today=dt.date.fromisoformat(args["today"]),
        )
    except Conflict as clash:
        raise PullClashed(clash.message) from None
    return {
        "recorded": result.recorded,
        "proposed": result.proposed,
        "unchanged": result.unchanged,
        "not_found": result.not_found,
        "problems": [str(problem) for problem in result.problems],
    }

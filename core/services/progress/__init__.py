"""The reporting cycle: progress updates and corrections, review, reporting dates and locked
periods, missing updates, direction of travel, the suggested RAG.
May use: accounts, kpis, records."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Plugins written before the packages import from core.services.progress what is now in
    # core.services.progress.progress.
    from core.moved import same_named

    return same_named("progress", name)

"""Plans: the plans, their actions and wording, the plan document and summary, finding actions, the
dashboard, loading plugin plans, syncing and transfer.
May use: accounts, kpis, progress, records."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Plugins written before the packages import from core.services.plans what is now in
    # core.services.plans.plans.
    from core.moved import same_named

    return same_named("plans", name)

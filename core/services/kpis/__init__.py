"""KPIs: definitions, figures, periods, the Tayside combination, CSV import and the words they are
read in.
May use: accounts, records."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Plugins written before the packages import from core.services.kpis what is now in
    # core.services.kpis.kpis.
    from core.moved import same_named

    return same_named("kpis", name)

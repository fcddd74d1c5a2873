"""What the ``suggest_rag`` hook receives and answers: plain values, so a plugin needs no
database session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.enums import ActionKind, ProgressStatus, Rag


@dataclass(frozen=True)
class ActionFacts:
    """The evidence about one action on one day, from which a RAG is suggested.

    ``status`` is the status being reported (or the current one); ``as_at`` the day the update
    reports on; ``last_reported_on`` the date of the action's previous update that counts
    (None if it has none); ``kpis_off_target`` the names of its linked KPIs whose latest
    figure is on the wrong side of their target; ``previous_reporting_date`` the plan's
    latest reporting date before ``as_at`` (None before its first); ``new_update`` whether
    the facts are for an update being posted (rather than the action's state as it stands)."""

    area: str
    code: str
    kind: ActionKind
    status: ProgressStatus | None
    as_at: dt.date
    plan_start: dt.date
    target_date: dt.date | None
    last_reported_on: dt.date | None
    kpis_off_target: tuple[str, ...] = ()
    previous_reporting_date: dt.date | None = None
    new_update: bool = False

    @property
    def days_without_update(self) -> int | None:
        """Days since the action's previous update (or, with none, since the plan began) when
        that gap is evidence against it, else None. The state as it stands: always. An update
        being posted is not judged by the gap it closes: the gap counts only when the previous
        update (or the plan's start) is older than the plan's previous reporting date, so an
        action that reported for the last meeting is not late; and a first update before the
        plan's first reporting date is never late."""
        since = self.last_reported_on or self.plan_start
        if self.new_update:
            if self.previous_reporting_date is None:
                if self.last_reported_on is None:
                    return None
            elif since >= self.previous_reporting_date:
                return None
        return (self.as_at - since).days

    @property
    def share_of_time_gone(self) -> float | None:
        """How much of the time from the plan's start to the target date has gone (0 to 1);
        None for an action with no target date."""
        if self.target_date is None:
            return None
        whole = (self.target_date - self.plan_start).days
        if whole <= 0:
            return 1.0
        return min(1.0, max(0.0, (self.as_at - self.plan_start).days / whole))


@dataclass(frozen=True)
class RagSuggestion:
    """A suggested RAG (None: no RAG, as for a completed action) and why, in plain words."""

    rag: Rag | None
    reason: str

"""Filtering and searching a plan's actions (by outcome, RAG, status, lead, overdue, text)."""

from __future__ import annotations

from dataclasses import dataclass

from core.enums import ActionKind, ProgressStatus, Rag
from core.models import Action
from core.services.progress import is_overdue
from core.services.summary import PlanState

NOT_REPORTED = "none"


@dataclass(frozen=True)
class ActionFilter:
    """Each criterion left empty matches every action. ``rag`` may be ``"none"`` for actions
    with no RAG reported yet."""

    outcome: int | None = None
    rag: Rag | str | None = None
    status: ProgressStatus | str | None = None
    lead: str = ""
    overdue: bool = False
    text: str = ""

    @classmethod
    def of(
        cls,
        *,
        outcome: int | None = None,
        rag: str | None = None,
        status: str | None = None,
        lead: str = "",
        overdue: bool = False,
        text: str = "",
    ) -> ActionFilter:
        """A filter from submitted values: ``rag`` and ``status`` as their codes, or ``"none"``."""
        return cls(
            outcome=outcome,
            rag=Rag(rag) if rag not in (None, NOT_REPORTED) else rag,
            status=ProgressStatus(status) if status not in (None, NOT_REPORTED) else status,
            lead=lead,
            overdue=overdue,
            text=text,
        )

    @property
    def is_empty(self) -> bool:
        return self == ActionFilter()


def filter_actions(
    state: PlanState, wanted: ActionFilter, outcome_numbers: dict[int, int]
) -> list[Action]:
    """The plan's actions (improvement, then ongoing) that match every given criterion.
    ``outcome_numbers`` maps the plan's outcome ids to their numbers."""
    words = wanted.text.lower().split()
    lead = wanted.lead.strip().lower()

    def matches(action: Action) -> bool:
        update = state.current(action)
        if wanted.outcome is not None and outcome_numbers.get(action.outcome_id) != wanted.outcome:
            return False
        if wanted.rag == NOT_REPORTED:
            if update is not None and update.rag is not None:
                return False
        elif wanted.rag is not None and (update is None or update.rag is not wanted.rag):
            return False
        if wanted.status == NOT_REPORTED:
            if update is not None:
                return False
        elif wanted.status is not None and (update is None or update.status is not wanted.status):
            return False
        if lead and not any(lead in name.name.lower() for name in action.leads):
            return False
        if wanted.overdue and not is_overdue(action, update, state.as_at):
            return False
        haystack = " ".join(
            [
                action.code,
                action.text,
                action.expected_impact,
                *(k.text for k in action.kpi_measures),
            ]
        ).lower()
        return all(word in haystack for word in words)

    ordered = sorted(
        state.actions, key=lambda a: (a.kind is not ActionKind.IMPROVEMENT, a.position)
    )
    return [a for a in ordered if matches(a)]

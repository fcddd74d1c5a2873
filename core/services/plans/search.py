"""What to look for among a plan's actions (by outcome, RAG, status, lead, overdue, text, quality
indicator); the
database does the looking (``core.services.plans.action_query.find_actions``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.enums import ProgressStatus, Rag

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
    # The id of a quality indicator the actions are tagged with.
    indicator: int | None = None

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
        indicator: int | None = None,
    ) -> ActionFilter:
        """A filter from submitted values: ``rag`` and ``status`` as their codes, or ``"none"``."""
        return cls(
            outcome=outcome,
            rag=Rag(rag) if rag not in (None, NOT_REPORTED) else rag,
            status=ProgressStatus(status) if status not in (None, NOT_REPORTED) else status,
            lead=lead,
            overdue=overdue,
            text=text,
            indicator=indicator,
        )

    @property
    def is_empty(self) -> bool:
        return self == ActionFilter()

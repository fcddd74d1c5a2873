"""The built-in rule for the RAG the engine suggests for an update."""

from __future__ import annotations

from core.enums import ProgressStatus, Rag
from core.hooks.rag import ActionFacts, RagSuggestion
from core.hooks.specs import hookimpl

# An action not updated for longer than this is at risk, whatever its RAG.
STALE_DAYS = 120


@hookimpl(trylast=True)
def suggest_rag(facts: ActionFacts) -> RagSuggestion:
    """Red: target date passed and not completed, or not started with three-quarters of the
    time to its target date gone. Amber: not started with half of that time gone, no update
    for more than 120 days (for an update being posted, only when the action missed the last
    reporting date: see ``ActionFacts.days_without_update``), or a linked KPI off target.
    Green otherwise. Completed: no RAG."""
    if facts.status is ProgressStatus.COMPLETED:
        return RagSuggestion(None, "completed: a completed action carries no RAG")
    red: list[str] = []
    amber: list[str] = []
    if facts.target_date is not None and facts.target_date < facts.as_at:
        red.append("target date passed and not completed")
    gone = facts.share_of_time_gone
    if facts.status is ProgressStatus.NOT_STARTED and gone is not None and gone >= 0.5:
        words = f"not started with {round(gone * 100)}% of the time to its target date gone"
        (red if gone >= 0.75 else amber).append(words)
    days = facts.days_without_update
    if days is not None and days > STALE_DAYS:
        amber.append(
            f"no update for {days} days" if facts.last_reported_on else f"no update in {days} days"
        )
    for name in facts.kpis_off_target:
        amber.append(f"linked KPI off target: {name}")
    if red:
        return RagSuggestion(Rag.RED, "; ".join(red + amber))
    if amber:
        return RagSuggestion(Rag.AMBER, "; ".join(amber))
    if gone is None:
        return RagSuggestion(Rag.GREEN, "updated recently and no linked KPI off target")
    return RagSuggestion(
        Rag.GREEN,
        f"on track: {round(gone * 100)}% of the time to its target date gone, "
        "updated recently and no linked KPI off target",
    )

"""Things written in words the same way on every page and paper: dates, the first words of a
text, lists and an action's name. Used by every services package."""

from __future__ import annotations

import datetime as dt

from core.enums import ActionKind, ProgressStatus, Rag
from core.models import Action


def day_words(day: dt.date) -> str:
    """ "1 August 2022", as every page and paper writes a date in words."""
    return f"{day.day} {day:%B %Y}"


def first_words(text: str, count: int = 12) -> str:
    """The first ``count`` words of ``text``, with "…" if there are more: never a cut word."""
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def action_name(action: Action) -> str:
    """ "Action 3.1", or "Ongoing action 1" (an ongoing action's number is not an outcome's)."""
    kind = "Ongoing action" if action.kind is ActionKind.ONGOING else "Action"
    return f"{kind} {action.code}"


def rag_words(rag: Rag | None, status: ProgressStatus | None) -> str:
    """An update's RAG in words ("Green"), or its status where it has none ("Completed"), or
    "Not reported" for none: how a last update is named beside "Not reported this period"."""
    if rag is not None:
        return rag.word
    return status.label if status is not None else "Not reported"

"""Template filters: UK dates, and RAG and status shown in words as well as colour."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from markupsafe import Markup, escape

from core.enums import Direction, ProgressStatus, Rag
from core.hooks.rag import RagSuggestion
from core.hooks.report_data import is_stale
from core.hooks.rollup import RollupCell, TaysideStatus
from core.models import ProgressUpdate
from core.services.kpis.periods import period_words
from core.services.progress.progress import overdue_since
from core.services.words import rag_words


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        ukdate=ukdate,
        rag=rag_badge,
        progress=progress_badge,
        cell=cell_badge,
        tayside=tayside_badge,
        status=status_label,
        status_note=status_note,
        code=inline_code,
        travel=travel_badge,
        suggested=suggestion_text,
        overdue=overdue_tag,
        period=period_words,
    )
    # overdue_since(target date, latest update, as at): the day an action became overdue.
    app.jinja_env.globals["overdue_since"] = overdue_since


def ukdate(value: dt.date | dt.datetime | None, style: str = "long") -> str:
    if value is None:
        return ""
    if style == "short":
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def rag_badge(rag: Rag | None) -> Markup:
    """The RAG as letter, word and colour together: never colour alone."""
    if rag is None:
        return Markup('<span class="cpc-rag cpc-rag--none">Not reported</span>')
    return Markup(
        f'<span class="cpc-rag cpc-rag--{rag.value.lower()}">'
        f'<span class="cpc-rag__letter" aria-hidden="true">{escape(rag.value)}</span> '
        f"{escape(rag.word)}</span>"
    )


def _rag_and_status(rag: Rag | None, status: ProgressStatus | None) -> Markup:
    """A RAG, or for a completed action reported without one, "Completed"."""
    if rag is None and status is ProgressStatus.COMPLETED:
        return Markup('<span class="cpc-rag cpc-rag--done">Completed</span>')
    if rag is None and status is not None:
        return Markup('<span class="cpc-rag cpc-rag--none">No RAG</span>')
    return rag_badge(rag)


def not_reported_badge(rag: Rag | None, status: ProgressStatus | None, day: dt.date) -> Markup:
    """ "Not reported this period", with the last RAG and the date of the last update beside
    it in words (never shown as if current)."""
    return Markup(
        '<span class="cpc-rag cpc-rag--none">Not reported this period</span> '
        f'<span class="govuk-body-s cpc-last-update">(last update {ukdate(day)}: '
        f"{escape(rag_words(rag, status))})</span>"
    )


def progress_badge(update: ProgressUpdate | None, since: dt.date | None = None) -> Markup:
    """An action's RAG from its latest update; "Not reported this period" where that update
    is from on or before ``since``, the reporting date before the date shown."""
    if update is not None and is_stale(update, since):
        return not_reported_badge(update.rag, update.status, update.reported_on)
    return _rag_and_status(update.rag, update.status) if update else rag_badge(None)


def cell_badge(cell: RollupCell) -> Markup:
    """An area's RAG in a rollup cell; "Not reported this period" where it is stale."""
    if cell.stale and cell.last_reported_on is not None:
        return not_reported_badge(cell.rag, cell.status, cell.last_reported_on)
    return _rag_and_status(cell.rag, cell.status)


TAYSIDE_RAG = {
    TaysideStatus.RED: Rag.RED,
    TaysideStatus.AMBER: Rag.AMBER,
    TaysideStatus.GREEN: Rag.GREEN,
}


def tayside_badge(status: TaysideStatus | None) -> Markup:
    """A rollup row's Tayside status, as a RAG badge (letter, word and colour)."""
    rag = TAYSIDE_RAG.get(status) if status else None
    return rag_badge(rag)


def inline_code(text: str) -> Markup:
    """Text with `backticked` parts set as code (as the API's descriptions are written)."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def overdue_tag(since: dt.date | None) -> Markup:
    """ "Overdue since 1 August 2022" in words (a red tag, never colour alone), or nothing."""
    if since is None:
        return Markup("")
    return Markup(
        f'<strong class="govuk-tag govuk-tag--red cpc-overdue">Overdue since {ukdate(since)}'
        "</strong>"
    )


def status_label(status: ProgressStatus | None) -> str:
    return status.label if status is not None else "Not reported"


def status_note(update: ProgressUpdate | RollupCell | None, since: dt.date | None = None) -> str:
    """The status to show beside a RAG badge, or "" where the badge already says it (no
    update: "Not reported"; completed without a RAG: "Completed"; last period's update: "Not
    reported this period")."""
    if update is None or update.status is None:
        return ""
    if isinstance(update, RollupCell) and update.stale:
        return ""
    if isinstance(update, ProgressUpdate) and is_stale(update, since):
        return ""
    if update.status is ProgressStatus.COMPLETED and update.rag is None:
        return ""
    return update.status.label


def travel_badge(direction: Direction | None) -> Markup:
    """Direction of travel since the previous reporting date, as an arrow and a word (the
    arrow is hidden from screen readers, which read the whole phrase)."""
    if direction is None:
        return Markup("")
    word = direction.word
    return Markup(
        f'<span class="cpc-travel cpc-travel--{direction.value}" title="{escape(direction.label)}">'
        f'<span aria-hidden="true">{direction.arrow}</span> {word}'
        '<span class="govuk-visually-hidden"> since the previous reporting date</span></span>'
    )


def suggestion_text(suggestion: RagSuggestion | None) -> Markup:
    """The engine's suggested RAG with its reason."""
    if suggestion is None:
        return Markup("No suggestion")
    badge = rag_badge(suggestion.rag) if suggestion.rag else Markup("No RAG")
    return Markup(f"{badge}: {escape(suggestion.reason)}")

"""The cells of the committee report's tables, in words: an action's RAG (or "Not reported
this period", with its last), its number, target and commentary, and the flat action table the
CSV format writes. The built-in report sections and the formats both use them."""

from __future__ import annotations

import datetime as dt

from core.enums import ActionKind
from core.hooks.report import Cell, Table
from core.services.reports.report_data import ActionAt, ReportData
from core.services.words import day_words, first_words, rag_words

NOT_REPORTED = "Not reported"
NOT_THIS_PERIOD = "Not reported this period"


def last_rag(update) -> str:
    """A last update's RAG in words ("Green"), or its status where it has none."""
    return rag_words(update.rag, update.status)


def last_update(update) -> str:
    """ "9 June 2022: Green": a last update's date and RAG (or status) in words."""
    return f"{day_words(update.reported_on)}: {last_rag(update)}"


def rag_cell(item: ActionAt) -> Cell:
    """The RAG cell: letter and word, shaded; "Completed" or "Not reported" without one; "Not
    reported this period" with the last update's date and RAG, never shown as current."""
    if item.stale:
        return Cell(f"{NOT_THIS_PERIOD} (last update {last_update(item.update)})")
    if item.rag is not None:
        return Cell.of_rag(item.rag)
    return Cell("Completed" if item.completed else NOT_REPORTED)


def rag_before_cell(item: ActionAt) -> Cell:
    state = item.before
    if item.first_report:
        return Cell("First report")
    if not item.in_plan_before:
        return Cell("Not in the plan")
    if state is None or item.stale_before:
        return Cell(NOT_REPORTED)
    if state.rag is not None:
        return Cell.of_rag(state.rag)
    return Cell("Completed" if state.status.value == "completed" else state.status.label)


def commentary_cell(item: ActionAt) -> Cell:
    update = item.update
    if update is None:
        return Cell("No update yet.")
    text = update.commentary or "No commentary given."
    if item.stale:
        return Cell(f"No update this period. The last, of {day_words(update.reported_on)}: {text}")
    return Cell(f"{update.reported_on:%d/%m/%Y}: {text}")


def action_words(item: ActionAt) -> Cell:
    """The action's first words: its full text is in the plan (or, in the summary paper, the
    exceptions), once."""
    return Cell(first_words(item.wording.text))


def action_text(item: ActionAt) -> Cell:
    return Cell(item.wording.text)


def lead_and_last(item: ActionAt) -> list[Cell]:
    update = item.update
    return [
        Cell(item.wording.lead_text or "No strategic lead named"),
        Cell.of_date(update.reported_on) if update else Cell("No update yet"),
    ]


def number_cell(item: ActionAt) -> Cell:
    """The action's number; an ongoing action's says so ("Ongoing 1"), so that it is not read
    as an outcome's."""
    if item.action.kind is ActionKind.ONGOING:
        return Cell(f"Ongoing {item.code}")
    return Cell(item.code)


def overdue_words(day: dt.date) -> str:
    return f"Overdue since {day_words(day)}"


def target_cell(a: ActionAt) -> Cell:
    """The target timescale and date as worded then, and "Overdue since ..." if it is (a
    workbook keeps the date a date, and shows the words after it)."""
    target = a.wording.target_date
    text = a.wording.timescale + (f" {target.day} {target:%B %Y}" if target else "")
    if a.overdue_since is not None:
        since = overdue_words(a.overdue_since)
        return Cell(f"{text.strip()}\n{since}", date=target, after_date=since)
    return Cell(text.strip(), date=target)


def action_table(report: ReportData) -> Table:
    """Every action of the plan in one flat table (the CSV download)."""
    by_id = {outcome.id: outcome for outcome in report.outcomes}
    rows = []
    for a in report.actions:
        outcome = by_id.get(a.action.outcome_id)
        update = a.update
        rows.append(
            [
                Cell(f"{outcome.number}. {outcome.title}" if outcome else "Ongoing/maintenance"),
                number_cell(a),
                Cell(a.wording.expected_impact),
                action_text(a),
                Cell(a.wording.lead_text),
                Cell(a.wording.timescale),
                Cell.of_date(a.wording.target_date),
                rag_cell(a),
                Cell(
                    NOT_THIS_PERIOD if a.stale else update.status.label if update else NOT_REPORTED
                ),
                Cell.of_date(update.reported_on if update else None),
                Cell(update.commentary if update else ""),
                Cell(a.direction.word),
                Cell(overdue_words(a.overdue_since) if a.overdue_since else ""),
            ]
        )
    return Table(
        [
            "Outcome",
            "No",
            "Expected Impact",
            "Actions/Tasks",
            "Strategic Lead",
            "Target Timescale",
            "Target date",
            "RAG",
            "Status",
            "Last update",
            "Latest commentary",
            "Direction of travel",
            "Overdue",
        ],
        rows,
        key="actions",
    )

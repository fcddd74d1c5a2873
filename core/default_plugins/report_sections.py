"""The committee progress report's built-in sections, as a plugin: what changed since the last
meeting, the Progress/Update Report table, RAG by outcome with the direction of travel, the
exceptions, the whole plan in its published layout with Appendices 1 and 2, and a one-page
summary for the Children, Young People and Families Partnership (CYPFP)."""

from __future__ import annotations

from core.enums import Direction
from core.hooks.report import Cell, Heading, Paragraph, ReportSection, Table
from core.hooks.specs import hookimpl
from core.services.plans.summary import PlanSummary
from core.services.reports import cells
from core.services.reports.cells import NOT_REPORTED
from core.services.reports.report_data import ActionAt, ReportData
from core.services.words import day_words, first_words


@hookimpl
def report_sections(report: ReportData) -> list[ReportSection]:
    return [
        changes(report),
        not_received(report),
        timeline(report),
        rag_by_outcome(report),
        exceptions(report),
        whole_plan(report),
        appendix_kpis(report),
        appendix_ongoing(report),
        partnership_summary(report),
    ]


def changes(report: ReportData) -> ReportSection:
    """What changed since the previous reporting date (the report's first section)."""
    since = report.since_words
    moved = [a for a in report.actions if a.direction in (Direction.BETTER, Direction.WORSE)]
    completed = [
        a for a in report.actions if a.completed and not (a.in_plan_before and _done(a.before))
    ]
    slipped = [a for a in report.actions if a.overdue and not a.overdue_before]
    added = [a for a in report.actions if not a.in_plan_before and report.previous is not None]
    missing = report.not_received
    blocks = [
        Paragraph(
            f"As at {report.as_at.day} {report.as_at:%B %Y}, {since}: {len(moved)} RAG "
            f"change{'s' if len(moved) != 1 else ''}, {len(completed)} completed, "
            f"{len(slipped)} newly overdue, {len(missing)} update"
            f"{'s' if len(missing) != 1 else ''} not received, {len(added)} added, "
            f"{len(report.wording_changes)} wording change"
            f"{'s' if len(report.wording_changes) != 1 else ''} and "
            f"{len(report.not_applicable)} new \u201cdoes not apply\u201d record"
            f"{'s' if len(report.not_applicable) != 1 else ''}."
        ),
        Heading("RAG moves"),
        Table(
            ["No", "Action/task", "Was", "Now", "Direction"],
            [
                [
                    cells.number_cell(a),
                    cells.action_words(a),
                    cells.rag_before_cell(a),
                    cells.rag_cell(a),
                    Cell(a.direction.word),
                ]
                for a in moved
            ],
            widths=[8, 56, 15, 15, 12],
            empty="No RAG changed.",
        ),
        Heading("Completed"),
        Table(
            ["No", "Action/task", "Reported on", "Commentary"],
            [
                [
                    cells.number_cell(a),
                    cells.action_words(a),
                    Cell.of_date(a.update.reported_on),
                    cells.commentary_cell(a),
                ]
                for a in completed
                if a.update
            ],
            widths=[8, 48, 15, 48],
            empty="No action was completed.",
        ),
        Heading("Newly overdue"),
        Table(
            ["No", "Action/task", "Target date", "RAG"],
            [
                [
                    cells.number_cell(a),
                    cells.action_words(a),
                    Cell.of_date(a.wording.target_date),
                    cells.rag_cell(a),
                ]
                for a in slipped
            ],
            widths=[8, 56, 14, 15],
            empty="No action became overdue.",
        ),
        Heading("Added to the plan"),
        Table(
            ["No", "Action/task", "Added on", "TRIC PG5 shared action"],
            [
                [
                    cells.number_cell(a),
                    cells.action_words(a),
                    Cell.of_date(a.action.adopted_on or a.action.added_on),
                    Cell("Yes" if a.action.shared_action_id else "No"),
                ]
                for a in added
            ],
            widths=[8, 58, 14, 14],
            empty="No action was added.",
        ),
        Heading("Wording changes"),
        Table(
            ["No", "What changed", "Before", "After", "Changed by", "On"],
            [
                [
                    Cell(change.action.code),
                    Cell(change.field_name),
                    Cell(change.old_value or "(blank)"),
                    Cell(change.new_value or "(blank)"),
                    Cell(_who(change)),
                    Cell.of_date(change.changed_at.date()),
                ]
                for change in report.wording_changes
            ],
            widths=[8, 14, 40, 40, 20, 12],
            empty="No wording changed.",
        ),
        Heading("New \u201cdoes not apply\u201d records"),
        Table(
            ["TRIC PG5 shared action", "Reason", "Recorded on"],
            [
                [
                    Cell(record.shared_action.title),
                    Cell(record.reason),
                    Cell.of_date(record.recorded_on),
                ]
                for record in report.not_applicable
            ],
            widths=[40, 60, 12],
            empty="None recorded.",
        ),
    ]
    return ReportSection(
        "changes", f"What changed {since}", 10, blocks, short_title="What changed", in_summary=True
    )


def not_received(report: ReportData) -> ReportSection:
    """The actions with no update for this period (as the missing-updates page lists them):
    each counts as not reported, whatever its last RAG."""
    missing = report.not_received
    where = (
        f"reported after {day_words(report.previous)}"
        if report.previous
        else f"reported by {day_words(report.as_at)}"
    )
    return ReportSection(
        "not-received",
        "Updates not received",
        15,
        short_title="Not received",
        in_summary=True,
        blocks=[
            Paragraph(
                f"{len(missing)} action{'s' if len(missing) != 1 else ''} had no update {where}. "
                "Each counts as not reported in this paper; its last RAG is shown beside it, "
                "not as current."
            ),
            Table(
                ["No", "Action/task", "Strategic Lead", "Last update", "Last RAG"],
                [
                    [
                        cells.number_cell(a),
                        cells.action_words(a),
                        *cells.lead_and_last(a),
                        Cell(cells.last_rag(a.update) if a.update else NOT_REPORTED),
                    ]
                    for a in missing
                ],
                widths=[10, 50, 26, 16, 14],
                key="not-received",
                empty="Every action has an update for this period.",
            ),
        ],
    )


def _done(state) -> bool:
    return state is not None and state.status.value == "completed"


def _who(change) -> str:
    if change.changed_by is None:
        return "Plan data"
    origin = " (TRIC PG5)" if change.action.shared_action_id and change.field != "leads" else ""
    return change.changed_by.email + origin


def ongoing_words(summary: PlanSummary) -> str:
    """ "25 (Year 1: 10 and Year 2: 15)", as the published table words it."""
    split = " and ".join(f"Year {year}: {count}" for year, count in summary.by_year.items())
    return f"{summary.ongoing} ({split})" if split else str(summary.ongoing)


def timeline(report: ReportData) -> ReportSection:
    """The published plan's Progress/Update Report table, a row per reporting date so far."""
    rows = [
        [
            Cell.of_date(row.day),
            Cell(row.label),
            Cell.of_count(row.summary.total),
            Cell.of_count(row.summary.completed, "-"),
            Cell.of_count(row.summary.added, "-"),
            Cell(ongoing_words(row.summary), number=row.summary.ongoing),
        ]
        for row in report.timeline
    ]
    return ReportSection(
        "summary",
        "Progress/Update Report",
        20,
        short_title="Progress Update Report",
        blocks=[
            Table(
                [
                    "Date",
                    "Progress/Update Report",
                    "Total Actions/Tasks",
                    "Total Actions/Tasks Completed",
                    "Total Actions/Tasks Added",
                    "Total Actions/Tasks Ongoing",
                ],
                rows,
                caption=f"{report.plan.title}: improvement actions (ongoing/maintenance actions "
                + (
                    "are in Appendix 2 of the full paper)"
                    if report.contents == "summary"
                    else "are in Appendix 2)"
                ),
                widths=[12, 24, 12, 14, 12, 28],
                key="summary",
            )
        ],
        in_summary=True,
    )


def rag_by_outcome(report: ReportData) -> ReportSection:
    """RAG counts by outcome, with each action's direction of travel and the counts of each."""
    columns = ["Outcome", "Red", "Amber", "Green", "Completed", NOT_REPORTED]
    columns += [d.word for d in MOVES]
    rows = []
    for outcome in report.outcomes:
        counts, ways = report.rag_counts(outcome), report.directions(outcome)
        rows.append(_count_row(f"{outcome.number}. {outcome.title}", counts, ways))
    rows.append(_count_row("All outcomes", report.rag_counts(), report.directions()))
    compare = (
        f"the previous reporting date, {report.previous.day} {report.previous:%B %Y}"
        if report.previous
        else "nothing (this is the first report, so every action is new)"
    )
    return ReportSection(
        "rag",
        "RAG status by outcome, and direction of travel",
        30,
        landscape=True,  # ten columns: on a portrait page their words would break
        short_title="RAG by outcome",
        blocks=[
            Paragraph(
                f"Each improvement action's latest RAG as at {report.as_at.day} "
                f"{report.as_at:%B %Y}, and its direction of travel compared with {compare}: "
                "Better, Same, Worse, or New (not in the plan then, or not reported on then). "
                "An action with no update this period is counted as not reported, and has no "
                "direction."
            ),
            Table(columns, rows, widths=[28, 9, 10, 9, 13, 12, 9, 9, 9, 8]),
            Heading("Direction of travel of each action"),
            Table(
                ["No", "Action/task", "Was", "Now", "Direction"],
                [
                    [
                        Cell(a.code),
                        cells.action_words(a),
                        cells.rag_before_cell(a),
                        cells.rag_cell(a),
                        Cell(a.direction.word),
                    ]
                    for a in report.improvement
                ],
                widths=[8, 58, 15, 15, 14],
                key="direction",
            ),
        ],
    )


def _count_row(label: str, counts, ways) -> list[Cell]:
    return [
        Cell(label),
        Cell.of_count(counts.red),
        Cell.of_count(counts.amber),
        Cell.of_count(counts.green),
        Cell.of_count(counts.completed),
        Cell.of_count(counts.not_reported),
        *(Cell.of_count(ways[d]) for d in MOVES),
    ]


# The directions the counts show (not reported is the RAG counts' own column).
MOVES = [d for d in Direction if d is not Direction.NOT_REPORTED]


def exceptions(report: ReportData) -> ReportSection:
    """Every Red, Amber and overdue action: its lead, target date (and since when it is
    overdue), its RAG at the previous reporting date and now, its latest commentary, and what
    will bring it back on track."""
    flagged = [
        a
        for a in report.actions
        if (a.rag is not None and a.rag.value in "RA") or a.overdue_since is not None
    ]
    # In the summary paper (no plan tables) the exceptions carry the actions' full text.
    text = cells.action_text if report.contents == "summary" else cells.action_words
    order = {"R": 0, "A": 1}
    flagged.sort(key=lambda a: (order.get(a.rag.value if a.rag else "", 2), a.action.position))
    return ReportSection(
        "exceptions",
        "Exceptions: actions at Red or Amber, or overdue",
        40,
        landscape=True,  # eight columns: on a portrait page their words would break
        short_title="Exceptions",
        blocks=[
            Table(
                [
                    "No",
                    "Action/task",
                    "Strategic Lead",
                    "Target date",
                    "RAG before",
                    "RAG now",
                    "Latest commentary",
                    "What will bring it back on track",
                ],
                [
                    [
                        cells.number_cell(a),
                        text(a),
                        Cell(a.wording.lead_text),
                        cells.target_cell(a),
                        cells.rag_before_cell(a),
                        cells.rag_cell(a),
                        cells.commentary_cell(a),
                        Cell(a.update.back_on_track if a.update and not a.stale else ""),
                    ]
                    for a in flagged
                ],
                widths=[8, 32, 18, 16, 12, 12, 34, 28],
                key="exceptions",
                empty="No action is at Red or Amber, or overdue.",
            )
        ],
        in_summary=True,
    )


PLAN_COLUMNS = [
    "No",
    "Expected Impact",
    "Actions/Tasks",
    "Strategic Lead",
    "Target Timescale",
    "RAG",
    "Latest commentary",
]


def _plan_row(a: ActionAt) -> list[Cell]:
    return [
        Cell(a.code),
        Cell(a.wording.expected_impact),
        cells.action_text(a),
        Cell(a.wording.lead_text),
        cells.target_cell(a),
        cells.rag_cell(a),
        cells.commentary_cell(a),
    ]


def whole_plan(report: ReportData) -> ReportSection:
    """The plan as it prints it: the plan on a page (its summary, frame and priorities), the
    RAG legend as a table, then each outcome's statement whole (with its notes) and its
    actions, each with its latest commentary."""
    blocks: list = [*_plan_on_a_page(report), Heading("What each RAG status means", 3)]
    blocks.append(
        Table(
            ["RAG", "What it means in this plan"],
            [[Cell.of_rag(rag), Cell(meaning)] for rag, meaning in report.rag_legend.items()],
            widths=[20, 100],
        )
    )
    grouped = {outcome.id for outcome in report.outcomes}
    for group in [*report.groups, None]:
        outcomes = [
            o for o in report.outcomes if o.priority_group_id == (group.id if group else None)
        ]
        if not outcomes:
            continue
        if group is not None:
            blocks.append(Heading(f"Priority {group.position}: {group.title}"))
        for outcome in outcomes:
            blocks.append(Heading(f"Outcome {outcome.number} \u2013 {outcome.title}", 3))
            if outcome.commitment:
                blocks.append(Paragraph(outcome.commitment))
            if outcome.notes:
                blocks.extend(Paragraph(line) for line in outcome.notes.splitlines() if line)
            blocks.append(
                Table(
                    PLAN_COLUMNS,
                    [_plan_row(a) for a in report.in_outcome(outcome)],
                    widths=[6, 28, 44, 20, 16, 15, 40],
                    empty="No actions under this outcome.",
                )
            )
    loose = [a for a in report.improvement if a.action.outcome_id not in grouped]
    if loose:
        blocks.append(Heading("Actions not under an outcome"))
        blocks.append(Table(PLAN_COLUMNS, [_plan_row(a) for a in loose]))
    return ReportSection(
        "plan",
        report.plan.title,
        50,
        blocks,
        landscape=True,
        new_page=True,
        short_title="The plan",
    )


def _plan_on_a_page(report: ReportData) -> list:
    """The plan on a page, as the plan page shows it: the summary, the frame's sections and
    the priorities with their outcomes."""
    blocks: list = [Heading("Plan on a page")]
    if report.plan.summary:
        blocks.append(Paragraph(report.plan.summary))
    for section, items in report.frame.items():
        blocks.append(Heading(section.heading, 3))
        blocks.extend(
            Paragraph(item.text + (f": {item.detail}" if item.detail else "")) for item in items
        )
    if report.groups:
        blocks.append(Heading("Priorities for practice", 3))
        for group in report.groups:
            outcomes = [o for o in report.outcomes if o.priority_group_id == group.id]
            blocks.append(
                Paragraph(
                    f"{group.title}: " + "; ".join(f"{o.number}. {o.title}" for o in outcomes) + "."
                )
            )
    return blocks


def appendix_kpis(report: ReportData) -> ReportSection:
    """Appendix 1: each action's KPI measures, and the plan's evidence menu."""
    measured = [a for a in report.improvement if a.action.kpi_measures]
    blocks: list = [
        Table(
            ["No", "Actions/Tasks", "Key performance indicator measures"],
            [
                [
                    Cell(a.code),
                    cells.action_words(a),
                    Cell("\n".join(m.text for m in a.action.kpi_measures)),
                ]
                for a in measured
            ],
            widths=[8, 50, 60],
            empty="The plan lists no KPI measures.",
        )
    ]
    if report.evidence_menu:
        blocks.append(Heading("Evidence"))
        blocks.append(
            Table(
                ["Evidence", "How often"],
                [[Cell(e.text), Cell(e.frequency or "")] for e in report.evidence_menu],
                widths=[80, 20],
            )
        )
    return ReportSection(
        "appendix-1", "Appendix 1: KPI measures and evidence", 60, blocks, short_title="Appendix 1"
    )


def appendix_ongoing(report: ReportData) -> ReportSection:
    """Appendix 2: the ongoing/maintenance actions, with their RAG and latest commentary."""
    return ReportSection(
        "appendix-2",
        "Appendix 2: ongoing/maintenance actions",
        70,
        short_title="Appendix 2",
        blocks=[
            Table(
                [
                    "No",
                    "Ongoing/Maintenance \u2013 Actions/Tasks",
                    "Expected Impact",
                    "Timescale",
                    "RAG",
                    "Latest commentary",
                ],
                [
                    [
                        Cell(a.code),
                        cells.action_text(a),
                        Cell(a.wording.expected_impact),
                        Cell(a.wording.timescale),
                        cells.rag_cell(a),
                        cells.commentary_cell(a),
                    ]
                    for a in report.ongoing
                ],
                widths=[8, 42, 28, 16, 16, 38],
                empty="The plan has no ongoing/maintenance actions.",
            )
        ],
    )


def partnership_summary(report: ReportData) -> ReportSection:
    """A page for the Children, Young People and Families Partnership."""
    summary, counts, ways = report.summary, report.rag_counts(), report.directions()
    red = [a for a in report.improvement if a.rag is not None and a.rag.value == "R"]
    late = [a for a in report.improvement if a.overdue_since is not None]
    missing = report.not_received
    return ReportSection(
        "cypfp",
        "Summary for the Children, Young People and Families Partnership (CYPFP)",
        90,
        [
            Paragraph(
                f"{report.area_name} Child Protection Committee (CPC): {report.plan.title}, "
                f"progress as at {report.as_at.day} {report.as_at:%B %Y}."
            ),
            Paragraph(
                f"Of {summary.total} improvement actions, {summary.completed} are completed and "
                f"{ongoing_words(summary)} are ongoing; "
                f"{summary.added} were added after the plan was published."
            ),
            Paragraph(
                f"Updates not received for this period: {len(missing)}"
                + (": " + ", ".join(cells.number_cell(a).text for a in missing) if missing else "")
                + " (each counted as not reported)."
            ),
            Table(
                ["Red", "Amber", "Green", "Completed", NOT_REPORTED],
                [
                    [
                        Cell.of_count(counts.red),
                        Cell.of_count(counts.amber),
                        Cell.of_count(counts.green),
                        Cell.of_count(counts.completed),
                        Cell.of_count(counts.not_reported),
                    ]
                ],
                caption="Improvement actions by RAG status",
            ),
            Paragraph(
                f"Direction of travel {report.since_words}: "
                + ", ".join(f"{ways[d]} {d.word.lower()}" for d in Direction)
                + "."
            ),
            Paragraph(
                "Actions at Red: "
                + (
                    "; ".join(f"{a.code} {first_words(a.wording.text)}" for a in red)
                    if red
                    else "none"
                )
                + "."
            ),
            Paragraph(
                f"Overdue (past the target date and not completed): {len(late)}"
                + (
                    ": " + "; ".join(f"{a.code} (since {day_words(a.overdue_since)})" for a in late)
                    if late
                    else ""
                )
                + "."
            ),
        ],
        new_page=True,
        short_title="CYPFP summary",
        in_summary=True,
    )

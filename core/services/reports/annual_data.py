"""The parts of the record an annual report's data sections show, for one area and reporting
year, as at the year's end (or today, for a year not yet over): each a list of blocks
(headings, paragraphs, tables) the report's formats lay out. Counts only where the record is
sensitive (learning reviews); no names of people, no evidence links."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, false, func, null, select
from sqlalchemy.orm import Session

from core.enums import (
    Direction,
    KpiDirection,
    KpiFrequency,
    ProgressStatus,
    RecommendationSource,
    ReviewStage,
    ReviewState,
)
from core.hooks.registry import PluginRegistry
from core.hooks.report import Block, Cell, Chart, Heading, Paragraph, Table
from core.models import (
    Action,
    Area,
    KpiValue,
    LearningReview,
    LearningReviewStage,
    Plan,
    ProgressUpdate,
    QualityFramework,
    QualityIndicator,
    Recommendation,
    ReportingDate,
    SelfEvaluation,
    SelfEvaluationRating,
)
from core.services.kpis import kpi_compare
from core.services.kpis.kpi_words import figure_words
from core.services.kpis.kpis import area_kpis, latest_figures, tayside_kpis
from core.services.kpis.periods import period_words
from core.services.reports.national_table import national_blocks
from core.services.reports.report_data import report_data
from core.services.tric.rollup import tayside_rollup

MOVES = [d for d in Direction if d is not Direction.NOT_REPORTED]


@dataclass(frozen=True)
class Year:
    """A reporting year: its label ("2021-22"), first and last days, and the day its figures
    are as at (its last day, or today for a year not yet over)."""

    label: str
    starts_on: dt.date
    ends_on: dt.date
    as_at: dt.date

    def words(self, day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    @property
    def span(self) -> str:
        return f"{self.words(self.starts_on)} to {self.words(self.ends_on)}"


def plan_for(session: Session, area: Area, year: Year) -> Plan | None:
    """The area's plan in force at the year's end (the latest to have started by then)."""
    return session.scalars(
        select(Plan)
        .where(Plan.area_id == area.id, Plan.period_start <= year.as_at)
        .order_by(Plan.period_start.desc())
        .limit(1)
    ).first()


def blocks(
    session: Session, area, year: Year, keys: set[str], plugins: PluginRegistry
) -> dict[str, list[Block]]:
    """The data blocks ``keys`` (of ``core.hooks.annual.DATA_BLOCKS``) for the area's year, or
    for Tayside's (``area.id`` None: TRIC PG5's, across the real areas)."""
    if area.id is None:
        return {key: TAYSIDE_BUILDERS[key](session, plugins, year) for key in sorted(keys)}
    builders = {
        "progress": _progress,
        "kpis": lambda s, a, y: _kpis(s, a, y, plugins),
        "recommendations": _recommendations,
        "learning_reviews": _learning_reviews,
        "self_evaluation": _self_evaluation,
        "meetings": _meetings,
    }
    return {key: builders[key](session, area, year) for key in sorted(keys)}


def _progress(session: Session, area: Area, year: Year) -> list[Block]:
    plan = plan_for(session, area, year)
    if plan is None:
        return [Heading("The plan's progress", 2), Paragraph(f"{area.name} had no plan then.")]
    data = report_data(session, plan, as_at=year.as_at, since=year.starts_on - dt.timedelta(days=1))
    meetings = set(
        session.scalars(select(ReportingDate.reported_on).where(ReportingDate.plan_id == plan.id))
    )
    in_year = [
        row
        for row in data.timeline
        if year.starts_on <= row.day <= year.ends_on
        and (row.day in meetings or row.label == "Published")
    ]
    completed = sum(
        1
        for a in data.actions
        if a.update is not None
        and a.update.status is ProgressStatus.COMPLETED
        and year.starts_on <= a.update.reported_on <= year.as_at
    )
    added = sum(
        1
        for a in data.actions
        if a.action.added_on is not None and year.starts_on <= a.action.added_on <= year.as_at
    )
    reports = sum(1 for row in in_year if row.day in meetings)
    rows = [
        [
            Cell.of_date(row.day),
            Cell(row.label),
            Cell.of_count(row.summary.total),
            Cell.of_count(row.summary.completed, "-"),
            Cell.of_count(row.summary.added, "-"),
        ]
        for row in in_year
    ]
    moves = []
    for outcome in data.outcomes:
        counts, ways = data.rag_counts(outcome), data.directions(outcome)
        moves.append(_move_row(f"{outcome.number}. {outcome.title}", counts, ways))
    moves.append(_move_row("All outcomes", data.rag_counts(), data.directions()))
    return [
        Heading(f"The plan's progress: {plan.title}", 2),
        Paragraph(
            f"In the year {year.span}, {completed} improvement "
            f"{'action was' if completed == 1 else 'actions were'} completed and {added} "
            f"{'was' if added == 1 else 'were'} added to the plan; "
            f"{reports} Progress/Update "
            f"{'report was' if reports == 1 else 'reports were'} made to the committee."
        ),
        Table(
            ["Date", "Progress/Update Report", "Total actions", "Completed", "Added"],
            rows,
            caption="The Progress/Update rows of the year's reporting dates",
            widths=[14, 30, 14, 14, 14],
            key="annual-progress",
            empty="No Progress/Update report fell in this year.",
        ),
        Table(
            ["Outcome", "Red", "Amber", "Green", "Completed", "Not reported"],
            [row[:6] for row in moves],
            caption=f"RAG by outcome as at {year.words(year.as_at)}",
            widths=[50, 10, 12, 12, 16, 16],
            key="annual-rag",
        ),
        Table(
            ["Outcome", *(d.word for d in MOVES)],
            [[row[0], *row[6:]] for row in moves],
            caption="How each action's RAG moved since the year began",
            widths=[50, 14, 14, 14, 14],
            key="annual-rag-moves",
        ),
    ]


def _move_row(label: str, counts, ways: Counter) -> list[Cell]:
    return [
        Cell(label),
        Cell.of_count(counts.red),
        Cell.of_count(counts.amber),
        Cell.of_count(counts.green),
        Cell.of_count(counts.completed),
        Cell.of_count(counts.not_reported),
        *(Cell.of_count(ways[d]) for d in MOVES),
    ]


RATED = ("Rating", "Agreed on", "Self-evaluation")
BETTER = {
    KpiDirection.HIGHER: "Higher is better",
    KpiDirection.LOWER: "Lower is better",
    KpiDirection.NEITHER: "Neither",
}


def _kpis(session: Session, area: Area, year: Year, plugins: PluginRegistry) -> list[Block]:
    kpis = area_kpis(session, area)
    national = kpi_compare.national_at(session, plugins, area, year.as_at)
    return [
        *_kpi_table(session, kpis, [area], year, f"{area.name}'s KPIs"),
        *_kpi_charts(session, kpis, area, year),
        *([Heading("National measures compared", 2)] if any(n.period for n in national) else []),
        *national_blocks(national, area.name),
    ]


# A chart's points by the frequency a KPI is counted at: months or quarters of the year.
STEPS = {KpiFrequency.MONTHLY: 1, KpiFrequency.QUARTERLY: 3}


def _kpi_charts(session: Session, kpis: list, area: Area, year: Year) -> list[Block]:
    """For each monthly or quarterly KPI with figures in two years or more of the three, a
    chart of this year against the last two, month by month (or quarter by quarter). One
    query."""
    counted = [k for k in kpis if k.frequency in STEPS]
    first = year.starts_on.replace(year=year.starts_on.year - 2)
    values = session.execute(
        select(KpiValue.kpi_id, KpiValue.period_start, KpiValue.value)
        .where(
            KpiValue.kpi_id.in_([k.id for k in counted]),
            KpiValue.area_id == area.id,
            KpiValue.retired_at.is_(None),
            KpiValue.proposed.is_(False),
            KpiValue.period_start >= first,
            KpiValue.period_end <= year.as_at,
        )
        .order_by(KpiValue.period_start)
    ).all()
    labels = [year.label, _label_before(year.label, 1), _label_before(year.label, 2)]
    charts: list[Block] = []
    for kpi in counted:
        step = STEPS[kpi.frequency]
        points = 12 // step
        series: dict[str, list[float | None]] = {
            label: [None] * points for label in reversed(labels)
        }
        for kpi_id, start, value in values:
            if kpi_id != kpi.id:
                continue
            months = (start.year - first.year) * 12 + start.month - first.month
            which, position = divmod(months, 12)
            series[labels[2 - which]][position // step] = value
        series = {k: line for k, line in series.items() if any(v is not None for v in line)}
        if len(series) < 2:
            continue
        ticks = [
            f"{dt.date(2000, (year.starts_on.month - 1 + i * step) % 12 + 1, 1):%b}"
            for i in range(points)
        ]
        title = f"{kpi.name}: {labels[0]} against the two years before"
        charts.append(Chart(title, ticks, series, kpi.target_value))
    return charts


def _kpi_table(
    session: Session, kpis: list, areas: list[Area], year: Year, whose: str
) -> list[Block]:
    """Each KPI's latest figure in each of the three years to ``year`` for each of ``areas``
    (three queries)."""
    first = year.starts_on
    starts = [first, first.replace(year=first.year - 1), first.replace(year=first.year - 2)]
    ends = [year.as_at, starts[0] - dt.timedelta(days=1), starts[1] - dt.timedelta(days=1)]
    ids, area_ids = [k.id for k in kpis], [a.id for a in areas]
    figures = [latest_figures(session, ids, area_ids, end) for end in ends]
    rows = []
    for kpi in kpis:
        for area in areas:
            found = [f.get((kpi.id, area.id)) for f in figures]
            # A figure counts for a year only if its period ended in that year.
            shown = [
                figure_words(f.latest, kpi.unit) + f" ({period_words(f.latest.period, short=True)})"
                if f is not None and f.latest is not None and f.latest.period_end >= start
                else "No figure"
                for f, start in zip(found, starts, strict=True)
            ]
            target = (
                figure_words(kpi.target_value, kpi.unit) if kpi.target_value is not None else "None"
            )
            name = kpi.name if len(areas) == 1 else f"{kpi.name}: {area.name}"
            rows.append(
                [
                    Cell(name),
                    *(Cell(words) for words in shown),
                    Cell(target),
                    Cell(BETTER[kpi.direction]),
                ]
            )
    labels = [year.label, _label_before(year.label, 1), _label_before(year.label, 2)]
    return [
        Heading("KPIs year on year", 2),
        Paragraph(
            "Each KPI's latest figure in each year (the figure of the latest period that ended "
            "in that year), against its target."
        ),
        Table(
            ["KPI", *labels, "Target", "Which way is better"],
            rows,
            caption=f"{whose}: this year and the two before",
            widths=[34, 14, 14, 14, 10, 12],
            key="annual-kpis",
            empty="No KPI is defined.",
        ),
    ]


def _label_before(label: str, years: int) -> str:
    first = int(label[:4]) - years
    return f"{first}-{(first + 1) % 100:02d}"


def _recommendations(session: Session, area: Area, year: Year) -> list[Block]:
    return _recommendation_table(
        session,
        Recommendation.area_id == area.id,
        year,
        f"Recommendations to {area.name}'s committee",
    )


def _recommendation_table(session: Session, scope, year: Year, caption: str) -> list[Block]:
    opened_on = func.coalesce(Recommendation.accepted_on, func.date(Recommendation.created_at))
    in_year = lambda column: (column >= year.starts_on) & (column <= year.as_at)  # noqa: E731
    rows = session.execute(
        select(
            Recommendation.source_kind,
            func.count(case((in_year(opened_on), 1))),
            func.count(case((in_year(Recommendation.closed_on), 1))),
            func.count(
                case(
                    (
                        (opened_on <= year.as_at)
                        & (
                            Recommendation.closed_on.is_(None)
                            | (Recommendation.closed_on > year.as_at)
                        ),
                        1,
                    )
                )
            ),
        )
        .where(scope)
        .group_by(Recommendation.source_kind)
    ).all()
    found = {kind: (opened, closed, still) for kind, opened, closed, still in rows}
    table = [
        [Cell(kind.label), *(Cell.of_count(n) for n in found.get(kind, (0, 0, 0)))]
        for kind in RecommendationSource
    ]
    totals = [sum(v[i] for v in found.values()) for i in range(3)]
    table.append([Cell("All"), *(Cell.of_count(n) for n in totals)])
    return [
        Heading("Recommendations", 2),
        Table(
            [
                "Where they came from",
                "Accepted in the year",
                "Closed in the year",
                "Open at its end",
            ],
            table,
            caption=caption,
            widths=[34, 20, 20, 20],
            key="annual-recommendations",
        ),
    ]


def _learning_reviews(session: Session, area: Area, year: Year) -> list[Block]:
    return _review_counts(session, LearningReview.area_id == area.id, year)


def _review_counts(session: Session, scope, year: Year) -> list[Block]:
    rows = dict(
        session.execute(
            select(LearningReviewStage.stage, func.count())
            .join(LearningReview, LearningReview.id == LearningReviewStage.review_id)
            .where(
                scope,
                LearningReviewStage.done_on >= year.starts_on,
                LearningReviewStage.done_on <= year.as_at,
            )
            .group_by(LearningReviewStage.stage)
        ).all()
    )
    return [
        Heading("Learning reviews", 2),
        Paragraph("How many learning reviews reached each stage in the year (counts only)."),
        Table(
            ["Stage of the national guidance", "Reached in the year"],
            [[Cell(stage.label), Cell.of_count(rows.get(stage, 0))] for stage in ReviewStage],
            widths=[60, 20],
            key="annual-learning-reviews",
        ),
    ]


def _self_evaluation(session: Session, area: Area, year: Year) -> list[Block]:
    return _ratings_table(session, SelfEvaluation.area_id == area.id, year, with_area=False)


def _ratings_table(session: Session, scope, year: Year, *, with_area: bool) -> list[Block]:
    agreed = func.coalesce(SelfEvaluation.agreed_on, SelfEvaluation.done_on)
    rows = session.execute(
        select(
            QualityIndicator.number,
            QualityIndicator.title,
            SelfEvaluationRating.rating,
            QualityFramework.scale,
            agreed.label("day"),
            SelfEvaluation.title,
            Area.name,
        )
        .join(SelfEvaluation, SelfEvaluation.id == SelfEvaluationRating.self_evaluation_id)
        .join(Area, Area.id == SelfEvaluation.area_id)
        .join(QualityIndicator, QualityIndicator.id == SelfEvaluationRating.indicator_id)
        .join(QualityFramework, QualityFramework.id == SelfEvaluation.framework_id)
        .where(
            scope,
            SelfEvaluationRating.rating.is_not(None),
            agreed >= year.starts_on,
            agreed <= year.as_at,
        )
        .order_by(agreed, Area.name, QualityIndicator.position)
    ).all()
    table = []
    for number, title, rating, scale, day, activity, area_name in rows:
        label = next((p["label"] for p in scale if p["value"] == rating), "")
        table.append(
            [
                Cell(f"{number} {title}"),
                *([Cell(area_name)] if with_area else []),
                Cell(f"{rating} {label}".strip()),
                Cell.of_date(day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))),
                Cell(activity),
            ]
        )
    return [
        Heading("Self-evaluation", 2),
        Table(
            ["Quality indicator", *(["Area"] if with_area else []), *RATED],
            table,
            caption="The ratings "
            + ("each area's committee" if with_area else "the committee")
            + " agreed in the year (never averaged: each is a committee's judgement)",
            widths=[30, 14, 12, 12, 28] if with_area else [34, 14, 14, 30],
            key="annual-self-evaluation",
            empty="No rating was agreed in the year.",
        ),
    ]


def _meetings(session: Session, area: Area, year: Year) -> list[Block]:
    plan = plan_for(session, area, year)
    dates = []
    if plan is not None:
        dates = list(
            session.scalars(
                select(ReportingDate)
                .where(ReportingDate.plan_id == plan.id, ReportingDate.reported_on <= year.as_at)
                .order_by(ReportingDate.reported_on)
            )
        )
    held = [d for d in dates if d.reported_on >= year.starts_on]
    before = {d.id: dates[i - 1].reported_on if i else None for i, d in enumerate(dates)}
    # Each update in force is for the first of the year's reporting dates on or after it
    # (one query, even for a year with no reporting date).
    period = (
        case(
            *(
                (
                    (ProgressUpdate.reported_on <= d.reported_on)
                    & (ProgressUpdate.reported_on > (before[d.id] or dt.date.min)),
                    d.id,
                )
                for d in held
            ),
            else_=None,
        )
        if held
        # (Never true, and not a constant: PostgreSQL refuses to group by a constant.)
        else case((ProgressUpdate.id.is_(None), 0), else_=None)
    )
    deadline = case(*((period == d.id, d.deadline) for d in held), else_=None) if held else null()
    on_time = func.date(ProgressUpdate.created_at) <= deadline if held else false()
    found = session.execute(
        select(
            period.label("date_id"),
            func.count(func.distinct(ProgressUpdate.action_id)),
            func.count(func.distinct(case((on_time, ProgressUpdate.action_id)))),
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(
            Action.plan_id == (plan.id if plan else None),
            ProgressUpdate.retired_at.is_(None),
            ProgressUpdate.review != ReviewState.RETURNED,
            period.is_not(None),
        )
        .group_by(period)
    ).all()
    counts = {date_id: (total, timely) for date_id, total, timely in found}
    rows = [
        [
            Cell.of_date(d.reported_on),
            Cell.of_date(d.deadline),
            Cell.of_count(counts.get(d.id, (0, 0))[0]),
            Cell.of_count(counts.get(d.id, (0, 0))[1]),
            Cell.of_count(counts.get(d.id, (0, 0))[0] - counts.get(d.id, (0, 0))[1]),
        ]
        for d in held
    ]
    return [
        Heading("The committee's meetings", 2),
        Paragraph(
            f"The committee had {len(held)} progress reporting "
            f"{'date' if len(held) == 1 else 'dates'} in the year. For each, the actions with "
            "an update for its period, and how many of those were in by the date updates were "
            "due."
        ),
        Table(
            ["Reporting date", "Updates due by", "Actions updated", "On time", "Late"],
            rows,
            widths=[18, 18, 16, 14, 14],
            key="annual-meetings",
            empty="No reporting date fell in this year.",
        ),
    ]


# TRIC PG5's Tayside-wide report -------------------------------------------------------------


def _real_areas(session: Session) -> list[Area]:
    return list(
        session.scalars(
            select(Area).where(Area.is_synthetic.is_(False), Area.is_cpc()).order_by(Area.name)
        )
    )


def _tayside_progress(session: Session, plugins: PluginRegistry, year: Year) -> list[Block]:
    rollup = tayside_rollup(session, plugins, year.as_at)
    rows = []
    for row in rollup.rows:
        cells = []
        for area in rollup.areas:
            cell = row.cells.get(area.slug)
            if cell is None:
                words = "Does not apply" if area.slug in row.not_applicable else "Not adopted"
            elif cell.status is ProgressStatus.COMPLETED:
                words = "Completed"
            elif cell.rag is None or cell.stale:
                words = "Not reported"
            else:
                words = f"{cell.rag.value}: {cell.rag.word}"
            cells.append(Cell(words))
        status = row.tayside_status.label if row.tayside_status else "Not reported"
        rows.append([Cell(row.title), *cells, Cell(status)])
    return [
        Heading("The TRIC PG5 shared actions", 2),
        Paragraph(
            f"As at {year.words(year.as_at)}: {len(rollup.rows)} shared "
            f"{'action' if len(rollup.rows) == 1 else 'actions'}, each area's RAG on its "
            "adopted copy (in words), and the Tayside-wide status."
        ),
        Table(
            ["Shared action", *(a.name for a in rollup.areas), "Tayside"],
            rows,
            caption="The shared actions across Tayside",
            key="annual-tayside-progress",
            empty="No shared action.",
        ),
    ]


def _tayside_kpis(session: Session, _plugins: PluginRegistry, year: Year) -> list[Block]:
    return _kpi_table(
        session, tayside_kpis(session), _real_areas(session), year, "The Tayside-wide KPIs"
    )


def _tayside_recommendations(session: Session, _plugins: PluginRegistry, year: Year) -> list[Block]:
    return _recommendation_table(
        session, Recommendation.area_id.is_(None), year, "Tayside-wide recommendations"
    )


def _tayside_reviews(session: Session, _plugins: PluginRegistry, year: Year) -> list[Block]:
    real = select(Area.id).where(Area.is_synthetic.is_(False))
    return _review_counts(session, LearningReview.area_id.in_(real), year)


def _tayside_ratings(session: Session, _plugins: PluginRegistry, year: Year) -> list[Block]:
    real = select(Area.id).where(Area.is_synthetic.is_(False))
    return _ratings_table(session, SelfEvaluation.area_id.in_(real), year, with_area=True)


def _tayside_meetings(session: Session, _plugins: PluginRegistry, year: Year) -> list[Block]:
    held = list(
        session.scalars(
            select(ReportingDate)
            .where(
                ReportingDate.plan_id.is_(None),
                ReportingDate.reported_on >= year.starts_on,
                ReportingDate.reported_on <= year.as_at,
            )
            .order_by(ReportingDate.reported_on)
        )
    )
    return [
        Heading("TRIC PG5's reporting dates", 2),
        Table(
            ["Reporting date", "Updates due by"],
            [[Cell.of_date(d.reported_on), Cell.of_date(d.deadline)] for d in held],
            widths=[20, 20],
            key="annual-meetings",
            empty="No reporting date fell in this year.",
        ),
    ]


TAYSIDE_BUILDERS = {
    "progress": _tayside_progress,
    "kpis": _tayside_kpis,
    "recommendations": _tayside_recommendations,
    "learning_reviews": _tayside_reviews,
    "self_evaluation": _tayside_ratings,
    "meetings": _tayside_meetings,
}

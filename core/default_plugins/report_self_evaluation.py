"""The committee report's "Self-evaluation calendar" section: the area's self-evaluation
activities over the plan's period by quarter, what was done, what slipped, and the ratings
agreed, as at the report's date (section order 75, after the appendices)."""

from __future__ import annotations

from core.hooks.report import Cell, Paragraph, ReportSection, Table
from core.hooks.report_data import SelfEvaluationAt
from core.hooks.specs import hookimpl
from core.services.reports.report_data import ReportData


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _quarter(item: SelfEvaluationAt) -> str:
    return f"{item.quarter}: {_day(item.quarter_start)} to {_day(item.quarter_end)}"


def _indicators(item: SelfEvaluationAt) -> str:
    rated = dict(item.ratings)
    return "; ".join(
        f"{r.indicator.number}: {rated.get(r.indicator.number, 'not rated')}"
        for r in sorted(item.activity.ratings, key=lambda r: r.indicator.position)
    )


def _count(listed: list[SelfEvaluationAt], stands: str) -> int:
    return sum(1 for item in listed if item.stands == stands)


@hookimpl
def report_sections(report: ReportData) -> list[ReportSection]:
    listed = report.self_evaluations
    done, later = _count(listed, "Done"), _count(listed, "Done later")
    slipped, planned = _count(listed, "Slipped"), _count(listed, "Planned")
    return [
        ReportSection(
            "self-evaluation",
            "Self-evaluation calendar",
            75,
            blocks=[
                Paragraph(
                    f"As at {_day(report.as_at)}, {len(listed)} self-evaluation "
                    f"{'activity is' if len(listed) == 1 else 'activities are'} on the "
                    f"calendar for the plan's period: {done} done in the quarter planned, "
                    f"{later} done later than planned, {slipped} slipped and not done, "
                    f"{planned} still to come. Each rating is as the committee agreed it, on "
                    "its quality framework's scale."
                ),
                Table(
                    [
                        "Quarter",
                        "Self-evaluation",
                        "Indicators and ratings",
                        "Done",
                        "Where it stands",
                    ],
                    [
                        [
                            Cell(_quarter(item)),
                            Cell(item.activity.title),
                            Cell(_indicators(item)),
                            Cell(_day(item.done_on) or "Not yet"),
                            Cell(item.stands),
                        ]
                        for item in listed
                    ],
                    widths=[18, 30, 26, 12, 14],
                    key="self-evaluation",
                    empty="No self-evaluation is on the calendar for this plan's period.",
                ),
            ],
        )
    ]

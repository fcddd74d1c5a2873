"""The committee report's "Recommendations" section: every recommendation not closed, where it
comes from, and the plan's actions answering it with their RAG (section order 45, between
the exceptions and the plan)."""

from __future__ import annotations

from core.hooks.report import Cell, Paragraph, ReportSection, Table
from core.hooks.report_data import RecommendationAt
from core.hooks.specs import hookimpl
from core.services.reports import cells
from core.services.reports.report_data import ReportData


def _source(item: RecommendationAt) -> Cell:
    r = item.recommendation
    words = r.source_kind.label
    if r.source_reference:
        words += f": {r.source_reference}"
    if r.source_date:
        words += f" ({r.source_date.day} {r.source_date:%B %Y})"
    return Cell(words)


def _actions(item: RecommendationAt) -> Cell:
    """Each answering action's number with its RAG in words (never colour alone)."""
    parts = [f"{a.code}: {cells.rag_cell(a).text}" for a in item.actions]
    if item.elsewhere:
        parts.append(
            f"and {item.elsewhere} action{'s' if item.elsewhere != 1 else ''} of an earlier plan"
        )
    return Cell("; ".join(parts) if parts else "No action answers it yet.")


@hookimpl
def report_sections(report: ReportData) -> list[ReportSection]:
    listed = report.recommendations
    without = sum(1 for item in listed if not item.actions and not item.elsewhere)
    return [
        ReportSection(
            "recommendations",
            "Recommendations and the actions answering them",
            45,
            short_title="Recommendations",
            blocks=[
                Paragraph(
                    f"{len(listed)} recommendation{'s' if len(listed) != 1 else ''} from "
                    "learning reviews, inspections, self-evaluation and audits "
                    f"{'are' if len(listed) != 1 else 'is'} not closed; {without} "
                    f"{'have' if without != 1 else 'has'} no action answering "
                    f"{'them' if without != 1 else 'it'}. Each action's RAG is as at "
                    f"{report.as_at.day} {report.as_at:%B %Y}; where each recommendation "
                    "stands is as it is recorded now."
                ),
                Table(
                    [
                        "Ref",
                        "Recommendation",
                        "Where it comes from",
                        "State",
                        "Actions answering it",
                    ],
                    [
                        [
                            Cell(item.recommendation.reference),
                            Cell(item.recommendation.text),
                            _source(item),
                            Cell(item.recommendation.state.label),
                            _actions(item),
                        ]
                        for item in listed
                    ],
                    widths=[10, 40, 22, 10, 30],
                    key="recommendations",
                    empty="No recommendation is open.",
                ),
            ],
        )
    ]

"""The committee report's list of RAGs chosen greener than the platform suggested, each with
the suggestion, its reason and the author's reason (section order 42, after the exceptions)."""

from __future__ import annotations

from core.hooks.report import Cell, Paragraph, ReportSection, Table
from core.hooks.specs import hookimpl
from core.services.reports.report_data import ReportData


@hookimpl
def report_sections(report: ReportData) -> list[ReportSection]:
    greener = [a for a in report.actions if a.update is not None and a.update.chose_greener]
    return [
        ReportSection(
            "greener-than-suggested",
            "RAGs greener than the platform suggested",
            42,
            short_title="Greener than suggested",
            blocks=[
                Paragraph(
                    "The platform suggests a RAG for each update from the target date, the "
                    "status, the time since the last update and any linked KPI off target. "
                    "Where the author chose a greener RAG, they said why."
                ),
                Table(
                    ["No", "RAG chosen", "RAG suggested", "Why it was suggested", "Why greener"],
                    [
                        [
                            Cell(a.code),
                            Cell.of_rag(a.update.rag),
                            Cell.of_rag(a.update.suggested_rag),
                            Cell(a.update.suggestion_reason),
                            Cell(a.update.rag_reason),
                        ]
                        for a in greener
                    ],
                    widths=[8, 14, 14, 38, 42],
                    key="greener",
                    empty="No RAG was chosen greener than suggested.",
                ),
            ],
        )
    ]

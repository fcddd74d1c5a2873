"""The committee report's KPI section, as a plugin: each of the area's KPIs with its figure as
at the report's date, the change since the period before, whether that is the right way, and
its target; and the national measures compared with Tayside and Scotland."""

from __future__ import annotations

from core.hooks.report import Cell, Paragraph, ReportSection, Table
from core.hooks.specs import hookimpl
from core.services.kpis.kpi_words import MOVING_WORDS, change_words, figure_words
from core.services.kpis.periods import period_words
from core.services.reports.national_table import national_blocks
from core.services.reports.report_data import ReportData


@hookimpl
def report_sections(report: ReportData) -> list[ReportSection]:
    with_figures = [k for k in report.kpis if k.figures.latest is not None]
    rows = []
    for item in with_figures:
        kpi, latest = item.kpi, item.figures.latest
        target = (
            figure_words(kpi.target_value, kpi.unit) if kpi.target_value is not None else "None set"
        )
        rows.append(
            [
                Cell(
                    kpi.name
                    + (
                        ""
                        if kpi.area_id
                        else " (national measure)"
                        if kpi.national
                        else " (Tayside-wide)"
                    )
                ),
                Cell(
                    f"{figure_words(latest, kpi.unit)} "
                    f"({period_words(latest.period, frequency=kpi.frequency)})"
                ),
                Cell(
                    " ".join(
                        part
                        for part in (
                            change_words(item.figures.change, kpi.unit),
                            MOVING_WORDS[item.moving],
                        )
                        if part
                    )
                ),
                Cell(target + (": off target" if item.off_target else "")),
            ]
        )
    missing = len(report.kpis) - len(with_figures)
    blocks: list = [
        Paragraph(
            f"How we know the plan is making a difference: {report.area_name}'s KPIs with a "
            f"figure for a period ended by {report.as_at:%d/%m/%Y}."
            + (
                f" {missing} KPI{' has' if missing == 1 else 's have'} no figure yet."
                if missing
                else ""
            )
        ),
        Table(
            ["KPI", "Latest figure", "Change since the period before", "Target"],
            rows,
            widths=[50, 25, 25, 20],
            key="kpis",
            empty="No KPI has a figure yet.",
        ),
        *national_blocks(report.national, report.area_name),
    ]
    return [
        ReportSection(
            "kpis",
            "Key performance indicators (KPIs)",
            45,
            blocks,
            short_title="KPIs",
            in_summary=True,
        )
    ]

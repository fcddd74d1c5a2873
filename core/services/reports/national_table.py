"""The national measures compared, as a report shows them: each measure's latest statistical
year, with the area's, Tayside's and Scotland's figures (the committee report's KPI section
and the annual report's management information use the same table)."""

from __future__ import annotations

from core.enums import KpiUnit
from core.hooks.report import Block, Cell, Paragraph, Table
from core.services.kpis.kpi_compare import NationalAt, Point
from core.services.kpis.kpi_words import figure_words


def point_words(point: Point, unit: KpiUnit | None) -> str:
    """A compared figure in words: the figure, "Incomplete: no figure for ...", or why not."""
    if point.record is not None:
        return figure_words(point.record, unit)
    if point.value is not None:
        return figure_words(point.value, unit)
    if point.missing:
        return "Incomplete: no figure for " + ", ".join(point.missing)
    return f"Not combined: {point.note}" if point.note else "No figure"


def national_blocks(national: list[NationalAt], area_name: str) -> list[Block]:
    """The national measures compared, for a report: one row each, its latest statistical
    year, the area's, Tayside's and each reference series' figure."""
    shown = [n for n in national if n.period is not None]
    if not shown:
        return []
    references = [name for name, _point in shown[0].references]
    return [
        Paragraph(
            f"The national measures (the Scottish Government's child protection statistics, "
            f"each year 1 August to 31 July): {area_name} beside Tayside (worked out from every "
            "area's counts and populations, not an average of rates) and "
            + (" and ".join(references) or "the national figure")
            + ", for each measure's latest year with a figure."
        ),
        Table(
            ["National measure", "Year", area_name, "Tayside", *references],
            [
                [
                    Cell(n.kpi.name),
                    Cell(n.period.label),
                    Cell(point_words(n.area, n.kpi.unit)),
                    Cell(point_words(n.tayside, n.kpi.unit)),
                    *(Cell(point_words(point, n.kpi.unit)) for _name, point in n.references),
                ]
                for n in shown
            ],
            widths=[36, 10, 18, 18, *([18] * len(references))],
            key="national",
            caption="National measures compared",
        ),
    ]

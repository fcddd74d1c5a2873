"""A plan's committee progress report: the sections every plugin contributes through the
``report_sections`` hook, in order, over the data of ``core.services.reports.report_data``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from core.hooks.registry import PluginProblem, PluginRegistry
from core.hooks.report import ReportSection
from core.models import Plan
from core.services.kpis import kpi_compare
from core.services.reports.report_data import ReportData, report_data


@dataclass(frozen=True)
class Report:
    data: ReportData
    sections: list[ReportSection]
    # Plugins whose sections could not be used: skipped, and named on the report page.
    problems: list[PluginProblem] = field(default_factory=list)

    @property
    def title(self) -> str:
        day = self.data.as_at
        paper = "summary progress report" if self.contents == "summary" else "progress report"
        return f"{self.data.area_name}: {self.data.plan.title}, {paper} as at {day.day} {day:%B %Y}"

    @property
    def contents(self) -> str:
        return self.data.contents

    @property
    def plan(self) -> Plan:
        return self.data.plan

    @property
    def as_at(self) -> dt.date:
        return self.data.as_at

    def section(self, key: str) -> ReportSection:
        return next(section for section in self.sections if section.key == key)


CONTENTS = {
    "full": "Full paper: all of it",
    "summary": "Summary paper: what changed, updates not received, exceptions, the "
    "Progress/Update table, KPIs and the CYPFP page",
}


def build_report(
    session: Session,
    plugins: PluginRegistry,
    plan: Plan,
    as_at: dt.date | None = None,
    contents: str = "full",
) -> Report:
    """The report of ``plan`` as at ``as_at`` (default: as ``report_data`` chooses): the full
    paper, or with ``contents="summary"`` only the sections marked ``in_summary``."""
    if contents not in CONTENTS:
        raise ValueError(f"contents must be one of {', '.join(CONTENTS)}, not {contents!r}")
    data = report_data(session, plan, as_at)
    data = replace(
        data,
        contents=contents,
        national=kpi_compare.national_at(session, plugins, plan.area, data.as_at),
    )
    problems: list[PluginProblem] = []
    sections: list[ReportSection] = []
    for name, answer in plugins.call_each("report_sections", problems, report=data):
        try:
            found = list(answer)
        except TypeError:
            found = [answer]
        bad = [item for item in found if not isinstance(item, ReportSection)]
        if bad:
            problems.append(
                PluginProblem(
                    name,
                    f"hook report_sections answered {bad[0]!r}, which is not a ReportSection",
                )
            )
            continue
        sections.extend(found)
    if contents == "summary":
        sections = [section for section in sections if section.in_summary]
    sections.sort(key=lambda section: section.order)
    return Report(data, sections, problems)

"""What the ``report_sections`` hook receives: the report's data as at its date
(``ReportData``, each action as ``ActionAt``, the Progress/Update rows, the KPIs), and the
rules these types answer by (reported this period, the direction of travel, a KPI moving the
right way). Plain types over the models; they import no service, which builds them
(``core.services.reports.report_data``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from core.enums import ActionKind, Direction, FrameSection, KpiDirection, ProgressStatus, Rag
from core.models import (
    Action,
    ActionChange,
    EvidenceSource,
    FrameItem,
    Kpi,
    KpiValue,
    NotApplicable,
    Outcome,
    Plan,
    PriorityGroup,
    ProgressUpdate,
    Recommendation,
    ReportingDate,
    SelfEvaluation,
)


def is_completed(update: ProgressUpdate | None) -> bool:
    return update is not None and update.status is ProgressStatus.COMPLETED


def reported_this_period(update: object | None, since: dt.date | None) -> bool:
    """Whether an action's latest update (anything with a ``status`` and ``reported_on``)
    speaks for the period after ``since``, its plan's reporting date before the date shown.
    An update reported on or before ``since`` is last period's: the action is "Not reported
    this period", and counts as not reported (a completed action needs no more updates)."""
    if update is None:
        return False
    if since is None or is_completed(update):
        return True
    return update.reported_on > since  # type: ignore[attr-defined]


def is_stale(update: object | None, since: dt.date | None) -> bool:
    """An update in force that is last period's (see ``reported_this_period``)."""
    return update is not None and not reported_this_period(update, since)


# A completed action is as good as it gets; a RAG ranks Red 0, Amber 1, Green 2.
COMPLETED_RANK = 3


def rank(rag: Rag | None, status: ProgressStatus | None) -> int | None:
    if status is ProgressStatus.COMPLETED:
        return COMPLETED_RANK
    return rag.rank if rag is not None else None


def direction(
    now: tuple[Rag | None, ProgressStatus | None] | None,
    then: tuple[Rag | None, ProgressStatus | None] | None,
) -> Direction | None:
    """Better, same or worse than at the previous reporting date; new where there was no RAG
    then; None where there is no RAG (nor completion) now."""
    current = rank(*now) if now else None
    if current is None:
        return None
    before = rank(*then) if then else None
    if before is None:
        return Direction.NEW
    if current == before:
        return Direction.SAME
    return Direction.BETTER if current > before else Direction.WORSE


@dataclass(frozen=True)
class Wording:
    """An action's wording on a date."""

    text: str
    expected_impact: str
    leads: list[str]
    target_date: dt.date | None
    timescale: str

    @property
    def lead_text(self) -> str:
        """The strategic leads as the plan prints a cell of several: "A and B", "A, B and C"."""
        return list_words(self.leads)


def list_words(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class PlanSummary:
    """The committee's Progress/Update Report row: improvement actions only, as in the plans
    (ongoing/maintenance actions are listed apart and counted in ``maintenance``)."""

    as_at: dt.date
    total: int
    completed: int
    added: int
    ongoing: int
    by_year: dict[int, int]
    maintenance: int

    def as_json(self) -> dict[str, object]:
        return {
            "as_at": self.as_at.isoformat(),
            "total": self.total,
            "completed": self.completed,
            "added": self.added,
            "ongoing": self.ongoing,
            "by_year": {str(year): count for year, count in self.by_year.items()},
            "maintenance_actions": self.maintenance,
        }


@dataclass(frozen=True)
class RagCounts:
    """Actions by their latest RAG. A completed action reported without a RAG counts as
    ``completed``; ``not_reported`` is every other action with no RAG, or with no update for
    the period (its latest is from before ``since``, the previous reporting date)."""

    red: int = 0
    amber: int = 0
    green: int = 0
    completed: int = 0
    not_reported: int = 0

    @classmethod
    def of(cls, updates: list, since: dt.date | None = None) -> RagCounts:
        """Counted from each action's latest update (anything with ``status``, ``rag`` and
        ``reported_on``, or ``None``)."""
        counts = Counter(
            None
            if is_stale(u, since)
            else (u.rag if u is not None and u.rag else ("completed" if is_completed(u) else None))
            for u in updates
        )
        return cls(
            red=counts[Rag.RED],
            amber=counts[Rag.AMBER],
            green=counts[Rag.GREEN],
            completed=counts["completed"],
            not_reported=counts[None],
        )


@dataclass(frozen=True)
class Latest:
    """An area's latest figure for a KPI and the one before it (by period)."""

    latest: KpiValue | None
    previous: KpiValue | None

    @property
    def change(self) -> float | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest.value - self.previous.value


def moving(kpi: Kpi, latest: Latest) -> str | None:
    """Whether the latest figure moved the right way: "better", "worse" or "same"; None when
    there is no earlier figure or the KPI has no better direction."""
    change = latest.change
    if change is None or kpi.direction is KpiDirection.NEITHER:
        return None
    if change == 0:
        return "same"
    up = change > 0
    return "better" if up == (kpi.direction is KpiDirection.HIGHER) else "worse"


def off_target(kpi: Kpi, record: KpiValue | None) -> bool:
    """A figure on the wrong side of the KPI's target (for a KPI with a target and a better
    direction)."""
    if record is None or kpi.target_value is None:
        return False
    if kpi.direction is KpiDirection.HIGHER:
        return record.value < kpi.target_value
    if kpi.direction is KpiDirection.LOWER:
        return record.value > kpi.target_value
    return False


def _completed(state) -> bool:
    return state is not None and state.status is ProgressStatus.COMPLETED


@dataclass(frozen=True)
class ActionAt:
    """One action of the plan as it stood on the report's date, and on the previous one."""

    action: Action
    wording: Wording
    # The latest update in force reported on or before the date (with its commentary).
    update: ProgressUpdate | None
    # The latest one as at the previous reporting date (status, rag, reported_on).
    before: object | None
    in_plan_before: bool
    overdue: bool
    overdue_before: bool
    # The day it became overdue (the day after its target date as worded then), if it is.
    overdue_since: dt.date | None = None
    # The plan's first report: there is no earlier reporting date to compare with.
    first_report: bool = False
    # The reporting date before the report's (where this period begins), and the one before
    # that (where the previous period began): an update from on or before it is the period
    # before's, and the action is "Not reported this period".
    period_since: dt.date | None = None
    before_since: dt.date | None = None

    @property
    def code(self) -> str:
        return self.action.code

    @property
    def stale(self) -> bool:
        """Not reported this period: its latest update is last period's (``update`` holds it)."""
        return is_stale(self.update, self.period_since)

    @property
    def reported(self) -> bool:
        """Reported this period (or completed)."""
        return reported_this_period(self.update, self.period_since)

    @property
    def stale_before(self) -> bool:
        """Not reported in the period of the previous reporting date."""
        return is_stale(self.before, self.before_since)

    @property
    def rag(self) -> Rag | None:
        """The RAG this period (``None`` where it is not reported this period)."""
        return self.update.rag if self.update and not self.stale else None

    @property
    def completed(self) -> bool:
        return _completed(self.update)

    @property
    def direction(self) -> Direction:
        if self.stale or (self.update is None and not self.completed):
            return Direction.NOT_REPORTED
        if not self.in_plan_before:
            return Direction.NEW
        now = (self.update.rag, self.update.status) if self.update else None
        then = (self.before.rag, self.before.status) if self.before else None
        # No RAG (nor completion) now: the report calls that unchanged.
        return direction(now, then) or Direction.SAME


@dataclass(frozen=True)
class TimelineRow:
    """A row of the plan's Progress/Update Report table."""

    day: dt.date
    label: str
    summary: PlanSummary


@dataclass(frozen=True)
class RecommendationAt:
    """A recommendation not closed, with the plan's actions answering it as at the report's
    date; ``elsewhere`` counts the actions of other plans (an earlier plan's) answering it."""

    recommendation: Recommendation
    actions: list[ActionAt]
    elsewhere: int = 0


@dataclass(frozen=True)
class SelfEvaluationAt:
    """A self-evaluation on the plan's calendar as the report's date saw it: the quarter of
    the plan's period it was planned in, where it stood ("Done", "Done later", "Slipped" or
    "Planned"), and the ratings agreed by then (indicator number and rating in words)."""

    activity: SelfEvaluation
    quarter: int
    quarter_start: dt.date
    quarter_end: dt.date
    stands: str
    done_on: dt.date | None
    ratings: list[tuple[str, str]]


@dataclass(frozen=True)
class ReportData:
    """A plan's report as at ``as_at``, with the previous reporting date to compare with."""

    plan: Plan
    as_at: dt.date
    reporting_date: ReportingDate | None
    previous: dt.date | None
    actions: list[ActionAt]
    groups: list[PriorityGroup]
    outcomes: list[Outcome]
    timeline: list[TimelineRow]
    wording_changes: list[ActionChange]
    not_applicable: list[NotApplicable]
    rag_legend: dict[Rag, str]
    evidence_menu: list[EvidenceSource]
    kpis: list[KpiAt]
    # The plan on a page: its national and Tayside frame, by section.
    frame: dict[FrameSection, list[FrameItem]] = field(default_factory=dict)
    # Which paper: "full" (all of it) or "summary" (``ReportSection.in_summary`` only).
    contents: str = "full"
    # The area's recommendations not closed (recorded by ``as_at``), and the Tayside-wide ones
    # the plan's actions answer.
    recommendations: list[RecommendationAt] = field(default_factory=list)
    # The area's self-evaluation calendar over the plan's period, as at ``as_at``.
    self_evaluations: list[SelfEvaluationAt] = field(default_factory=list)
    # The national measures as at ``as_at``: the area's, Tayside's and Scotland's figure for
    # each one's latest statistical year (``core.services.kpis.kpi_compare.NationalAt``).
    national: list = field(default_factory=list)

    @property
    def area_name(self) -> str:
        return self.plan.area.name

    @property
    def improvement(self) -> list[ActionAt]:
        return [a for a in self.actions if a.action.kind is ActionKind.IMPROVEMENT]

    @property
    def ongoing(self) -> list[ActionAt]:
        return [a for a in self.actions if a.action.kind is ActionKind.ONGOING]

    @property
    def summary(self) -> PlanSummary:
        return self.timeline[-1].summary

    def in_outcome(self, outcome: Outcome) -> list[ActionAt]:
        return [a for a in self.improvement if a.action.outcome_id == outcome.id]

    def rag_counts(self, outcome: Outcome | None = None) -> RagCounts:
        chosen = self.in_outcome(outcome) if outcome else self.improvement
        return RagCounts.of([a.update for a in chosen], self.previous)

    @property
    def not_received(self) -> list[ActionAt]:
        """The actions with no update for this period (not completed): improvement actions
        first, in plan order, as the missing-updates page lists them."""
        return [a for a in self.improvement + self.ongoing if not a.reported]

    def directions(self, outcome: Outcome | None = None) -> Counter[Direction]:
        chosen = self.in_outcome(outcome) if outcome else self.improvement
        return Counter(a.direction for a in chosen)

    @property
    def since_words(self) -> str:
        """How the report names the period it looks back over."""
        if self.previous is None:
            return "since the plan was published"
        return f"since the last report, {self.previous.day} {self.previous:%B %Y}"


@dataclass(frozen=True)
class KpiAt:
    """One of the area's KPIs as at the report's date: the figure of the latest period ended
    by then, the one before it, and whether it moved the right way and meets its target."""

    kpi: Kpi
    figures: Latest

    @property
    def moving(self) -> str | None:
        return moving(self.kpi, self.figures)

    @property
    def off_target(self) -> bool:
        return off_target(self.kpi, self.figures.latest)

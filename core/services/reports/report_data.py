"""Everything a plan's committee progress report says, as things stood on a date: read from
the history in a fixed number of queries, then handed to the ``report_sections`` hook."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.enums import ActionKind, Direction, FrameSection, ProgressStatus, Rag
from core.models import (
    Action,
    ActionChange,
    EvidenceSource,
    FrameItem,
    Kpi,
    NotApplicable,
    Outcome,
    Plan,
    PriorityGroup,
    ProgressUpdate,
    ReportingDate,
)
from core.services.kpis.kpis import Latest, area_kpis, latest_figures, moving, off_target
from core.services.plans.document import evidence_menu, rag_legend
from core.services.plans.summary import PlanSummary, RagCounts, load_actions, summarise
from core.services.plans.wording import Wording, end_of, wording_on_days
from core.services.progress import reporting, travel
from core.services.progress.progress import (
    is_stale,
    latest_updates,
    overdue_since,
    reported_this_period,
    states_on_days,
)


def _completed(state) -> bool:
    return state is not None and state.status is ProgressStatus.COMPLETED


def _overdue(wording: Wording, state, day: dt.date) -> bool:
    return overdue_since(wording.target_date, state, day) is not None


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
        return travel.direction(now, then) or Direction.SAME


@dataclass(frozen=True)
class TimelineRow:
    """A row of the plan's Progress/Update Report table."""

    day: dt.date
    label: str
    summary: PlanSummary


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


def report_data(
    session: Session, plan: Plan, as_at: dt.date | None = None, since: dt.date | None = None
) -> ReportData:
    """The plan as it stood on ``as_at`` (default: its latest reporting date on or before
    today, else the plan's end for an ended plan, else today), compared with ``since``
    (default: the reporting date before ``as_at``). Updates count when reported on or before
    a date and in force; actions and wording are those of that date. A fixed number of
    queries, whatever the plan's size or its number of reporting dates."""
    dates = reporting.reporting_dates(session, plan)
    if as_at is None:
        as_at = reporting.default_as_at(session, plan).day
    earlier = [d.reported_on for d in dates if d.reported_on < as_at]
    previous = since if since is not None and since < as_at else (earlier[-1] if earlier else None)
    if previous is not None and previous not in earlier:
        earlier = sorted([*earlier, previous])
    # Where the previous period began: the reporting date before ``previous``.
    before_previous = [d for d in earlier if previous is not None and d < previous]
    this_meeting = next((d for d in dates if d.reported_on == as_at), None)
    every_action = load_actions(session, [plan.id])
    actions = [a for a in every_action if a.in_plan(as_at)]
    published = plan.published_on or plan.period_start
    days = [d for d in [published, *earlier, as_at] if d <= as_at]
    states = states_on_days(session, Action.plan_id == plan.id, days)
    latest = latest_updates(session, Action.plan_id == plan.id, as_at=as_at)
    worded = wording_on_days(session, actions, [as_at, previous or as_at])
    wording = worded[as_at]
    worded_before = worded[previous or as_at]
    before = states.get(previous, {}) if previous else {}
    rows = [
        ActionAt(
            action=action,
            wording=wording[action.id],
            update=latest.get(action.id),
            before=before.get(action.id),
            in_plan_before=previous is not None and action.in_plan(previous),
            overdue=_overdue(wording[action.id], latest.get(action.id), as_at),
            overdue_since=overdue_since(
                wording[action.id].target_date, latest.get(action.id), as_at
            ),
            first_report=previous is None,
            period_since=previous,
            before_since=before_previous[-1] if before_previous else None,
            overdue_before=previous is not None
            and action.in_plan(previous)
            and _overdue(worded_before[action.id], before.get(action.id), previous),
        )
        for action in actions
    ]
    timeline = [
        TimelineRow(
            day,
            "Published" if day == published else "Progress/Update Report",
            summarise(
                plan,
                [a for a in every_action if a.in_plan(day)],
                states.get(day, {}),
                day,
                lambda a: wording[a.id].target_date if a.id in wording else a.target_date,
            ),
        )
        for day in sorted(set(days))
    ]
    return ReportData(
        plan=plan,
        as_at=as_at,
        reporting_date=this_meeting,
        previous=previous,
        actions=rows,
        groups=list(
            session.scalars(
                select(PriorityGroup)
                .where(PriorityGroup.plan_id == plan.id)
                .order_by(PriorityGroup.position)
            )
        ),
        outcomes=list(
            session.scalars(
                select(Outcome).where(Outcome.plan_id == plan.id).order_by(Outcome.number)
            )
        ),
        timeline=timeline,
        wording_changes=_wording_changes(session, plan, previous, as_at),
        not_applicable=list(
            session.scalars(
                select(NotApplicable)
                .where(
                    NotApplicable.area_id == plan.area_id,
                    NotApplicable.recorded_on <= as_at,
                    NotApplicable.recorded_on > (previous or dt.date.min),
                )
                .options(joinedload(NotApplicable.shared_action))
                .order_by(NotApplicable.recorded_on, NotApplicable.id)
            )
        ),
        rag_legend=rag_legend(session, plan),
        evidence_menu=evidence_menu(session, plan),
        kpis=kpis_at(session, plan, as_at),
        frame=_frame(session, plan),
    )


def _frame(session: Session, plan: Plan) -> dict[FrameSection, list[FrameItem]]:
    found: dict[FrameSection, list[FrameItem]] = {}
    for item in session.scalars(
        select(FrameItem).where(FrameItem.plan_id == plan.id).order_by(FrameItem.position)
    ):
        found.setdefault(item.section, []).append(item)
    return {section: found[section] for section in FrameSection if section in found}


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


def kpis_at(session: Session, plan: Plan, as_at: dt.date) -> list[KpiAt]:
    """The area's KPIs (its own and the Tayside-wide ones) with their figures as at ``as_at``:
    two queries."""
    listed = area_kpis(session, plan.area)
    figures = latest_figures(session, [k.id for k in listed], [plan.area_id], as_at=as_at)
    return [KpiAt(k, figures.get((k.id, plan.area_id), Latest(None, None))) for k in listed]


def _wording_changes(
    session: Session, plan: Plan, previous: dt.date | None, as_at: dt.date
) -> list[ActionChange]:
    """Changes to the wording of the plan's actions made after the previous reporting date and
    by the end of ``as_at`` (a PG5 rewording shows on each adopted copy)."""
    query = (
        select(ActionChange)
        .join(Action, Action.id == ActionChange.action_id)
        .where(Action.plan_id == plan.id, ActionChange.changed_at < end_of(as_at))
        .options(joinedload(ActionChange.changed_by), joinedload(ActionChange.action))
        .order_by(ActionChange.changed_at, ActionChange.id)
    )
    if previous is not None:
        query = query.where(ActionChange.changed_at >= end_of(previous))
    return list(session.scalars(query))

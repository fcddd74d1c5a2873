"""Everything a plan's committee progress report says, as things stood on a date: read from
the history in a fixed number of queries, then handed to the ``report_sections`` hook. The
types it builds (``ReportData``, ``ActionAt``, ...) are the plugin seam's,
``core.hooks.report_data``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.enums import FrameSection, RecommendationState
from core.hooks.report_data import (
    ActionAt,
    KpiAt,
    RecommendationAt,
    ReportData,
    SelfEvaluationAt,
    TimelineRow,
)
from core.models import (
    Action,
    ActionChange,
    FrameItem,
    NotApplicable,
    Outcome,
    Plan,
    PriorityGroup,
)
from core.services.improvement.self_evaluations import calendar, where_it_stands
from core.services.improvement.traceability import traceability
from core.services.kpis.kpis import Latest, area_kpis, latest_figures
from core.services.plans.document import evidence_menu, rag_legend
from core.services.plans.summary import load_actions, summarise
from core.services.plans.wording import Wording, end_of, wording_on_days
from core.services.progress import reporting
from core.services.progress.progress import (
    latest_updates,
    overdue_since,
    states_on_days,
)


def _overdue(wording: Wording, state, day: dt.date) -> bool:
    return overdue_since(wording.target_date, state, day) is not None


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
        recommendations=_recommendations(session, plan, as_at, rows),
        self_evaluations=_self_evaluations(session, plan, as_at),
    )


def _self_evaluations(session: Session, plan: Plan, as_at: dt.date) -> list[SelfEvaluationAt]:
    """The area's calendar over the plan's period as at ``as_at``: what was done by then, and
    the ratings agreed by then (an activity's words are kept as they are now)."""
    found = []
    for quarter in calendar(session, plan.area, plan).quarters:
        for activity in quarter.activities:
            done = activity.done_on if activity.done_on and activity.done_on <= as_at else None
            ratings = sorted(
                (r for r in activity.ratings if done is not None and r.rating is not None),
                key=lambda r: r.indicator.position,
            )
            found.append(
                SelfEvaluationAt(
                    activity,
                    quarter.number,
                    quarter.start,
                    quarter.end,
                    where_it_stands(activity, quarter.end, as_at),
                    done,
                    [(r.indicator.number, activity.framework.label_of(r.rating)) for r in ratings],
                )
            )
    return found


def _recommendations(
    session: Session, plan: Plan, as_at: dt.date, rows: list[ActionAt]
) -> list[RecommendationAt]:
    """The area's recommendations not closed and recorded by ``as_at``, then the Tayside-wide
    ones this plan's actions answer, each with those actions. (A recommendation's state is
    kept as it is now, not as at a date.)"""
    mine = {row.action.id: row for row in rows}
    found = []
    for area in (plan.area, None):
        trace = traceability(
            session,
            area,
            as_at,
            states=(RecommendationState.OPEN, RecommendationState.ADDRESSED),
        )
        for t in trace.traces:
            if t.recommendation.created_at.date() > as_at:
                continue
            answering = [mine[a.id] for a in t.actions if a.id in mine]
            if area is None and not answering:
                continue
            others = [a for a in t.actions if a.id not in mine and a.plan.area_id == plan.area_id]
            found.append(RecommendationAt(t.recommendation, answering, len(others)))
    return found


def _frame(session: Session, plan: Plan) -> dict[FrameSection, list[FrameItem]]:
    found: dict[FrameSection, list[FrameItem]] = {}
    for item in session.scalars(
        select(FrameItem).where(FrameItem.plan_id == plan.id).order_by(FrameItem.position)
    ):
        found.setdefault(item.section, []).append(item)
    return {section: found[section] for section in FrameSection if section in found}


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

"""Finding actions across plans in SQL: filtered, counted and paged by the database, each
action's latest update as at a date read by one index seek, so a list costs the same whatever
the number of areas, actions or updates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core.enums import ActionKind, ProgressStatus
from core.models import (
    Action,
    ActionLead,
    Area,
    KpiMeasure,
    Outcome,
    Plan,
    ProgressUpdate,
    action_indicators,
)
from core.services.plans.search import NOT_REPORTED, ActionFilter
from core.services.progress.progress import (
    in_plan_on,
    latest_updates,
    newest_update_join,
    periods_since,
    stale_in_sql,
)
from core.services.progress.travel import previous_reporting_day


@dataclass(frozen=True)
class ActionPage:
    """One page of matching actions, each with its latest update, and how many match in all."""

    items: list[tuple[Action, ProgressUpdate | None]]
    total: int
    as_at: dt.date | None = None
    # Each plan's reporting date before ``as_at``, by plan id (see ``reported_this_period``).
    since: dict[int, dt.date | None] = field(default_factory=dict)

    @property
    def actions(self) -> list[Action]:
        return [action for action, _ in self.items]

    def current(self, action: Action) -> ProgressUpdate | None:
        return next((update for found, update in self.items if found is action), None)

    def since_for(self, action: Action) -> dt.date | None:
        """Where the period shown begins for ``action``'s plan."""
        return self.since.get(action.plan_id)


def _contains(column, word: str) -> ColumnElement[bool]:
    return func.lower(column).contains(word, autoescape=True)


def find_actions(
    session: Session,
    plan_ids: list[int],
    as_at: dt.date,
    wanted: ActionFilter,
    *,
    page: int,
    page_size: int,
) -> ActionPage:
    """The actions of ``plan_ids`` in the plan on ``as_at`` matching every criterion of
    ``wanted`` (``rag``/``status`` ``"none"``: not reported, or not this period, as the counts
    say; a RAG or a status: the latest update's, this period's; ``lead`` and each word of ``text``:
    case-insensitive parts of the leads' names, and of the number, wording, expected impact or
    a KPI measure; ``indicator``: tagged with that quality indicator), by area, then improvement
    actions before ongoing ones, in plan order. Four queries: the count, the page's ids, the page's
    actions, their latest updates."""
    latest, latest_join = newest_update_join(session, Action.id, as_at, "latest")
    query = (
        select(Action.id)
        .join(Plan, Plan.id == Action.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(*latest_join)
        .where(Action.plan_id.in_(plan_ids), in_plan_on(as_at))
    )
    if wanted.outcome is not None:
        query = query.join(Outcome, Outcome.id == Action.outcome_id).where(
            Outcome.number == wanted.outcome
        )
    stale = stale_in_sql(latest, previous_reporting_day(as_at))
    if wanted.rag == NOT_REPORTED:
        query = query.where(or_(latest.rag.is_(None), stale))
    elif wanted.rag is not None:
        query = query.where(latest.rag == wanted.rag, ~stale)
    if wanted.status == NOT_REPORTED:
        query = query.where(or_(latest.id.is_(None), stale))
    elif wanted.status is not None:
        query = query.where(latest.status == wanted.status, ~stale)
    lead = wanted.lead.strip().lower()
    if lead:
        query = query.where(
            exists().where(ActionLead.action_id == Action.id, _contains(ActionLead.name, lead))
        )
    if wanted.indicator is not None:
        tags = action_indicators.c
        query = query.where(
            exists().where(tags.action_id == Action.id, tags.indicator_id == wanted.indicator)
        )
    if wanted.overdue:
        query = query.where(
            Action.target_date < as_at,
            or_(latest.id.is_(None), latest.status != ProgressStatus.COMPLETED),
        )
    # (The forms and the API allow 300 characters of words; more words add nothing useful.)
    for word in wanted.text.lower().split()[:30]:
        query = query.where(
            or_(
                _contains(Action.code, word),
                _contains(Action.text, word),
                _contains(Action.expected_impact, word),
                exists().where(KpiMeasure.action_id == Action.id, _contains(KpiMeasure.text, word)),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    improvement_first = case((Action.kind == ActionKind.IMPROVEMENT, 0), else_=1)
    ids = list(
        session.scalars(
            query.order_by(Area.name, Plan.id, improvement_first, Action.position)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    # (With no ids, the same queries still run, so a page costs the same whatever it holds.)
    found = actions_by_id(session, ids)
    updates = latest_updates(session, Action.id.in_(ids), as_at=as_at)
    since = periods_since(session, plan_ids, as_at)
    return ActionPage([(found[i], updates.get(i)) for i in ids], total, as_at, since)


def actions_by_id(session: Session, ids: list[int]) -> dict[int, Action]:
    """The actions ``ids`` with their plan, area, shared action, leads and KPI measures. Three
    queries, even for none (so that a page costs the same whatever it lists)."""
    found = {
        action.id: action
        for action in session.scalars(
            select(Action)
            .where(Action.id.in_(ids))
            .options(
                joinedload(Action.plan).joinedload(Plan.area), joinedload(Action.shared_action)
            )
        )
    }
    for model, attribute in ((ActionLead, "leads"), (KpiMeasure, "kpi_measures")):
        members: dict[int, list] = {action_id: [] for action_id in found}
        rows = session.scalars(
            select(model).where(model.action_id.in_(ids)).order_by(model.action_id, model.position)
        )
        for row in rows:
            members[row.action_id].append(row)
        for action_id, action in found.items():
            set_committed_value(action, attribute, members[action_id])
    return found

"""Traceability: each recommendation with the actions answering it, their RAG, direction of
travel, overdue mark and latest update, and those no action answers yet. A fixed number of
queries, whatever the number of recommendations, actions or updates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.enums import Direction, ProgressStatus, RecommendationState
from core.models import (
    Action,
    Area,
    Recommendation,
    action_recommendations,
    shared_action_recommendations,
)
from core.services.plans.action_query import ActionPage, actions_by_id
from core.services.progress.progress import latest_updates, periods_since
from core.services.progress.travel import directions


@dataclass(frozen=True)
class Trace:
    """A recommendation and the actions answering it (in scope)."""

    recommendation: Recommendation
    actions: list[Action]


@dataclass(frozen=True)
class Traceability:
    traces: list[Trace]
    # Each action's latest update and reporting period, for the action tables.
    state: ActionPage
    directions: dict[int, Direction | None] = field(default_factory=dict)

    def completed(self, action: Action) -> bool:
        update = self.state.current(action)
        return update is not None and update.status is ProgressStatus.COMPLETED

    @property
    def open(self) -> list[Trace]:
        return [t for t in self.traces if t.recommendation.is_open]

    @property
    def without_action(self) -> list[Trace]:
        """Open recommendations that no action answers yet."""
        return [t for t in self.open if not t.actions]

    @property
    def done_but_open(self) -> list[Trace]:
        """Recommendations not closed whose every action is completed."""
        return [t for t in self.open if t.actions and all(map(self.completed, t.actions))]


def traceability(
    session: Session,
    area: Area | None,
    as_at: dt.date,
    *,
    states: tuple[RecommendationState, ...] = tuple(RecommendationState),
) -> Traceability:
    """An area's recommendations (``area`` None: the Tayside-wide ones, answered by any
    area's actions), by reference, each with its answering actions as at ``as_at``."""
    scope = Recommendation.area_id.is_(None) if area is None else Recommendation.area_id == area.id
    recommendations = list(
        session.scalars(
            select(Recommendation)
            .where(scope, Recommendation.state.in_(states))
            .options(selectinload(Recommendation.learning_review))
            .order_by(Recommendation.reference)
        )
    )
    ids = [r.id for r in recommendations]
    direct = action_recommendations.c
    pairs: set[tuple[int, int]] = {
        (recommendation_id, action_id)
        for recommendation_id, action_id in session.execute(
            select(direct.recommendation_id, direct.action_id).where(
                direct.recommendation_id.in_(ids)
            )
        )
    }
    # Every area's adopted copy of a shared action answering it.
    links = shared_action_recommendations.c
    pairs |= {
        (recommendation_id, action_id)
        for recommendation_id, action_id in session.execute(
            select(links.recommendation_id, Action.id)
            .join(Action, Action.shared_action_id == links.shared_action_id)
            .where(links.recommendation_id.in_(ids))
        )
    }
    found = actions_by_id(session, sorted({action_id for _, action_id in pairs}))
    updates = latest_updates(session, Action.id.in_(list(found)), as_at=as_at)
    since = periods_since(session, {a.plan_id for a in found.values()}, as_at)
    answering: dict[int, list[Action]] = {r.id: [] for r in recommendations}
    for recommendation_id, action_id in pairs:
        answering[recommendation_id].append(found[action_id])
    for actions in answering.values():
        actions.sort(key=lambda a: (a.plan.area.name, a.plan_id, a.position))
    state = ActionPage([(a, updates.get(a.id)) for a in found.values()], len(found), as_at, since)
    return Traceability(
        [Trace(r, answering[r.id]) for r in recommendations],
        state,
        directions(session, list(found), as_at),
    )

"""Quality indicators in use: actions and KPIs tagged with them, each area's latest rating of
each indicator and its history, an indicator's page for an area (rating, evidence, the
actions and KPIs tagged), and TRIC PG5's side-by-side of every area's latest ratings (never
averaged: a rating is a judgement). A fixed number of queries, whatever the history's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.models import (
    Action,
    Area,
    Kpi,
    KpiValue,
    Plan,
    ProgressUpdate,
    QualityFramework,
    QualityIndicator,
    Recommendation,
    SelfEvaluation,
    SelfEvaluationEvidence,
    SelfEvaluationRating,
    User,
    action_indicators,
    kpi_indicators,
)
from core.services.accounts import permissions
from core.services.errors import FieldError
from core.services.kpis.kpis import Latest, latest_figures
from core.services.plans.action_query import ActionPage, find_actions
from core.services.plans.plans import NotFound
from core.services.plans.search import ActionFilter

# An indicator's page lists this many of its past ratings, evidence and tagged actions.
LISTED = 100


def indicator_by_id(session: Session, indicator_id: int) -> QualityIndicator:
    found = session.scalar(
        select(QualityIndicator)
        .where(QualityIndicator.id == indicator_id)
        .options(selectinload(QualityIndicator.framework))
    )
    if found is None:
        raise NotFound(f"There is no quality indicator {indicator_id}.")
    return found


def indicator_choices(session: Session) -> list[tuple[str, str]]:
    """Every indicator as ``(id, "2.1 Impact on ...")`` for a filter or a tag, by framework."""
    rows = session.execute(
        select(QualityIndicator.id, QualityIndicator.number, QualityIndicator.title)
        .join(QualityFramework, QualityFramework.id == QualityIndicator.framework_id)
        .order_by(QualityFramework.title, QualityIndicator.position)
    )
    return [(str(id_), f"{number} {title}") for id_, number, title in rows]


def tagged_actions(session: Session, plan: Plan, indicator_id: int) -> set[int]:
    """The ids of ``plan``'s actions tagged with the indicator. One query."""
    tags = action_indicators.c
    return set(
        session.scalars(
            select(Action.id)
            .join(action_indicators, tags.action_id == Action.id)
            .where(Action.plan_id == plan.id, tags.indicator_id == indicator_id)
        )
    )


def tag_action(
    session: Session, action: Action, indicator: QualityIndicator, *, actor: User
) -> bool:
    """Tag ``action`` with ``indicator``: whether it was not tagged already."""
    permissions.require_self_evaluation(actor, action.plan.area)
    if any(i.id == indicator.id for i in action.indicators):
        return False
    action.indicators.append(indicator)
    session.flush()
    return True


def untag_action(session: Session, action: Action, indicator_id: int, *, actor: User) -> bool:
    permissions.require_self_evaluation(actor, action.plan.area)
    found = [i for i in action.indicators if i.id == indicator_id]
    for indicator in found:
        action.indicators.remove(indicator)
    session.flush()
    return bool(found)


def tag_kpi(session: Session, kpi: Kpi, indicator: QualityIndicator, *, actor: User) -> bool:
    permissions.require_kpi_tags(actor, kpi.area)
    if any(i.id == indicator.id for i in kpi.indicators):
        return False
    kpi.indicators.append(indicator)
    session.flush()
    return True


def untag_kpi(session: Session, kpi: Kpi, indicator_id: int, *, actor: User) -> bool:
    permissions.require_kpi_tags(actor, kpi.area)
    found = [i for i in kpi.indicators if i.id == indicator_id]
    for indicator in found:
        kpi.indicators.remove(indicator)
    session.flush()
    return bool(found)


def chosen_indicator(session: Session, indicator_id: int | None) -> QualityIndicator:
    """The indicator a form chose, or a ``FieldError`` saying to choose one."""
    found = session.get(QualityIndicator, indicator_id) if indicator_id else None
    if found is None:
        raise FieldError("indicator", "Choose one of the quality indicators listed.")
    return found


@dataclass(frozen=True)
class RatingAt:
    """A rating an area agreed for an indicator: on the day its activity was done (or the
    ratings agreed), by whom, in which activity."""

    area_id: int
    indicator_id: int
    rating: int | None
    label: str
    day: dt.date | None
    activity_id: int
    activity_title: str
    agreed_by: str


def _rated_on():
    return func.coalesce(SelfEvaluation.agreed_on, SelfEvaluation.done_on)


def _ratings_query(*criteria):
    return (
        select(
            SelfEvaluation.area_id,
            SelfEvaluationRating.indicator_id,
            SelfEvaluationRating.rating,
            QualityFramework.scale,
            _rated_on().label("day"),
            SelfEvaluation.id,
            SelfEvaluation.title,
            SelfEvaluation.agreed_by,
        )
        .join(SelfEvaluation, SelfEvaluation.id == SelfEvaluationRating.self_evaluation_id)
        .join(QualityFramework, QualityFramework.id == SelfEvaluation.framework_id)
        .where(SelfEvaluationRating.rating.is_not(None), *criteria)
    )


def _rating(row) -> RatingAt:
    label = next((p["label"] for p in row.scale if p["value"] == row.rating), "")
    return RatingAt(
        row.area_id,
        row.indicator_id,
        row.rating,
        f"{row.rating} {label}".strip(),
        row.day,
        row.id,
        row.title,
        row.agreed_by,
    )


def latest_ratings(
    session: Session, area_ids: list[int], indicator_ids: list[int] | None = None
) -> dict[tuple[int, int], RatingAt]:
    """Each area's latest rating of each indicator (``indicator_ids``: of these only), keyed
    by ``(area_id, indicator_id)``. One query."""
    criteria = [SelfEvaluation.area_id.in_(area_ids)]
    if indicator_ids is not None:
        criteria.append(SelfEvaluationRating.indicator_id.in_(indicator_ids))
    ranked = (
        _ratings_query(*criteria)
        .add_columns(
            func.row_number()
            .over(
                partition_by=(SelfEvaluation.area_id, SelfEvaluationRating.indicator_id),
                order_by=(_rated_on().desc(), SelfEvaluation.id.desc()),
            )
            .label("n")
        )
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.n == 1))
    return {(row.area_id, row.indicator_id): _rating(row) for row in rows}


@dataclass(frozen=True)
class IndicatorPage:
    """What an area knows of an indicator."""

    area: Area
    indicator: QualityIndicator
    # Newest first; the first is the latest.
    history: list[RatingAt]
    evidence: list[SelfEvaluationEvidence]
    # Activities that looked at it, newest first (rated or not).
    activities: list[SelfEvaluation]
    actions: ActionPage
    kpis: list[Kpi]
    figures: dict[tuple[int, int], Latest]
    # Recommendations the activities that looked at it led to.
    recommendations: list[Recommendation]

    @property
    def latest(self) -> RatingAt | None:
        return self.history[0] if self.history else None


def indicator_page(
    session: Session, area: Area, indicator: QualityIndicator, plan: Plan | None, today: dt.date
) -> IndicatorPage:
    """Its ratings in ``area`` (newest first), the evidence of the activities that looked at
    it and the recommendations they led to, the actions of ``plan`` tagged with it (as at
    ``today``), and the KPIs tagged with it that the area reports, with their latest figures.
    A fixed number of queries."""
    history = [
        _rating(row)
        for row in session.execute(
            _ratings_query(
                SelfEvaluation.area_id == area.id,
                SelfEvaluationRating.indicator_id == indicator.id,
            )
            .order_by(_rated_on().desc(), SelfEvaluation.id.desc())
            .limit(LISTED)
        )
    ]
    looked_at = (
        select(SelfEvaluationRating.self_evaluation_id)
        .where(SelfEvaluationRating.indicator_id == indicator.id)
        .scalar_subquery()
    )
    activities = list(
        session.scalars(
            select(SelfEvaluation)
            .where(SelfEvaluation.area_id == area.id, SelfEvaluation.id.in_(looked_at))
            .order_by(SelfEvaluation.planned_on.desc(), SelfEvaluation.id.desc())
            .limit(LISTED)
        )
    )
    evidence = list(
        session.scalars(
            select(SelfEvaluationEvidence)
            .join(SelfEvaluation, SelfEvaluation.id == SelfEvaluationEvidence.self_evaluation_id)
            .where(SelfEvaluation.area_id == area.id, SelfEvaluation.id.in_(looked_at))
            .options(
                selectinload(SelfEvaluationEvidence.self_evaluation),
                selectinload(SelfEvaluationEvidence.kpi),
                selectinload(SelfEvaluationEvidence.evidence_source),
                selectinload(SelfEvaluationEvidence.progress_update).selectinload(
                    ProgressUpdate.action
                ),
            )
            .order_by(SelfEvaluationEvidence.id.desc())
            .limit(LISTED)
        )
    )
    actions = find_actions(
        session,
        [plan.id] if plan else [],
        today,
        ActionFilter(indicator=indicator.id),
        page=1,
        page_size=LISTED,
    )
    tagged = kpi_indicators.c
    kpis = list(
        session.scalars(
            select(Kpi)
            .join(kpi_indicators, tagged.kpi_id == Kpi.id)
            .where(
                tagged.indicator_id == indicator.id,
                (Kpi.area_id == area.id) | Kpi.area_id.is_(None),
            )
            .order_by(Kpi.area_id.nulls_last(), Kpi.position, Kpi.name)
            .limit(LISTED)
        )
    )
    figures = latest_figures(session, [k.id for k in kpis], [area.id])
    recommendations = list(
        session.scalars(
            select(Recommendation)
            .where(
                Recommendation.area_id == area.id,
                Recommendation.self_evaluation_id.in_(looked_at),
            )
            .order_by(Recommendation.reference)
            .limit(LISTED)
        )
    )
    return IndicatorPage(
        area, indicator, history, evidence, activities, actions, kpis, figures, recommendations
    )


def evidence_figures(
    session: Session, evidence: list[SelfEvaluationEvidence], area_id: int, as_at: dt.date | None
) -> dict[int, Latest]:
    """The latest figures (ended by ``as_at``) of the KPIs among ``evidence``, by KPI id."""
    ids = sorted({e.kpi_id for e in evidence if e.kpi_id is not None})
    found = latest_figures(session, ids, [area_id], as_at)
    return {kpi_id: latest for (kpi_id, _), latest in found.items()}


@dataclass(frozen=True)
class SideBySide:
    """Every framework's indicators, each with every area's latest rating."""

    areas: list[Area]
    frameworks: list[QualityFramework]
    ratings: dict[tuple[int, int], RatingAt]

    def rating(self, area: Area, indicator: QualityIndicator) -> RatingAt | None:
        return self.ratings.get((area.id, indicator.id))


def side_by_side(session: Session, areas: list[Area]) -> SideBySide:
    """For TRIC PG5: per indicator, each area's latest rating and its date. Two queries."""
    frameworks = list(
        session.scalars(
            select(QualityFramework)
            .options(selectinload(QualityFramework.indicators))
            .order_by(QualityFramework.title)
        )
    )
    return SideBySide(areas, frameworks, latest_ratings(session, [a.id for a in areas]))


def latest_figure_of(
    figures: dict[tuple[int, int], Latest], kpi: Kpi, area: Area
) -> KpiValue | None:
    found = figures.get((kpi.id, area.id))
    return found.latest if found else None

"""Recommendations: adding, rewording and closing them, and linking the actions that answer
them. An area's coordinators keep its recommendations; TRIC PG5 keeps the Tayside-wide ones,
which shared actions answer (each area's adopted copy answers it too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from core.enums import ActionKind, ProgressStatus, RecommendationSource, RecommendationState
from core.models import (
    Action,
    Area,
    LearningReview,
    Recommendation,
    SelfEvaluation,
    SharedAction,
    User,
    action_recommendations,
    shared_action_recommendations,
)
from core.services.accounts import permissions
from core.services.errors import FieldError, FieldErrors, StaleEdit
from core.services.plans.plans import NotFound, current_plan
from core.services.progress.progress import latest_updates

MAX_REFERENCE = 40
MAX_SOURCE = 300
MAX_TEXT = 4_000
# What a recommendation says when written by people, field by field.
FIELDS = (
    "reference",
    "source_kind",
    "source_reference",
    "source_date",
    "text",
    "accepted_by",
    "accepted_on",
)


class UnfinishedActions(FieldError):
    """Closing a recommendation while some of its actions are not completed: the caller asks
    again, naming them, and closes it only when confirmed."""

    def __init__(self, actions: list[Action]) -> None:
        names = ", ".join(f"{a.plan.area.name} {a.code}" for a in actions)
        super().__init__(
            "confirm",
            f"{len(actions)} of its actions {'is' if len(actions) == 1 else 'are'} not "
            f"completed ({names}). Confirm to close it all the same.",
        )
        self.actions = actions


@dataclass(frozen=True)
class RecommendationText:
    """What people write of a recommendation."""

    reference: str
    source_kind: RecommendationSource
    text: str
    source_reference: str = ""
    source_date: dt.date | None = None
    accepted_by: str = ""
    accepted_on: dt.date | None = None


def recommendation_by_id(session: Session, recommendation_id: int) -> Recommendation:
    found = session.scalar(
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(
            selectinload(Recommendation.area),
            selectinload(Recommendation.learning_review),
            selectinload(Recommendation.self_evaluation),
            selectinload(Recommendation.shared_actions),
        )
    )
    if found is None:
        raise NotFound(f"There is no recommendation {recommendation_id}.")
    return found


def by_reference(session: Session, area: Area | None, reference: str) -> Recommendation | None:
    scope = Recommendation.area_id.is_(None) if area is None else Recommendation.area_id == area.id
    return session.scalar(
        select(Recommendation).where(scope, Recommendation.reference == reference.strip())
    )


def _checked(
    session: Session,
    area: Area | None,
    words: RecommendationText,
    *,
    today: dt.date,
    itself: Recommendation | None = None,
) -> list[FieldError]:
    problems = []
    reference = words.reference.strip()
    if not reference:
        problems.append(FieldError("reference", "Give the recommendation a reference."))
    elif len(reference) > MAX_REFERENCE:
        problems.append(
            FieldError("reference", f"The reference must be {MAX_REFERENCE} characters or fewer.")
        )
    else:
        other = by_reference(session, area, reference)
        if other is not None and other is not itself:
            where = area.name if area else "Tayside-wide"
            problems.append(
                FieldError(
                    "reference",
                    f"There is already a recommendation {reference} ({where}): choose another "
                    "reference.",
                )
            )
    if not words.text.strip():
        problems.append(FieldError("text", "Write the recommendation in its own words."))
    elif len(words.text) > MAX_TEXT:
        problems.append(
            FieldError("text", f"The recommendation must be {MAX_TEXT:,} characters or fewer.")
        )
    for name in ("source_reference", "accepted_by"):
        if len(getattr(words, name)) > MAX_SOURCE:
            problems.append(FieldError(name, f"This must be {MAX_SOURCE} characters or fewer."))
    for name in ("source_date", "accepted_on"):
        day = getattr(words, name)
        if day is not None and day > today:
            problems.append(FieldError(name, "This date is in the future."))
    return problems


def add(
    session: Session,
    *,
    actor: User,
    area: Area | None,
    words: RecommendationText,
    learning_review: LearningReview | None = None,
    self_evaluation: SelfEvaluation | None = None,
    today: dt.date | None = None,
) -> Recommendation:
    """A new open recommendation of ``area`` (None: Tayside-wide). One from a learning review
    (or a self-evaluation) belongs to its area and is of kind "learning review" (or
    "self-evaluation")."""
    permissions.require_recommendations(actor, area)
    if learning_review is not None:
        if area is None or learning_review.area_id != area.id:
            raise FieldError(
                "learning_review", "A learning review's recommendations belong to its own area."
            )
        words = RecommendationText(
            **{**words.__dict__, "source_kind": RecommendationSource.LEARNING_REVIEW}
        )
    elif self_evaluation is not None:
        if area is None or self_evaluation.area_id != area.id:
            raise FieldError(
                "self_evaluation", "A self-evaluation's recommendations belong to its own area."
            )
        words = RecommendationText(
            **{**words.__dict__, "source_kind": RecommendationSource.SELF_EVALUATION}
        )
    FieldErrors.raise_any(_checked(session, area, words, today=today or dt.date.today()))
    recommendation = Recommendation(
        area=area,
        learning_review=learning_review,
        self_evaluation=self_evaluation,
        reference=words.reference.strip(),
        source_kind=words.source_kind,
        source_reference=words.source_reference.strip(),
        source_date=words.source_date,
        text=words.text.strip(),
        accepted_by=words.accepted_by.strip(),
        accepted_on=words.accepted_on,
    )
    session.add(recommendation)
    session.flush()
    return recommendation


def reword(
    session: Session,
    recommendation: Recommendation,
    *,
    actor: User,
    revision: int,
    words: RecommendationText,
    today: dt.date | None = None,
) -> bool:
    """Change what the recommendation says; refused if someone saved a change after
    ``revision`` was read. Whether anything changed."""
    permissions.require_recommendations(actor, recommendation.area)
    _same_revision(recommendation, revision)
    if recommendation.learning_review_id is not None:
        words = RecommendationText(
            **{**words.__dict__, "source_kind": RecommendationSource.LEARNING_REVIEW}
        )
    elif recommendation.self_evaluation_id is not None:
        words = RecommendationText(
            **{**words.__dict__, "source_kind": RecommendationSource.SELF_EVALUATION}
        )
    FieldErrors.raise_any(
        _checked(
            session,
            recommendation.area,
            words,
            today=today or dt.date.today(),
            itself=recommendation,
        )
    )
    changed = False
    for name in FIELDS:
        value = getattr(words, name)
        value = value.strip() if isinstance(value, str) else value
        if getattr(recommendation, name) != value:
            setattr(recommendation, name, value)
            changed = True
    session.flush()
    return changed


def _same_revision(recommendation: Recommendation, revision: int) -> None:
    if recommendation.revision != revision:
        raise StaleEdit(
            "revision",
            f"Someone changed recommendation {recommendation.reference} after you opened it: "
            "nothing was saved.",
        )


def answering_actions(session: Session, recommendation: Recommendation) -> list[Action]:
    """The actions that answer it: those linked to it, and every area's adopted copy of a
    shared action linked to it."""
    shared_ids = [s.id for s in recommendation.shared_actions]
    direct = {a.id for a in recommendation.actions}
    query = select(Action).options(selectinload(Action.plan))
    found = session.scalars(
        query.where(
            Action.id.in_(direct)
            | (Action.shared_action_id.in_(shared_ids) if shared_ids else False)
        ).order_by(Action.plan_id, Action.position)
    )
    return list(found)


def unfinished(session: Session, actions: list[Action], today: dt.date) -> list[Action]:
    """Those of ``actions`` whose latest update is not a completion."""
    latest = latest_updates(session, Action.id.in_([a.id for a in actions]), as_at=today)
    return [
        a
        for a in actions
        if a.id not in latest or latest[a.id].status is not ProgressStatus.COMPLETED
    ]


def set_state(
    session: Session,
    recommendation: Recommendation,
    *,
    actor: User,
    revision: int,
    state: RecommendationState,
    reason: str = "",
    confirmed: bool = False,
    today: dt.date | None = None,
) -> None:
    """Open, addressed or closed. Closing needs a reason, and, while any of its actions is
    not completed, a confirmation (``UnfinishedActions`` names them). Reopening clears the
    reason."""
    permissions.require_recommendations(actor, recommendation.area)
    _same_revision(recommendation, revision)
    today = today or dt.date.today()
    if state is RecommendationState.CLOSED:
        if not reason.strip():
            raise FieldError("reason", "Say why the recommendation is closed.")
        if len(reason) > MAX_TEXT:
            raise FieldError("reason", f"The reason must be {MAX_TEXT:,} characters or fewer.")
        if not confirmed:
            left = unfinished(session, answering_actions(session, recommendation), today)
            if left:
                raise UnfinishedActions(left)
        recommendation.closed_reason = reason.strip()
        recommendation.closed_on = today
    else:
        recommendation.closed_reason = ""
        recommendation.closed_on = None
    recommendation.state = state
    session.flush()


def link_action(
    session: Session, recommendation: Recommendation, action: Action, *, actor: User
) -> bool:
    """Record that ``action`` answers the recommendation (a Tayside-wide one may be answered
    by any area's action; an area's only by its own). Whether it was not linked already."""
    area = action.plan.area
    permissions.require_area(actor, area)
    if recommendation.area_id is not None and recommendation.area_id != area.id:
        raise FieldError(
            "recommendation",
            f"Recommendation {recommendation.reference} is {recommendation.area.name}'s: only "
            f"{recommendation.area.name}'s actions can answer it.",
        )
    if any(a.id == action.id for a in recommendation.actions):
        return False
    recommendation.actions.append(action)
    session.flush()
    return True


def unlink_action(
    session: Session, recommendation: Recommendation, action: Action, *, actor: User
) -> bool:
    permissions.require_area(actor, action.plan.area)
    linked = [a for a in recommendation.actions if a.id == action.id]
    for found in linked:
        recommendation.actions.remove(found)
    session.flush()
    return bool(linked)


def link_shared_action(
    session: Session, recommendation: Recommendation, shared: SharedAction, *, actor: User
) -> bool:
    """A shared action answers a Tayside-wide recommendation; every area's adopted copy does."""
    permissions.require_shared(actor)
    if recommendation.area_id is not None:
        raise FieldError(
            "recommendation",
            f"Recommendation {recommendation.reference} is {recommendation.area.name}'s: a "
            "shared action answers Tayside-wide recommendations; link the area's adopted "
            "copy instead.",
        )
    if any(s.id == shared.id for s in recommendation.shared_actions):
        return False
    recommendation.shared_actions.append(shared)
    session.flush()
    return True


def answered_by(session: Session, action: Action) -> list[Recommendation]:
    """The recommendations ``action`` answers: those linked to it, and those linked to the
    shared action it is an adopted copy of. One query."""
    direct = select(action_recommendations.c.recommendation_id).where(
        action_recommendations.c.action_id == action.id
    )
    through = select(shared_action_recommendations.c.recommendation_id).where(
        shared_action_recommendations.c.shared_action_id == action.shared_action_id
    )
    return list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(direct.union(through)))
            .order_by(Recommendation.area_id.nulls_last(), Recommendation.reference)
        )
    )


def action_numbered(session: Session, area: Area, code: str) -> Action:
    """The action numbered ``code`` in ``area``'s current plan (an improvement action before
    an ongoing one of the same number); ``FieldError`` naming the plan if there is none."""
    if not area.plans:
        raise FieldError("action", f"{area.name} has no plan yet.")
    plan = current_plan(area)
    found = session.scalar(
        select(Action)
        .where(Action.plan_id == plan.id, Action.code == code.strip())
        .order_by(case((Action.kind == ActionKind.IMPROVEMENT, 0), else_=1))
        .limit(1)
    )
    if found is None:
        raise FieldError("action", f"There is no action {code.strip()} in {plan.title}.")
    return found

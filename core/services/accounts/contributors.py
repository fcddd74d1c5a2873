"""Contributors: strategic leads with an account, linked by a coordinator to the actions they
lead (an action can have several). They post updates on those actions only."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.enums import Role
from core.models import Action, Plan, User, action_contributors
from core.services.accounts.accounts import normalise_email, user_by_email
from core.services.accounts.permissions import require_area
from core.services.errors import Conflict, FieldError
from core.services.records import audit


class ContributorError(FieldError):
    """A contributor could not be linked; the message says why."""


def contributor_for(session: Session, email: str) -> User:
    """The active contributor account with ``email``; a sentence naming the problem if none."""
    try:
        email = normalise_email(email)
    except FieldError as problem:
        raise ContributorError("email", problem.message) from None
    user = user_by_email(session, email)
    if user is None:
        raise ContributorError(
            "email",
            f"There is no account for {email}. An administrator creates it first, with the "
            "role “Contributor” (or: cpc user create EMAIL --role contributor).",
        )
    if user.role is not Role.CONTRIBUTOR or not user.is_active:
        raise ContributorError(
            "email",
            f"{email} is not an active contributor account: only contributors are linked to "
            "actions (coordinators already post on every action of their area).",
        )
    return user


def link_contributor(session: Session, action: Action, *, actor: User | None, email: str) -> bool:
    """Link the contributor with ``email`` to ``action`` (the area's coordinators and admins).
    Returns False if they were linked already. The caller commits."""
    if actor is not None:
        require_area(actor, action.plan.area)
    user = contributor_for(session, email)
    if any(c.id == user.id for c in action.contributors):
        return False
    try:
        session.execute(insert(action_contributors).values(action_id=action.id, user_id=user.id))
    except IntegrityError:  # the primary key: linked at the same moment by someone else
        raise Conflict(
            "email", f"{user.email} was linked to action {action.code} by someone else just now."
        ) from None
    audit.record_event(
        session,
        kind="actions",
        event_name="contributor_linked",
        actor=actor,
        record_id=action.id,
        area_id=action.plan.area_id,
        summary=f"{user.email} linked to action {action.code} as a contributor",
    )
    session.expire(action, ["contributors"])
    return True


def unlink_contributor(session: Session, action: Action, *, actor: User | None, user: User) -> bool:
    """Take a contributor off ``action``; their past updates stay. Returns whether they were
    linked."""
    if actor is not None:
        require_area(actor, action.plan.area)
    done = session.execute(
        delete(action_contributors).where(
            action_contributors.c.action_id == action.id,
            action_contributors.c.user_id == user.id,
        )
    )
    if done.rowcount:
        audit.record_event(
            session,
            kind="actions",
            event_name="contributor_unlinked",
            actor=actor,
            record_id=action.id,
            area_id=action.plan.area_id,
            summary=f"{user.email} taken off action {action.code} as a contributor",
        )
    session.expire(action, ["contributors"])
    return bool(done.rowcount)


def contributed_actions(session: Session, user: User) -> list[Action]:
    """The actions ``user`` is linked to, by area and plan order: one query."""
    return list(
        session.scalars(
            select(Action)
            .join(action_contributors, action_contributors.c.action_id == Action.id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(action_contributors.c.user_id == user.id)
            .options(selectinload(Action.leads), contains_eager(Action.plan))
            .order_by(Plan.area_id, Plan.period_start.desc(), Action.kind, Action.position)
        )
    )

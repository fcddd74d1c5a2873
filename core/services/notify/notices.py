"""Telling an area's coordinators when TRIC PG5 rewords a shared action their published plan
adopted: listed on their dashboard, emailed when it happens, and (as every wording change) in
the next committee report's "Wording changes"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.enums import ActionOrigin, PlanStatus, Role
from core.models import Action, ActionChange, Plan, SharedAction, User
from core.services.mail import Mail
from core.services.plans.wording import end_of

# With no reporting date before today, the dashboard lists rewordings of the last 90 days.
RECENT_DAYS = 90


def pg5_rewordings(
    session: Session, plan: Plan, since: dt.date | None, today: dt.date
) -> list[ActionChange]:
    """The changes PG5's rewordings made to the plan's adopted actions since ``since`` (its
    last reporting date before ``today``; with none, the last 90 days), newest first: one
    query."""
    if plan.status is not PlanStatus.PUBLISHED:
        return []
    since = since or today - dt.timedelta(days=RECENT_DAYS)
    return list(
        session.scalars(
            select(ActionChange)
            .join(Action, Action.id == ActionChange.action_id)
            .where(
                Action.plan_id == plan.id,
                Action.origin == ActionOrigin.ADOPTED,
                ActionChange.changed_at >= end_of(since),
            )
            .options(joinedload(ActionChange.action), joinedload(ActionChange.changed_by))
            .order_by(ActionChange.changed_at.desc(), ActionChange.id.desc())
        )
    )


def rewording_mails(
    session: Session,
    definition: SharedAction,
    *,
    before: str = "",
    link: Callable[[Action], str | None] | None = None,
) -> list[Mail]:
    """An email to each active coordinator of each area whose published plan adopted
    ``definition``, saying it was reworded: the wording ``before`` and the new one, and a
    ``link`` to the area's copy."""
    copies = list(
        session.scalars(
            select(Action)
            .join(Plan, Plan.id == Action.plan_id)
            .where(Action.shared_action_id == definition.id, Plan.status == PlanStatus.PUBLISHED)
            .options(joinedload(Action.plan).joinedload(Plan.area))
        )
    )
    if not copies:
        return []
    coordinators = list(
        session.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR, User.is_active.is_(True))
            .options(selectinload(User.areas))
        )
    )
    mails = []
    for copy in copies:
        area = copy.plan.area
        for user in coordinators:
            if any(a.id == area.id for a in user.areas):
                mails.append(
                    Mail(
                        to=user.email,
                        subject=f"TRIC PG5 reworded shared action {copy.code} of {area.name}'s "
                        "plan",
                        body=_rewording_body(definition, copy, before, link),
                    )
                )
    return mails


def _rewording_body(
    definition: SharedAction,
    copy: Action,
    before: str,
    link: Callable[[Action], str | None] | None,
) -> str:
    area = copy.plan.area
    parts = [
        f"TRIC PG5 reworded the shared action “{definition.title}”, which {area.name}'s "
        f"published plan adopted as action {copy.code}. Your plan now shows the new wording, "
        "and the next committee report lists the change under “Wording changes”."
    ]
    if before:
        parts.append(f"The wording before:\n{before}")
    parts.append(f"The new wording:\n{definition.text}")
    address = link(copy) if link else None
    if address:
        parts.append(f"The action: {address}")
    return "\n\n".join(parts)

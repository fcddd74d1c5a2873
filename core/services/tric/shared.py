"""TRIC PG5 shared actions: PG5 creates and words them (each change a new version, followed by
every area's adopted copy); each area adopts one into its plan under its own number, or records
that it does not apply, with a reason."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.db import lock_row
from core.enums import ActionKind, ActionOrigin
from core.models import (
    Action,
    ActionChange,
    ActionLead,
    Area,
    NotApplicable,
    Outcome,
    Plan,
    SharedAction,
    SharedActionVersion,
    User,
)
from core.services.accounts.permissions import require_area, require_shared
from core.services.errors import Conflict, FieldError, StaleEdit
from core.services.plans import plans
from core.services.plans.actions import check_code_free, flush_new_action, next_code, next_position
from core.services.plans.plans import NotFound


class SharedActionError(FieldError):
    """A change to a shared action, its adoption or its "does not apply" record was refused."""


def shared_actions(session: Session) -> list[SharedAction]:
    return list(session.scalars(select(SharedAction).order_by(SharedAction.position)))


def shared_action_by_key(session: Session, key: str) -> SharedAction:
    found = session.scalar(
        select(SharedAction)
        .where(SharedAction.key == key)
        .options(selectinload(SharedAction.versions).joinedload(SharedActionVersion.changed_by))
    )
    if found is None:
        raise NotFound(f"There is no shared action {key!r}.")
    return found


def _check(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title:
        raise SharedActionError("title", "Give the shared action a short title.")
    if not text:
        raise SharedActionError("text", "Say what the action is.")
    return title, text


def _key_for(session: Session, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "shared-action"
    taken = set(session.scalars(select(SharedAction.key).where(SharedAction.key.like(f"{base}%"))))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def create_shared_action(
    session: Session,
    *,
    actor: User | None,
    title: str,
    text: str,
    expected_impact: str = "",
    lead: str = "",
    target_date: dt.date | None = None,
    kind: ActionKind = ActionKind.IMPROVEMENT,
    priority_for_practice: int | None = None,
) -> SharedAction:
    """A new shared action, at version 1 (PG5 members and admins only)."""
    if actor is not None:
        require_shared(actor)
    title, text = _check(title, text)
    position = session.scalar(select(func.max(SharedAction.position))) or 0
    definition = SharedAction(
        key=_key_for(session, title),
        title=title,
        text=text,
        expected_impact=expected_impact.strip(),
        lead=lead.strip(),
        target_date=target_date,
        kind=kind,
        priority_for_practice=priority_for_practice,
        version=1,
        position=position + 1,
        effective_on=dt.date.today(),
        source=f"Created in the platform by {actor.email}."
        if actor
        else "Created in the platform.",
    )
    definition.versions.append(definition.snapshot(changed_by=actor))
    session.add(definition)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "title", "A shared action with this title was created at the same moment: try again."
        ) from None
    return definition


def edit_shared_action(
    session: Session,
    definition: SharedAction,
    *,
    actor: User | None,
    version: int,
    title: str,
    text: str,
    expected_impact: str,
    lead: str,
    target_date: dt.date | None,
) -> bool:
    """Reword a shared action: a new version, kept in its history, and every area's adopted copy
    takes the new wording (the change shows in each copy's history too). ``version`` is the one
    the editor started from: if PG5 has changed it since, nothing is saved. Returns whether
    anything changed."""
    if actor is not None:
        require_shared(actor)
    if version != definition.version:
        raise _stale()
    title, text = _check(title, text)
    after: dict[str, Any] = {
        "title": title,
        "text": text,
        "expected_impact": expected_impact.strip(),
        "lead": lead.strip(),
        "target_date": target_date,
    }
    if all(getattr(definition, name) == value for name, value in after.items()):
        return False
    for name, value in after.items():
        setattr(definition, name, value)
    definition.version += 1
    definition.versions.append(definition.snapshot(changed_by=actor))
    try:
        session.flush()  # UPDATE ... WHERE version = <the version read>
    except (StaleDataError, IntegrityError):
        raise _stale() from None
    copies = session.scalars(
        select(Action)
        .where(Action.shared_action_id == definition.id)
        .options(selectinload(Action.leads))
    )
    for copy in copies:
        _follow(session, copy, definition, actor)
    session.flush()
    return True


def _stale() -> StaleEdit:
    return StaleEdit(
        "version",
        "Someone else changed this shared action while you were editing it, so your changes "
        "have not been saved yet.",
    )


def _follow(session: Session, copy: Action, definition: SharedAction, actor: User | None) -> None:
    """Give an adopted copy its shared action's current wording, keeping the change."""
    wording = {
        "text": definition.text,
        "expected_impact": definition.expected_impact,
        "target_date": definition.target_date,
    }
    changed = {k: v for k, v in wording.items() if getattr(copy, k) != v}
    if not changed:
        return
    copy.revision += 1
    for name, value in changed.items():
        old = getattr(copy, name)
        session.add(
            ActionChange(
                action=copy,
                revision=copy.revision,
                field=name,
                old_value=old.isoformat() if isinstance(old, dt.date) else (old or ""),
                new_value=value.isoformat() if isinstance(value, dt.date) else (value or ""),
                changed_by=actor,
            )
        )
        setattr(copy, name, value)


@dataclass(frozen=True)
class Adoption:
    """How a shared action stands in one area's plan in force: adopted as ``copy``, recorded
    as not applying (``not_applicable``), or neither."""

    area: Area
    plan: Plan
    copy: Action | None
    not_applicable: NotApplicable | None


def adoptions(
    session: Session, definition: SharedAction, as_at: dt.date | None = None
) -> list[Adoption]:
    """Each area with a plan, and the shared action's standing in it on ``as_at`` (default
    today). Three queries, whatever the number of areas."""
    as_at = as_at or dt.date.today()
    copies = session.scalars(select(Action).where(Action.shared_action_id == definition.id)).all()
    records = session.scalars(
        select(NotApplicable)
        .where(NotApplicable.shared_action_id == definition.id)
        .options(joinedload(NotApplicable.recorded_by))
    ).all()
    found = []
    for area in plans.areas(session):
        if not area.plans:
            continue
        plan = plans.current_plan(area, as_at)
        copy = next((c for c in copies if c.plan_id == plan.id and c.in_plan(as_at)), None)
        record = next((r for r in records if r.area_id == area.id and r.in_force(as_at)), None)
        found.append(Adoption(area, plan, copy, record))
    return found


def adoption_in(session: Session, definition: SharedAction, plan: Plan) -> Action | None:
    return session.scalar(
        select(Action).where(Action.plan_id == plan.id, Action.shared_action_id == definition.id)
    )


def not_applicable_for(
    session: Session, definition: SharedAction, area: Area, as_at: dt.date | None = None
) -> NotApplicable | None:
    """The area's "does not apply" record for the shared action, in force on ``as_at``."""
    as_at = as_at or dt.date.today()
    records = session.scalars(
        select(NotApplicable).where(
            NotApplicable.shared_action_id == definition.id, NotApplicable.area_id == area.id
        )
    )
    return next((r for r in records if r.in_force(as_at)), None)


def adopt_shared_action(
    session: Session,
    definition: SharedAction,
    plan: Plan,
    *,
    actor: User | None,
    outcome: Outcome | None = None,
    code: str | None = None,
    on: dt.date | None = None,
) -> Action:
    """Adopt a shared action into an area's plan: into one of its outcomes (an improvement
    action) or among its ongoing actions, under the area's own number (next free by default).
    The copy takes PG5's current wording and records the version adopted, and the day it was
    adopted (``on``, default today: "as at" an earlier date it is absent). Coordinators of the
    area and admins only. The shared action is locked while this is checked, so an adoption
    and a "does not apply" made at the same moment cannot both be saved."""
    if actor is not None:
        require_area(actor, plan.area)
    lock_row(session, SharedAction, definition.id)
    existing = adoption_in(session, definition, plan)
    if existing is not None:
        raise SharedActionError(
            "shared_action", f"{plan.area.name} has already adopted this as action {existing.code}."
        )
    if not_applicable_for(session, definition, plan.area) is not None:
        raise SharedActionError(
            "shared_action",
            f"{plan.area.name} has recorded that this does not apply to it: withdraw that first.",
        )
    kind = definition.kind
    if kind is ActionKind.IMPROVEMENT and (outcome is None or outcome.plan_id != plan.id):
        raise SharedActionError("outcome", "Choose the outcome of the plan to adopt it into.")
    if kind is ActionKind.ONGOING:
        outcome = None
    lock_row(session, Plan, plan.id)
    code = (code or "").strip() or next_code(session, plan, kind, outcome)
    check_code_free(session, plan, kind, code)
    action = Action(
        plan=plan,
        outcome=outcome,
        code=code,
        position=next_position(session, plan),
        kind=kind,
        text=definition.text,
        expected_impact=definition.expected_impact,
        target_date=definition.target_date,
        origin=ActionOrigin.ADOPTED,
        shared_action=definition,
        adopted_version=definition.version,
        added_on=(on or dt.date.today()) if plan.published_on is not None else None,
        adopted_on=on or dt.date.today(),
        leads=[ActionLead(position=1, name=definition.lead)] if definition.lead else [],
    )
    session.add(action)
    flush_new_action(session, plan, code)
    return action


def record_not_applicable(
    session: Session,
    definition: SharedAction,
    area: Area,
    plan: Plan,
    *,
    actor: User | None,
    reason: str,
    on: dt.date | None = None,
) -> NotApplicable:
    """Record that a shared action does not apply to an area, and why (the area's coordinators
    and admins). The rollup then shows this rather than a gap."""
    if actor is not None:
        require_area(actor, area)
    reason = reason.strip()
    if not reason:
        raise SharedActionError("reason", "Say why this shared action does not apply.")
    lock_row(session, SharedAction, definition.id)
    existing = adoption_in(session, definition, plan)
    if existing is not None:
        raise SharedActionError(
            "reason", f"{area.name}'s plan has adopted this as action {existing.code}."
        )
    if not_applicable_for(session, definition, area, on) is not None:
        raise SharedActionError("reason", f"{area.name} has already recorded this.")
    record = NotApplicable(
        shared_action=definition,
        area=area,
        reason=reason,
        recorded_on=on or dt.date.today(),
        recorded_by=actor,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("reason", f"{area.name} has already recorded this.") from None
    return record


def withdraw_not_applicable(
    session: Session, record: NotApplicable, *, actor: User | None, on: dt.date | None = None
) -> None:
    """The shared action applies to the area after all (the record stays, as withdrawn)."""
    if actor is not None:
        require_area(actor, record.area)
    record.withdrawn_on = on or dt.date.today()
    session.flush()


def awaiting_decision(
    session: Session, plan: Plan, as_at: dt.date | None = None
) -> list[SharedAction]:
    """The shared actions in effect on ``as_at`` (default today) that ``plan``'s area has
    neither adopted into the plan nor recorded as not applying: one query."""
    as_at = as_at or dt.date.today()
    adopted = exists().where(Action.shared_action_id == SharedAction.id, Action.plan_id == plan.id)
    declined = exists().where(
        NotApplicable.shared_action_id == SharedAction.id,
        NotApplicable.area_id == plan.area_id,
        NotApplicable.recorded_on <= as_at,
        or_(NotApplicable.withdrawn_on.is_(None), NotApplicable.withdrawn_on > as_at),
    )
    return list(
        session.scalars(
            select(SharedAction)
            .where(
                or_(SharedAction.effective_on.is_(None), SharedAction.effective_on <= as_at),
                ~adopted,
                ~declined,
            )
            .order_by(SharedAction.position)
        )
    )

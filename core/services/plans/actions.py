"""Adding actions to a plan after it was written, and editing their wording with history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.db import lock_row
from core.enums import ActionKind, ActionOrigin
from core.models import Action, ActionChange, ActionLead, Outcome, Plan, User
from core.services.accounts.permissions import require_area, require_wording
from core.services.errors import Conflict, FieldError, FieldErrors, StaleEdit


class ActionError(FieldError):
    """An action was refused; the message says which field and why."""


def add_local_action(
    session: Session,
    outcome: Outcome,
    *,
    actor: User | None,
    text: str,
    expected_impact: str = "",
    leads: list[str] | None = None,
    target_date: dt.date | None = None,
    code: str | None = None,
    added_on: dt.date | None = None,
) -> Action:
    """Add an improvement action to an outcome, numbered next in it unless ``code`` is given.

    If the plan is already published, the action is recorded as added on ``added_on``
    (default today) and counts as "added" in the plan's summary. ``actor`` must be allowed to
    write the plan's area (``None`` only for trusted callers). The plan is locked while the
    number is chosen, so actions added at the same moment get different numbers. The caller
    commits.
    """
    plan = outcome.plan
    if actor is not None:
        require_area(actor, plan.area)
    text = _check_wording(plan, text, target_date)
    lock_row(session, Plan, plan.id)
    if code is None:
        code = next_code(session, plan, ActionKind.IMPROVEMENT, outcome)
    check_code_free(session, plan, ActionKind.IMPROVEMENT, code)
    added = None
    if plan.published_on is not None:
        added = added_on or dt.date.today()
    action = Action(
        plan=plan,
        outcome=outcome,
        code=code,
        position=next_position(session, plan),
        kind=ActionKind.IMPROVEMENT,
        text=text,
        expected_impact=expected_impact.strip(),
        target_date=target_date,
        origin=ActionOrigin.LOCAL,
        added_on=added,
        leads=_leads(leads or []),
    )
    session.add(action)
    flush_new_action(session, plan, code)
    return action


def check_code_free(session: Session, plan: Plan, kind: ActionKind, code: str) -> None:
    taken = session.scalar(
        select(Action.id).where(Action.plan_id == plan.id, Action.kind == kind, Action.code == code)
    )
    if taken is not None:
        raise ActionError("code", f"The plan already has an action {code}.")


def next_position(session: Session, plan: Plan) -> int:
    position = session.scalar(select(func.max(Action.position)).where(Action.plan_id == plan.id))
    return (position or 0) + 1


def flush_new_action(session: Session, plan: Plan, code: str) -> None:
    """Save a new action; the database's unique rules are the last word on its number and on
    adopting a shared action once."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "code",
            f"Someone has just added an action {code}, or adopted this shared action, to the "
            f"{plan.area.name} plan. Nothing was saved: look at the plan and try again.",
        ) from None


def edit_action(
    session: Session,
    action: Action,
    *,
    actor: User | None,
    revision: int,
    text: str,
    expected_impact: str,
    leads: list[str],
    target_date: dt.date | None,
) -> list[ActionChange]:
    """Change an action's wording, keeping each changed field's old and new value in its
    history. ``revision`` is the one the editor started from: if someone has changed the action
    since, nothing is saved. Local actions are edited by their area, shared TRIC actions by PG5
    (``PermissionDenied`` otherwise). Returns the changes (none if nothing differed)."""
    if actor is not None:
        require_wording(actor, action)
    if revision != action.revision:
        raise _stale()
    text = _check_wording(action.plan, text, target_date)
    before = wording(action)
    after = {
        "text": text,
        "expected_impact": expected_impact.strip(),
        "leads": "\n".join(n.strip() for n in leads if n.strip()),
        "target_date": target_date.isoformat() if target_date else "",
    }
    changed = [field for field in after if after[field] != before[field]]
    if not changed:
        return []
    action.revision += 1
    changes = [
        ActionChange(
            action=action,
            revision=action.revision,
            field=field,
            old_value=before[field],
            new_value=after[field],
            changed_by=actor,
        )
        for field in changed
    ]
    action.text = text
    action.expected_impact = after["expected_impact"]
    action.target_date = target_date
    if "leads" in changed:
        action.leads = _leads(leads)
    session.add_all(changes)
    try:
        session.flush()  # UPDATE ... WHERE revision = <the revision read>
    except StaleDataError:
        raise _stale() from None
    return changes


def _stale() -> StaleEdit:
    return StaleEdit(
        "revision",
        "Someone else changed this action while you were editing it, so your changes have not "
        "been saved yet.",
    )


def wording(action: Action) -> dict[str, str]:
    """The action's editable fields as the edit form shows them."""
    return {
        "text": action.text,
        "expected_impact": action.expected_impact,
        "leads": "\n".join(lead.name for lead in action.leads),
        "target_date": action.target_date.isoformat() if action.target_date else "",
    }


def wording_problems(
    plan: Plan, text: str | None = None, target_date: dt.date | None = None
) -> list[FieldError]:
    """What is wrong with an action's wording in ``plan``, for the fields given, all at once."""
    problems: list[FieldError] = []
    if text is not None and not text.strip():
        problems.append(ActionError("text", "Say what the action is."))
    if target_date is not None and not plan.period_start <= target_date <= plan.period_end:
        problems.append(
            ActionError(
                "target_date",
                f"The target date must fall within the plan, {plan.period_start:%d %B %Y} to "
                f"{plan.period_end:%d %B %Y}.",
            )
        )
    return problems


def _check_wording(plan: Plan, text: str, target_date: dt.date | None) -> str:
    FieldErrors.raise_any(wording_problems(plan, text, target_date))
    return text.strip()


def _leads(names: list[str]) -> list[ActionLead]:
    names = [n.strip() for n in names if n.strip()]
    return [ActionLead(position=i, name=name) for i, name in enumerate(names, 1)]


def next_code(session: Session, plan: Plan, kind: ActionKind, outcome: Outcome | None) -> str:
    """The next free number: "3.5" after 3.4 in outcome 3, or "8" after ongoing action 7."""
    codes = session.scalars(
        select(Action.code).where(Action.plan_id == plan.id, Action.kind == kind)
    )
    if kind is ActionKind.ONGOING or outcome is None:
        return str(max((int(c) for c in codes if c.isdigit()), default=0) + 1)
    numbers = []
    for code in codes:
        head, _, tail = code.partition(".")
        if head == str(outcome.number) and tail.isdigit():
            numbers.append(int(tail))
    return f"{outcome.number}.{max(numbers, default=0) + 1}"

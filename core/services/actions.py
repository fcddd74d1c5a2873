"""Adding actions to a plan after it was written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import ActionKind, ActionOrigin
from core.models import Action, ActionLead, Outcome


class ActionError(ValueError):
    """An action was refused; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def add_local_action(
    session: Session,
    outcome: Outcome,
    *,
    text: str,
    expected_impact: str = "",
    leads: list[str] | None = None,
    target_date: dt.date | None = None,
    code: str | None = None,
    added_on: dt.date | None = None,
) -> Action:
    """Add an improvement action to an outcome, numbered next in it unless ``code`` is given.

    If the plan is already published, the action is recorded as added on ``added_on``
    (default today) and counts as "added" in the plan's summary. The caller commits.
    """
    plan = outcome.plan
    text = text.strip()
    if not text:
        raise ActionError("text", "Say what the action is.")
    if target_date is not None and not plan.period_start <= target_date <= plan.period_end:
        raise ActionError(
            "target_date",
            f"The target date must fall within the plan, {plan.period_start:%d %B %Y} to "
            f"{plan.period_end:%d %B %Y}.",
        )
    siblings = list(session.scalars(select(Action.code).where(Action.outcome_id == outcome.id)))
    if code is None:
        code = f"{outcome.number}.{_next_number(outcome.number, siblings)}"
    taken = session.scalar(
        select(Action.id).where(
            Action.plan_id == plan.id, Action.kind == ActionKind.IMPROVEMENT, Action.code == code
        )
    )
    if taken is not None:
        raise ActionError("code", f"The plan already has an action {code}.")
    added = None
    if plan.published_on is not None:
        added = added_on or dt.date.today()
    position = session.scalar(select(func.max(Action.position)).where(Action.plan_id == plan.id))
    action = Action(
        plan=plan,
        outcome=outcome,
        code=code,
        position=(position or 0) + 1,
        kind=ActionKind.IMPROVEMENT,
        text=text,
        expected_impact=expected_impact.strip(),
        target_date=target_date,
        origin=ActionOrigin.LOCAL,
        added_on=added,
        leads=[ActionLead(position=i, name=n.strip()) for i, n in enumerate(leads or [], 1)],
    )
    session.add(action)
    session.flush()
    return action


def _next_number(outcome_number: int, codes: list[str]) -> int:
    numbers = []
    for code in codes:
        head, _, tail = code.partition(".")
        if head == str(outcome_number) and tail.isdigit():
            numbers.append(int(tail))
    return max(numbers, default=0) + 1

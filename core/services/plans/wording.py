"""Wording as it stood on a date, from the wording history: an action's fields (its own edits
and PG5's rewordings of a shared action, which each adopted copy records), and a shared
action's versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.hooks.report_data import Wording
from core.models import Action, ActionChange, SharedAction, SharedActionVersion


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` (UTC): changes made before it stood on ``day``."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def current_wording(action: Action) -> Wording:
    return Wording(
        action.text,
        action.expected_impact,
        [lead.name for lead in action.leads],
        action.target_date,
        action.timescale,
    )


def wording_as_at(
    session: Session, actions: Iterable[Action], as_at: dt.date
) -> dict[int, Wording]:
    """Each action's wording on ``as_at`` (keyed by action id): today's wording with every
    change made after that day undone. One query, of the changes made since."""
    return wording_on_days(session, actions, [as_at])[as_at]


def wording_on_days(
    session: Session, actions: Iterable[Action], days: Iterable[dt.date]
) -> dict[dt.date, dict[int, Wording]]:
    """Each action's wording on each of ``days``: ``{day: {action id: wording}}``. One query,
    of the changes made after the earliest day."""
    actions, days = list(actions), sorted(set(days))
    if not days:
        return {}
    later = session.execute(
        select(
            ActionChange.action_id,
            ActionChange.field,
            ActionChange.old_value,
            ActionChange.changed_at,
        )
        .where(
            ActionChange.action_id.in_([a.id for a in actions]),
            ActionChange.changed_at >= end_of(days[0]),
        )
        .order_by(ActionChange.action_id, ActionChange.revision.desc(), ActionChange.id.desc())
    ).all()
    return {day: _undone(actions, later, day) for day in days}


def _undone(actions: list[Action], later, day: dt.date) -> dict[int, Wording]:
    undone: dict[int, dict[str, str]] = {}
    for action_id, field, old_value, changed_at in later:
        if _as_utc(changed_at) < end_of(day):
            continue
        # Newest first, so the oldest change after the day (its "before") is kept last.
        undone.setdefault(action_id, {})[field] = old_value
    found = {}
    for action in actions:
        now = current_wording(action)
        old = undone.get(action.id, {})
        if "target_date" in old:
            target = dt.date.fromisoformat(old["target_date"]) if old["target_date"] else None
        else:
            target = now.target_date
        found[action.id] = Wording(
            text=old.get("text", now.text),
            expected_impact=old.get("expected_impact", now.expected_impact),
            leads=[n for n in old["leads"].split("\n") if n] if "leads" in old else now.leads,
            target_date=target,
            timescale=action.timescale_for(target),
        )
    return found


def shared_wording_as_at(
    session: Session, definitions: Iterable[SharedAction], as_at: dt.date
) -> dict[int, SharedActionVersion]:
    """Each shared action's version in force on ``as_at`` (the first version for one not
    reworded by then), keyed by shared action id. One query."""
    ids = [d.id for d in definitions]
    versions = session.scalars(
        select(SharedActionVersion)
        .where(SharedActionVersion.shared_action_id.in_(ids))
        .order_by(SharedActionVersion.shared_action_id, SharedActionVersion.version)
    )
    found: dict[int, SharedActionVersion] = {}
    for version in versions:
        first = version.shared_action_id not in found
        if first or _as_utc(version.changed_at) < end_of(as_at):
            found[version.shared_action_id] = version
    return found


def _as_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored in UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

"""The audit trail, recorded in one place: a session event writes an entry for every row of an
audited table that a flush creates, changes or deletes (who, when, from which address, what,
before and after), in the same transaction as the change, so a change rolled back leaves no
entry and no change goes without one. Events that are not row changes (signing in, a failed
sign-in, a redaction) are written by :func:`record_event`.

Every mapped table is audited except those in :data:`EXEMPT`, each with its reason. Password
and token hashes are recorded as changed, never with their value.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import NO_VALUE

from core.models import Area, AuditEntry, User
from core.services.errors import FieldError

# Tables whose rows are not audited one by one, and why.
EXEMPT: dict[str, str] = {
    "audit_entries": "the audit trail itself",
    "sign_in_attempts": "the sign-in throttle's counter: each sign-in and failed sign-in is "
    "audited as an event instead",
    "user_sessions": "the server side of browser sessions: signing in and out are audited as "
    "events instead",
    "password_resets": "single-use reset links: asking for one and using it are audited as "
    "events instead",
    "reminders_sent": "the sent-log of reminder emails, itself the record of what was sent to "
    "whom and when",
    "idempotency_keys": "the kept answers of writes that may be sent again: the write itself "
    "is audited",
    "jobs": "the job queue (reports being made, emails, webhook messages): its own page lists "
    "each job, its tries and why it failed; the change that queued it is audited",
    "report_files": "reports made by a job from audited data, kept for a week to serve again",
    "page_fragments": "parts of pages kept to show again, made from audited data",
    "data_version": "a counter of changes, each of which is audited itself",
    "recovery_codes": "single-use two-step sign-in codes kept as hashes: setting them up, "
    "using one and an administrator's reset are audited as events instead",
    "second_factors": "the secret of a second factor and the last code step used: setting it "
    "up, turning it off and an administrator's reset are audited as events instead",
}
# Recorded as changed, never with their value.
HIDDEN = frozenset({"password_hash", "token_hash", "key_hash"})
# Changes that are bookkeeping, not a change anyone made.
IGNORED = frozenset({("api_tokens", "last_used_at")})
SECRET = "(not recorded)"


class AuditTrailIsPermanent(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


def act_as(session: Session, user: User | None, remote_addr: str) -> None:
    """Who the session's changes are made by, and from which address, for the audit trail."""
    session.info["audit_actor"] = (user.id, user.email) if user is not None else None
    session.info["audit_addr"] = remote_addr[:64]


def record_event(
    session: Session,
    *,
    kind: str,
    event_name: str,
    summary: str,
    actor: User | None = None,
    record_id: int | None = None,
    area_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An entry for something that is not a row change (a sign-in, a failed sign-in); the
    actor defaults to the session's. The caller commits."""
    actor_id, actor_email = (actor.id, actor.email) if actor else _actor(session)
    session.add(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor_id=actor_id,
            actor_email=actor_email,
            remote_addr=session.info.get("audit_addr", ""),
            kind=kind,
            event=event_name,
            record_id=record_id,
            area_id=area_id,
            summary=summary[:2000],
            before=before,
            after=after,
        )
    )


def record_reads(
    session: Session, *, kind: str, actor: User, reads: list[tuple[int | None, int | None, str]]
) -> None:
    """One "read" entry for each ``(record_id, area_id, summary)`` in ``reads`` (sensitive
    records: learning reviews), written with one INSERT however many there are."""
    if not reads:
        return
    at = dt.datetime.now(dt.UTC)
    rows = [
        {
            "at": at,
            "actor_id": actor.id,
            "actor_email": actor.email,
            "remote_addr": session.info.get("audit_addr", ""),
            "kind": kind,
            "event": "read" if record_id is not None else "listed",
            "record_id": record_id,
            "area_id": area_id,
            "summary": summary[:2000],
            "before": None,
            "after": None,
        }
        for record_id, area_id, summary in reads
    ]
    session.execute(insert(AuditEntry.__table__), rows)


def scrub(session: Session, kind: str, record_id: int, field: str) -> None:
    """Remove a redacted field's old text from the trail's entries for one record (the only
    change ever made to the trail, and itself recorded by the caller)."""
    found = session.execute(
        select(AuditEntry.id, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.kind == kind, AuditEntry.record_id == record_id
        )
    ).all()
    for entry_id, before, after in found:
        cleaned = [
            {**values, field: "(removed: redacted)"} if values and field in values else values
            for values in (before, after)
        ]
        if cleaned != [before, after]:
            session.execute(
                update(AuditEntry.__table__)
                .where(AuditEntry.__table__.c.id == entry_id)
                .values(before=cleaned[0], after=cleaned[1])
            )


def _actor(session: Session) -> tuple[int | None, str]:
    return session.info.get("audit_actor") or (None, "")


def audited(obj: object) -> bool:
    table = getattr(obj, "__tablename__", None)
    return table is not None and table not in EXEMPT


@event.listens_for(Session, "before_flush")
def _refuse_rewriting_the_trail(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditTrailIsPermanent("The audit trail cannot be changed or deleted.")


@event.listens_for(Session, "after_flush")
def _write_the_trail(session: Session, _context) -> None:
    """Every audited row this flush created, changed or deleted, as entries in the same
    transaction (written with one INSERT)."""
    rows = [
        *(_entry(session, obj, "created", None, _values(obj)) for obj in session.new),
        *(_changed(session, obj) for obj in session.dirty),
        *(_entry(session, obj, "deleted", _values(obj), None) for obj in session.deleted),
    ]
    rows = [row for row in rows if row is not None]
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def _changed(session: Session, obj: object) -> dict[str, Any] | None:
    if not audited(obj) or not session.is_modified(obj):
        return None
    before, after = {}, {}
    state = inspect(obj)
    table = obj.__tablename__  # type: ignore[attr-defined]
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes() or (table, attr.key) in IGNORED:
            continue
        before[attr.key] = _value(attr.key, history.deleted[0] if history.deleted else None)
        after[attr.key] = _value(attr.key, history.added[0] if history.added else None)
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue  # a many-to-one shows as its foreign key column above
        history = state.attrs[rel.key].history
        if history.has_changes():
            before[rel.key] = sorted(_label(o) for o in (*history.unchanged, *history.deleted))
            after[rel.key] = sorted(_label(o) for o in (*history.unchanged, *history.added))
    if not before:
        return None
    return _entry(session, obj, "changed", before, after)


def _entry(
    session: Session,
    obj: object,
    event_name: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any] | None:
    if not audited(obj):
        return None
    actor_id, actor_email = _actor(session)
    table = obj.__tablename__  # type: ignore[attr-defined]
    record_id = getattr(obj, "id", None)
    changed = f": {', '.join(sorted(after or {}))}" if event_name == "changed" else ""
    return {
        "at": dt.datetime.now(dt.UTC),
        "actor_id": actor_id,
        "actor_email": actor_email,
        "remote_addr": session.info.get("audit_addr", ""),
        "kind": table,
        "event": event_name,
        "record_id": record_id,
        "area_id": _area_of(obj),
        "summary": f"{describe(obj)} {event_name}{changed}",
        "before": before,
        "after": after,
    }


def _values(obj: object) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        loaded = state.attrs[attr.key].loaded_value
        values[attr.key] = _value(attr.key, None if loaded is NO_VALUE else loaded)
    return values


def _value(name: str, value: Any) -> Any:
    if name in HIDDEN:
        return SECRET
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _label(obj: object) -> str:
    return str(getattr(obj, "slug", None) or getattr(obj, "id", obj))


def _area_of(obj: object) -> int | None:
    """The council area a record belongs to, from its own columns or its parents'."""
    for path in (("area_id",), ("plan", "area_id"), ("action", "plan", "area_id")):
        found: Any = obj
        for step in path:
            found = getattr(found, step, None)
            if found is None:
                break
        if isinstance(found, int):
            return found
    return None


def describe(obj: object) -> str:
    """A record in words, like "action 2.1" or "account pk@example.org"."""
    table = getattr(obj, "__tablename__", type(obj).__name__)
    for name in ("code", "email", "key", "slug", "name", "title"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return f"{table.rstrip('s').replace('_', ' ')} {value}"
    return f"{table.rstrip('s').replace('_', ' ')} {getattr(obj, 'id', '')}".strip()


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: by user (email), area (id), kind and time."""

    user: str | None = None
    area_id: int | None = None
    kind: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @classmethod
    def of(
        cls,
        session: Session,
        *,
        user: str | None = None,
        area: str | None = None,
        kind: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> AuditFilter:
        """The filter people give: an area by its slug, and whole days (``until`` included)."""
        area_id = None
        if area:
            area_id = session.scalar(select(Area.id).where(Area.slug == area))
            if area_id is None:
                raise FieldError("area", f"There is no area {area!r}.")
        return cls(
            user=user or None,
            area_id=area_id,
            kind=kind or None,
            since=_start_of(since),
            until=_start_of(until + dt.timedelta(days=1)) if until else None,
        )

    def where(self) -> list[Any]:
        found: list[Any] = []
        if self.user:
            found.append(AuditEntry.actor_email == self.user.strip().lower())
        if self.area_id is not None:
            found.append(AuditEntry.area_id == self.area_id)
        if self.kind:
            found.append(AuditEntry.kind == self.kind)
        if self.since is not None:
            found.append(AuditEntry.at >= self.since)
        if self.until is not None:
            found.append(AuditEntry.at < self.until)
        return found


def _start_of(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def entries(
    session: Session, wanted: AuditFilter, *, page: int, page_size: int
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many there are: both in SQL."""
    total = session.scalar(select(func.count(AuditEntry.id)).where(*wanted.where())) or 0
    rows = session.scalars(
        select(AuditEntry)
        .options(joinedload(AuditEntry.area))
        .where(*wanted.where())
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(rows), total


# Each kind of record in plain words, as the filter offers it (else its name, unspaced).
KIND_WORDS = {
    "action_changes": "Changes to an action's wording",
    "action_contributors": "Contributors linked to actions",
    "action_leads": "Strategic leads of actions",
    "actions": "Actions",
    "api_tokens": "API tokens",
    "areas": "Areas",
    "demo_data": "Demonstration data",
    "evidence_sources": "Evidence sources",
    "frame_items": "Plan on a page (frame)",
    "kpi_actions": "KPIs linked to actions",
    "kpi_measures": "KPI measures of actions",
    "kpi_values": "KPI figures",
    "kpi_definitions": "National measures' published definitions",
    "kpis": "KPIs",
    "learning_review_stages": "Stages of learning reviews",
    "learning_reviews": "Learning reviews (and each reading of one)",
    "not_applicable": "“Does not apply” records",
    "oidc_identities": "Single sign-on identities linked to accounts",
    "outcomes": "Outcomes",
    "plans": "Plans",
    "priority_groups": "Priorities",
    "progress_updates": "Progress updates",
    "quality_frameworks": "Quality frameworks",
    "quality_indicators": "Quality indicators",
    "rag_definitions": "RAG legends",
    "recommendations": "Recommendations",
    "self_evaluation_evidence": "Evidence of self-evaluations",
    "self_evaluation_ratings": "Self-evaluation ratings",
    "self_evaluations": "Self-evaluation activities",
    "reporting_dates": "Reporting dates",
    "shared_action_versions": "Wordings of shared actions",
    "shared_actions": "TRIC PG5 shared actions",
    "sign_in": "Signing in and out",
    "user_areas": "Coordinators' areas",
    "users": "Accounts",
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


def kinds(session: Session) -> list[tuple[str, str]]:
    """Every kind of record with entries, in plain words, for a filter's choices."""
    found = session.scalars(select(AuditEntry.kind).distinct())
    return sorted(((kind, kind_words(kind)) for kind in found), key=lambda pair: pair[1])

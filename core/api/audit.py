"""The audit trail (admins only): read, never written."""

from __future__ import annotations

import math

from flask_smorest import Blueprint, abort
from marshmallow import RAISE

from core import db
from core.api.common import admins_only
from core.api.schemas import AuditArgs, AuditEntrySchema, page_of
from core.models import AuditEntry
from core.services.errors import FieldError
from core.services.records import audit

audit_bp = Blueprint(
    "audit_api", __name__, url_prefix="/api/v1/audit", description="The audit trail (admins)"
)
BLUEPRINTS = (audit_bp,)


audit_bp.before_request(admins_only)


def entry_json(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "at": entry.at,
        "user": entry.actor_email or None,
        "remote_addr": entry.remote_addr,
        "kind": entry.kind,
        "event": entry.event,
        "record_id": entry.record_id,
        "area": entry.area.slug if entry.area else None,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
    }


@audit_bp.get("/")
@audit_bp.arguments(AuditArgs, location="query", unknown=RAISE)
@audit_bp.response(200, page_of(AuditEntrySchema, "AuditPage"))
def list_entries(args):
    """Every create and change of plans, actions, updates, shared actions, adoptions, "does not
    apply" records, accounts and tokens, and every sign-in, newest first: who, when, from which
    address, what, before and after. Filter by `user` (email), `area` (slug), `kind`, and
    `since`/`until` (days, both included)."""
    session = db.get_session()
    try:
        wanted = audit.AuditFilter.of(
            session,
            **{name: args[name] for name in ("user", "area", "kind", "since", "until")},
        )
    except FieldError as error:
        abort(422, message=error.message, errors={"query": {error.field: [error.message]}})
    rows, total = audit.entries(session, wanted, page=args["page"], page_size=args["page_size"])
    return {
        "items": [entry_json(e) for e in rows],
        "page": args["page"],
        "page_size": args["page_size"],
        "total": total,
        "pages": math.ceil(total / args["page_size"]) if total else 0,
    }

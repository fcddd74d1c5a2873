"""Progress updates: read one, correct it, withdraw it, or (admins) remove its commentary.
Nothing is erased: a corrected or withdrawn update stays, marked, and counts nowhere."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from core.api.areas import get_or_404
from core.api.common import me, writing
from core.api.schemas import CorrectionCreateSchema, ReasonSchema, ReturnSchema, UpdateSchema
from core.links import update_link
from core.models import Action, Plan, ProgressUpdate
from core.outbox import after_change, send_all, update_event
from core.services.progress import progress, review

updates_bp = Blueprint(
    "updates_api",
    __name__,
    url_prefix="/api/v1/updates",
    description="Progress updates: corrections and withdrawals",
)
BLUEPRINTS = (updates_bp,)


def _update(update_id: int) -> ProgressUpdate:
    return get_or_404(
        ProgressUpdate,
        update_id,
        options=[
            joinedload(ProgressUpdate.action).joinedload(Action.plan).joinedload(Plan.area),
            joinedload(ProgressUpdate.author),
            joinedload(ProgressUpdate.retired_by),
            joinedload(ProgressUpdate.on_behalf_of),
        ],
    )


@updates_bp.get("/<id:update_id>")
@updates_bp.response(200, UpdateSchema)
def get_update(update_id: int):
    """One progress update, with whether it was corrected or withdrawn."""
    return _update(update_id)


@updates_bp.post("/<id:update_id>/correction")
@updates_bp.arguments(CorrectionCreateSchema)
@updates_bp.response(201, UpdateSchema)
def correct(data, update_id: int):
    """Correct an update (the area's coordinators and admins): a new update with the fields
    sent (the rest as they were) replaces it everywhere; the original stays, marked
    `corrected` with who, when and the `reason`. 409 if it was already corrected or
    withdrawn."""
    original = _update(update_id)
    with writing() as session:
        correction = progress.correct_update(session, original, actor=me(), **data)
    after_change(update_event(correction, "corrected"))
    location = url_for("updates_api.get_update", update_id=correction.id)
    return _update(correction.id), 201, {"Location": location}


@updates_bp.post("/<id:update_id>/withdrawal")
@updates_bp.arguments(ReasonSchema)
@updates_bp.response(200, UpdateSchema)
def withdraw(data, update_id: int):
    """Withdraw an update posted in error (the area's coordinators and admins): it stays,
    marked `withdrawn` with who, when and the `reason`, and counts nowhere."""
    original = _update(update_id)
    with writing() as session:
        progress.withdraw_update(session, original, actor=me(), reason=data["reason"])
    after_change(update_event(original, "withdrawn"))
    return _update(update_id)


@updates_bp.post("/<id:update_id>/accept")
@updates_bp.response(200, UpdateSchema)
def accept(update_id: int):
    """Accept a contributor's submitted update (the area's coordinators and admins): it counts
    from now on, and its author is emailed. 409 if it is not waiting for review."""
    original = _update(update_id)
    with writing() as session:
        told = review.accept_update(session, original, actor=me(), link=update_link)
    send_all([told])
    after_change(update_event(original, "accepted"))
    return _update(update_id)


@updates_bp.post("/<id:update_id>/return")
@updates_bp.arguments(ReturnSchema)
@updates_bp.response(200, UpdateSchema)
def return_(data, update_id: int):
    """Return a contributor's submitted update to its author with a `comment` (the area's
    coordinators and admins): it counts nowhere, and its author is emailed the comment. 409 if
    it is not waiting for review."""
    original = _update(update_id)
    with writing() as session:
        told = review.return_update(
            session, original, actor=me(), comment=data["comment"], link=update_link
        )
    send_all([told])
    after_change(update_event(original, "returned"))
    return _update(update_id)


@updates_bp.post("/<id:update_id>/redaction")
@updates_bp.arguments(ReasonSchema)
@updates_bp.response(200, UpdateSchema)
def redact(data, update_id: int):
    """Remove sensitive commentary (admins only): replaced everywhere it is kept, the audit
    trail included; the removal, who, when and the `reason` are recorded."""
    original = _update(update_id)
    with writing() as session:
        progress.redact_update(session, original, actor=me(), reason=data["reason"])
    after_change(update_event(original, "redacted"))
    return _update(update_id)

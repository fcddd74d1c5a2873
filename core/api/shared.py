"""TRIC PG5 shared actions, their adoption by each area, and the rollup."""

from __future__ import annotations

from flask import current_app, url_for
from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from sqlalchemy import select

from core import db
from core.api.common import check_if_match, etag, found, me, page_query, writing
from core.api.schemas import (
    AdoptionCreateSchema,
    AdoptionSchema,
    AsAtArgs,
    MeSchema,
    NotApplicableCreateSchema,
    PageArgs,
    RollupItemSchema,
    SharedActionCreateSchema,
    SharedActionPatchSchema,
    SharedActionSchema,
    page_of,
)
from core.links import action_link
from core.models import Outcome, SharedAction
from core.outbox import after_change, send_all, shared_event
from core.page_cache import cached_page
from core.services.notify import notices
from core.services.plans import plans
from core.services.tric import rollup_export, shared
from core.services.tric.rollup import tayside_rollup

shared_bp = Blueprint(
    "shared_api",
    __name__,
    url_prefix="/api/v1/shared-actions",
    description="TRIC PG5 shared actions and their adoption",
)
rollup_bp = Blueprint("rollup_api", __name__, url_prefix="/api/v1", description="TRIC rollup")
BLUEPRINTS = (shared_bp, rollup_bp)


def _definition(key: str) -> SharedAction:
    return found(shared.shared_action_by_key, db.get_session(), key)


def _one(definition: SharedAction):
    return definition, 200, {"ETag": etag(definition.version)}


@shared_bp.get("/")
@shared_bp.arguments(PageArgs, location="query", unknown=RAISE)
@shared_bp.response(200, page_of(SharedActionSchema, "SharedActionPage"))
def list_shared(args):
    """Every shared action, in PG5's order."""
    return page_query(select(SharedAction).order_by(SharedAction.position), args)


@shared_bp.post("/")
@shared_bp.arguments(SharedActionCreateSchema)
@shared_bp.response(201, SharedActionSchema)
def create_shared(data):
    """Create a shared action at version 1 (PG5 members and admins)."""
    with writing() as session:
        definition = shared.create_shared_action(session, actor=me(), **data)
    location = url_for("shared_api.get_shared", key=definition.key)
    return definition, 201, {"ETag": etag(definition.version), "Location": location}


@shared_bp.get("/<key>")
@shared_bp.response(200, SharedActionSchema)
def get_shared(key: str):
    """One shared action; its `version` is also the ETag."""
    return _one(_definition(key))


@shared_bp.patch("/<key>")
@shared_bp.arguments(SharedActionPatchSchema)
@shared_bp.response(200, SharedActionSchema)
def patch_shared(data, key: str):
    """Reword a shared action (PG5 members and admins): a new version, which every area's
    adopted copy follows. Send the ETag you read as `If-Match` (412 if it is stale)."""
    definition = _definition(key)
    check_if_match(definition.version)
    wording = {name: data.get(name, getattr(definition, name)) for name in SharedAction.WORDING}
    before = definition.text
    with writing() as session:
        changed = shared.edit_shared_action(
            session, definition, actor=me(), version=definition.version, **wording
        )
        mails = (
            notices.rewording_mails(session, definition, before=before, link=action_link)
            if changed
            else []
        )
    send_all(mails)  # the coordinators of each area whose published plan adopted it
    if changed:
        after_change(shared_event(definition, "reworded"))
    return _one(definition)


@shared_bp.get("/<key>/adoptions")
@shared_bp.response(200, AdoptionSchema(many=True))
def list_adoptions(key: str):
    """Each area's adoption of the shared action in its plan in force today, or its "does not
    apply" record."""
    return [
        {
            "area": a.area.slug,
            "adopted": a.copy is not None,
            "action_id": a.copy.id if a.copy else None,
            "action_code": a.copy.code if a.copy else None,
            "adopted_version": a.copy.adopted_version if a.copy else None,
            "not_applicable": a.not_applicable is not None,
            "not_applicable_reason": a.not_applicable.reason if a.not_applicable else None,
        }
        for a in shared.adoptions(db.get_session(), _definition(key))
    ]


def _area_plan(slug: str):
    area = found(plans.area_by_slug, db.get_session(), slug)
    return area, found(plans.current_plan, area)


@shared_bp.post("/<key>/adoptions")
@shared_bp.arguments(AdoptionCreateSchema)
@shared_bp.response(201, AdoptionSchema)
def adopt(data, key: str):
    """Adopt the shared action into an area's plan in force (its coordinators and admins):
    into `outcome_id` (an improvement action) under `code`, or next free number."""
    definition = _definition(key)
    area, plan = _area_plan(data["area"])
    outcome = None
    if data["outcome_id"] is not None:
        outcome = db.get_session().get(Outcome, data["outcome_id"])
        if outcome is None or outcome.plan_id != plan.id:
            abort(
                422,
                message="That outcome is not in the area's plan.",
                errors={"json": {"outcome_id": ["That outcome is not in the area's plan."]}},
            )
    with writing() as session:
        copy = shared.adopt_shared_action(
            session, definition, plan, actor=me(), outcome=outcome, code=data["code"]
        )
    return {
        "area": area.slug,
        "adopted": True,
        "action_id": copy.id,
        "action_code": copy.code,
        "adopted_version": copy.adopted_version,
        "not_applicable": False,
        "not_applicable_reason": None,
    }, 201


@shared_bp.post("/<key>/not-applicable")
@shared_bp.arguments(NotApplicableCreateSchema)
@shared_bp.response(201, AdoptionSchema)
def not_applicable(data, key: str):
    """Record that the shared action does not apply to an area, and why (its coordinators and
    admins)."""
    definition = _definition(key)
    area, plan = _area_plan(data["area"])
    with writing() as session:
        record = shared.record_not_applicable(
            session, definition, area, plan, actor=me(), reason=data["reason"]
        )
    return {
        "area": area.slug,
        "adopted": False,
        "action_id": None,
        "action_code": None,
        "adopted_version": None,
        "not_applicable": True,
        "not_applicable_reason": record.reason,
    }, 201


@shared_bp.delete("/<key>/not-applicable/<slug>")
@shared_bp.response(204)
def withdraw_not_applicable(key: str, slug: str):
    """The shared action applies to the area after all (its coordinators and admins); the
    record is kept, as withdrawn, so past rollups stay true."""
    definition = _definition(key)
    area, _plan = _area_plan(slug)
    record = shared.not_applicable_for(db.get_session(), definition, area)
    if record is None:
        abort(404, message=f"{area.name} has not recorded that this does not apply.")
    with writing() as session:
        shared.withdraw_not_applicable(session, record, actor=me())


@rollup_bp.get("/rollup")
@cached_page
@rollup_bp.arguments(AsAtArgs, location="query", unknown=RAISE)
@rollup_bp.response(200, RollupItemSchema(many=True))
def rollup(args):
    """The TRIC PG5 rollup as at `as_at`: the same shape as `cpc rollup --json`."""
    found_rollup = tayside_rollup(
        db.get_session(),
        current_app.extensions["cpc_plugins"],
        args["as_at"],
        include_synthetic=current_app.config["DEMO"],
    )
    return rollup_export.as_json(found_rollup)


@rollup_bp.get("/me")
@rollup_bp.response(200, MeSchema)
def who_am_i():
    """The account the request acts as: its email, role and areas."""
    user = me()
    return {"email": user.email, "role": user.role, "areas": [a.slug for a in user.areas]}

"""Areas, their plans and outcomes, and each plan's summary."""

from __future__ import annotations

from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import db
from core.api.common import found, me, page_query, writing
from core.api.schemas import (
    AreaSchema,
    AsAtArgs,
    OutcomeArgs,
    OutcomeSchema,
    PageArgs,
    PlanArgs,
    PlanDetailSchema,
    PlanPatchSchema,
    PlanSchema,
    SummarySchema,
    page_of,
)
from core.db import MAX_ID
from core.models import Area, Outcome, Plan
from core.services.plans import plans
from core.services.plans.summary import plan_summary

areas_bp = Blueprint("areas", __name__, url_prefix="/api/v1/areas", description="Areas")
plans_bp = Blueprint("plans", __name__, url_prefix="/api/v1/plans", description="Plans")
outcomes_bp = Blueprint(
    "outcomes", __name__, url_prefix="/api/v1/outcomes", description="Plans' outcomes"
)
BLUEPRINTS = (areas_bp, plans_bp, outcomes_bp)


def get_or_404(model, ident: int, options=()):
    row = None if ident > MAX_ID else db.get_session().get(model, ident, options=options)
    if row is None:
        abort(404, message=f"There is no {model.__tablename__[:-1].replace('_', ' ')} {ident}.")
    return row


def _area_json(area: Area) -> dict:
    current = plans.current_plan(area) if area.plans else None
    return {
        "slug": area.slug,
        "name": area.name,
        "committee_name": area.committee_name,
        "is_synthetic": area.is_synthetic,
        "current_plan": current,
        "plans": area.plans,
    }


@areas_bp.get("/")
@areas_bp.arguments(PageArgs, location="query", unknown=RAISE)
@areas_bp.response(200, page_of(AreaSchema, "AreaPage"))
def list_areas(args):
    """Every area, real ones first, with its plans and the plan in force today."""
    query = (
        select(Area)
        .where(Area.is_cpc())
        .options(selectinload(Area.plans))
        .order_by(Area.is_synthetic, Area.name)
    )
    return page_query(query, args, _area_json)


@areas_bp.get("/<slug>")
@areas_bp.response(200, AreaSchema)
def get_area(slug: str):
    """One area."""
    return _area_json(found(plans.area_by_slug, db.get_session(), slug))


@areas_bp.get("/<slug>/summary")
@areas_bp.arguments(AsAtArgs, location="query", unknown=RAISE)
@areas_bp.response(200, SummarySchema)
def area_summary(args, slug: str):
    """The Progress/Update Report row of the area's plan in force on `as_at`: the same keys
    as `cpc summary --json`."""
    session = db.get_session()
    area = found(plans.area_by_slug, session, slug)
    plan = found(plans.current_plan, area, args["as_at"])
    summary = plan_summary(session, plan, args["as_at"]).as_json()
    return {"area": area.slug, "plan": plan.slug, **summary}


@plans_bp.get("/")
@plans_bp.arguments(PlanArgs, location="query", unknown=RAISE)
@plans_bp.response(200, page_of(PlanSchema, "PlanPage"))
def list_plans(args):
    """Every plan, or one area's."""
    query = select(Plan).join(Area).options(joinedload(Plan.area)).order_by(Area.name, Plan.slug)
    if args["area"]:
        query = query.where(Area.slug == args["area"])
    return page_query(query, args)


@plans_bp.get("/<id:plan_id>")
@plans_bp.response(200, PlanDetailSchema)
def get_plan(plan_id: int):
    """One plan with its outcomes."""
    return get_or_404(Plan, plan_id, options=[joinedload(Plan.area), selectinload(Plan.outcomes)])


@plans_bp.patch("/<id:plan_id>")
@plans_bp.arguments(PlanPatchSchema)
@plans_bp.response(200, PlanDetailSchema)
def patch_plan(data, plan_id: int):
    """Change a plan's settings (its area's coordinators and admins): `public` shows a
    published plan without an account at `/public/<area>/<plan>/` (422 for a draft);
    `review_updates` makes contributors' updates wait for a coordinator's review."""
    plan = get_or_404(Plan, plan_id, options=[joinedload(Plan.area)])
    with writing() as session:
        if "public" in data:
            plans.set_public(session, plan, actor=me(), public=data["public"])
        if "review_updates" in data:
            plans.set_review(session, plan, actor=me(), on=data["review_updates"])
    return get_plan(plan_id)


@outcomes_bp.get("/")
@outcomes_bp.arguments(OutcomeArgs, location="query", unknown=RAISE)
@outcomes_bp.response(200, page_of(OutcomeSchema, "OutcomePage"))
def list_outcomes(args):
    """Outcomes, of one plan or of one area's plans."""
    query = select(Outcome).join(Plan).join(Area).order_by(Plan.id, Outcome.number)
    if args["plan"]:
        query = query.where(Plan.id == args["plan"])
    if args["area"]:
        query = query.where(Area.slug == args["area"])
    return page_query(query, args)


@outcomes_bp.get("/<id:outcome_id>")
@outcomes_bp.response(200, OutcomeSchema)
def get_outcome(outcome_id: int):
    """One outcome."""
    return get_or_404(Outcome, outcome_id)

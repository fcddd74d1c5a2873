"""Public plan pages: a published plan its area has made public, readable without an account:
its plan on a page, outcomes and actions, and each action's RAG, direction of travel and
commentary as the committee approved them (at its latest locked reporting date). Nothing
else: no names or emails, no evidence links, no drafts."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from core import db
from core.models import Plan, ReportingDate
from core.services.plans import plans
from core.services.plans.document import plan_document
from core.services.progress import travel
from core.web.pages import found_or_404

bp = Blueprint("public", __name__, url_prefix="/public")


def approved_date(session, plan: Plan) -> ReportingDate | None:
    """The plan's latest reporting date whose period is locked: the committee has had (and
    approved) the report for it."""
    return session.scalars(
        select(ReportingDate)
        .where(ReportingDate.plan_id == plan.id, ReportingDate.locked_at.is_not(None))
        .order_by(ReportingDate.reported_on.desc())
        .limit(1)
    ).first()


def _page(slug: str, plan_slug: str, printing: bool):
    session = db.get_session()
    plan = found_or_404(plans.public_plan, session, slug, plan_slug)
    approved = approved_date(session, plan)
    as_at = approved.reported_on if approved else (plan.published_on or plan.period_start)
    document = plan_document(session, plan, as_at)
    actions = [*document.improvement_actions, *document.ongoing_actions]
    return render_template(
        "public_plan.html",
        doc=document,
        area=plan.area,
        approved=approved,
        directions=travel.directions(session, [a.id for a in actions], as_at) if approved else {},
        printing=printing,
    )


@bp.get("/<slug>/<plan_slug>/")
def plan(slug: str, plan_slug: str):
    return _page(slug, plan_slug, printing=False)


@bp.get("/<slug>/<plan_slug>/print")
def print_view(slug: str, plan_slug: str):
    return _page(slug, plan_slug, printing=True)

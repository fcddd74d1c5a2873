"""Actions (filtered and searched), their KPI measures and their progress updates."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import db
from core.api.areas import get_or_404
from core.api.common import check_if_match, etag, me, page_query, paged, writing
from core.api.schemas import (
    ActionArgs,
    ActionCreateSchema,
    ActionPatchSchema,
    ActionSchema,
    ContributorCreateSchema,
    ContributorSchema,
    KpiArgs,
    KpiMeasureSchema,
    PageArgs,
    UpdateCreateSchema,
    UpdateSchema,
    page_of,
)
from core.enums import Direction
from core.hooks.rag import RagSuggestion
from core.hooks.report_data import reported_this_period
from core.models import Action, Area, KpiMeasure, Outcome, Plan, ProgressUpdate
from core.outbox import action_event, after_change, update_event
from core.services.accounts import contributors
from core.services.errors import FieldError
from core.services.plans import plans
from core.services.plans.action_query import find_actions
from core.services.plans.actions import add_local_action, edit_action
from core.services.plans.search import ActionFilter
from core.services.progress import travel
from core.services.progress.progress import is_overdue, latest_updates, periods_since, post_update
from core.services.progress.rag_suggestions import current_suggestions

actions_bp = Blueprint(
    "actions_api", __name__, url_prefix="/api/v1/actions", description="Actions and updates"
)
kpis_bp = Blueprint(
    "kpis_api", __name__, url_prefix="/api/v1/kpi-measures", description="KPI measures"
)
BLUEPRINTS = (actions_bp, kpis_bp)


def action_json(
    action: Action,
    update: ProgressUpdate | None,
    as_at: dt.date,
    suggestion: RagSuggestion | None = None,
    direction: Direction | None = None,
    since: dt.date | None = None,
) -> dict:
    """An action and its state as at ``as_at``. ``reported_this_period`` is false where it has
    no update, or its latest (``current``) is from on or before ``period_since``, its plan's
    reporting date before ``as_at``: then it counts as not reported, and ``current`` is last
    period's."""
    return {
        "id": action.id,
        "plan_id": action.plan_id,
        "area": action.plan.area.slug,
        "outcome_id": action.outcome_id,
        "code": action.code,
        "kind": action.kind,
        "text": action.text,
        "expected_impact": action.expected_impact,
        "leads": [lead.name for lead in action.leads],
        "target_date": action.target_date,
        "timescale": action.timescale,
        "origin": action.origin,
        "shared_action": action.shared_action.key if action.shared_action else None,
        "adopted_version": action.adopted_version,
        "added_on": action.added_on,
        "revision": action.revision,
        "kpi_measures": [kpi.text for kpi in action.kpi_measures],
        "current": update,
        "reported_this_period": reported_this_period(update, since),
        "period_since": since,
        "overdue": is_overdue(action, update, as_at),
        "suggested_rag": suggestion.rag if suggestion else None,
        "reason": suggestion.reason if suggestion else "",
        "direction": direction,
    }


def actions_json(items: list[tuple[Action, ProgressUpdate | None]], as_at: dt.date) -> list[dict]:
    """Each action's current state with its suggested RAG and direction of travel: three
    queries whatever the number of actions."""
    session = db.get_session()
    actions = [action for action, _ in items]
    latest = {action.id: update for action, update in items}
    suggestions = current_suggestions(
        session, current_app.extensions["cpc_plugins"], actions, latest, as_at
    )
    moves = travel.directions(session, latest, as_at)
    since = periods_since(session, [action.plan_id for action in actions], as_at)
    return [
        action_json(
            action,
            update,
            as_at,
            suggestions.get(action.id),
            moves.get(action.id),
            since[action.plan_id],
        )
        for action, update in items
    ]


def _load_action(action_id: int) -> Action:
    return get_or_404(
        Action,
        action_id,
        options=[
            joinedload(Action.plan).joinedload(Plan.area),
            joinedload(Action.shared_action),
            selectinload(Action.leads),
            selectinload(Action.kpi_measures),
        ],
    )


def _one(action: Action) -> tuple[dict, int, dict[str, str]]:
    """An action's current state, with its revision as the ETag."""
    latest = latest_updates(db.get_session(), Action.id == action.id).get(action.id)
    [body] = actions_json([(action, latest)], dt.date.today())
    return body, 200, {"ETag": etag(action.revision)}


@actions_bp.get("/")
@actions_bp.arguments(ActionArgs, location="query", unknown=RAISE)
@actions_bp.response(200, page_of(ActionSchema, "ActionPage"))
def list_actions(args):
    """Actions of every area's plan in force (or of one `area` or `plan`), as at
    `as_at`, filtered by outcome number, RAG (`none`: no RAG reported, or nothing reported
    this period; a RAG: this period's), status (`none`: not reported, or not this period),
    strategic lead, overdue and words (`q`)."""
    session = db.get_session()
    as_at = args["as_at"] or dt.date.today()
    if args["plan"]:
        plan_ids = [args["plan"]]
    else:
        plan_ids = [
            plan.id for plan in plans.plans_in_force(session, area_slug=args["area"], as_at=as_at)
        ]
    wanted = ActionFilter.of(
        outcome=args["outcome"],
        rag=args["rag"],
        status=args["status"],
        lead=args["lead"],
        overdue=args["overdue"],
        text=args["q"],
        indicator=args["indicator"],
    )
    found = find_actions(
        session, plan_ids, as_at, wanted, page=args["page"], page_size=args["page_size"]
    )
    return paged(actions_json(found.items, as_at), found.total, args)


@actions_bp.post("/")
@actions_bp.arguments(ActionCreateSchema)
@actions_bp.response(201, ActionSchema)
def create_action(data):
    """Add a local action to an outcome (the area's coordinators and admins): numbered next
    in it, and counted as "added" if the plan is published."""
    outcome = get_or_404(Outcome, data["outcome_id"])
    with writing() as session:
        action = add_local_action(
            session,
            outcome,
            actor=me(),
            text=data["text"],
            expected_impact=data["expected_impact"],
            leads=data["leads"],
            target_date=data["target_date"],
        )
    after_change(action_event(action, "added"))
    body, _, headers = _one(_load_action(action.id))
    headers["Location"] = url_for("actions_api.get_action", action_id=action.id)
    return body, 201, headers


@actions_bp.get("/<id:action_id>")
@actions_bp.response(200, ActionSchema)
def get_action(action_id: int):
    """One action with its current state; its `revision` is also the ETag."""
    return _one(_load_action(action_id))


@actions_bp.patch("/<id:action_id>")
@actions_bp.arguments(ActionPatchSchema)
@actions_bp.response(200, ActionSchema)
def patch_action(data, action_id: int):
    """Change a local action's wording (its area's coordinators and admins; a shared action's
    copy follows PG5's wording). Send the ETag you read as `If-Match`: if the action changed
    since, nothing is saved (412)."""
    action = _load_action(action_id)
    check_if_match(action.revision)
    with writing() as session:
        changes = edit_action(
            session,
            action,
            actor=me(),
            revision=action.revision,
            text=data.get("text", action.text),
            expected_impact=data.get("expected_impact", action.expected_impact),
            leads=data.get("leads", [lead.name for lead in action.leads]),
            target_date=data.get("target_date", action.target_date),
        )
    if changes:
        after_change(action_event(action, "reworded"))
    return _one(_load_action(action_id))


@actions_bp.get("/<id:action_id>/updates")
@actions_bp.arguments(PageArgs, location="query", unknown=RAISE)
@actions_bp.response(200, page_of(UpdateSchema, "UpdatePage"))
def list_updates(args, action_id: int):
    """The action's progress updates, newest first (by the date each reports on)."""
    action = get_or_404(Action, action_id)
    return page_query(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .options(joinedload(ProgressUpdate.author))
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc()),
        args,
    )


@actions_bp.post("/<id:action_id>/updates")
@actions_bp.arguments(UpdateCreateSchema)
@actions_bp.response(201, UpdateSchema)
def create_update(data, action_id: int):
    """Post a progress update (the area's coordinators and admins, and the action's
    contributors; a coordinator may send `on_behalf_of` a contributor's email). A
    contributor's update is `submitted` until a coordinator accepts it (unless the plan has
    review off). A `rag` greener than the engine's suggestion needs `rag_reason` (422
    otherwise, naming the suggestion and why). Updates are append-only: there is no way to
    change or delete one."""
    action = get_or_404(
        Action, action_id, options=[joinedload(Action.plan), selectinload(Action.contributors)]
    )
    behalf_email = data.pop("on_behalf_of")
    with writing() as session:
        behalf = None
        if behalf_email:
            try:
                behalf = contributors.contributor_for(session, behalf_email)
            except FieldError as problem:
                raise FieldError("on_behalf_of", problem.message) from None
        update = post_update(
            session,
            action,
            actor=me(),
            on_behalf_of=behalf,
            plugins=current_app.extensions["cpc_plugins"],
            **data,
        )
    after_change(update_event(update, "posted"))
    return update, 201, {"Location": url_for("actions_api.list_updates", action_id=action.id)}


@actions_bp.get("/<id:action_id>/contributors")
@actions_bp.response(200, ContributorSchema(many=True))
def list_contributors(action_id: int):
    """The contributors linked to the action: strategic leads with an account, who post its
    updates."""
    action = get_or_404(Action, action_id, options=[selectinload(Action.contributors)])
    return action.contributors


@actions_bp.post("/<id:action_id>/contributors")
@actions_bp.arguments(ContributorCreateSchema)
@actions_bp.response(201, ContributorSchema(many=True))
def add_contributor(data, action_id: int):
    """Link a contributor account, by `email`, to the action (the area's coordinators and
    admins): they may then post its updates. 201 with the action's contributors; 200 if they
    were linked already; 422 if there is no active contributor account with that email."""
    action = get_or_404(
        Action,
        action_id,
        options=[joinedload(Action.plan).joinedload(Plan.area), selectinload(Action.contributors)],
    )
    with writing() as session:
        linked = contributors.link_contributor(session, action, actor=me(), email=data["email"])
    action = get_or_404(Action, action_id, options=[selectinload(Action.contributors)])
    return action.contributors, 201 if linked else 200


@kpis_bp.get("/")
@kpis_bp.arguments(KpiArgs, location="query", unknown=RAISE)
@kpis_bp.response(200, page_of(KpiMeasureSchema, "KpiMeasurePage"))
def list_kpis(args):
    """KPI measures, of every plan, one area's plans or one plan."""
    query = (
        select(KpiMeasure)
        .join(Action)
        .join(Plan)
        .join(Area)
        .options(joinedload(KpiMeasure.action))
        .order_by(Plan.id, Action.position, KpiMeasure.position)
    )
    if args["area"]:
        query = query.where(Area.slug == args["area"])
    if args["plan"]:
        query = query.where(Plan.id == args["plan"])
    return page_query(query, args)

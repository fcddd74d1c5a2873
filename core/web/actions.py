"""An action's page and its writes: post a progress update, add a local action, edit the
wording, mark completed. Each write checks the user's role and area here and in the service."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import db
from core.enums import ProgressStatus, ReviewState
from core.identity import signed_in_user
from core.links import update_link
from core.models import Action, ActionChange, Outcome, ProgressUpdate
from core.outbox import action_event, after_change, send_all, update_event
from core.page_cache import cached_page
from core.services.accounts import contributors, permissions
from core.services.errors import FieldError
from core.services.improvement import recommendations
from core.services.plans import plans
from core.services.plans.actions import add_local_action, edit_action, wording, wording_problems
from core.services.plans.document import rag_legend
from core.services.progress import progress, reporting, review, travel
from core.services.progress.progress import (
    mark_completed,
    overdue_since,
    periods_since,
    post_update,
    update_problems,
)
from core.services.progress.rag_suggestions import current_suggestions, suggest_for_update
from core.web.form_schemas import (
    ActionForm,
    CompleteForm,
    ContributorForm,
    CorrectionForm,
    EditActionForm,
    FormSchema,
    NewActionForm,
    NewUpdateForm,
    RedactionForm,
    ReturnUpdateForm,
    WithdrawalForm,
)
from core.web.forms import FormState, allowed, conflict_rows, submit
from core.web.pages import found_or_404
from core.web.self_evaluation import tag_context

bp = Blueprint("actions", __name__)


def _action(action_id: int) -> Action:
    action = db.get_session().scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            selectinload(Action.leads),
            selectinload(Action.kpi_measures),
            selectinload(Action.contributors),
            selectinload(Action.updates).joinedload(ProgressUpdate.author),
            selectinload(Action.updates).joinedload(ProgressUpdate.on_behalf_of),
            selectinload(Action.updates).joinedload(ProgressUpdate.reviewed_by),
            selectinload(Action.updates).joinedload(ProgressUpdate.retired_by),
            selectinload(Action.changes).joinedload(ActionChange.changed_by),
            selectinload(Action.indicators),
        )
    )
    if action is None:
        abort(404, f"There is no action {action_id}.")
    return action


def _done(message: str, action_id: int):
    flash(message, "success")
    return redirect(url_for("actions.show", action_id=action_id))


def _history(action: Action) -> list:
    """The action's updates (loaded with it), newest first by the date each reports on,
    corrected and withdrawn ones included."""
    return sorted(action.updates, key=lambda u: (u.reported_on, u.id), reverse=True)


def _latest(history: list[ProgressUpdate]) -> ProgressUpdate | None:
    """The newest update that counts (accepted, not corrected or withdrawn)."""
    return next((u for u in history if u.counts), None)


@bp.get("/actions/<id:action_id>")
@cached_page
def show(action_id: int):
    action = _action(action_id)
    user = signed_in_user()
    session = db.get_session()
    history = _history(action)
    latest = _latest(history)
    today = dt.date.today()
    standing = reporting.standing_day(session, action.plan, today)
    return render_template(
        "action.html",
        action=action,
        plan=action.plan,
        area=action.plan.area,
        latest=latest,
        history=history,
        corrections={u.corrects_id: u for u in history if u.corrects_id},
        shown_ids={u.id for u in history},
        changes=list(reversed(action.changes)),
        overdue=overdue_since(action.target_date, latest, today),
        since=periods_since(session, [action.plan_id], standing)[action.plan_id],
        suggestion=_suggestion(action, latest, today),
        direction=travel.directions(session, [action.id], standing).get(action.id),
        can_report=permissions.writes_area(user, action.plan.area),
        can_post=permissions.posts_updates(user, action),
        can_edit=permissions.edits_wording(user, action),
        answers=recommendations.answered_by(session, action),
        **tag_context(
            action.indicators,
            can_tag=permissions.writes_area(user, action.plan.area),
            tag_url=url_for("self_evaluation.tag_action", action_id=action.id),
            untag=("self_evaluation.untag_action", {"action_id": action.id}),
            area=action.plan.area,
            what=f"action {action.code}",
        ),
    )


def _suggestion(action: Action, latest: ProgressUpdate | None, today: dt.date):
    plugins = current_app.extensions["cpc_plugins"]
    found = current_suggestions(db.get_session(), plugins, [action], {action.id: latest}, today)
    return found.get(action.id)


def _suggestion_for_form(action: Action, latest: ProgressUpdate | None, form: FormState):
    """The suggestion for the update as the form stands, by the very computation that judges
    it when it is sent: for the status and date given (once sent), else for the action's
    status now (in progress if it has none yet) reported today."""
    try:
        status = ProgressStatus(form.value("status"))
    except ValueError:
        status = latest.status if latest is not None else ProgressStatus.IN_PROGRESS
    try:
        day = dt.date.fromisoformat(form.value("reported_on"))
    except ValueError:
        day = dt.date.today()
    plugins = current_app.extensions["cpc_plugins"]
    return suggest_for_update(db.get_session(), plugins, action, status=status, reported_on=day)


@bp.route("/actions/<id:action_id>/updates/new", methods=["GET", "POST"])
def new_update(action_id: int):
    action = _action(action_id)
    allowed(permissions.require_posting, action)
    session = db.get_session()
    user = signed_in_user()
    latest = _latest(_history(action))
    # Last quarter's status and RAG are shown, never filled in: each update is rated afresh.
    form = FormState.with_defaults(reported_on=dt.date.today().isoformat())
    for_whom = action.contributors if permissions.writes_area(user, action.plan.area) else []

    def write(data: dict) -> ProgressUpdate:
        behalf_id = data.pop("on_behalf_of")
        behalf = next((c for c in for_whom if c.id == behalf_id), None)
        if behalf_id is not None and behalf is None:
            raise FieldError("on_behalf_of", "Choose one of the action's contributors.")
        return post_update(
            session,
            action,
            actor=user,
            on_behalf_of=behalf,
            plugins=current_app.extensions["cpc_plugins"],
            **data,
        )

    saved, update, form = submit(
        NewUpdateForm,
        form,
        write,
        check=lambda valid: update_problems(
            action, **{k: valid.get(k) for k in ("reported_on", "status", "rag")}
        ),
    )
    if saved:
        after_change(update_event(update, "posted"))
        if update.review is ReviewState.SUBMITTED:
            return _done(
                f"Your update on action {action.code} has been submitted. It counts once a "
                "coordinator accepts it; you will get an email either way.",
                action.id,
            )
        return _done(f"Your update on action {action.code} has been saved.", action.id)
    legend = rag_legend(session, action.plan)
    return _form_page(
        "update_form.html",
        form,
        action=action,
        latest=latest,
        legend=legend,
        suggestion=_suggestion_for_form(action, latest, form),
        awaiting=next(
            (u for u in _history(action) if u.review is ReviewState.SUBMITTED and not u.retired_at),
            None,
        ),
        behalf_options=[("", "Me")] + [(str(c.id), c.email) for c in for_whom] if for_whom else [],
    )


@bp.post("/updates/<id:update_id>/accept")
def accept_update(update_id: int):
    update = _update(update_id)
    allowed(permissions.require_area, update.action.plan.area)
    saved, told, form = submit(
        FormSchema,
        FormState(),
        lambda _data: review.accept_update(
            db.get_session(), update, actor=signed_in_user(), link=update_link
        ),
    )
    if not saved:  # decided by someone else just now, or its period is locked
        abort(409, " ".join(form.errors.values()))
    send_all([told])
    after_change(update_event(update, "accepted"))
    return _done(
        f"The update on action {update.action.code} is accepted: it now counts.", update.action_id
    )


@bp.route("/updates/<id:update_id>/return", methods=["GET", "POST"])
def return_update(update_id: int):
    update = _update(update_id)
    allowed(permissions.require_area, update.action.plan.area)
    saved, told, form = submit(
        ReturnUpdateForm,
        FormState(),
        lambda data: review.return_update(
            db.get_session(),
            update,
            actor=signed_in_user(),
            comment=data["comment"],
            link=update_link,
        ),
    )
    if saved:
        send_all([told])
        after_change(update_event(update, "returned"))
        return _done(
            f"The update on action {update.action.code} is returned to its author with your "
            "comment.",
            update.action_id,
        )
    page, status = _form_page("return_form.html", form, action=update.action, original=update)
    return page, 409 if "update" in form.errors else status


@bp.post("/actions/<id:action_id>/contributors")
def link_contributor(action_id: int):
    action = _action(action_id)
    allowed(permissions.require_area, action.plan.area)
    saved, linked, form = submit(
        ContributorForm,
        FormState(),
        lambda data: contributors.link_contributor(
            db.get_session(), action, actor=signed_in_user(), email=data["email"]
        ),
    )
    if saved:
        email = form.value("email").strip()
        message = f"{email} is now a contributor to action {action.code}: they can post its "
        message += "updates." if linked else "updates (they were already)."
        return _done(message, action.id)
    flash(" ".join(form.errors.values()), "error")
    return redirect(url_for("actions.show", action_id=action.id, _anchor="contributors"))


@bp.post("/actions/<id:action_id>/contributors/<id:user_id>/remove")
def unlink_contributor(action_id: int, user_id: int):
    action = _action(action_id)
    allowed(permissions.require_area, action.plan.area)
    user = next((c for c in action.contributors if c.id == user_id), None)
    if user is None:
        abort(404, f"That account is not a contributor to action {action.code}.")
    email = user.email
    submit(
        FormSchema,
        FormState(),
        lambda _data: contributors.unlink_contributor(
            db.get_session(), action, actor=signed_in_user(), user=user
        ),
    )
    return _done(f"{email} is no longer a contributor to action {action.code}.", action.id)


@bp.route("/actions/<id:action_id>/complete", methods=["GET", "POST"])
def complete(action_id: int):
    action = _action(action_id)
    allowed(permissions.require_area, action.plan.area)
    form = FormState.with_defaults(reported_on=dt.date.today().isoformat())
    saved, update, form = submit(
        CompleteForm,
        form,
        lambda data: mark_completed(db.get_session(), action, actor=signed_in_user(), **data),
    )
    if saved:
        after_change(update_event(update, "posted"))
        return _done(f"Action {action.code} is marked as completed.", action.id)
    return _form_page("complete_form.html", form, action=action)


@bp.route("/actions/<id:action_id>/edit", methods=["GET", "POST"])
def edit(action_id: int):
    action = _action(action_id)
    allowed(permissions.require_wording, action)
    form = FormState.with_defaults(**wording(action), revision=action.revision)
    saved, changes, form = submit(
        EditActionForm,
        form,
        lambda data: edit_action(
            db.get_session(),
            action,
            actor=signed_in_user(),
            revision=data["revision"],
            text=data["text"],
            expected_impact=data["expected_impact"],
            leads=ActionForm.lead_names(data["leads"]),
            target_date=data["target_date"],
        ),
        check=lambda valid: wording_problems(action.plan, target_date=valid.get("target_date")),
    )
    if saved:
        if changes:
            after_change(action_event(action, "reworded"))
        return _done(
            "Your changes have been saved." if changes else "Nothing was changed.", action.id
        )
    conflict = None
    if form.stale:
        # Show their change beside what was typed; saving again goes on top of their revision.
        read = int(form.value("revision"))
        action = _action(action_id)
        form.values["revision"] = [str(action.revision)]
        conflict = {
            "rows": conflict_rows(form, wording(action), ActionChange.FIELD_NAMES),
            "changes": [c for c in action.changes if c.revision > read],
        }
    return _form_page("action_form.html", form, action=action, plan=action.plan, conflict=conflict)


@bp.route("/areas/<slug>/plans/<plan_slug>/actions/new", methods=["GET", "POST"])
def new(slug: str, plan_slug: str):
    session = db.get_session()
    plan = found_or_404(plans.plan_by_slug, session, slug, plan_slug)
    allowed(permissions.require_area, plan.area)
    outcomes = list(
        session.scalars(select(Outcome).where(Outcome.plan_id == plan.id).order_by(Outcome.number))
    )
    form = FormState.with_defaults(outcome=request.args.get("outcome"))

    def add(data: dict) -> Action:
        outcome = next((o for o in outcomes if o.id == data["outcome"]), None)
        if outcome is None:
            raise FieldError("outcome", "Choose one of this plan's outcomes.")
        return add_local_action(
            session,
            outcome,
            actor=signed_in_user(),
            text=data["text"],
            expected_impact=data["expected_impact"],
            leads=ActionForm.lead_names(data["leads"]),
            target_date=data["target_date"],
        )

    saved, added, form = submit(
        NewActionForm,
        form,
        add,
        check=lambda valid: wording_problems(plan, target_date=valid.get("target_date")),
    )
    if saved:
        after_change(action_event(added, "added"))
        return _done(f"Action {added.code} has been added to the plan.", added.id)
    options = [(str(o.id), f"Outcome {o.number}: {o.title}") for o in outcomes]
    return _form_page("action_form.html", form, action=None, plan=plan, outcome_options=options)


def _form_page(template: str, form: FormState, **context):
    status = 400 if form.errors else 200
    return render_template(template, form=form, **context), status


def _update(update_id: int) -> ProgressUpdate:
    found = db.get_session().scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.id == update_id)
        .options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.author))
    )
    if found is None:
        abort(404, f"There is no progress update {update_id}.")
    if found.retired_at is not None:
        abort(409, "This update has already been corrected or withdrawn.")
    return found


@bp.route("/updates/<id:update_id>/correct", methods=["GET", "POST"])
def correct_update(update_id: int):
    original = _update(update_id)
    action = original.action
    allowed(permissions.require_area, action.plan.area)
    form = FormState.with_defaults(
        reported_on=original.reported_on.isoformat(),
        status=original.status.value,
        rag=original.rag.value if original.rag else None,
        commentary=original.commentary,
        evidence_url=original.evidence_url,
    )
    saved, correction, form = submit(
        CorrectionForm,
        form,
        lambda data: progress.correct_update(
            db.get_session(), original, actor=signed_in_user(), **data
        ),
        check=lambda valid: update_problems(
            action, **{k: valid.get(k) for k in ("reported_on", "status", "rag")}
        ),
    )
    if saved:
        after_change(update_event(correction, "corrected"))
        return _done(
            "Your correction has been saved; the original is kept, struck through.", action.id
        )
    legend = rag_legend(db.get_session(), action.plan)
    return _form_page(
        "retire_form.html", form, action=action, original=original, mode="correct", legend=legend
    )


@bp.route("/updates/<id:update_id>/withdraw", methods=["GET", "POST"])
def withdraw_update(update_id: int):
    original = _update(update_id)
    allowed(permissions.require_area, original.action.plan.area)
    return _retire_page(
        original,
        "withdraw",
        WithdrawalForm,
        progress.withdraw_update,
        "The update has been withdrawn; it is kept, struck through.",
        "withdrawn",
    )


@bp.route("/updates/<id:update_id>/redact", methods=["GET", "POST"])
def redact_update(update_id: int):
    original = _update(update_id)
    allowed(permissions.require_user_admin)
    return _retire_page(
        original,
        "redact",
        RedactionForm,
        progress.redact_update,
        "The commentary has been removed everywhere it was kept.",
        "redacted",
    )


def _retire_page(original: ProgressUpdate, mode: str, schema, service, done: str, event: str):
    """The form that withdraws an update or removes its commentary, with a reason."""
    saved, _, form = submit(
        schema,
        FormState(),
        lambda data: service(db.get_session(), original, actor=signed_in_user(), **data),
    )
    if saved:
        after_change(update_event(original, event))
        return _done(done, original.action_id)
    return _form_page(
        "retire_form.html", form, action=original.action, original=original, mode=mode
    )

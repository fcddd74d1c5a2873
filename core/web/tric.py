"""TRIC PG5: the cross-Tayside rollup of shared actions (page, exports, print view), and the
shared actions themselves: PG5 words them, each area adopts them or says they do not apply."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from sqlalchemy import select

from core import db
from core.identity import signed_in_user
from core.links import action_link
from core.models import Action, Area, Outcome, Plan, SharedAction
from core.outbox import after_change, send_all, shared_event
from core.page_cache import cached_page
from core.services.accounts import permissions
from core.services.notify import notices
from core.services.plans import plans
from core.services.tric import rollup_export, shared
from core.services.tric.rollup import TREND_POINTS, Rollup, tayside_rollup
from core.web.form_schemas import (
    AdoptForm,
    EditSharedActionForm,
    NewSharedActionForm,
    NotApplicableForm,
)
from core.web.forms import FormState, allowed, conflict_rows, submit
from core.web.pages import found_or_404, shown_as_at

bp = Blueprint("tric", __name__, url_prefix="/tric")

DEFAULT_RULE = "core.default_plugins.tayside_status"


def _rollup_and_default():
    session = db.get_session()
    as_at, default = shown_as_at(session, None)
    plugins = current_app.extensions["cpc_plugins"]
    demo = current_app.config["DEMO"]
    return tayside_rollup(session, plugins, as_at, include_synthetic=demo), default


def _rollup() -> Rollup:
    return _rollup_and_default()[0]


def _rule_plugins(rollup: Rollup) -> list[str]:
    """The plugins whose own rule decided a Tayside status (not the built-in one)."""
    return [name for name in rollup.rules_used if name != DEFAULT_RULE]


@bp.get("/")
@cached_page
def rollup():
    found, default = _rollup_and_default()
    return render_template(
        "rollup.html",
        rollup=found,
        rule_plugins=_rule_plugins(found),
        default=default,
        trend_points=TREND_POINTS,
    )


@bp.get("/print")
def print_view():
    found = _rollup()
    return render_template("rollup_print.html", rollup=found, rule_plugins=_rule_plugins(found))


def _download(body: str | bytes, mimetype: str, rollup: Rollup, extension: str) -> Response:
    name = f"tric-pg5-rollup-{rollup.as_at.isoformat()}.{extension}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/rollup.csv")
def rollup_csv():
    found = _rollup()
    return _download(rollup_export.to_csv(found), "text/csv; charset=utf-8", found, "csv")


@bp.get("/rollup.xlsx")
def rollup_xlsx():
    found = _rollup()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(rollup_export.to_xlsx(found), xlsx, found, "xlsx")


@bp.get("/shared-actions/")
def shared_actions():
    return render_template(
        "shared_actions.html", definitions=shared.shared_actions(db.get_session())
    )


def _definition(key: str) -> SharedAction:
    return found_or_404(shared.shared_action_by_key, db.get_session(), key)


@bp.get("/shared-actions/<key>/")
def shared_action(key: str):
    definition = _definition(key)
    by_area = [a for a in shared.adoptions(db.get_session(), definition) if not a.area.is_synthetic]
    versions = sorted(definition.versions, key=lambda v: v.version, reverse=True)
    return render_template(
        "shared_action.html", definition=definition, by_area=by_area, versions=versions
    )


@bp.route("/shared-actions/new", methods=["GET", "POST"])
def new_shared_action():
    allowed(permissions.require_shared)
    saved, created, form = submit(
        NewSharedActionForm,
        FormState(),
        lambda data: shared.create_shared_action(db.get_session(), actor=signed_in_user(), **data),
    )
    if saved:
        flash(f"The shared action “{created.title}” has been created.", "success")
        return redirect(url_for("tric.shared_action", key=created.key))
    return _page("shared_action_form.html", form, definition=None)


@bp.route("/shared-actions/<key>/edit", methods=["GET", "POST"])
def edit_shared_action(key: str):
    allowed(permissions.require_shared)
    definition = _definition(key)
    # Dates show as YYYY-MM-DD, as the date field expects.
    form = FormState.with_defaults(
        **{name: getattr(definition, name) for name in SharedAction.WORDING},
        version=definition.version,
    )

    def reword(data: dict) -> tuple[bool, list]:
        session = db.get_session()
        before = definition.text
        changed = shared.edit_shared_action(session, definition, actor=signed_in_user(), **data)
        if not changed:
            return changed, []
        return changed, notices.rewording_mails(
            session, definition, before=before, link=action_link
        )

    saved, result, form = submit(EditSharedActionForm, form, reword)
    if saved:
        changed, mails = result
        send_all(mails)  # the areas' coordinators, once the new wording is saved
        if changed:
            after_change(shared_event(definition, "reworded"))
        flash(
            f"Saved as version {definition.version}; every area's copy now has this wording."
            if changed
            else "Nothing was changed.",
            "success",
        )
        return redirect(url_for("tric.shared_action", key=definition.key))
    conflict = None
    if form.stale:
        # Show their version beside what was typed; saving again makes the version after theirs.
        read = int(form.value("version"))
        definition = _definition(key)
        form.values["version"] = [str(definition.version)]
        current = FormState.with_defaults(
            **{name: getattr(definition, name) for name in SharedAction.WORDING}
        )
        conflict = {
            "rows": conflict_rows(
                form, {name: current.value(name) for name in SHARED_LABELS}, SHARED_LABELS
            ),
            "changes": [v for v in definition.versions if v.version > read],
        }
    return _page("shared_action_form.html", form, definition=definition, conflict=conflict)


SHARED_LABELS = {
    "title": "Short title",
    "text": "Action/task",
    "expected_impact": "Expected impact",
    "lead": "Lead",
    "target_date": "Target date",
}


def _area_plan(slug: str) -> tuple[Area, Plan]:
    session = db.get_session()
    area = found_or_404(plans.area_by_slug, session, slug)
    return area, found_or_404(plans.current_plan, area)


@bp.route("/shared-actions/<key>/adopt/<slug>", methods=["GET", "POST"])
def adopt(key: str, slug: str):
    definition = _definition(key)
    area, plan = _area_plan(slug)
    allowed(permissions.require_area, area)
    session = db.get_session()
    outcomes = list(
        session.scalars(select(Outcome).where(Outcome.plan_id == plan.id).order_by(Outcome.number))
    )
    suggested = next((o for o in outcomes if o.number == definition.priority_for_practice), None)
    form = FormState.with_defaults(outcome=suggested.id if suggested else None)

    def write(data: dict) -> Action:
        outcome = next((o for o in outcomes if o.id == data["outcome"]), None)
        return shared.adopt_shared_action(
            session, definition, plan, actor=signed_in_user(), outcome=outcome, code=data["code"]
        )

    saved, copy, form = submit(AdoptForm, form, write)
    if saved:
        flash(f"{area.name} has adopted this as action {copy.code}.", "success")
        return redirect(url_for("actions.show", action_id=copy.id))
    options = [(str(o.id), f"Outcome {o.number}: {o.title}") for o in outcomes]
    return _page(
        "adopt_form.html", form, definition=definition, area=area, plan=plan, outcomes=options
    )


@bp.route("/shared-actions/<key>/not-applicable/<slug>", methods=["GET", "POST"])
def not_applicable(key: str, slug: str):
    definition = _definition(key)
    area, plan = _area_plan(slug)
    allowed(permissions.require_area, area)
    saved, _, form = submit(
        NotApplicableForm,
        FormState(),
        lambda data: shared.record_not_applicable(
            db.get_session(), definition, area, plan, actor=signed_in_user(), **data
        ),
    )
    if saved:
        flash(f"Recorded that this does not apply to {area.name}.", "success")
        return redirect(url_for("tric.shared_action", key=definition.key))
    return _page("not_applicable_form.html", form, definition=definition, area=area)


@bp.post("/shared-actions/<key>/not-applicable/<slug>/withdraw")
def withdraw_not_applicable(key: str, slug: str):
    session = db.get_session()
    definition = _definition(key)
    area, _plan = _area_plan(slug)
    allowed(permissions.require_area, area)
    record = shared.not_applicable_for(session, definition, area)
    if record is None:
        abort(404, f"{area.name} has not recorded that this does not apply.")
    with db.transaction():
        shared.withdraw_not_applicable(session, record, actor=signed_in_user())
    flash(f"This shared action applies to {area.name} again: it can be adopted.", "success")
    return redirect(url_for("tric.shared_action", key=definition.key))


def _page(template: str, form: FormState, **context):
    return render_template(template, form=form, **context), (400 if form.errors else 200)

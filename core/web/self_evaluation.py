"""Self-evaluation in the app: each area's calendar of activities over its plan's period
(planned, done, slipped, quarter by quarter) and its latest rating of each indicator; an
activity's page (the three questions answered, the ratings and who agreed them, its evidence
and the recommendations it led to); adding and changing one; an indicator's page for an area;
TRIC PG5's side-by-side of every area's latest ratings; and tagging actions and KPIs with
the indicators they serve."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from core import db
from core.enums import EvidenceKind
from core.identity import signed_in_user
from core.models import Action, Area, Kpi, QualityFramework, SelfEvaluation
from core.services.accounts import permissions
from core.services.errors import FieldError
from core.services.improvement import frameworks, indicators, self_evaluations
from core.services.improvement.self_evaluations import ActivityText, EvidenceChoice
from core.services.kpis import kpis
from core.services.plans import plans
from core.services.plans.document import evidence_menu
from core.web.forms import FormState, allowed, submit
from core.web.improvement_forms import (
    NOT_LOOKED_AT,
    NOT_RATED,
    EditSelfEvaluationForm,
    EvidenceForm,
    SelfEvaluationForm,
    TagForm,
    ratings_from,
)
from core.web.pages import found_or_404

bp = Blueprint("self_evaluation", __name__)

EVIDENCE_KINDS = [(k.value, k.label, "") for k in EvidenceKind]


def _area(slug: str) -> Area:
    return found_or_404(plans.area_by_slug, db.get_session(), slug)


def _plan_of(area: Area):
    return plans.current_plan(area) if area.plans else None


def _activity(activity_id: int) -> SelfEvaluation:
    return found_or_404(self_evaluations.activity_by_id, db.get_session(), activity_id)


def _may_change(area: Area) -> bool:
    return permissions.writes_area(signed_in_user(), area)


@bp.get("/areas/<slug>/self-evaluation/")
def calendar(slug: str):
    """The area's self-evaluation calendar and its latest rating of each indicator."""
    area = _area(slug)
    session = db.get_session()
    found = self_evaluations.calendar(session, area, _plan_of(area))
    return render_template(
        "self_evaluation_calendar.html",
        area=area,
        calendar=found,
        today=dt.date.today(),
        stands=self_evaluations.where_it_stands,
        frameworks=frameworks.frameworks(session),
        ratings=indicators.latest_ratings(session, [area.id]),
        may_change=_may_change(area),
    )


def _framework_for_new() -> QualityFramework:
    session = db.get_session()
    key = request.args.get("framework")
    if key:
        return found_or_404(frameworks.framework_by_key, session, key)
    every = frameworks.frameworks(session)
    if not every:
        abort(404, "No quality framework has been loaded: an administrator loads one first.")
    return every[0]


def _words(data: dict[str, Any]) -> ActivityText:
    return ActivityText(**{name: data[name] for name in self_evaluations.FIELDS})


def _rating_values(activity: SelfEvaluation) -> dict[str, str]:
    return {
        f"indicator_{r.indicator_id}": str(r.rating) if r.rating is not None else NOT_RATED
        for r in activity.ratings
    }


def _form_page(area: Area, framework: QualityFramework, form: FormState, activity=None):
    scale = [(str(p["value"]), f"{p['value']} {p['label']}") for p in framework.scale]
    choices = [(NOT_LOOKED_AT, "Not looked at"), (NOT_RATED, "Looked at, not rated yet"), *scale]
    return render_template(
        "self_evaluation_form.html",
        area=area,
        framework=framework,
        others=[f for f in frameworks.frameworks(db.get_session()) if f.id != framework.id]
        if activity is None
        else [],
        form=form,
        activity=activity,
        choices=choices,
    ), (400 if form.errors else 200)


@bp.route("/areas/<slug>/self-evaluation/new", methods=["GET", "POST"])
def new(slug: str):
    area = _area(slug)
    allowed(permissions.require_self_evaluation, area)
    framework = _framework_for_new()
    session = db.get_session()

    def write(data: dict[str, Any]) -> SelfEvaluation:
        return self_evaluations.add(
            session,
            actor=signed_in_user(),
            area=area,
            framework=framework,
            words=_words(data),
            ratings=ratings_from(request.form, framework),
        )

    saved, activity, form = submit(
        SelfEvaluationForm, FormState(), write, _ratings_check(framework)
    )
    if saved:
        flash(f"The self-evaluation “{activity.title}” has been added.", "success")
        return redirect(url_for("self_evaluation.show", activity_id=activity.id))
    return _form_page(area, framework, form)


def _ratings_check(framework: QualityFramework):
    """The indicators' problems, shown with the fields' own when the form has errors."""

    def check(_valid: dict) -> list[FieldError]:
        try:
            ratings_from(request.form, framework)
        except FieldError as problem:
            return [problem]
        return []

    return check


@bp.get("/self-evaluations/<id:activity_id>")
def show(activity_id: int):
    activity = _activity(activity_id)
    return _show(activity, FormState())


def _show(activity: SelfEvaluation, evidence_form: FormState, status: int = 200):
    session = db.get_session()
    area = activity.area
    plan = _plan_of(area)
    may_change = _may_change(area)
    return render_template(
        "self_evaluation.html",
        activity=activity,
        area=area,
        ratings=sorted(activity.ratings, key=lambda r: r.indicator.position),
        figures=indicators.evidence_figures(session, activity.evidence, area.id, activity.done_on),
        may_change=may_change,
        may_recommend=permissions.writes_area(signed_in_user(), area),
        evidence_form=evidence_form,
        kinds=EVIDENCE_KINDS,
        kpi_options=[("", "Choose a KPI")]
        + [(str(k.id), k.name) for k in kpis.area_kpis(session, area)]
        if may_change
        else [],
        menu_options=[("", "Choose an entry"), *_menu(plan)] if may_change and plan else [],
        stands=self_evaluations.where_it_stands,
    ), status


def _menu(plan) -> list[tuple[str, str]]:
    return [(str(e.id), e.text[:120]) for e in evidence_menu(db.get_session(), plan)]


@bp.route("/self-evaluations/<id:activity_id>/edit", methods=["GET", "POST"])
def edit(activity_id: int):
    activity = _activity(activity_id)
    allowed(permissions.require_self_evaluation, activity.area)
    session = db.get_session()
    form = FormState.with_defaults(
        **{
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name in self_evaluations.FIELDS
            if (value := getattr(activity, name)) is not None
        },
        revision=activity.revision,
        **_rating_values(activity),
    )

    def write(data: dict[str, Any]) -> bool:
        return self_evaluations.edit(
            session,
            activity,
            actor=signed_in_user(),
            revision=data["revision"],
            words=_words(data),
            ratings=ratings_from(request.form, activity.framework),
        )

    saved, changed, form = submit(
        EditSelfEvaluationForm, form, write, _ratings_check(activity.framework)
    )
    if saved:
        flash(
            "The self-evaluation has been changed." if changed else "Nothing was changed.",
            "success",
        )
        return redirect(url_for("self_evaluation.show", activity_id=activity.id))
    return _form_page(activity.area, activity.framework, form, activity)


@bp.post("/self-evaluations/<id:activity_id>/evidence")
def add_evidence(activity_id: int):
    activity = _activity(activity_id)
    allowed(permissions.require_self_evaluation, activity.area)
    session = db.get_session()

    def write(data: dict[str, Any]):
        choice = EvidenceChoice(
            kind=data["kind"],
            kpi_id=data["kpi"],
            evidence_source_id=data["evidence_source"],
            action_code=data["action"],
            url=data["url"],
            title=data["title"],
            note=data["note"],
        )
        return self_evaluations.add_evidence(
            session, activity, choice, actor=signed_in_user(), plan=_plan_of(activity.area)
        )

    saved, _, form = submit(EvidenceForm, FormState(), write)
    if saved:
        flash("The evidence has been linked.", "success")
        return redirect(url_for("self_evaluation.show", activity_id=activity.id) + "#evidence")
    return _show(_activity(activity_id), form, 400)


@bp.post("/self-evaluations/<id:activity_id>/evidence/<id:evidence_id>/remove")
def remove_evidence(activity_id: int, evidence_id: int):
    activity = _activity(activity_id)
    allowed(permissions.require_self_evaluation, activity.area)
    with db.transaction() as session:
        removed = self_evaluations.remove_evidence(
            session, activity, evidence_id, actor=signed_in_user()
        )
    flash("The evidence has been unlinked." if removed else "It was unlinked already.", "success")
    return redirect(url_for("self_evaluation.show", activity_id=activity.id) + "#evidence")


@bp.get("/areas/<slug>/self-evaluation/indicators/<id:indicator_id>/")
def indicator(slug: str, indicator_id: int):
    """An indicator in an area: its latest rating and history, evidence, and the actions and
    KPIs tagged with it."""
    area = _area(slug)
    session = db.get_session()
    found = found_or_404(indicators.indicator_by_id, session, indicator_id)
    today = dt.date.today()
    return render_template(
        "indicator.html",
        area=area,
        page=indicators.indicator_page(session, area, found, _plan_of(area), today),
        today=today,
    )


@bp.get("/tric/self-evaluation/")
def tayside():
    """For TRIC PG5: per indicator, each area's latest rating and its date, side by side."""
    session = db.get_session()
    return render_template(
        "self_evaluation_tayside.html",
        view=indicators.side_by_side(session, plans.areas(session)),
    )


def tag_context(
    tagged: list,
    *,
    can_tag: bool,
    tag_url: str,
    untag: tuple[str, dict],
    area: Area | None,
    what: str,
) -> dict[str, Any]:
    """What ``_indicator_tags.html`` needs on an action's or a KPI's page (the choices only
    for those who may tag)."""
    return {
        "tagged": tagged,
        "can_tag": can_tag,
        "tag_url": tag_url,
        "untag_endpoint": untag[0],
        "untag_args": untag[1],
        "indicator_options": indicators.indicator_choices(db.get_session()) if can_tag else [],
        "tag_area": area,
        "what": what,
        "form_state": FormState(),
    }


def _tag(target, tag, back: str):
    """Tag ``target`` with the indicator posted, through ``tag``; then back to its page."""
    session = db.get_session()

    def write(data: dict[str, Any]) -> bool:
        chosen = indicators.chosen_indicator(session, data["indicator"])
        return tag(session, target, chosen, actor=signed_in_user())

    saved, added, form = submit(TagForm, FormState(), write)
    if saved:
        flash(
            "The quality indicator has been tagged." if added else "It was tagged already.",
            "success",
        )
    else:
        flash(next(iter(form.errors.values()), "Nothing was tagged."), "error")
    return redirect(back)


@bp.post("/actions/<id:action_id>/indicators")
def tag_action(action_id: int):
    action = _action(action_id)
    allowed(permissions.require_self_evaluation, action.plan.area)
    return _tag(
        action,
        indicators.tag_action,
        url_for("actions.show", action_id=action.id) + "#indicators",
    )


@bp.post("/actions/<id:action_id>/indicators/<id:indicator_id>/remove")
def untag_action(action_id: int, indicator_id: int):
    action = _action(action_id)
    allowed(permissions.require_self_evaluation, action.plan.area)
    with db.transaction() as session:
        indicators.untag_action(session, action, indicator_id, actor=signed_in_user())
    flash("The quality indicator is no longer tagged.", "success")
    return redirect(url_for("actions.show", action_id=action.id) + "#indicators")


@bp.post("/kpis/<id:kpi_id>/indicators")
def tag_kpi(kpi_id: int):
    kpi = _kpi(kpi_id)
    allowed(permissions.require_kpi_tags, kpi.area)
    return _tag(
        kpi,
        indicators.tag_kpi,
        url_for("kpis.show", kpi_id=kpi.id) + "#indicators",
    )


@bp.post("/kpis/<id:kpi_id>/indicators/<id:indicator_id>/remove")
def untag_kpi(kpi_id: int, indicator_id: int):
    kpi = _kpi(kpi_id)
    allowed(permissions.require_kpi_tags, kpi.area)
    with db.transaction() as session:
        indicators.untag_kpi(session, kpi, indicator_id, actor=signed_in_user())
    flash("The quality indicator is no longer tagged.", "success")
    return redirect(url_for("kpis.show", kpi_id=kpi.id) + "#indicators")


def _action(action_id: int) -> Action:
    found = db.get_session().get(Action, action_id)
    if found is None:
        abort(404, f"There is no action {action_id}.")
    return found


def _kpi(kpi_id: int) -> Kpi:
    return found_or_404(kpis.kpi_by_id, db.get_session(), kpi_id)

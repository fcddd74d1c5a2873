"""KPIs in the app: an area's KPIs with their latest figures, each KPI's chart and table,
the month's grid for entering figures, defining a KPI, a CSV import, and the Tayside view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from core import db
from core.enums import KpiCombine, KpiDirection, KpiFrequency, KpiUnit, KpiValueOrigin, Role
from core.hooks.report_data import moving
from core.identity import signed_in_user
from core.models import Area, Kpi, KpiValue
from core.services.accounts import permissions
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import Conflict, FieldError
from core.services.kpis import kpi_compare, kpis
from core.services.kpis.kpi_tayside import tayside_view
from core.services.kpis.kpi_transfer import (
    COLUMNS,
    FigureRow,
    KpiImportRefused,
    import_values,
    record_rows,
)
from core.services.kpis.kpi_words import MOVING_WORDS, change_words, figure_words
from core.services.kpis.periods import Period, parse_period, period_containing, period_for
from core.services.plans import plans
from core.web.form_schemas import KpiEditForm, KpiForm
from core.web.forms import FormState, allowed, submit
from core.web.kpi_chart import line_chart
from core.web.pages import found_or_404
from core.web.self_evaluation import tag_context

bp = Blueprint("kpis", __name__)


def _area(slug: str) -> Area:
    return found_or_404(plans.area_by_slug, db.get_session(), slug)


def _kpi(kpi_id: int) -> Kpi:
    return found_or_404(kpis.kpi_by_id, db.get_session(), kpi_id)


def _demo() -> bool:
    return bool(current_app.config.get("DEMO"))


@bp.get("/areas/<slug>/kpis/")
def area_kpis(slug: str):
    """The area's KPIs and the Tayside-wide ones, each with its latest figure, the change
    since the period before, whether it moved the right way, and any target missed."""
    area = _area(slug)
    session = db.get_session()
    listed = kpis.area_kpis(session, area)
    references = kpi_compare.reference_areas(session)
    latest = kpis.latest_figures(
        session, [k.id for k in listed], [area.id, *(r.id for r in references)]
    )
    health = kpis.kpi_health(session, area, dt.date.today())
    beside = kpi_compare.same_years(session, listed, area, references, latest)
    rows = []
    for kpi in listed:
        figures = latest.get((kpi.id, area.id), kpis.Latest(None, None))
        rows.append(
            {
                "kpi": kpi,
                "latest": figures.latest,
                "change": figures.change,
                "moving": moving(kpi, figures),
                "off_target": kpis.off_target(kpi, figures.latest),
                # For a national measure, each reference series' figure (Scotland's) for the
                # year of the area's latest, or its own latest when the area has none.
                "references": [(r, beside.get((kpi.id, r.id))) for r in references]
                if kpi.national
                else [],
            }
        )
    return render_template(
        "kpis.html",
        area=area,
        rows=rows,
        references=references,
        health=health,
        may_change=permissions.writes_area(signed_in_user(), area),
    )


@bp.route("/areas/<slug>/kpis/new", methods=["GET", "POST"])
def new_kpi(slug: str):
    area = _area(slug)
    allowed(permissions.require_area, area)
    return _define(area, url_for("kpis.area_kpis", slug=area.slug))


@bp.route("/tric/kpis/new", methods=["GET", "POST"])
def new_tayside_kpi():
    allowed(permissions.require_shared)
    return _define(None, url_for("kpis.tayside_kpis"))


def _define(area: Area | None, back: str):
    session = db.get_session()
    user = signed_in_user()

    def write(data: dict[str, Any]) -> Kpi:
        linked = _linked(session, area, data.pop("actions"))
        return kpis.define_kpi(session, actor=user, area=area, actions=linked, **data)

    saved, kpi, form = submit(KpiForm, FormState(), write)
    if saved:
        flash(f"The KPI {kpi.name!r} has been defined.", "success")
        return redirect(url_for("kpis.show", kpi_id=kpi.id))
    return render_template(
        "kpi_form.html",
        area=area,
        form=form,
        back=back,
        units=[("", "Not stated")] + [(u.value, u.label) for u in KpiUnit],
        frequencies=[("", "Not stated")] + [(f.value, f.label) for f in KpiFrequency],
        directions=[(d.value, d.label) for d in KpiDirection],
        combines=[(c.value, c.label) for c in KpiCombine],
    ), (400 if form.errors else 200)


@bp.route("/kpis/<id:kpi_id>/edit", methods=["GET", "POST"])
def edit(kpi_id: int):
    """Change a KPI's wording, direction, target, source or the actions it evidences."""
    kpi = _kpi(kpi_id)
    if kpi.area is None:
        allowed(permissions.require_shared)
    else:
        allowed(permissions.require_area, kpi.area)
    session = db.get_session()
    form = FormState.with_defaults(
        name=kpi.name,
        counted=kpi.counted,
        direction=kpi.direction.value,
        target_value=f"{kpi.target_value:g}" if kpi.target_value is not None else None,
        target_date=kpi.target_date.isoformat() if kpi.target_date else None,
        actions=", ".join(a.code for a in kpi.actions),
        source=kpi.source,
        version=kpi.version,
    )

    def write(data: dict[str, Any]) -> bool:
        version = data.pop("version")
        data["actions"] = _linked(session, kpi.area, data["actions"])
        return kpis.edit_kpi(session, kpi, actor=signed_in_user(), version=version, **data)

    saved, changed, form = submit(KpiEditForm, form, write)
    if saved:
        flash("The KPI has been changed." if changed else "Nothing was changed.", "success")
        return redirect(url_for("kpis.show", kpi_id=kpi.id))
    return render_template(
        "kpi_form.html",
        area=kpi.area,
        kpi=kpi,
        form=form,
        back=url_for("kpis.show", kpi_id=kpi.id),
        directions=[(d.value, d.label) for d in KpiDirection],
    ), (400 if form.errors else 200)


def _linked(session, area: Area | None, codes_text: str) -> list:
    """The actions of the area's current plan named by their numbers ("3.1, 3.2")."""
    codes = [c.strip() for c in codes_text.replace(",", " ").split() if c.strip()]
    if not codes:
        return []
    if area is None:
        raise FieldError("actions", "A Tayside-wide KPI names no area's actions.")
    linked, missing = kpis.area_of_plan_actions(session, area, codes, None)
    if missing:
        raise FieldError(
            "actions", f"{area.name}'s current plan has no action {', '.join(missing)}."
        )
    return linked


@bp.get("/kpis/<id:kpi_id>/")
def show(kpi_id: int):
    """A KPI's figures by area against its target: a chart, the same numbers as a table, the
    latest figure and its direction of travel, and the history of corrections."""
    kpi = _kpi(kpi_id)
    session = db.get_session()
    view = tayside_view(
        session, current_app.extensions["cpc_plugins"], kpi, include_synthetic=_demo()
    )
    area_ids = [a.id for a in view.areas]
    latest = kpis.latest_figures(session, [kpi.id], area_ids)
    user = signed_in_user()
    summary = []
    for area in view.areas:
        figures = latest.get((kpi.id, area.id), kpis.Latest(None, None))
        summary.append(
            {
                "area": area,
                "latest": figures.latest,
                "change": figures.change,
                "moving": moving(kpi, figures),
                "off_target": kpis.off_target(kpi, figures.latest),
                "may_change": permissions.writes_area(user, area),
            }
        )
    chart = line_chart(
        f"{kpi.name}, by area",
        [p.period for p in view.periods],
        {
            **{
                area.name: [
                    p.areas[area.slug].value if p.areas[area.slug] else None for p in view.periods
                ]
                for area in view.areas
            },
            **(
                {"Tayside": [p.combined.value for p in view.periods]}
                if kpi.area is None and kpi.combine is not KpiCombine.NONE
                else {}
            ),
        },
        kpi.target_value,
    )
    may_edit = not kpi.national and (
        permissions.edits_shared(user)
        if kpi.area is None
        else permissions.writes_area(user, kpi.area)
    )
    comparison = compare_chart = None
    if kpi.national:
        comparison, compare_chart = _comparison(session, kpi, view.areas)
    return render_template(
        "kpi.html",
        kpi=kpi,
        view=view,
        summary=summary,
        chart=chart,
        comparison=comparison,
        compare_chart=compare_chart,
        chosen=request.args.get("area", ""),
        history=kpis.history(session, kpi.id, area_ids),
        proposals=kpis.proposals(session, kpi.id, area_ids),
        may_change=any(row["may_change"] for row in summary),
        may_edit=may_edit,
        **tag_context(
            kpi.indicators,
            can_tag=may_edit,
            tag_url=url_for("self_evaluation.tag_kpi", kpi_id=kpi.id),
            untag=("self_evaluation.untag_kpi", {"kpi_id": kpi.id}),
            area=kpi.area,
            what="this KPI",
        ),
    )


def _comparison(session, kpi: Kpi, areas: list[Area]):
    """A national measure's comparison (the area asked for by ``?area=``, or every area;
    Tayside; Scotland) and its chart, broken where the definition changed."""
    chosen = [a for a in areas if a.slug == request.args.get("area")] or None
    comparison = kpi_compare.compare(
        session,
        current_app.extensions["cpc_plugins"],
        kpi,
        chosen,
        include_synthetic=_demo(),
    )
    texts = [p.text for p in comparison.periods]
    chart = line_chart(
        f"{kpi.name}: compared",
        texts,
        {line.name: [line.points[t].value for t in texts] for line in comparison.series},
        ident="compare",
        breaks=frozenset(texts.index(t) for t in comparison.breaks),
        frequency=kpi.frequency,
    )
    return comparison, chart


@bp.post("/kpis/figures/<id:value_id>/decide")
def decide(value_id: int):
    session = db.get_session()
    proposal = session.get(KpiValue, value_id, options=[selectinload(KpiValue.area)])
    if proposal is None:
        abort(404, "There is no such figure.")
    accept = request.form.get("decision") == "accept"
    try:
        with db.transaction():
            kpis.decide_proposal(session, proposal, actor=signed_in_user(), accept=accept)
    except PermissionDenied as refusal:
        abort(403, str(refusal))
    except FieldError as problem:
        flash(problem.message, "important")
    else:
        flash(
            "The pulled figure now stands."
            if accept
            else "Your entry stands; the pulled figure is kept in the history.",
            "success",
        )
    return redirect(url_for("kpis.show", kpi_id=proposal.kpi_id))


def _month(text: str | None) -> Period:
    if text:
        try:
            return parse_period(text, KpiFrequency.MONTHLY)
        except FieldError:
            abort(404, "Write the month like 2025-03.")
    return period_containing(dt.date.today(), "month").previous()


@bp.route("/areas/<slug>/kpis/figures", methods=["GET", "POST"])
def figures(slug: str):
    """The month's grid: every KPI of the area, one row each, entered and saved together
    (all of it or, if any row is refused, none of it)."""
    area = _area(slug)
    allowed(permissions.require_area, area)
    session = db.get_session()
    month = _month(request.values.get("month"))
    listed = kpis.area_kpis(session, area)
    periods = {k.id: period_for(k.frequency, month) for k in listed}
    form = FormState(values={k: request.form.getlist(k) for k in request.form})
    if request.method == "POST":
        saved = _save_grid(session, area, listed, periods, form)
        if saved is not None:
            flash(f"{saved} figure(s) for {month.label} saved.", "success")
            return redirect(url_for("kpis.figures", slug=area.slug, month=month.text))
    current = {
        v.kpi_id: v
        for v in session.scalars(
            kpis.in_force_for(area.id, {kpi_id: p.text for kpi_id, p in periods.items()})
        )
    }
    return render_template(
        "kpi_figures.html",
        area=area,
        month=month,
        rows=[(k, periods[k.id], current.get(k.id)) for k in listed],
        form=form,
    ), (400 if form.errors else 200)


def _save_grid(session, area: Area, listed: list[Kpi], periods, form: FormState) -> int | None:
    """Record the grid's filled rows; None (nothing saved, each problem on its row) if any is
    refused."""

    def typed(name: str, kpi: Kpi) -> str:
        return form.value(f"{name}-{kpi.id}").strip()

    rows = [
        FigureRow(kpi, kpi, area, typed("period", kpi) or periods[kpi.id].text,
                  typed("value", kpi), typed("numerator", kpi), typed("denominator", kpi),
                  typed("source", kpi), typed("edition", kpi))
        for kpi in listed
        if any(typed(name, kpi) for name in ("value", "numerator", "denominator"))
    ]  # fmt: skip
    try:
        with db.transaction():
            result, problems = record_rows(
                session, rows, actor=signed_in_user(), origin=KpiValueOrigin.ENTERED
            )
            for kpi, problem in problems:
                form.add_error(f"{problem.field}-{kpi.id}", f"{kpi.name}: {problem.message}")
            if problems:
                raise _Refused
    except _Refused:
        return None
    except Conflict as clash:
        form.add_error("", clash.message)
        return None
    return result.recorded


class _Refused(Exception):
    """A grid row was refused: nothing of the grid is saved."""


@bp.route("/kpis/import", methods=["GET", "POST"])
def import_page():
    """Upload a CSV of figures: every problem listed with its row; nothing stored unless all
    of it is valid."""
    user = signed_in_user()
    if not user.is_active or user.role not in (Role.ADMIN, Role.COORDINATOR):
        abort(403, "Only coordinators and administrators can import KPI figures.")
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = ["Choose a CSV file to import."]
        else:
            try:
                with db.transaction() as session:
                    result = import_values(session, upload.read(), actor=user)
            except KpiImportRefused as refused:
                problems = [str(problem) for problem in refused.problems]
            except Conflict as clash:
                problems = [clash.message]
            else:
                flash(
                    f"{result.recorded} figure(s) imported; {result.unchanged} were already "
                    "recorded as they are.",
                    "success",
                )
                return redirect(url_for("kpis.import_page"))
    return render_template("kpi_import.html", problems=problems, columns=COLUMNS), (
        400 if problems else 200
    )


@bp.get("/tric/kpis/")
def tayside_kpis():
    """The Tayside-wide KPIs, each area's latest figure side by side."""
    session = db.get_session()
    listed = kpis.tayside_kpis(session)
    areas = [a for a in plans.areas(session) if _demo() or not a.is_synthetic]
    latest = kpis.latest_figures(session, [k.id for k in listed], [a.id for a in areas])
    return render_template(
        "tayside_kpis.html",
        kpis=listed,
        areas=areas,
        latest=latest,
        Latest=kpis.Latest,
        may_define=permissions.edits_shared(signed_in_user()),
    )


@bp.app_template_filter("kpi_figure")
def kpi_figure(record: KpiValue | float | None, unit: KpiUnit | None = None) -> str:
    return figure_words(record, unit)


@bp.app_template_filter("kpi_change")
def kpi_change(change: float | None, unit: KpiUnit | None = None) -> str:
    return change_words(change, unit)


@bp.app_template_filter("moving_words")
def moving_words(moving: str | None) -> str:
    return MOVING_WORDS[moving]

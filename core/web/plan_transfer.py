"""A plan as a workbook or JSON file, and importing one as a new plan (admins and the area's
coordinators)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from core import db
from core.identity import signed_in_user
from core.services.accounts import permissions
from core.services.plans import loader, plans
from core.services.plans.plan_transfer import ImportRefused, export_json, export_xlsx, import_plan
from core.web.pages import found_or_404

bp = Blueprint("plan_transfer", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/areas/<slug>/plans/<plan_slug>/export.<kind>")
def export(slug: str, plan_slug: str, kind: str):
    if kind not in ("xlsx", "json"):
        abort(404, "A plan can be downloaded as .xlsx or .json.")
    session = db.get_session()
    plan = found_or_404(plans.plan_by_slug, session, slug, plan_slug)
    blob = export_xlsx(session, plan) if kind == "xlsx" else export_json(session, plan)
    return Response(
        blob,
        mimetype=XLSX if kind == "xlsx" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{plan_slug}.{kind}"'},
    )


@bp.route("/areas/<slug>/plans/import", methods=["GET", "POST"])
def import_page(slug: str):
    session = db.get_session()
    area = found_or_404(plans.area_by_slug, session, slug)
    user = signed_in_user()
    if not permissions.writes_area(user, area):
        abort(403, f"Only {area.name}'s coordinators and administrators can import a plan.")
    problems, new_slug = [], request.form.get("slug", "").strip()
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = ["Choose a file to import."]
        else:
            try:
                with db.transaction():
                    plan = import_plan(
                        session,
                        upload.read(),
                        upload.filename,
                        area=area,
                        actor=user,
                        slug=new_slug or None,
                        frames=loader.plan_frames(current_app.extensions["cpc_plugins"]),
                    )
                    plan_slug = plan.slug
            except ImportRefused as refused:
                problems = [str(problem) for problem in refused.problems]
            else:
                flash(f"The plan has been imported as {plan_slug!r}.", "success")
                return redirect(url_for("pages.plan", slug=slug, plan_slug=plan_slug))
    return render_template("plan_import.html", area=area, problems=problems, new_slug=new_slug), (
        400 if problems else 200
    )

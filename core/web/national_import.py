"""The administrators' page for importing the published national statistics (a tidy CSV or
Excel table), the same import as ``cpc kpi import-national``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from core import db
from core.identity import signed_in_user
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import Conflict
from core.services.kpis import kpis
from core.services.kpis.kpi_transfer import KpiImportRefused
from core.services.kpis.national_import import (
    COLUMNS,
    NOT_PUBLISHED,
    import_national,
    require_national,
)

bp = Blueprint("national", __name__)


@bp.route("/kpis/national/import", methods=["GET", "POST"])
def import_page():
    """Upload a table of national measures' figures: every problem listed with its row;
    nothing stored unless all of it is valid; a newer edition supersedes, never overwrites."""
    user = signed_in_user()
    try:
        require_national(user)
    except PermissionDenied as refusal:
        abort(403, str(refusal))
    session = db.get_session()
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = ["Choose a CSV or Excel file to import."]
        else:
            try:
                with db.transaction() as session:
                    result = import_national(
                        session, upload.read(), actor=user, filename=upload.filename
                    )
            except KpiImportRefused as refused:
                problems = [str(problem) for problem in refused.problems]
            except Conflict as clash:
                problems = [clash.message]
            else:
                flash(f"Imported: {result.words()}", "success")
                return redirect(url_for("national.import_page"))
    measures = [k for k in kpis.tayside_kpis(session) if k.national]
    return render_template(
        "national_import.html",
        problems=problems,
        columns=COLUMNS,
        measures=measures,
        not_published=sorted(NOT_PUBLISHED),
    ), (400 if problems else 200)

"""The accessibility statement (the Public Sector Bodies Accessibility Regulations 2018,
regulation 7), linked from every page's footer and readable without an account. Its wording is
the operator's: ``CPC_ACCESSIBILITY_CONTACT`` says whom to ask, and a template
``accessibility.html`` in the instance folder's ``templates/`` replaces the shipped one."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibility")
def statement():
    return render_template(
        "accessibility.html", contact=current_app.config["ACCESSIBILITY_CONTACT"]
    )

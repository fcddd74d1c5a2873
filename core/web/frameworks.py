"""Quality frameworks in the app: each framework's rating scale, questions and indicators,
where its words come from (and, for a partial one, what is missing), and an administrator
adding an indicator from the published framework."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from marshmallow import fields

from core import db
from core.identity import signed_in_user
from core.models import QualityFramework
from core.services.accounts import permissions
from core.services.improvement import frameworks
from core.web.form_schemas import FormSchema, _length, _required
from core.web.forms import FormState, allowed, submit
from core.web.pages import found_or_404

bp = Blueprint("frameworks", __name__)


class IndicatorForm(FormSchema):
    number = fields.String(
        required=True,
        validate=_length(10, "The number"),
        error_messages=_required("Give the indicator's number, like 2.1."),
    )
    title = fields.String(
        required=True,
        validate=_length(frameworks.MAX_TITLE, "The title"),
        error_messages=_required("Give the indicator's title, as the framework words it."),
    )


def _framework(key: str) -> QualityFramework:
    return found_or_404(frameworks.framework_by_key, db.get_session(), key)


@bp.get("/self-evaluation/")
def index():
    return render_template("frameworks.html", frameworks=frameworks.frameworks(db.get_session()))


@bp.get("/self-evaluation/frameworks/<framework_key>/")
def show(framework_key: str):
    framework = _framework(framework_key)
    return render_template(
        "framework.html",
        framework=framework,
        may_add=permissions.manages_users(signed_in_user()),
    )


@bp.route("/self-evaluation/frameworks/<framework_key>/indicators/new", methods=["GET", "POST"])
def new_indicator(framework_key: str):
    framework = _framework(framework_key)
    allowed(permissions.require_user_admin)
    session = db.get_session()

    def write(data: dict[str, Any]):
        return frameworks.add_indicator(
            session, framework, actor=signed_in_user(), number=data["number"], title=data["title"]
        )

    saved, indicator, form = submit(IndicatorForm, FormState(), write)
    if saved:
        flash(f"Indicator {indicator.name} has been added.", "success")
        return redirect(url_for("frameworks.show", framework_key=framework.key))
    return render_template("indicator_form.html", framework=framework, form=form), (
        400 if form.errors else 200
    )

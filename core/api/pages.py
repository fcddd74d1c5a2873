"""The API's browsable reference, /api/v1/docs: made from the same OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_pages", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/docs")
def docs():
    spec = current_app.extensions["cpc_api"].spec.to_dict()
    operations = [
        (path, method.upper(), operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api_docs.html", spec=spec, operations=operations)

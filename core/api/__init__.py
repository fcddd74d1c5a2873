"""The JSON API under /api/v1: flask-smorest blueprints whose marshmallow schemas make the
OpenAPI document at /api/v1/openapi.json (and the page at /api/v1/docs).

It acts as the signed-in user, from the browser session (writes then need the X-CSRFToken
header) or from a personal token (``Authorization: Bearer cpc_...``), with the same permissions
as the web app, checked by the same services.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from flask_smorest import Api, abort
from flask_wtf.csrf import validate_csrf
from werkzeug.routing import Rule
from wtforms import ValidationError as CsrfInvalid

from core.identity import API_PREFIX, is_api_request

__all__ = ["PREFIX", "SpellingAlias", "init_app", "is_api_request"]

PREFIX = API_PREFIX
# Reachable without signing in: the documentation.
PUBLIC = frozenset({"api-docs.openapi_json", "api_pages.docs"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask, csrf) -> Api:
    from core.api import (
        actions,
        annual,
        areas,
        audit,
        jobs,
        kpis,
        pages,
        recommendations,
        report,
        reporting,
        self_evaluation,
        shared,
        updates,
        users,
    )

    app.config.update(
        API_TITLE="Tayside CPC improvement plans API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "Everything a user can read or do in the web app, with the same "
                    "permissions. Sign in with a personal token: `Authorization: Bearer "
                    "cpc_...` (make one under Your API tokens, or `cpc token create EMAIL`)."
                )
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
        },
    )
    api = Api(app)
    modules = (
        areas, actions, updates, reporting, report, shared, kpis, recommendations, self_evaluation,
        annual,
    )  # fmt: skip
    for module in (*modules, users, audit, jobs):
        for blueprint in module.BLUEPRINTS:
            api.register_blueprint(blueprint)
            csrf.exempt(blueprint)
    app.register_blueprint(pages.bp)
    app.extensions["cpc_api"] = api
    _both_spellings(app)

    @app.before_request
    def _api_access():
        if not is_api_request() or request.endpoint in PUBLIC:
            return None
        if not current_user.is_authenticated:
            abort(
                401,
                message="Sign in: send a personal API token as `Authorization: Bearer ...`.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method not in SAFE_METHODS and not g.get("token_auth"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except CsrfInvalid:
                abort(
                    403,
                    message="A write from a browser session needs the X-CSRFToken header; "
                    "scripts should use a personal API token instead.",
                )
        return None

    return api


def _both_spellings(app: Flask) -> None:
    """Every API path answers with and without a final slash, the same way (no redirect, which
    some clients would follow without the body of a POST): the OpenAPI document lists each
    path one way, and the other is an alias of the same view, left out of the document."""
    documented = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/") and rule.endpoint not in PUBLIC
    ]
    taken = {(rule.rule, method) for rule in documented for method in rule.methods or ()}
    for rule in documented:
        other = rule.rule[:-1] if rule.rule.endswith("/") else rule.rule + "/"
        methods = {m for m in rule.methods or () if (other, m) not in taken} - {"OPTIONS"}
        if methods:
            app.url_map.add(SpellingAlias(other, endpoint=rule.endpoint, methods=methods))


class SpellingAlias(Rule):
    """The other spelling of a documented API path (see ``_both_spellings``)."""

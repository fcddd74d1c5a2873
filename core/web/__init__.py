"""The web app: server-rendered pages, one blueprint per feature, GOV.UK Frontend styles."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from core.enums import ActionKind, KpiCombine, KpiFrequency, KpiUnit, ProgressStatus, Rag, Role
from core.identity import is_api_request
from core.services.accounts import permissions
from core.web import filters
from core.web.trusted_hosts import TrustedHosts

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from core import api, identity, page_cache
    from core.web import (
        accessibility,
        accounts,
        actions,
        annual_reports,
        audit,
        auth,
        committee_report,
        frameworks,
        guard,
        home,
        idempotency,
        jobs,
        kpis,
        learning_reviews,
        national_import,
        pages,
        password_reset,
        plan_transfer,
        public,
        recommendations,
        reporting,
        request_log,
        self_evaluation,
        sso,
        tric,
        two_step,
        users,
    )

    # A template in the instance folder's templates/ replaces the shipped one of that name
    # (the accessibility statement is the one an operator is expected to reword).
    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [FileSystemLoader(Path(app.instance_path) / "templates"), app.jinja_loader]
    )
    request_log.init_app(app)
    app.wsgi_app = TrustedHosts(app.wsgi_app, app.config["TRUSTED_HOSTS"])  # type: ignore[method-assign]
    guard.init_app(app)
    identity.init_app(app)
    csrf = CSRFProtect(app)
    api.init_app(app, csrf)
    idempotency.init_app(app)  # after sign-in and the CSRF check
    page_cache.init_app(app)  # after CSRFProtect and idempotency: their template globals
    blueprints = (
        auth.bp, password_reset.bp, accounts.bp, pages.bp, actions.bp, reporting.bp,
        committee_report.bp, plan_transfer.bp, tric.bp, kpis.bp, users.bp, audit.bp, home.bp,
        public.bp, accessibility.bp, jobs.bp, jobs.admin, recommendations.bp,
        learning_reviews.bp, frameworks.bp, self_evaluation.bp, annual_reports.bp,
        national_import.bp, two_step.bp, sso.bp,
    )  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    sso.init_app(app)
    filters.init_app(app)
    from core.web.kpi_chart import line_chart

    app.jinja_env.globals.update(
        line_chart=line_chart,
        Rag=Rag,
        ProgressStatus=ProgressStatus,
        Role=Role,
        ActionKind=ActionKind,
        KpiUnit=KpiUnit,
        KpiFrequency=KpiFrequency,
        KpiCombine=KpiCombine,
        role_names=ROLE_NAMES,
    )
    app.jinja_env.globals["here"] = here
    app.jinja_env.globals["with_page"] = with_page
    app.jinja_env.filters["zip"] = zip
    app.context_processor(_permission_helpers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)
    for unavailable in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(unavailable, database_unavailable)

    # The sign-in form sends an email a provider serves on to that provider: the form's
    # redirects may go to the providers' origins, and nowhere else.
    form_action = " ".join(["'self'", *sso.origins(app)])
    policy = (
        f"default-src 'self'; frame-ancestors 'none'; form-action {form_action}; base-uri 'none'"
    )

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def here() -> str:
    """This page's address without any #fragment, for a form to post back to: a skip link's
    #main-content then stays behind instead of following the form to its answer."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def with_page(number: int) -> str:
    """This page's address with its query's ``page`` set to ``number``."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return request.path + "?" + urlencode([*kept, ("page", str(number))])


def _permission_helpers() -> dict[str, object]:
    """What the signed-in user may do, so pages offer only the changes they can make (the
    server checks again on every write)."""
    user = current_user

    def signed_in() -> bool:
        return bool(user and user.is_authenticated)

    return {
        "writes_area": lambda area: signed_in() and permissions.writes_area(user, area),
        "edits_wording": lambda action: signed_in() and permissions.edits_wording(user, action),
        "manages_users": lambda: signed_in() and permissions.manages_users(user),
        "edits_shared": lambda: signed_in() and permissions.edits_shared(user),
    }


ROLE_NAMES = {
    Role.ADMIN: "Administrator",
    Role.COORDINATOR: "Coordinator",
    Role.PG5: "TRIC PG5 member",
    Role.VIEWER: "Viewer",
    Role.CONTRIBUTOR: "Contributor (a strategic lead who posts updates)",
}

ERROR_TITLES = {
    400: "There is a problem with that address",
    403: "You cannot change this",
    404: "Page not found",
    405: "That cannot be done here",
    413: "What you sent is too large",
    422: "That cannot be done with this request",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def _error_page(error: HTTPException):
    """A page in plain English; under /api/, the API's JSON error."""
    if error.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        error.description = (
            f"It is larger than the {limit:g} MiB this service accepts in one request. Nothing "
            "was saved: send less at a time."
        )
        error.data = {"message": error.description}  # type: ignore[attr-defined]
    if is_api_request():
        return current_app.extensions["cpc_api"].handle_http_exception(error)
    code = error.code or 500
    if code >= 500:
        message = (
            "Nothing was saved. Try again later; if it keeps happening, tell an administrator."
        )
    else:
        message = error.description
    title = ERROR_TITLES.get(code, "Something went wrong")
    return render_template("error.html", title=title, message=message), code


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def database_unavailable(error: Exception):
    """503, with a page that needs no database (or JSON under /api/): the database cannot be
    reached, or (SQLite) another writer held it for longer than the busy timeout. For a write,
    it says whether the change may have been saved: once its commit had begun, the connection
    may have been lost after the database saved it."""
    busy = "locked" in str(error) or "busy" in str(error)
    may_have_saved = request.method in WRITES and bool(g.get("cpc_commit_started"))
    log.warning("database unavailable (%s): %s", type(error).__name__, str(error).splitlines()[0])
    if busy:
        title = "The service is busy"
        message = "Many changes are being saved at this moment."
        retry, retry_words = 5, "a few seconds"
    else:
        title = "Sorry, the service is unavailable"
        message = "The service cannot reach its database at the moment."
        retry, retry_words = 30, "a minute"
    if request.method in WRITES and may_have_saved:
        message += (
            " Your change may have been saved before the connection was lost. Sending it "
            "again with the same idempotency key (the API's Idempotency-Key header; a form "
            "sent again from the same page) is safe: it is never saved twice."
        )
    elif request.method in WRITES:
        message += " Nothing was saved."
    headers = {"Retry-After": str(retry)}
    if is_api_request():
        body = {
            "code": 503,
            "status": "Service Unavailable",
            "message": f"{title}: {message}",
            "may_have_saved": may_have_saved,
        }
        return jsonify(body), 503, headers
    # Rendered without the context processors, which would ask the database who is signed in.
    page = current_app.jinja_env.get_template("unavailable.html").render(
        title=title, message=message, retry_words=retry_words
    )
    return page, 503, headers


def _csrf_error(error: CSRFError):
    if is_api_request():
        return _error_page(error)
    message = (
        "This form could not be sent: it had expired, or it did not come from this site. "
        "Nothing was saved. Go back, reload the page and try again."
    )
    return render_template("error.html", title="The form could not be sent", message=message), 400

"""The web app: server-rendered pages, one blueprint per feature."""

from __future__ import annotations

import datetime as dt

from flask import Flask, render_template
from markupsafe import Markup, escape

from core.enums import ProgressStatus, Rag


def init_app(app: Flask) -> None:
    from core.web import pages

    app.register_blueprint(pages.bp)
    app.jinja_env.filters["ukdate"] = ukdate
    app.jinja_env.filters["rag"] = rag_badge
    app.jinja_env.filters["status"] = status_label
    app.jinja_env.globals["Rag"] = Rag
    app.register_error_handler(404, _not_found)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"
        )
        return response


def ukdate(value: dt.date | None, style: str = "long") -> str:
    if value is None:
        return ""
    return f"{value:%d/%m/%Y}" if style == "short" else f"{value.day} {value:%B %Y}"


def rag_badge(rag: Rag | None) -> Markup:
    """The RAG as letter, word and colour together: never colour alone."""
    if rag is None:
        return Markup('<span class="rag rag-none">Not reported</span>')
    return Markup(
        f'<span class="rag rag-{rag.value.lower()}"><span class="rag-letter" aria-hidden="true">'
        f"{escape(rag.value)}</span> {escape(rag.word)}</span>"
    )


def status_label(status: ProgressStatus | None) -> str:
    return status.label if status is not None else "Not reported"


def _not_found(error):
    return render_template("not_found.html", message=error.description), 404

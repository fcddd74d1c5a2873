"""The report as one self-contained HTML page (styles inline, no links to the app): the print
view, the HTML download, and the source of the PDF."""

from __future__ import annotations

from flask import render_template


def html(report, *, for_pdf: bool = False, in_app: bool = False) -> str:
    return render_template("report_document.html", report=report, for_pdf=for_pdf, in_app=in_app)


def render(report) -> bytes:
    return html(report).encode("utf-8")

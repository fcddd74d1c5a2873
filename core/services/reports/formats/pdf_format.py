"""The report as a tagged, titled PDF, from the same HTML as the print view (WeasyPrint)."""

from __future__ import annotations

import logging

from core.services.reports.formats.html_format import html

# WeasyPrint reports every CSS property it does not support; the report's own CSS is plain.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render(report) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html(report, for_pdf=True))
    return document.write_pdf(pdf_tags=True)

"""The report as a tagged, titled PDF, from the same HTML as the print view (WeasyPrint). The
fonts are found once per process (``FontConfiguration``), not for every report, and one PDF
is laid out at a time in a process (the fonts are shared, and layout is CPU-bound)."""

from __future__ import annotations

import functools
import logging
import threading

from core.services.reports.formats.html_format import html

# WeasyPrint reports every CSS property it does not support; the report's own CSS is plain.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


_one_at_a_time = threading.Lock()


@functools.cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render(report) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html(report, for_pdf=True))
    with _one_at_a_time:
        return document.write_pdf(pdf_tags=True, font_config=_fonts())

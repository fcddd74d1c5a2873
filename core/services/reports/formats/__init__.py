"""The committee report in each format: HTML (also the print view), PDF (from that HTML),
Word, Excel and CSV. Each module has ``render(report) -> bytes``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str
    name: str
    mimetype: str
    extension: str


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        Format("pdf", "PDF", "application/pdf", "pdf"),
        Format(
            "xlsx",
            "Excel (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format("csv", "CSV (the action table)", "text/csv; charset=utf-8", "csv"),
        Format("html", "Web page (HTML)", "text/html; charset=utf-8", "html"),
    )
}


def render(report, key: str) -> bytes:
    """The report in format ``key`` (one of ``FORMATS``)."""
    from core.services.reports.formats import (
        csv_format,
        docx_format,
        html_format,
        pdf_format,
        xlsx_format,
    )

    renderers = {
        "docx": docx_format.render,
        "pdf": pdf_format.render,
        "xlsx": xlsx_format.render,
        "csv": csv_format.render,
        "html": html_format.render,
    }
    return renderers[key](report)


def file_name(report, key: str) -> str:
    """e.g. ``perth-and-kinross-2021-2023-report-2022-03-01.docx``."""
    plan = report.plan
    paper = "summary-report" if report.contents == "summary" else "report"
    return (
        f"{plan.area.slug}-{plan.slug}-{paper}-{report.as_at.isoformat()}.{FORMATS[key].extension}"
    )

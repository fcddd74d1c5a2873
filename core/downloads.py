"""A file for the browser to save (the web pages and the API both answer with these)."""

from __future__ import annotations

from flask import Response

from core.models import ReportFile


def attachment(content: bytes, mimetype: str, file_name: str) -> Response:
    """``content`` to be saved as ``file_name``."""
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


def made_report(made: ReportFile) -> Response:
    """A report file a job made."""
    return attachment(made.content, made.mimetype, made.file_name)

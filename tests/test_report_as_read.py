"""The Word report read as its reader sees it: converted to PDF by LibreOffice (as Word would
lay it out), every page is A4, and no RAG word, action number or target date is broken across
lines inside a table cell."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.helpers import SEPTEMBER
from tests.test_report import made

WHOLE = ("Completed", "Amber", "Green", "reported", "Overdue", "August", "September")


def _as_pdf(docx: bytes, folder) -> bytes:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip(
            "LibreOffice is not installed: `sudo apt-get install libreoffice-writer-nogui` "
            "(.ci/run installs it)."
        )
    source = folder / "report.docx"
    source.write_bytes(docx)
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return (folder / "report.pdf").read_bytes()


def test_the_word_report_is_a4_and_breaks_no_word_in_a_cell(meetings, tmp_path):
    pdf = PdfReader(io.BytesIO(_as_pdf(made(meetings, SEPTEMBER, "docx"), tmp_path)))
    for page in pdf.pages:
        width, height = sorted([float(page.mediabox.width), float(page.mediabox.height)])
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    text = "\n".join(page.extract_text() for page in pdf.pages)
    broken = [
        f"{word[:k]}|{word[k:]}"
        for word in WHOLE
        for k in range(1, len(word))
        if f"{word[:k]}\n{word[k:]}" in text or f"{word[:k]}-\n{word[k:]}" in text
    ]
    broken += [f"{n}.|{m}" for n in range(1, 7) for m in range(1, 8) if f"\n{n}.\n{m}\n" in text]
    assert broken == []
    assert "1.3" in text and "Overdue since 1 August 2022" in " ".join(text.split())


def test_the_summary_paper_in_word_fits_in_eight_a4_pages(quarter, tmp_path):
    """The clerk's quarter (see ``tests/test_not_reported.py``): the summary paper, laid out
    as Word would, is at most 8 pages, and says what was not received."""
    from tests.test_not_reported import SILENT, _paper

    pdf = PdfReader(io.BytesIO(_as_pdf(_paper(quarter, "docx", "summary"), tmp_path)))
    assert len(pdf.pages) <= 8
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert f"Updates not received for this period: 1: {SILENT}" in text

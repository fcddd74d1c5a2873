"""The annual report in its three formats: Word (A4, British English, real headings and
tables, a contents list, page numbers, links kept), HTML, and a tagged, titled PDF made from
that HTML. Each takes an ``AnnualDocument``. The Word and PDF libraries are imported when a
file is made, so that the commands start quickly."""

from __future__ import annotations

import io

from flask import render_template

from core.hooks.report import ReportSection
from core.services.reports.narrative import pieces

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def render(document, key: str, *, public: bool = False) -> bytes:
    if key == "docx":
        return docx(document)
    if key == "pdf":
        return pdf(document)
    return html(document, public=public).encode("utf-8")


def file_name(document, key: str) -> str:
    return f"{document.area.slug}-annual-report-{document.year.label}.{key}"


def html(document, *, for_pdf: bool = False, public: bool = False, in_app: bool = False) -> str:
    return render_template(
        "annual_report_document.html",
        doc=document,
        for_pdf=for_pdf,
        public=public,
        in_app=in_app,
        pieces=pieces,
    )


def pdf(document) -> bytes:
    from weasyprint import HTML

    from core.services.reports.formats.pdf_format import _fonts, _one_at_a_time

    made = HTML(string=html(document, for_pdf=True))
    with _one_at_a_time:
        return made.write_pdf(pdf_tags=True, font_config=_fonts())


def docx(document) -> bytes:
    from docx import Document
    from docx.shared import Pt

    from core.services.reports.formats import docx_format

    word = Document()
    author = document.area.committee_name
    docx_format._properties(word, document.title, author)
    docx_format._a4(word.sections[0])
    docx_format._british_english(word)
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(10)
    docx_format._page_numbers(word.sections[0])
    word.add_heading(document.title, 0)
    word.add_paragraph(document.subtitle)
    word.add_heading("Contents", 1)
    for section in document.sections:
        word.add_paragraph(section.title, style=word.styles["List Number"])
    for section in document.sections:
        _section(word, section)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _section(word, section: ReportSection) -> None:
    from core.services.reports.formats import docx_format

    word.add_heading(section.title, 1)
    named = section.title
    for block in section.blocks:
        if block.kind == "heading":
            word.add_heading(block.text, min(block.level, 3))
            named = block.text
        elif block.kind == "paragraph":
            _linked(word.add_paragraph(), block.text)
        elif block.kind == "bullets":
            for item in block.items:
                _linked(word.add_paragraph(style=word.styles["List Bullet"]), item)
        elif block.kind == "chart":
            _chart(word, block)
        else:
            docx_format._table(word, block, block.caption or named)


def _chart(word, chart) -> None:
    """The chart as a picture, its words as the picture's alternative text."""
    from docx.shared import Cm

    from core.services.reports.formats.chart_png import alt_text, png

    caption = word.add_paragraph(chart.title, style=word.styles["Caption"])
    caption.paragraph_format.keep_with_next = True
    shape = word.add_picture(io.BytesIO(png(chart)), width=Cm(16))
    properties = shape._inline.docPr
    properties.set("descr", alt_text(chart)[:4000])
    properties.set("title", chart.title[:255])


def _linked(paragraph, text: str) -> None:
    """The words, with each web address a real link."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for words, link in pieces(text):
        if link is None:
            paragraph.add_run(words)
            continue
        relation = paragraph.part.relate_to(link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), relation)
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        for tag, value in (("w:color", "1D70B8"), ("w:u", "single")):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            properties.append(element)
        run.append(properties)
        text_element = OxmlElement("w:t")
        text_element.text = words
        text_element.set(qn("xml:space"), "preserve")
        run.append(text_element)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

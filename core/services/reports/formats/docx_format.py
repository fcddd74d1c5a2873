"""The report as a Word document a coordinator can still edit: A4 with 2 cm margins, British
English for the spelling checker, its own title and author (the committee) and the time it was
made, real headings (the navigation pane lists them), real tables with a repeating header row,
RAG cells shaded with the letter and word in them, page numbers, and landscape pages for the
wide tables (python-docx)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.hooks.report import Cell, ReportSection, Table
from core.services.records.rag_colours import RAG_FILLS, RAG_TEXT


def render(report) -> bytes:
    document = Document()
    _properties(document, report.title, f"{report.data.area_name} Child Protection Committee")
    _a4(document.sections[0])
    _british_english(document)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    _page_numbers(document.sections[0])
    document.add_heading(report.title, 0)
    document.add_paragraph(_introduction(report))
    landscape = False
    for section in report.sections:
        if section.landscape != landscape:
            _new_section(document, landscape=section.landscape)
            landscape = section.landscape
        elif section.new_page:
            document.add_page_break()
        _section(document, section)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _properties(document, title: str, author: str) -> None:
    """The document's own properties: its title and author, made now; no template's dates,
    no library's name, no other program's."""
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.language, props.comments, props.revision = "en-GB", "", 1
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    props.created = props.modified = now
    for part in document.part.package.parts:
        if str(part.partname) == "/docProps/app.xml":
            part._blob = APP_PROPERTIES  # the template's says another program made it


APP_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>Tayside CPC improvement plans</Application>'
    b"</Properties>"
)


def _a4(section) -> None:
    """A4 portrait with 2 cm margins (later sections follow it)."""
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _british_english(document) -> None:
    """The text is British English to the spelling checker: the document's default language,
    which every style inherits."""
    for lang in document.styles.element.iterfind(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    ):
        lang.set(qn("w:val"), "en-GB")
        lang.set(qn("w:eastAsia"), "en-GB")


def _introduction(report) -> str:
    data = report.data
    words = f"{data.area_name} Child Protection Committee (CPC). "
    if data.reporting_date is not None:
        deadline = data.reporting_date.deadline
        words += f"Updates for this reporting date were due by {deadline.day} {deadline:%B %Y}. "
    if data.previous is not None:
        words += f"Compared with the previous reporting date, {data.previous:%d %B %Y}. "
    return words + "RAG means Red, Amber, Green; each RAG is written out as well as shaded."


def _section(document, section: ReportSection) -> None:
    document.add_heading(section.title, 1)
    named = section.title
    for block in section.blocks:
        if block.kind == "heading":
            document.add_heading(block.text, min(block.level, 3))
            named = block.text
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        else:
            _table(document, block, block.caption or named)


def _table(document, table: Table, title: str) -> None:
    if table.caption:
        document.add_paragraph(table.caption, style=document.styles["Caption"])
    if not table.rows:
        document.add_paragraph(table.empty)
        return
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    _widths(document, grid, table)
    header = grid.rows[0]
    _repeat_as_header(header)
    for cell, title in zip(header.cells, table.columns, strict=True):
        run = cell.paragraphs[0].add_run(title)
        run.bold = True
        _shade(cell, "DFE3E6")
    for values in table.rows:
        # A new row's cells take the widths of the table's columns.
        row = grid.add_row()
        _keep_whole(row)
        for cell, value in zip(row.cells, values, strict=True):
            _fill(cell, value)
    _alt_text(grid, title, table)


def _alt_text(grid, title: str, table: Table) -> None:
    """The table's title and description, which Word's accessibility checker asks for and a
    screen reader announces (the last of the table's properties, as the schema orders them)."""
    properties = grid._tbl.tblPr
    for tag, text in (
        ("w:tblCaption", title),
        ("w:tblDescription", f"{title}: {len(table.rows)} rows of " + ", ".join(table.columns)),
    ):
        element = OxmlElement(tag)
        element.set(qn("w:val"), text[:255])
        properties.append(element)


def _fill(cell, value: Cell) -> None:
    run = cell.paragraphs[0].add_run(value.text)
    if value.rag is not None:
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(RAG_TEXT[value.rag])
        _shade(cell, RAG_FILLS[value.rag])


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _keep_whole(row) -> None:
    """Word moves the row to the next page rather than splitting it across two."""
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _repeat_as_header(row) -> None:
    """Word repeats this row at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _widths(document, grid, table: Table) -> None:
    if not table.widths:
        return
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    total = sum(table.widths)
    grid.autofit = False
    for column, cell, share in zip(grid.columns, grid.rows[0].cells, table.widths, strict=False):
        column.width = cell.width = int(usable * share / total)


def _new_section(document, *, landscape: bool) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    wide, narrow = (
        max(section.page_width, section.page_height),
        min(section.page_width, section.page_height),
    )
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (wide, narrow) if landscape else (narrow, wide)


def _page_numbers(section) -> None:
    """ "Page N of M" in the footer (later sections follow the first)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)

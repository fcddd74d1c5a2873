"""What a committee report is made of: sections of headings, paragraphs and tables, which
every format (HTML, PDF, Word, Excel, CSV) lays out in its own way. A plugin's
``report_sections`` hook answers with these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from core.enums import Rag


@dataclass(frozen=True)
class Cell:
    """One table cell: its words, and what a format can do better with (a RAG to shade, a real
    date or number for a spreadsheet)."""

    text: str
    rag: Rag | None = None
    date: dt.date | None = None
    number: int | None = None
    # Words a spreadsheet shows after ``date`` while keeping it a date ("Overdue since ...").
    after_date: str = ""

    @classmethod
    def of_date(cls, day: dt.date | None) -> Cell:
        return cls(f"{day:%d/%m/%Y}" if day else "", date=day)

    @classmethod
    def of_count(cls, number: int, zero: str = "0") -> Cell:
        return cls(str(number) if number else zero, number=number)

    @classmethod
    def of_rag(cls, rag: Rag | None, otherwise: str = "Not reported") -> Cell:
        """The RAG as letter and word (never colour alone), or ``otherwise``."""
        return cls(f"{rag.value}: {rag.word}" if rag else otherwise, rag=rag)


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    # 1 is a section's own title; 2 and 3 are within it.
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class Table:
    """A table with a header row. ``widths`` are relative column widths (in characters);
    ``key`` names a table other code (and tests) can look for."""

    kind: ClassVar[str] = "table"
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    widths: list[int] | None = None
    key: str = ""
    empty: str = "None."


@dataclass(frozen=True)
class ReportSection:
    """One section of a report. Sections are laid out by ``order`` (the built-in ones are at
    10, 20, ... 90, so a plugin's section can go between them); ``landscape`` asks for a wide
    page and ``new_page`` for a page break before it; ``short_title`` names its sheet in a
    workbook."""

    key: str
    title: str
    order: int
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False
    new_page: bool = False
    # A short name, for a spreadsheet's sheet tab (at most 31 characters); default the title.
    short_title: str = ""
    # Part of the summary paper as well as the full one (what changed, the updates not
    # received, the exceptions, the Progress/Update table, the KPIs, the CYPFP page).
    in_summary: bool = False

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


@dataclass(frozen=True)
class Bullets:
    """A bulleted list (an annual report's narrative keeps the lists its writer made)."""

    kind: ClassVar[str] = "bullets"
    items: list[str]


@dataclass(frozen=True)
class Chart:
    """A line chart: one line per series over ``labels``, with an optional target line. A
    table beside it always gives the same numbers (a chart is never the only way to read
    them)."""

    kind: ClassVar[str] = "chart"
    title: str
    labels: list[str]
    series: dict[str, list[float | None]]
    target: float | None = None


Block = Heading | Paragraph | Table | Bullets | Chart

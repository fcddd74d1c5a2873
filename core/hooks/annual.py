"""What an annual report template is (the ``report_templates`` hook answers with these): the
ordered sections of a CPC's annual report, each narrative (written in the app), filled from
the record (``data``), or both."""

from __future__ import annotations

from dataclasses import dataclass

# The parts of the record a section can be filled from.
DATA_BLOCKS = {
    "progress": "The plan's progress over the year: the Progress/Update rows of the year's "
    "reporting dates, actions completed and added, and RAG moves by outcome",
    "kpis": "KPIs year on year: the latest figure of each of the last three years, with the "
    "target and which way is better",
    "recommendations": "Recommendations opened and closed in the year, by where they came from",
    "learning_reviews": "Learning reviews by stage in the year (counts only)",
    "self_evaluation": "Self-evaluation ratings agreed in the year",
    "meetings": "The committee's meetings held (its reporting dates) and the updates received "
    "on time for each",
}


@dataclass(frozen=True)
class TemplateSection:
    """A section of an annual report: its ``heading`` as its source words it, its place
    (``order``), whether the coordinator writes it (``narrative``), and the parts of the
    record it shows (``data``: keys of ``DATA_BLOCKS``), with a ``hint`` of what to write."""

    key: str
    heading: str
    order: int
    narrative: bool = True
    data: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class ReportTemplate:
    """An annual report's template: its ``key``, ``title`` and ``source`` (where its headings
    come from), and its sections. With ``extends`` (another template's key), its sections are
    added to that template's, each where its ``order`` puts it (a section with the same key
    replaces the other's)."""

    key: str
    title: str
    source: str
    sections: tuple[TemplateSection, ...]
    extends: str | None = None

"""A CPC's annual report for a reporting year: its template (from the ``report_templates``
hook), the narrative the coordinator writes for its sections (every version kept; two saves
from the same version cannot both be kept), its data sections filled from the record as at
the year's end, the committee's approval (which locks its words and keeps its figures as they
were) and making it public."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.hooks.annual import DATA_BLOCKS, ReportTemplate, TemplateSection
from core.hooks.registry import PluginProblem, PluginRegistry
from core.hooks.report import (
    Block,
    Bullets,
    Cell,
    Chart,
    Heading,
    Paragraph,
    ReportSection,
    Table,
)
from core.models import AnnualReport, AnnualReportText, Area, Plan, User
from core.services.accounts import permissions
from core.services.errors import FieldError, StaleEdit
from core.services.plans.plans import NotFound
from core.services.reports import annual_data
from core.services.reports.annual_data import Year
from core.services.reports.formats.json_format import block_json
from core.services.reports.narrative import blocks_of

MAX_TEXT = 50_000
YEAR = re.compile(r"^(\d{4})-(\d{2})$")
NOT_WRITTEN = "Not written yet."


@dataclass(frozen=True)
class TaysideScope:
    """TRIC PG5's Tayside-wide annual report stands where an area's would: no area (``id``
    None), its years from 1 August."""

    id: None = None
    slug: str = "tayside"
    name: str = "Tayside"
    committee_name: str = (
        "Tayside Regional Improvement Collaborative Priority Group 5 (Safeguarding and Child "
        "Protection)"
    )
    year_starts_month: int = 8
    plans: tuple = ()


TAYSIDE = TaysideScope()
Scope = Area | TaysideScope


def scope_of(report: AnnualReport) -> Scope:
    return report.area if report.area is not None else TAYSIDE


def writes(user: User, scope: Scope) -> bool:
    """An area's report is kept by its coordinators; Tayside's by TRIC PG5 members (and
    administrators, who keep everything)."""
    if scope.id is None:
        return permissions.edits_shared(user)
    return permissions.writes_area(user, scope)  # type: ignore[arg-type]


def require_writer(user: User, scope: Scope) -> None:
    if not writes(user, scope):
        who = (
            "TRIC PG5 members and administrators"
            if scope.id is None
            else f"{scope.name}'s coordinators and administrators"
        )
        raise permissions.PermissionDenied(f"Only {who} can change {scope.name}'s annual reports.")


def year_of(area: Scope, label: str, today: dt.date | None = None) -> Year:
    """The area's reporting year labelled like "2021-22" (from the first of the month its
    years start in); ``ValueError`` saying what is wrong otherwise."""
    found = YEAR.match(label or "")
    if not found or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        raise ValueError(f"{label!r} is not a reporting year: write it like 2021-22.")
    first = int(found.group(1))
    if not 2000 <= first <= 2098:
        raise ValueError("Choose a year from 2000-01 to 2098-99.")
    starts = dt.date(first, area.year_starts_month, 1)
    ends = dt.date(first + 1, area.year_starts_month, 1) - dt.timedelta(days=1)
    today = today or dt.date.today()
    return Year(label, starts, ends, min(ends, today))


def year_for(session: Session, area: Scope, label: str, today: dt.date | None = None) -> Year:
    """The reporting year ``label`` of ``area``: an annual report begun for it keeps the days
    it was begun with (if the area later moved the month its years start); ``ValueError``
    for a label that is not a year."""
    year = year_of(area, label, today)
    found = report_of(session, area, year)
    if found is None or (found.starts_on, found.ends_on) == (year.starts_on, year.ends_on):
        return year
    return Year(label, found.starts_on, found.ends_on, min(found.ends_on, today or dt.date.today()))


def label_of(area: Scope, day: dt.date) -> str:
    """The label of the area's reporting year that ``day`` falls in."""
    first = day.year if day.month >= area.year_starts_month else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def years_of(area: Scope, today: dt.date | None = None) -> list[str]:
    """The reporting years from the area's first plan (Tayside: the last six) to the current
    one, latest first (at most 30)."""
    today = today or dt.date.today()
    first = min((p.period_start for p in area.plans), default=dt.date(today.year - 5, 1, 1))
    last, earliest = int(label_of(area, today)[:4]), int(label_of(area, first)[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(last, max(earliest, last - 29) - 1, -1)]


@dataclass
class Templates:
    """The templates the plugins contribute, by key (``extends`` applied), and the plugins
    whose templates could not be used."""

    by_key: dict[str, ReportTemplate]
    problems: list[PluginProblem] = field(default_factory=list)

    def get(self, key: str | None) -> ReportTemplate:
        if key in self.by_key:
            return self.by_key[key]  # type: ignore[index]
        return next(iter(self.by_key.values()))


def templates(plugins: PluginRegistry) -> Templates:
    """Every plugin's templates: a bad one (a key taken, an unknown data block, a section key
    twice, ``extends`` naming nothing) is left out and named."""
    problems: list[PluginProblem] = []
    found: dict[str, ReportTemplate] = {}
    extending: list[tuple[str, ReportTemplate]] = []
    for name, answer in plugins.call_each("report_templates", problems):
        for template in answer if isinstance(answer, list | tuple) else [answer]:
            problem = _problem(template, found)
            if problem:
                problems.append(PluginProblem(name, problem))
            elif template.extends:
                extending.append((name, template))
            else:
                found[template.key] = replace(
                    template, sections=tuple(sorted(template.sections, key=lambda s: s.order))
                )
    for name, template in extending:
        base = found.get(template.extends or "")
        if base is None:
            problems.append(
                PluginProblem(
                    name, f"template {template.key!r} extends no template {template.extends!r}"
                )
            )
            continue
        keys = {s.key for s in template.sections}
        sections = [s for s in base.sections if s.key not in keys] + list(template.sections)
        found[base.key] = replace(base, sections=tuple(sorted(sections, key=lambda s: s.order)))
    if not found:
        raise RuntimeError("No annual report template is registered.")
    return Templates(found, problems)


def _problem(template: object, found: dict[str, ReportTemplate]) -> str | None:
    if not isinstance(template, ReportTemplate):
        return f"hook report_templates answered {template!r}, which is not a ReportTemplate"
    if not template.extends and template.key in found:
        return f"template key {template.key!r} is taken"
    keys = [s.key for s in template.sections]
    if len(keys) != len(set(keys)):
        return f"template {template.key!r} names a section twice"
    for section in template.sections:
        unknown = set(section.data) - set(DATA_BLOCKS)
        if unknown:
            return f"template {template.key!r}: no data block {sorted(unknown)[0]!r}"
    return None


def report_of(session: Session, area: Scope, year: Year) -> AnnualReport | None:
    scope = AnnualReport.area_id.is_(None) if area.id is None else AnnualReport.area_id == area.id
    return session.scalar(
        select(AnnualReport)
        .where(scope, AnnualReport.year == year.label)
        .options(selectinload(AnnualReport.area))
    )


def start(
    session: Session, area: Scope, year: Year, template: ReportTemplate, *, actor: User
) -> AnnualReport:
    """The area's (or Tayside's) report for the year, begun now with ``template`` if it has
    none (two begun at once keep one)."""
    require_writer(actor, area)
    found = report_of(session, area, year)
    if found is not None:
        return found
    report = AnnualReport(
        area_id=area.id,
        year=year.label,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        template_key=template.key,
    )
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError:
        found = report_of(session, area, year)
        assert found is not None
        return found
    return report


def choose_template(
    session: Session, report: AnnualReport, template: ReportTemplate, *, actor: User
) -> None:
    require_writer(actor, scope_of(report))
    _unlocked(report)
    report.template_key = template.key
    _saved(session, report)


def current_texts(session: Session, report: AnnualReport | None) -> dict[str, AnnualReportText]:
    """Each narrative section's latest version. One query."""
    if report is None:
        return {}
    latest = (
        select(AnnualReportText.section_key, func.max(AnnualReportText.version).label("v"))
        .where(AnnualReportText.report_id == report.id)
        .group_by(AnnualReportText.section_key)
        .subquery()
    )
    rows = session.scalars(
        select(AnnualReportText)
        .join(
            latest,
            (latest.c.section_key == AnnualReportText.section_key)
            & (latest.c.v == AnnualReportText.version),
        )
        .where(AnnualReportText.report_id == report.id)
        .options(selectinload(AnnualReportText.written_by))
    )
    return {row.section_key: row for row in rows}


def history(session: Session, report: AnnualReport, section_key: str) -> list[AnnualReportText]:
    """Every version of a section's words, latest first (at most 100)."""
    return list(
        session.scalars(
            select(AnnualReportText)
            .where(
                AnnualReportText.report_id == report.id,
                AnnualReportText.section_key == section_key,
            )
            .options(selectinload(AnnualReportText.written_by))
            .order_by(AnnualReportText.version.desc())
            .limit(100)
        )
    )


class NarrativeClash(StaleEdit):
    """Someone saved the section after the version the writer read: ``theirs`` is what they
    saved; nothing of the writer's was saved."""

    def __init__(self, theirs: AnnualReportText) -> None:
        who = theirs.written_by.email if theirs.written_by else "someone"
        super().__init__(
            "text",
            f"{who} saved this section while you were writing: your words were not saved. "
            "Both texts are below.",
        )
        self.theirs = theirs.text


def _unlocked(report: AnnualReport) -> None:
    if report.approved:
        raise FieldError(
            "text",
            f"The {report.year} report was approved by the committee on "
            f"{report.approved_on:%d %B %Y}: its words are locked.",
        )


def save_text(
    session: Session,
    report: AnnualReport,
    section: TemplateSection,
    text: str,
    *,
    read_version: int,
    actor: User,
) -> AnnualReportText | None:
    """A new version of ``section``'s words, written from version ``read_version`` (0: none
    yet). ``NarrativeClash`` if someone saved after that version. None if nothing changed."""
    require_writer(actor, scope_of(report))
    _unlocked(report)
    if not section.narrative:
        raise FieldError("text", f"“{section.heading}” is filled from the record, not written.")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise FieldError("text", f"The text must be {MAX_TEXT:,} characters or fewer.")
    current = current_texts(session, report).get(section.key)
    if current is not None and current.version != read_version:
        raise NarrativeClash(current)
    if current is not None and current.text == text:
        return None
    version = AnnualReportText(
        report_id=report.id,
        section_key=section.key,
        version=read_version + 1,
        text=text,
        written_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:  # another save from the same version won
        theirs = current_texts(session, report)[section.key]
        raise NarrativeClash(theirs) from None
    return version


def approve(
    session: Session,
    report: AnnualReport,
    document: AnnualDocument,
    *,
    actor: User,
    revision: int,
    on: dt.date | None = None,
) -> None:
    """The committee approved the report: its words are locked, and its data sections are
    kept as they are now (``document``'s)."""
    require_writer(actor, scope_of(report))
    if report.revision != revision:
        raise StaleEdit("revision", "Someone changed this report since you opened it.")
    _unlocked(report)
    report.approved_on = on or dt.date.today()
    report.approved_at = dt.datetime.now(dt.UTC)
    report.approved_data = {
        key: [_block_json(b) for b in blocks] for key, blocks in document.data.items()
    }
    _saved(session, report)


def set_public(session: Session, report: AnnualReport, public: bool, *, actor: User) -> None:
    require_writer(actor, scope_of(report))
    if public and not report.approved:
        raise FieldError("public", "Only a report the committee has approved can be public.")
    report.public = public
    _saved(session, report)


def _saved(session: Session, report: AnnualReport) -> None:
    """Flush a change to the report: UPDATE ... WHERE revision = <the revision read>, so of
    two changes made at once one is saved and the other told."""
    label = report.year
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit(
            "revision",
            f"Someone changed the {label} report at the same moment: nothing was saved. Look "
            "at it again.",
        ) from None


def reports_of(session: Session, area: Scope) -> dict[str, AnnualReport]:
    """The area's (or Tayside's) reports begun, by year (at most 100)."""
    scope = AnnualReport.area_id.is_(None) if area.id is None else AnnualReport.area_id == area.id
    return {r.year: r for r in session.scalars(select(AnnualReport).where(scope).limit(100))}


def plan_of(session: Session, area: Scope, year: Year) -> Plan | None:
    """The plan an annual report's file is kept under: the area's plan in force at the year's
    end, else its first; None for Tayside's (``NotFound`` for an area with no plan)."""
    if area.id is None:
        return None
    plan = annual_data.plan_for(session, area, year) or (area.plans[0] if area.plans else None)
    if plan is None:
        raise NotFound(f"{area.name} has no plan: there is no record to report on.")
    return plan


def public_report(session: Session, area_slug: str, label: str) -> AnnualReport | None:
    query = select(AnnualReport).where(AnnualReport.year == label, AnnualReport.public)
    if area_slug == TAYSIDE.slug:
        query = query.where(AnnualReport.area_id.is_(None))
    else:
        query = query.join(Area, Area.id == AnnualReport.area_id).where(Area.slug == area_slug)
    return session.scalar(query.options(selectinload(AnnualReport.area)))


@dataclass(frozen=True)
class AnnualDocument:
    """An annual report as its formats lay it out: the template's sections in order, each
    with its narrative (as written) and its data blocks."""

    area: Scope
    year: Year
    template: ReportTemplate
    sections: list[ReportSection]
    # The data blocks, by key (kept whole on approval).
    data: dict[str, list[Block]]
    approved_on: dt.date | None
    problems: list[PluginProblem]

    @property
    def title(self) -> str:
        first = int(self.year.label[:4])
        return f"{self.area.committee_name}: annual report {first}/{(first + 1) % 100:02d}"

    @property
    def subtitle(self) -> str:
        state = (
            f"approved by the committee on {self.year.words(self.approved_on)}"
            if self.approved_on
            else "draft"
        )
        return f"{self.year.span}; {state}. Laid out as the {self.template.title}."

    def section(self, key: str) -> ReportSection:
        return next(s for s in self.sections if s.key == key)


def build(
    session: Session,
    plugins: PluginRegistry,
    area: Scope,
    year: Year,
    *,
    template_key: str | None = None,
) -> AnnualDocument:
    """The report for ``area``'s ``year``: its template (``template_key``, else the one the
    report was begun with, else the first), its narrative as last saved, and its data as at
    the year's end (as approved, once it is)."""
    found = templates(plugins)
    report = report_of(session, area, year)
    template = found.get(template_key or (report.template_key if report else None))
    texts = current_texts(session, report)
    keys = {key for s in template.sections for key in s.data}
    if report is not None and report.approved_data is not None:
        data = {k: [_block_from(b) for b in v] for k, v in report.approved_data.items()}
        missing = keys - set(data)
        data |= annual_data.blocks(session, area, year, missing, plugins) if missing else {}
    else:
        data = annual_data.blocks(session, area, year, keys, plugins)
    sections = []
    for section in template.sections:
        blocks: list[Block] = []
        if section.narrative:
            written = texts.get(section.key)
            blocks.extend(blocks_of(written.text) if written and written.text else [])
            if not blocks and not section.data:
                blocks.append(Paragraph(NOT_WRITTEN))
        for key in section.data:
            blocks.extend(data[key])
        sections.append(ReportSection(section.key, section.heading, section.order, blocks))
    return AnnualDocument(
        area,
        year,
        template,
        sections,
        data,
        report.approved_on if report else None,
        found.problems,
    )


def _block_json(block: Block) -> dict:
    if isinstance(block, Heading):
        return {"kind": "heading", "text": block.text, "level": block.level}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Bullets | Chart):
        return block_json(block)
    return {
        "kind": "table",
        "columns": block.columns,
        "rows": [
            [{"text": c.text, "date": c.date.isoformat() if c.date else None} for c in row]
            for row in block.rows
        ],
        "caption": block.caption,
        "widths": block.widths,
        "key": block.key,
        "empty": block.empty,
    }


def _block_from(data: dict) -> Block:
    if data["kind"] == "heading":
        return Heading(data["text"], data["level"])
    if data["kind"] == "paragraph":
        return Paragraph(data["text"])
    if data["kind"] == "bullets":
        return Bullets(data["items"])
    if data["kind"] == "chart":
        return Chart(data["title"], data["labels"], data["series"], data["target"])
    return Table(
        data["columns"],
        [
            [
                Cell(c["text"], date=dt.date.fromisoformat(c["date"]) if c["date"] else None)
                for c in row
            ]
            for row in data["rows"]
        ],
        caption=data["caption"],
        widths=data["widths"],
        key=data["key"],
        empty=data["empty"],
    )

"""Exporting a plan (outcomes, actions, leads, KPI measures, ongoing actions, evidence menu and
every update in force) as the JSON plan format plugins use, or as a workbook; and importing
either as a new plan. An import lists every problem at once, with its sheet, row and column
(or JSON path), and stores nothing unless all of it is valid."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.enums import ActionKind
from core.models import Action, Area, Plan, User
from core.schemas.errors import flatten_errors
from core.schemas.plan_file import PlanFileSchema
from core.services.accounts.permissions import require_area
from core.services.plans.loader import PlanDataError, build_plan
from core.services.records.archive_limits import ArchiveRefused, check_archive
from core.services.records.spreadsheet_safety import append_row

MAX_BYTES = 2 * 1024 * 1024
# The most rows a sheet of an imported workbook may have (a plan has a few hundred).
MAX_ROWS = 5000


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``sheet``, ``row`` and ``column`` in a workbook, or a JSON
    path."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ImportRefused(ValueError):
    """The file was not imported; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


# Export ---------------------------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _updates(action: Action) -> list[dict[str, Any]]:
    return [
        {
            "reported_on": u.reported_on.isoformat(),
            "status": u.status.value,
            "rag": u.rag.value if u.rag else None,
            "commentary": u.commentary,
            "evidence_url": u.evidence_url,
            "back_on_track": u.back_on_track,
        }
        for u in sorted(action.updates, key=lambda u: (u.reported_on, u.id))
        if u.counts
    ]


def export_plan(session: Session, plan: Plan) -> dict[str, Any]:
    """The plan in the JSON plan format (``PlanFileSchema``), with each action's updates."""
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .options(
                selectinload(Action.leads),
                selectinload(Action.kpi_measures),
                selectinload(Action.updates),
                selectinload(Action.shared_action),
                selectinload(Action.recommendations),
            )
            .order_by(Action.position)
        )
    )

    def common(action: Action) -> dict[str, Any]:
        return {
            "code": action.code,
            "text": action.text,
            "expected_impact": action.expected_impact,
            "leads": [lead.name for lead in action.leads],
            "shared_action": action.shared_action.key if action.shared_action else None,
            "answers": [r.reference for r in action.recommendations],
            "updates": _updates(action),
        }

    groups = []
    loose = [o for o in plan.outcomes if o.priority_group_id is None]
    for group in [*plan.priority_groups, *([None] if loose else [])]:
        members = group.outcomes if group else loose
        groups.append(
            {
                "title": group.title if group else "Other outcomes",
                "outcomes": [
                    {
                        "number": o.number,
                        "title": o.title,
                        "commitment": o.commitment,
                        "notes": o.notes,
                        "actions": [
                            {
                                **common(a),
                                "target_date": _day(a.target_date),
                                "kpi_measures": [m.text for m in a.kpi_measures],
                            }
                            for a in actions
                            if a.outcome_id == o.id and a.kind is ActionKind.IMPROVEMENT
                        ],
                    }
                    for o in members
                ],
            }
        )
    alignment: dict[str, list[dict[str, str]]] = {}
    for item in plan.frame_items:
        alignment.setdefault(item.section.value, []).append(
            {"text": item.text, "detail": item.detail}
        )
    return {
        "area": plan.area.slug,
        "slug": plan.slug,
        "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "published_on": _day(plan.published_on),
        "status": plan.status.value,
        "summary": plan.summary,
        "source": plan.source,
        "alignment": alignment,
        "rag_legend": {d.rag.value: d.definition for d in plan.rag_definitions},
        "priority_groups": groups,
        "ongoing_actions": [common(a) for a in actions if a.kind is ActionKind.ONGOING],
        "evidence_menu": [
            {"text": e.text, "frequency": e.frequency, "proportion": e.is_proportion}
            for e in plan.evidence_sources
        ],
    }


def export_json(session: Session, plan: Plan) -> bytes:
    return json.dumps(export_plan(session, plan), indent=2, ensure_ascii=False).encode("utf-8")


# The workbook: each sheet's columns, as (heading, field in the JSON format).
PLAN_FIELDS = [
    ("area", "Area"),
    ("slug", "Plan slug"),
    ("title", "Title"),
    ("period_start", "Starts"),
    ("period_end", "Ends"),
    ("published_on", "Published on"),
    ("status", "Status"),
    ("summary", "Summary"),
    ("source", "Source"),
]
SHEETS: dict[str, list[tuple[str, str]]] = {
    "Outcomes": [
        ("Priority group", "group"),
        ("Outcome number", "number"),
        ("Title", "title"),
        ("Commitment", "commitment"),
        ("Notes", "notes"),
    ],
    "Actions": [
        ("Outcome number", "outcome"),
        ("No", "code"),
        ("Action/task", "text"),
        ("Expected impact", "expected_impact"),
        ("Strategic leads (one a line)", "leads"),
        ("Target date", "target_date"),
        ("KPI measures (one a line)", "kpi_measures"),
        ("TRIC PG5 shared action key", "shared_action"),
        ("Recommendations it answers (references, one a line)", "answers"),
    ],
    "Ongoing actions": [
        ("No", "code"),
        ("Action/task", "text"),
        ("Expected impact", "expected_impact"),
        ("Strategic leads (one a line)", "leads"),
        ("TRIC PG5 shared action key", "shared_action"),
        ("Recommendations it answers (references, one a line)", "answers"),
    ],
    "Updates": [
        ("Kind (improvement or ongoing)", "kind"),
        ("No", "code"),
        ("Reported on", "reported_on"),
        ("Status", "status"),
        ("RAG (R, A, G or blank)", "rag"),
        ("Commentary", "commentary"),
        ("Evidence link", "evidence_url"),
        ("What will bring it back on track", "back_on_track"),
    ],
    "Evidence": [("Evidence", "text"), ("How often", "frequency"), ("No. and %", "proportion")],
    "RAG legend": [("RAG", "rag"), ("Meaning", "definition")],
    "Plan on a page": [("Section", "section"), ("Text", "text"), ("Detail", "detail")],
}
LIST_FIELDS = {"leads", "kpi_measures", "answers"}
DATE_FIELDS = {"target_date", "reported_on", "period_start", "period_end", "published_on"}


def export_xlsx(session: Session, plan: Plan) -> bytes:
    """The plan as a workbook in the layout ``import_plan`` reads."""
    from openpyxl import Workbook  # imported when a workbook is made, not at start-up
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = export_plan(session, plan)
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    append_row(sheet, ["Field", "Value"])
    for key, heading in PLAN_FIELDS:
        append_row(sheet, [heading, _cell(key, data[key])])
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    for group in data["priority_groups"]:
        for outcome in group["outcomes"]:
            rows["Outcomes"].append({**outcome, "group": group["title"]})
            for action in outcome["actions"]:
                rows["Actions"].append({**action, "outcome": outcome["number"]})
                rows["Updates"] += [
                    {**u, "kind": "improvement", "code": action["code"]} for u in action["updates"]
                ]
    for action in data["ongoing_actions"]:
        rows["Ongoing actions"].append(action)
        rows["Updates"] += [
            {**u, "kind": "ongoing", "code": action["code"]} for u in action["updates"]
        ]
    rows["Evidence"] = data["evidence_menu"]
    rows["RAG legend"] = [{"rag": k, "definition": v} for k, v in data["rag_legend"].items()]
    rows["Plan on a page"] = [
        {**item, "section": section}
        for section, items in data["alignment"].items()
        for item in items
    ]
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        append_row(sheet, [heading for heading, _ in columns])
        for row in rows[name]:
            append_row(sheet, [_cell(field, row.get(field)) for _, field in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, (heading, _) in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                14, min(60, len(heading) + 4)
            )
    for cell in book["Plan"][1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in DATE_FIELDS and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if field in LIST_FIELDS:
        return "\n".join(value)
    return value


# Import ---------------------------------------------------------------------------------------


def read_json(blob: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    try:
        data = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused([Problem("", f"The file is not valid JSON: {exc}.")]) from None
    except RecursionError:
        raise ImportRefused([Problem("", "The JSON is nested too deeply to be a plan.")]) from None
    if not isinstance(data, dict):
        raise ImportRefused([Problem("", "The JSON must be one plan: an object, {...}.")])
    problems = [Problem(path, message) for path, message in _not_text(data)]
    if problems:
        raise ImportRefused(problems)
    return data, {}


def _not_text(data: Any) -> list[tuple[str, str]]:
    """Where the parsed JSON holds a string that is not text a database keeps: a NUL, or a
    lone surrogate (half of a character, which JSON's escapes allow). Walked without
    recursion."""
    found, waiting = [], [("", data)]
    while waiting:
        path, value = waiting.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                waiting.append((f"{path}.{key}" if path else str(key), item))
                waiting.append((path, key))
        elif isinstance(value, list):
            waiting.extend((f"{path}.{n}" if path else str(n), v) for n, v in enumerate(value))
        elif isinstance(value, str):
            where = path or "the file"
            if "\x00" in value:
                found.append((where, "This holds a NUL character, which is not text."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                found.append(
                    (where, "This holds a lone surrogate (half of a character), which is not text.")
                )
    return sorted(found)


def _text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]  # the mark an export put before text that looks like a formula
    return value


def read_xlsx(blob: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    """The workbook as the JSON plan format, and where each JSON path came from ("sheet Actions,
    row 4, column C"). Its zip is checked first (sizes, ratio, no DOCTYPE), and each sheet is
    read row by row, up to ``MAX_ROWS`` rows of its known columns: nothing past a limit is
    parsed."""
    from openpyxl import load_workbook  # imported when a workbook is read

    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            check_archive(archive, xml=True)
    except zipfile.BadZipFile:
        raise ImportRefused([Problem("", "The file is not an Excel workbook (.xlsx).")]) from None
    except ArchiveRefused as refused:
        raise ImportRefused([Problem("", str(refused))]) from None
    try:
        return _read_book(load_workbook(io.BytesIO(blob), read_only=True, data_only=True))
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused([Problem("", "The file is not an Excel workbook (.xlsx).")]) from None


def _sheet_rows(sheet, columns: int, name: str):
    """The sheet's rows after the heading, each cut to its ``columns`` known columns."""
    rows = sheet.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=columns, values_only=True)
    for number, values in enumerate(rows, 2):
        if number > MAX_ROWS + 1:
            raise ImportRefused(
                [Problem(f"sheet {name}", f"The sheet has more than {MAX_ROWS:,} rows.")]
            )
        yield number, values


def _read_book(book) -> tuple[dict[str, Any], dict[str, str]]:
    from openpyxl.utils import get_column_letter

    problems: list[Problem] = []
    where: dict[str, str] = {}
    missing = [name for name in ["Plan", *SHEETS] if name not in book.sheetnames]
    if missing:
        raise ImportRefused(
            [
                Problem(f"sheet {name}", "This sheet is missing: export a plan to see the layout.")
                for name in missing
            ]
        )

    def rows(name: str) -> list[tuple[int, dict[str, Any]]]:
        columns = SHEETS[name]
        found = []
        for number, values in _sheet_rows(book[name], len(columns), name):
            if not any(v not in (None, "") for v in values):
                continue
            record = {}
            for (_heading, field), value in zip(
                columns, [*values, *[None] * len(columns)], strict=False
            ):
                value = _text(value)
                if field in LIST_FIELDS:
                    value = [line.strip() for line in str(value or "").splitlines() if line.strip()]
                record[field] = value
            found.append((number, record))
        return found

    def place(path: str, sheet: str, number: int) -> None:
        for index, (_, field) in enumerate(SHEETS[sheet], 1):
            where[f"{path}.{field}"] = (
                f"sheet {sheet}, row {number}, column {get_column_letter(index)}"
            )
        where[path] = f"sheet {sheet}, row {number}"

    data: dict[str, Any] = {}
    for number, values in _sheet_rows(book["Plan"], 2, "Plan"):
        heading = values[0] if values else None
        key = next((k for k, h in PLAN_FIELDS if h == heading), None)
        if key is None:
            if heading not in (None, ""):
                problems.append(
                    Problem(
                        f"sheet Plan, row {number}, column A",
                        f"{heading!r} is not a field of a plan.",
                    )
                )
            continue
        value = _text(values[1] if len(values) > 1 else None)
        if value not in (None, ""):
            data[key] = value
        where[key] = f"sheet Plan, row {number}, column B"
    groups: dict[str, dict[str, Any]] = {}
    outcomes: dict[Any, dict[str, Any]] = {}
    for number, record in rows("Outcomes"):
        group = groups.setdefault(str(record.pop("group") or ""), {"title": "", "outcomes": []})
        group["title"] = next(k for k, v in groups.items() if v is group)
        record = {k: v for k, v in record.items() if v not in (None, "")}
        group["outcomes"].append({**record, "actions": []})
        g, o = list(groups).index(group["title"]), len(group["outcomes"]) - 1
        place(f"priority_groups.{g}.outcomes.{o}", "Outcomes", number)
        outcomes[record.get("number")] = (
            group["outcomes"][-1],
            f"priority_groups.{g}.outcomes.{o}",
        )
    actions: dict[tuple[str, str], dict[str, Any]] = {}
    for number, record in rows("Actions"):
        outcome = outcomes.get(record.pop("outcome"))
        if outcome is None:
            problems.append(
                Problem(
                    f"sheet Actions, row {number}, column A",
                    "There is no such outcome on the Outcomes sheet.",
                )
            )
            continue
        home, path = outcome
        record = {k: v for k, v in record.items() if v not in (None, "", [])}
        record.setdefault("updates", [])
        home["actions"].append(record)
        place(f"{path}.actions.{len(home['actions']) - 1}", "Actions", number)
        actions[("improvement", str(record.get("code")))] = (
            record,
            f"{path}.actions.{len(home['actions']) - 1}",
        )
    data["priority_groups"] = list(groups.values())
    data["ongoing_actions"] = []
    for number, record in rows("Ongoing actions"):
        record = {k: v for k, v in record.items() if v not in (None, "", [])}
        record.setdefault("updates", [])
        data["ongoing_actions"].append(record)
        path = f"ongoing_actions.{len(data['ongoing_actions']) - 1}"
        place(path, "Ongoing actions", number)
        actions[("ongoing", str(record.get("code")))] = (record, path)
    for number, record in rows("Updates"):
        kind, code = (
            str(record.pop("kind") or "improvement").strip().lower(),
            str(record.pop("code")),
        )
        owner = actions.get((kind, code))
        if owner is None:
            problems.append(
                Problem(
                    f"sheet Updates, row {number}, column B", f"There is no {kind} action {code}."
                )
            )
            continue
        action, path = owner
        record = {k: v for k, v in record.items() if v not in (None, "")}
        action["updates"].append(record)
        place(f"{path}.updates.{len(action['updates']) - 1}", "Updates", number)
    data["evidence_menu"] = []
    for number, record in rows("Evidence"):
        record["proportion"] = str(record.get("proportion") or "").strip().lower() in (
            "yes",
            "true",
            "1",
        )
        data["evidence_menu"].append({k: v for k, v in record.items() if v not in (None, "")})
        place(f"evidence_menu.{len(data['evidence_menu']) - 1}", "Evidence", number)
    data["rag_legend"] = {str(r["rag"]): r["definition"] for _, r in rows("RAG legend")}
    alignment: dict[str, list[dict[str, Any]]] = {}
    for _number, record in rows("Plan on a page"):
        section = str(record.pop("section"))
        alignment.setdefault(section, []).append({k: v for k, v in record.items() if v is not None})
    data["alignment"] = alignment
    if problems:
        raise ImportRefused(problems)
    return data, where


def _located(path: str, where: dict[str, str]) -> str:
    """A JSON path in the words of the file it came from: its sheet, row and column."""
    if not where:
        return path or "(the whole file)"
    probe = path
    while probe:
        if probe in where:
            return where[probe]
        probe = probe.rpartition(".")[0]
    return path


def import_plan(
    session: Session,
    blob: bytes,
    file_name: str,
    *,
    area: Area,
    actor: User | None,
    slug: str | None = None,
    frames: dict[str, dict[str, Any]] | None = None,
) -> Plan:
    """A new plan for ``area`` from an exported workbook (.xlsx) or JSON plan file (.json).
    Every problem is raised at once (``ImportRefused``); the caller commits, so nothing is
    stored unless all is valid."""
    if actor is not None:
        require_area(actor, area)
    if len(blob) > MAX_BYTES:
        raise ImportRefused(
            [Problem("", f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")]
        )
    name = file_name.lower()
    if name.endswith(".json"):
        data, where = read_json(blob)
    elif name.endswith(".xlsx"):
        data, where = read_xlsx(blob)
    else:
        raise ImportRefused(
            [Problem("", "Choose an Excel workbook (.xlsx) or a JSON plan file (.json).")]
        )
    data["area"] = area.slug
    if slug:
        data["slug"] = slug
    try:
        loaded = PlanFileSchema().load(data)
    except ValidationError as exc:
        raise ImportRefused(
            [
                Problem(_located(path, where), message)
                for path, message in flatten_errors(exc.messages)
            ]
        ) from None
    taken = session.scalar(
        select(Plan.id).where(Plan.area_id == area.id, Plan.slug == loaded["slug"])
    )
    if taken is not None:
        raise ImportRefused(
            [
                Problem(
                    _located("slug", where),
                    f"{area.name} already has a plan {loaded['slug']!r}: give the new one "
                    "another slug.",
                )
            ]
        )
    savepoint = session.begin_nested()
    try:
        plan = build_plan(session, area, loaded, frames or {})
        session.add(plan)
        for action in plan.actions:
            for update in action.updates:
                update.author = actor
        session.flush()
    except PlanDataError as exc:
        savepoint.rollback()
        raise ImportRefused([Problem(_located(exc.field, where), str(exc))]) from None
    except IntegrityError:
        # The same slug imported by someone else at the same moment: the unique constraint
        # on (area, slug) keeps one.
        savepoint.rollback()
        raise ImportRefused(
            [
                Problem(
                    _located("slug", where),
                    f"{area.name} has just been given a plan {loaded['slug']!r} by someone "
                    "else: give this one another slug.",
                )
            ]
        ) from None
    savepoint.commit()
    return plan

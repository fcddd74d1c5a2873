"""Keeping plugins' plan files and the database in step (``cpc sync-plans``).

``cpc init`` stores a plan once and never overwrites it. When a plugin's plan file changes
afterwards, this compares it with the plan in the database and lists the differences: new
outcomes and actions, changed outcome titles and action wording, and actions no longer in the
file. Applying them goes through the same services as the app, so each change is in the
action's wording history and in the audit trail. Progress updates are never touched; a field
a person has edited in the app is left as they made it, and the listing says so; an action
missing from the file is kept (with its updates) and the listing says so; the wording of an
adopted TRIC shared action is PG5's, not the file's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.enums import ActionKind, ActionOrigin
from core.hooks.registry import PluginProblem, PluginRegistry
from core.models import Action, ActionChange, Area, Outcome, Plan
from core.schemas import PlanFileSchema
from core.services.plans import loader
from core.services.plans.actions import add_local_action, edit_action, wording

FIELD_NAMES = ActionChange.FIELD_NAMES


@dataclass
class Difference:
    """One difference between a plan file and the database, and how to apply it (None: it is
    shown but not applied, for the reason given in ``what``)."""

    what: str
    apply: Callable[[], None] | None = None


@dataclass
class SyncResult:
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[PluginProblem] = field(default_factory=list)

    @property
    def applicable(self) -> list[Difference]:
        return [d for d in self.differences if d.apply is not None]

    def lines(self) -> Iterator[str]:
        for difference in self.differences:
            yield difference.what
        for note in self.notes:
            yield f"Note: {note}"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file_actions(data: dict[str, Any]) -> Iterator[tuple[ActionKind, int | None, dict]]:
    """Each action of a plan file: (kind, outcome number, the action's fields)."""
    for group in data["priority_groups"]:
        for outcome in group["outcomes"]:
            for item in outcome["actions"]:
                yield ActionKind.IMPROVEMENT, outcome["number"], item
    for item in data["ongoing_actions"]:
        yield ActionKind.ONGOING, None, item


def _file_outcomes(data: dict[str, Any]) -> dict[int, dict]:
    return {o["number"]: o for g in data["priority_groups"] for o in g["outcomes"]}


def _edited_in_app(action: Action) -> dict[str, ActionChange]:
    """The fields a person changed in the app (the latest such change of each)."""
    return {c.field: c for c in action.changes if c.changed_by_id is not None}


def _file_wording(item: dict) -> dict[str, str]:
    target = item.get("target_date")
    return {
        "text": item["text"].strip(),
        "expected_impact": (item.get("expected_impact") or "").strip(),
        "leads": "\n".join(n.strip() for n in item.get("leads", []) if n.strip()),
        "target_date": target.isoformat() if isinstance(target, dt.date) else "",
    }


def sync_plans(session: Session, plugins: PluginRegistry, *, apply: bool) -> SyncResult:
    """Compare every plugin's plan files with the database; with ``apply``, apply each
    difference that can be applied. The caller commits (or rolls back)."""
    result = SyncResult()
    report = loader.LoadReport()
    for plugin_name, sources in plugins.call_each("contribute_plans", result.problems):
        for source in sources:
            data = loader.read_source(plugin_name, source, PlanFileSchema(), report)
            if data is not None:
                _compare(session, data, result)
    result.problems += report.problems
    if apply:
        for difference in result.differences:
            if difference.apply is not None:
                difference.apply()
                session.flush()
    return result


def _compare(session: Session, data: dict[str, Any], result: SyncResult) -> None:
    label = f"{data['area']}/{data['slug']}"
    plan = session.scalar(
        select(Plan).join(Area).where(Area.slug == data["area"], Plan.slug == data["slug"])
    )
    if plan is None:
        result.notes.append(f"{label}: not in the database yet; `cpc init` loads it.")
        return
    outcomes = {
        o.number: o for o in session.scalars(select(Outcome).where(Outcome.plan_id == plan.id))
    }
    actions = {
        (a.kind, a.code): a
        for a in session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .options(
                selectinload(Action.leads),
                selectinload(Action.changes).joinedload(ActionChange.changed_by),
            )
        )
    }
    for number, item in sorted(_file_outcomes(data).items()):
        _compare_outcome(plan, label, outcomes, number, item, result)
    in_file = set()
    for kind, number, item in _file_actions(data):
        in_file.add((kind, item["code"]))
        found = actions.get((kind, item["code"]))
        if item.get("shared_action") or (found and found.origin is ActionOrigin.ADOPTED):
            continue  # a TRIC shared action: PG5 words it
        if found is None:
            _new_action(session, plan, label, kind, number, item, outcomes, result)
        else:
            _compare_wording(session, label, found, item, result)
    for key, found in sorted(actions.items(), key=lambda kv: kv[1].position):
        if key not in in_file and found.origin is ActionOrigin.LOCAL:
            result.differences.append(
                Difference(
                    f"{label}: action {found.code} is no longer in the file. It is kept, with "
                    "its progress updates: remove or reword it in the app if it should go."
                )
            )


def _compare_outcome(
    plan: Plan,
    label: str,
    outcomes: dict[int, Outcome],
    number: int,
    item: dict,
    result: SyncResult,
) -> None:
    found = outcomes.get(number)
    if found is None:

        def add(number=number, item=item) -> None:
            outcomes[number] = Outcome(
                plan=plan,
                number=number,
                title=item["title"],
                commitment=item.get("commitment") or "",
                notes=item.get("notes") or "",
            )

        result.differences.append(
            Difference(f"{label}: new outcome {number}: {_short(item['title'])}", add)
        )
    elif found.title != item["title"]:

        def retitle(found=found, title=item["title"]) -> None:
            found.title = title

        result.differences.append(
            Difference(
                f"{label}: outcome {number} title changed: “{_short(found.title)}” → "
                f"“{_short(item['title'])}”",
                retitle,
            )
        )


def _new_action(
    session: Session,
    plan: Plan,
    label: str,
    kind: ActionKind,
    number: int | None,
    item: dict,
    outcomes: dict[int, Outcome],
    result: SyncResult,
) -> None:
    if kind is ActionKind.ONGOING:
        result.differences.append(
            Difference(
                f"{label}: new ongoing action {item['code']}: {_short(item['text'])} (not "
                "added automatically: add it in the app)"
            )
        )
        return

    def add() -> None:
        add_local_action(
            session,
            outcomes[number],
            actor=None,
            text=item["text"],
            expected_impact=item.get("expected_impact") or "",
            leads=item.get("leads") or [],
            target_date=item.get("target_date"),
            code=item["code"],
        )

    result.differences.append(
        Difference(
            f"{label}: new action {item['code']} in outcome {number}: {_short(item['text'])}", add
        )
    )


def _compare_wording(
    session: Session, label: str, action: Action, item: dict, result: SyncResult
) -> None:
    now, wanted = wording(action), _file_wording(item)
    edited = _edited_in_app(action)
    take: dict[str, str] = {}
    changed: list[str] = []
    for name, value in wanted.items():
        if now[name] == value:
            continue
        change = edited.get(name)
        if change is not None:
            who = change.changed_by.email if change.changed_by else "someone"
            result.notes.append(
                f"{label}: action {action.code}'s {FIELD_NAMES[name].lower()} is kept as {who} "
                f"edited it in the app on {change.changed_at:%d %B %Y}; the file says "
                f"“{_short(value)}”."
            )
            continue
        take[name] = value
        changed.append(
            f"{FIELD_NAMES[name].lower()} “{_short(now[name], 60)}” → “{_short(value, 60)}”"
        )
    if not take:
        return

    def apply() -> None:
        merged = {**wording(action), **take}
        target = merged["target_date"]
        edit_action(
            session,
            action,
            actor=None,
            revision=action.revision,
            text=merged["text"],
            expected_impact=merged["expected_impact"],
            leads=[n for n in merged["leads"].split("\n") if n],
            target_date=dt.date.fromisoformat(target) if target else None,
        )

    result.differences.append(
        Difference(f"{label}: action {action.code} reworded: {'; '.join(changed)}", apply)
    )

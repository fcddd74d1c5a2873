"""Loading what plugins contribute (areas, shared actions, frames, plans) into the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.enums import ActionKind, ActionOrigin, FrameSection
from core.hooks.plugin_data import AreaSpec, DataSource, DataSourceError
from core.hooks.registry import PluginProblem, PluginRegistry
from core.models import (
    Action,
    ActionLead,
    Area,
    EvidenceSource,
    FrameItem,
    Kpi,
    KpiDefinition,
    KpiMeasure,
    Outcome,
    Plan,
    PriorityGroup,
    ProgressUpdate,
    QualityFramework,
    QualityIndicator,
    RagDefinition,
    Recommendation,
    SharedAction,
)
from core.schemas import (
    FrameworkFileSchema,
    KpiFileSchema,
    PlanFileSchema,
    PlanFrameSchema,
    SharedActionFileSchema,
    flatten_errors,
)
from core.services.kpis import kpis, national_import
from core.services.kpis.kpi_transfer import KpiImportRefused


class PlanDataError(ValueError):
    """A plan file is valid JSON of the right shape but refers to something that is not there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class LoadReport:
    """What a load did: the plans stored, those already present, and every problem."""

    areas_added: list[str] = field(default_factory=list)
    shared_actions_added: list[str] = field(default_factory=list)
    plans_added: list[str] = field(default_factory=list)
    plans_present: list[str] = field(default_factory=list)
    kpis_added: list[str] = field(default_factory=list)
    frameworks_added: list[str] = field(default_factory=list)
    problems: list[PluginProblem] = field(default_factory=list)


def load_plugin_content(session: Session, plugins: PluginRegistry) -> LoadReport:
    """Store every plugin's areas, shared actions and plans that are not stored yet.

    Each plan is stored whole or not at all; a plugin's bad data is reported in the returned
    report and does not stop the others. Running it twice changes nothing the second time.
    The caller commits.
    """
    report = LoadReport(problems=list(plugins.problems))
    owners = _load_areas(session, plugins, report)
    _load_shared_actions(session, plugins, report)
    frames = _collect_frames(plugins, report)
    for plugin_name, sources in plugins.call_each("contribute_plans", report.problems):
        for source in sources:
            _load_plan(session, plugin_name, source, frames, owners, report)
    for plugin_name, sources in plugins.call_each("contribute_kpis", report.problems):
        for source in sources:
            _load_kpis(session, plugin_name, source, owners, report)
    for plugin_name, sources in plugins.call_each("contribute_frameworks", report.problems):
        for source in sources:
            _load_framework(session, plugin_name, source, report)
    return report


def _load_framework(
    session: Session, plugin_name: str, source: DataSource, report: LoadReport
) -> None:
    """Store a new framework, or the indicators a stored one lacks."""
    data = read_source(plugin_name, source, FrameworkFileSchema(), report)
    if data is None:
        return
    framework = session.scalar(select(QualityFramework).where(QualityFramework.key == data["key"]))
    if framework is None:
        framework = QualityFramework(
            key=data["key"],
            title=data["title"],
            source=data["source"],
            edition=data["edition"],
            partial=data["partial"],
            scale=sorted(data["scale"], key=lambda p: -p["value"]),
            questions=data["questions"],
        )
        session.add(framework)
        report.frameworks_added.append(data["key"])
    known = {i.number for i in framework.indicators}
    position = max((i.position for i in framework.indicators), default=0)
    for item in data["indicators"]:
        if item["number"] not in known:
            position += 1
            framework.indicators.append(QualityIndicator(position=position, **item))
    session.flush()


def _load_kpis(
    session: Session,
    plugin_name: str,
    source: DataSource,
    owners: Mapping[str, str],
    report: LoadReport,
) -> None:
    """Store a KPI file's new KPIs, whole or not at all."""
    data = read_source(plugin_name, source, KpiFileSchema(), report)
    if data is None:
        return

    def problem(message: str, where: str = "area") -> None:
        report.problems.append(
            PluginProblem(plugin_name, message, source=source.label, field=where)
        )

    area = None
    if data["area"] is not None:
        owner = owners.get(data["area"])
        if owner is not None and owner != plugin_name:
            return problem(
                f"area {data['area']!r} belongs to plugin {owner!r}: a plugin contributes KPIs "
                "only for the areas it registers"
            )
        area = session.scalar(select(Area).where(Area.slug == data["area"]))
        if area is None:
            return problem(f"no area {data['area']!r} is registered")
    scope = Kpi.area_id == area.id if area else Kpi.area_id.is_(None)
    existing = {
        kpi.key: kpi
        for kpi in session.scalars(select(Kpi).where(scope).options(selectinload(Kpi.definitions)))
    }
    new = []
    for n, item in enumerate(data["kpis"]):
        if item["key"] in existing:
            stored = existing[item["key"]]
            if data["national"] and not stored.national:
                return problem(
                    f"the Tayside-wide KPI {item['key']!r} is not a national measure: choose "
                    "another key",
                    f"kpis.{n}.key",
                )
            _add_definitions(stored, item["definitions"])
            continue
        linked: list[Action] = []
        if item["actions"]:
            if area is None:
                return problem("a Tayside-wide KPI names no area's actions", f"kpis.{n}.actions")
            linked, missing = kpis.area_of_plan_actions(
                session, area, item["actions"], item["plan"]
            )
            if missing:
                return problem(
                    f"{area.name}'s plan has no action {', '.join(missing)}", f"kpis.{n}.actions"
                )
        target = item["target"] or {}
        new.append(
            Kpi(
                key=item["key"],
                area=area,
                name=item["name"],
                counted=item["counted"],
                unit=item["unit"],
                frequency=item["frequency"],
                direction=item["direction"],
                combine=item["combine"],
                target_value=target.get("value"),
                target_date=target.get("date"),
                source=item["source"],
                origin="plugin",
                position=n + 1,
                version=1,
                actions=linked,
                national=data["national"],
            )
        )
        _add_definitions(new[-1], item["definitions"])
    session.add_all(new)
    session.flush()
    report.kpis_added += [
        f"{'national' if data['national'] else data['area'] or 'tayside'}/{kpi.key}" for kpi in new
    ]
    if data["figures"]:
        _load_figures(session, plugin_name, source, data["figures"], report)


def _add_definitions(kpi: Kpi, definitions: list[dict[str, Any]]) -> None:
    """Add the published definitions a national measure lacks (those stored stay as they are)."""
    known = {d.key for d in kpi.definitions}
    for item in definitions:
        if item["key"] not in known:
            kpi.definitions.append(KpiDefinition(**item))
    kpi.definitions.sort(key=lambda d: d.first_edition)


def _load_figures(
    session: Session,
    plugin_name: str,
    source: DataSource,
    figures: list[dict[str, Any]],
    report: LoadReport,
) -> None:
    """Record a national measures file's published figures through the national import (each
    edition kept; figures already recorded are left as they are), all or none."""
    rows = [
        (n, {k: "" if v is None else str(v) for k, v in row.items()})
        for n, row in enumerate(figures)
    ]
    try:
        with session.begin_nested():
            national_import.record_national(
                session, national_import.check_rows(session, rows), actor=None
            )
    except KpiImportRefused as refused:
        for p in refused.problems:
            report.problems.append(
                PluginProblem(
                    plugin_name, p.message, source=source.label, field=f"figures.{p.row}.{p.column}"
                )
            )


def _load_areas(session: Session, plugins: PluginRegistry, report: LoadReport) -> dict[str, str]:
    """Store new areas; return which plugin registered each area slug."""
    existing = {area.slug: area for area in session.scalars(select(Area))}
    registered_by: dict[str, str] = {}
    # On a clash the plugin registered first keeps the slug: the shipped plugins (entry
    # points) come before any added in-process.
    order = plugins.names()
    answers = sorted(
        plugins.call_each("register_areas", report.problems), key=lambda a: order.index(a[0])
    )
    for plugin_name, specs in answers:
        for spec in specs:
            if not isinstance(spec, AreaSpec):
                report.problems.append(
                    PluginProblem(plugin_name, f"register_areas returned {spec!r}, not AreaSpec")
                )
                continue
            if spec.slug in registered_by:
                report.problems.append(
                    PluginProblem(
                        plugin_name,
                        f"area {spec.slug!r} is already registered by plugin "
                        f"{registered_by[spec.slug]!r}",
                    )
                )
                continue
            registered_by[spec.slug] = plugin_name
            if spec.slug not in existing:
                area = Area(
                    slug=spec.slug,
                    name=spec.name,
                    committee_name=spec.committee_name,
                    is_synthetic=spec.is_synthetic,
                    is_reference=spec.is_reference,
                    code=spec.code,
                    statistics_name=spec.statistics_name,
                )
                session.add(area)
                existing[spec.slug] = area
                report.areas_added.append(spec.slug)
            else:
                # An area stored before codes were known is given its plugin's code and name.
                area = existing[spec.slug]
                if area.code is None and spec.code:
                    area.code = spec.code
                if area.statistics_name is None and spec.statistics_name:
                    area.statistics_name = spec.statistics_name
    session.flush()
    return registered_by


def read_source(
    plugin_name: str, source: DataSource, schema: Schema, report: LoadReport
) -> dict[str, Any] | None:
    """Read and validate a data source, reporting each problem with its field; None if bad."""
    if not isinstance(source, DataSource):
        report.problems.append(PluginProblem(plugin_name, f"returned {source!r}, not DataSource"))
        return None
    try:
        return schema.load(source.read())
    except DataSourceError as exc:
        report.problems.append(PluginProblem(plugin_name, str(exc), source=source.label))
    except ValidationError as exc:
        for path, message in flatten_errors(exc.messages):
            report.problems.append(
                PluginProblem(plugin_name, message, source=source.label, field=path or None)
            )
    return None


def _load_shared_actions(session: Session, plugins: PluginRegistry, report: LoadReport) -> None:
    existing = set(session.scalars(select(SharedAction.key)))
    position = len(existing)
    for plugin_name, sources in plugins.call_each("contribute_shared_actions", report.problems):
        for source in sources:
            data = read_source(plugin_name, source, SharedActionFileSchema(), report)
            if data is None:
                continue
            for item in data["shared_actions"]:
                if item["key"] in existing:
                    continue
                position += 1
                item["effective_on"] = item["effective_on"] or dt.date.today()
                definition = SharedAction(position=position, version=1, **item)
                definition.versions.append(definition.snapshot())
                session.add(definition)
                existing.add(item["key"])
                report.shared_actions_added.append(item["key"])
    session.flush()


def plan_frames(plugins: PluginRegistry) -> dict[str, dict[str, Any]]:
    """Every plan frame the plugins contribute, by key (problems are left to ``cpc init``)."""
    return _collect_frames(plugins, LoadReport())


def _collect_frames(plugins: PluginRegistry, report: LoadReport) -> dict[str, dict[str, Any]]:
    frames: dict[str, dict[str, Any]] = {}
    for plugin_name, sources in plugins.call_each("contribute_plan_frames", report.problems):
        for source in sources:
            frame = read_source(plugin_name, source, PlanFrameSchema(), report)
            if frame is not None:
                frames[frame["key"]] = frame
    return frames


def _load_plan(
    session: Session,
    plugin_name: str,
    source: DataSource,
    frames: Mapping[str, dict[str, Any]],
    owners: Mapping[str, str],
    report: LoadReport,
) -> None:
    data = read_source(plugin_name, source, PlanFileSchema(), report)
    if data is None:
        return
    label = f"{data['area']}/{data['slug']}"
    owner = owners.get(data["area"])
    if owner is not None and owner != plugin_name:
        report.problems.append(
            PluginProblem(
                plugin_name,
                f"area {data['area']!r} belongs to plugin {owner!r}: a plugin contributes "
                "plans only for the areas it registers",
                source=source.label,
                field="area",
            )
        )
        return
    area = session.scalar(select(Area).where(Area.slug == data["area"]))
    if area is None:
        report.problems.append(
            PluginProblem(
                plugin_name,
                f"no area {data['area']!r} is registered",
                source=source.label,
                field="area",
            )
        )
        return
    if session.scalar(select(Plan.id).where(Plan.area_id == area.id, Plan.slug == data["slug"])):
        report.plans_present.append(label)
        return
    savepoint = session.begin_nested()
    try:
        session.add(build_plan(session, area, data, frames))
        session.flush()
    except PlanDataError as exc:
        savepoint.rollback()
        report.problems.append(
            PluginProblem(plugin_name, str(exc), source=source.label, field=exc.field)
        )
        return
    savepoint.commit()
    report.plans_added.append(label)


def build_plan(
    session: Session, area: Area, data: dict[str, Any], frames: Mapping[str, dict[str, Any]]
) -> Plan:
    """A new plan for ``area`` from a validated plan file (``PlanFileSchema``)."""
    frame: dict[str, Any] = {}
    if data["frame"] is not None:
        if data["frame"] not in frames:
            raise PlanDataError("frame", f"no plan frame {data['frame']!r} is contributed")
        frame = frames[data["frame"]]
    shared = _shared_actions_named(session, data)
    plan = Plan(
        area=area,
        slug=data["slug"],
        title=data["title"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        published_on=data["published_on"],
        status=data["status"],
        summary=data["summary"],
        source=data["source"],
    )
    alignment = {**frame.get("alignment", {}), **data["alignment"]}
    position = 0
    for section in FrameSection:
        for item in alignment.get(section, []):
            position += 1
            plan.frame_items.append(FrameItem(section=section, position=position, **item))
    plan.rag_definitions = [
        RagDefinition(rag=rag, definition=text) for rag, text in data["rag_legend"].items()
    ]
    groups = data["priority_groups"] or frame.get("priority_groups", [])
    actions: list[Action] = []
    outcomes: dict[int, Outcome] = {}
    for group_position, group_data in enumerate(groups, start=1):
        group = PriorityGroup(position=group_position, title=group_data["title"])
        plan.priority_groups.append(group)
        for outcome_data in group_data["outcomes"]:
            outcome = Outcome(
                plan=plan,
                priority_group=group,
                number=outcome_data["number"],
                title=outcome_data["title"],
                commitment=outcome_data.get("commitment", ""),
                notes=outcome_data.get("notes", ""),
            )
            outcomes[outcome.number] = outcome
            for action_data in outcome_data.get("actions", []):
                actions.append(
                    _action(ActionKind.IMPROVEMENT, action_data, shared, outcome=outcome)
                )
    for action_data in data["ongoing_actions"]:
        actions.append(_action(ActionKind.ONGOING, action_data, shared))
    for index, adoption in enumerate(data["adopt"]):
        actions.append(_adopted_copy(adoption, index, shared, outcomes, actions))
    for position, action in enumerate(actions, start=1):
        action.position = position
        plan.actions.append(action)
    _link_answers(session, area, actions, data)
    plan.evidence_sources = [
        EvidenceSource(
            position=position,
            text=item["text"],
            frequency=item["frequency"],
            is_proportion=item["proportion"],
        )
        for position, item in enumerate(data["evidence_menu"], start=1)
    ]
    return plan


def _link_answers(
    session: Session, area: Area, actions: list[Action], data: dict[str, Any]
) -> None:
    """Each action answers the recommendations its ``answers`` name: the area's own, else
    Tayside-wide ones of that reference. A reference that names neither refuses the plan."""
    outcomes = [o for g in data["priority_groups"] for o in g["outcomes"]]
    wanted = [a.get("answers", []) for o in outcomes for a in o["actions"]]
    wanted += [a.get("answers", []) for a in data["ongoing_actions"]]
    named = {reference.strip() for answers in wanted for reference in answers}
    if not named:
        return
    found: dict[str, Recommendation] = {}
    with session.no_autoflush:  # the new plan is not in the session yet
        for recommendation in session.scalars(
            select(Recommendation)
            .where(
                Recommendation.reference.in_(named),
                (Recommendation.area_id == area.id) | Recommendation.area_id.is_(None),
            )
            .order_by(Recommendation.area_id.nulls_first())
        ):
            found[recommendation.reference] = recommendation  # the area's own wins
    missing = sorted(named - found.keys())
    if missing:
        raise PlanDataError(
            "answers",
            f"no recommendation {', '.join(map(repr, missing))} in {area.name} or "
            "Tayside-wide: add it before the plan that answers it",
        )
    with session.no_autoflush:
        for action, answers in zip(actions, wanted, strict=False):
            for reference in dict.fromkeys(r.strip() for r in answers):
                found[reference].actions.append(action)


def _shared_actions_named(session: Session, data: dict[str, Any]) -> dict[str, SharedAction]:
    outcomes = [o for g in data["priority_groups"] for o in g["outcomes"]]
    named = {a["shared_action"] for o in outcomes for a in o["actions"]}
    named |= {a["shared_action"] for a in data["ongoing_actions"]}
    named |= {a["shared_action"] for a in data["adopt"]}
    named.discard(None)
    found = {
        s.key: s for s in session.scalars(select(SharedAction).where(SharedAction.key.in_(named)))
    }
    missing = sorted(named - found.keys())
    if missing:
        raise PlanDataError(
            "shared_action", f"no TRIC shared action with key {', '.join(map(repr, missing))}"
        )
    return found


def _action(
    kind: ActionKind,
    data: dict[str, Any],
    shared: Mapping[str, SharedAction],
    outcome: Outcome | None = None,
) -> Action:
    adopted = shared.get(data["shared_action"]) if data["shared_action"] else None
    return Action(
        kind=kind,
        outcome=outcome,
        code=data["code"],
        text=data["text"],
        expected_impact=data["expected_impact"],
        target_date=data.get("target_date"),
        origin=ActionOrigin.ADOPTED if adopted else ActionOrigin.LOCAL,
        shared_action=adopted,
        adopted_version=adopted.version if adopted else None,
        leads=[ActionLead(position=i, name=name) for i, name in enumerate(data["leads"], 1)],
        kpi_measures=[
            KpiMeasure(position=i, text=text)
            for i, text in enumerate(data.get("kpi_measures", []), 1)
        ],
        updates=[ProgressUpdate(**update) for update in data.get("updates", [])],
    )


def _adopted_copy(
    adoption: dict[str, Any],
    index: int,
    shared: Mapping[str, SharedAction],
    outcomes: Mapping[int, Outcome],
    so_far: list[Action],
) -> Action:
    """A copy of a shared action as PG5 worded it, numbered next in its outcome."""
    definition = shared[adoption["shared_action"]]
    field_name = f"adopt.{index}.outcome"
    if definition.kind is ActionKind.ONGOING:
        outcome = None
        taken = [a for a in so_far if a.kind is ActionKind.ONGOING]
        code = str(len(taken) + 1)
    else:
        number = adoption["outcome"] or definition.priority_for_practice
        if number not in outcomes:
            raise PlanDataError(field_name, f"the plan has no outcome {number}")
        outcome = outcomes[number]
        taken = [a for a in so_far if a.outcome is outcome]
        code = f"{number}.{len(taken) + 1}"
    return Action(
        kind=definition.kind,
        outcome=outcome,
        code=code,
        text=definition.text,
        expected_impact=definition.expected_impact,
        target_date=definition.target_date,
        origin=ActionOrigin.ADOPTED,
        shared_action=definition,
        adopted_version=definition.version,
        leads=[ActionLead(position=1, name=definition.lead)] if definition.lead else [],
    )

"""A whole plan laid out as the published document: frame, legend, outcomes, appendices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import DEFAULT_RAG_LEGEND, ActionKind, FrameSection, Rag
from core.models import (
    Action,
    EvidenceSource,
    FrameItem,
    Outcome,
    Plan,
    PriorityGroup,
    RagDefinition,
)
from core.services.plans.summary import PlanState, plan_state
from core.services.plans.wording import Wording, wording_as_at


@dataclass(frozen=True)
class OutcomeSection:
    outcome: Outcome
    actions: list[Action]


@dataclass(frozen=True)
class GroupSection:
    group: PriorityGroup | None
    outcomes: list[OutcomeSection]


@dataclass(frozen=True)
class PlanDocument:
    plan: Plan
    state: PlanState
    frame: dict[FrameSection, list[FrameItem]]
    rag_legend: dict[Rag, str]
    groups: list[GroupSection]
    ongoing_actions: list[Action]
    evidence_menu: list[EvidenceSource]
    # Each action's wording as it stood on the date shown, by action id.
    wording: dict[int, Wording]

    def worded(self, action: Action) -> Wording:
        return self.wording[action.id]

    @property
    def improvement_actions(self) -> list[Action]:
        return [a for g in self.groups for o in g.outcomes for a in o.actions]


def rag_legend(session: Session, plan: Plan) -> dict[Rag, str]:
    """What Red, Amber and Green mean in this plan: its own legend, else the plain default."""
    legend = dict(DEFAULT_RAG_LEGEND)
    legend.update(
        (d.rag, d.definition)
        for d in session.scalars(select(RagDefinition).where(RagDefinition.plan_id == plan.id))
    )
    return {rag: legend[rag] for rag in Rag}


def evidence_menu(session: Session, plan: Plan) -> list[EvidenceSource]:
    """The plan's evidence menu (Appendix 1), in the plan's order."""
    return list(
        session.scalars(
            select(EvidenceSource)
            .where(EvidenceSource.plan_id == plan.id)
            .order_by(EvidenceSource.position)
        )
    )


def plan_document(session: Session, plan: Plan, as_at: dt.date | None = None) -> PlanDocument:
    """Everything the plan page shows, in a fixed number of queries whatever the plan's size."""
    state = plan_state(session, plan, as_at)
    items = session.scalars(
        select(FrameItem).where(FrameItem.plan_id == plan.id).order_by(FrameItem.position)
    )
    frame: dict[FrameSection, list[FrameItem]] = defaultdict(list)
    for item in items:
        frame[item.section].append(item)
    groups = list(
        session.scalars(
            select(PriorityGroup)
            .where(PriorityGroup.plan_id == plan.id)
            .order_by(PriorityGroup.position)
        )
    )
    outcomes = list(
        session.scalars(select(Outcome).where(Outcome.plan_id == plan.id).order_by(Outcome.number))
    )
    by_outcome: dict[int, list[Action]] = defaultdict(list)
    ongoing = []
    for action in state.actions:
        if action.kind is ActionKind.ONGOING:
            ongoing.append(action)
        elif action.outcome_id is not None:
            by_outcome[action.outcome_id].append(action)
    sections: list[GroupSection] = []
    for group in [*groups, None]:
        members = [
            OutcomeSection(o, by_outcome[o.id])
            for o in outcomes
            if o.priority_group_id == (group.id if group else None)
        ]
        if group is not None or members:
            sections.append(GroupSection(group, members))
    evidence = evidence_menu(session, plan)
    return PlanDocument(
        plan=plan,
        state=state,
        frame={section: frame[section] for section in FrameSection if frame[section]},
        rag_legend=rag_legend(session, plan),
        groups=sections,
        ongoing_actions=ongoing,
        evidence_menu=evidence,
        wording=wording_as_at(session, state.actions, state.as_at),
    )


def only_actions(document: PlanDocument, action_ids: set[int]) -> PlanDocument:
    """The document showing only the actions ``action_ids`` (and the outcomes holding one of
    them); its counts stay the whole plan's."""
    groups = []
    for section in document.groups:
        outcomes = [
            OutcomeSection(o.outcome, [a for a in o.actions if a.id in action_ids])
            for o in section.outcomes
        ]
        outcomes = [o for o in outcomes if o.actions]
        if outcomes:
            groups.append(GroupSection(section.group, outcomes))
    return replace(
        document,
        groups=groups,
        ongoing_actions=[a for a in document.ongoing_actions if a.id in action_ids],
    )

"""The fixed vocabularies of an improvement plan, each with its plain-English label."""

from enum import StrEnum


class Rag(StrEnum):
    """Red, Amber or Green: how delivery of an action stands."""

    RED = "R"
    AMBER = "A"
    GREEN = "G"

    @property
    def word(self) -> str:
        return self.name.capitalize()


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ONGOING = "ongoing"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class ActionKind(StrEnum):
    """Improvement actions are counted in the plan's totals; ongoing/maintenance ones are not."""

    IMPROVEMENT = "improvement"
    ONGOING = "ongoing"


class ActionOrigin(StrEnum):
    LOCAL = "local"
    ADOPTED = "adopted"


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    PG5 = "pg5"
    VIEWER = "viewer"


class FrameSection(StrEnum):
    """The parts of a plan's "plan on a page" alignment frame, in the order shown."""

    NATIONAL_CONTEXT = "national_context"
    TAYSIDE_VISION = "tayside_vision"
    TAYSIDE_PRIORITY = "tayside_priority"
    GUIDING_PRINCIPLE = "guiding_principle"
    COMMUNITY_VISION = "community_vision"
    COMMUNITY_OBJECTIVE = "community_objective"
    CPC_FUNCTION = "cpc_function"

    @property
    def heading(self) -> str:
        return FRAME_HEADINGS[self]


FRAME_HEADINGS = {
    FrameSection.NATIONAL_CONTEXT: "National context",
    FrameSection.TAYSIDE_VISION: "Tayside Plan vision",
    FrameSection.TAYSIDE_PRIORITY: "Tayside Plan priorities",
    FrameSection.GUIDING_PRINCIPLE: "Tayside Plan guiding principles",
    FrameSection.COMMUNITY_VISION: "Community plan vision",
    FrameSection.COMMUNITY_OBJECTIVE: "Community plan strategic objectives",
    FrameSection.CPC_FUNCTION: "Functions of the Child Protection Committee",
}

# Used where a plan ships no RAG legend of its own: the plain-English meanings in DOMAIN.md.
DEFAULT_RAG_LEGEND = {
    Rag.RED: "Significant issues are affecting delivery now: not on time, scope or budget.",
    Rag.AMBER: "Some issues will affect delivery if not fixed: at risk.",
    Rag.GREEN: "No issues: progressing to plan.",
}

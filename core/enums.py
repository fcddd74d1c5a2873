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

    @property
    def rank(self) -> int:
        """Red 0, Amber 1, Green 2: a higher rank is greener."""
        return {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}[self]


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
    # A strategic lead with an account: posts updates on the actions they are linked to.
    CONTRIBUTOR = "contributor"


class ReviewState(StrEnum):
    """Where a progress update stands in the coordinator's review. Only accepted updates count
    (in the report, the dashboard and the rollup); a coordinator's own updates, and every
    update of a plan with review switched off, are accepted when posted."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            ReviewState.SUBMITTED: "Submitted, waiting for the coordinator's review",
            ReviewState.ACCEPTED: "Accepted",
            ReviewState.RETURNED: "Returned to its author",
        }[self]


class Direction(StrEnum):
    """Direction of travel: how an action's RAG moved since the previous reporting date."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    NEW = "new"
    # No update this period: there is nothing to compare.
    NOT_REPORTED = "not_reported"

    @property
    def label(self) -> str:
        return {
            Direction.BETTER: "Better since the previous reporting date",
            Direction.SAME: "Same as at the previous reporting date",
            Direction.WORSE: "Worse since the previous reporting date",
            Direction.NEW: "New since the previous reporting date",
            Direction.NOT_REPORTED: "Not reported since the previous reporting date",
        }[self]

    @property
    def word(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def arrow(self) -> str:
        return {
            Direction.BETTER: "↑",
            Direction.SAME: "→",
            Direction.WORSE: "↓",
            Direction.NEW: "•",
            Direction.NOT_REPORTED: "–",
        }[self]


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


class KpiUnit(StrEnum):
    """What a KPI's figure is. A percentage is kept as its numerator and denominator, a rate
    per 1,000 as its count and population, so that areas combine correctly."""

    COUNT = "count"
    PERCENTAGE = "percentage"
    RATE_PER_1000 = "rate_per_1000"
    DAYS = "days"
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return KPI_UNIT_LABELS[self]

    @property
    def has_parts(self) -> bool:
        """Whether a figure is given as two numbers (numerator and denominator, or count and
        population)."""
        return self in (KpiUnit.PERCENTAGE, KpiUnit.RATE_PER_1000)


KPI_UNIT_LABELS = {
    KpiUnit.COUNT: "Number",
    KpiUnit.PERCENTAGE: "Percentage (a number out of a total)",
    KpiUnit.RATE_PER_1000: "Rate per 1,000 (a count and a population)",
    KpiUnit.DAYS: "Days",
    KpiUnit.YES_NO: "Yes or no",
}


class KpiFrequency(StrEnum):
    """How often a KPI is counted, and so how its periods are written."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    SAMPLING = "sampling"
    # The national child protection statistics' year, 1 August to 31 July, written "2023-24".
    STATISTICAL_YEAR = "statistical_year"

    @property
    def label(self) -> str:
        return {
            KpiFrequency.MONTHLY: "Monthly",
            KpiFrequency.QUARTERLY: "Quarterly",
            KpiFrequency.ANNUAL: "Annual",
            KpiFrequency.SAMPLING: "On a sampling date",
            KpiFrequency.STATISTICAL_YEAR: "Each statistical year (1 August to 31 July)",
        }[self]


class KpiDirection(StrEnum):
    """Which way is better."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"

    @property
    def label(self) -> str:
        return {
            KpiDirection.HIGHER: "Higher is better",
            KpiDirection.LOWER: "Lower is better",
            KpiDirection.NEITHER: "Neither higher nor lower is better",
        }[self]


class KpiCombine(StrEnum):
    """How areas' figures combine into a Tayside figure."""

    SUM = "sum"
    RATIO_OF_SUMS = "ratio_of_sums"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            KpiCombine.SUM: "Added up across areas",
            KpiCombine.RATIO_OF_SUMS: "The areas' numerators added up over their denominators "
            "added up (never an average of percentages)",
            KpiCombine.NONE: "Not combined: shown side by side",
        }[self]


class KpiValueOrigin(StrEnum):
    """How a KPI figure reached the platform."""

    ENTERED = "entered"
    IMPORTED = "imported"
    API = "api"
    PULLED = "pulled"
    SYNTHETIC = "synthetic"


class JobState(StrEnum):
    """Where a job stands: waiting to run (or to be tried again), running, done, or failed
    (every try used, or stopped where trying again could repeat it: an admin may retry it)."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RecommendationSource(StrEnum):
    """Where a recommendation comes from."""

    LEARNING_REVIEW = "learning_review"
    JOINT_INSPECTION = "joint_inspection"
    SELF_EVALUATION = "self_evaluation"
    AUDIT = "audit"
    NATIONAL_GUIDANCE = "national_guidance"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            RecommendationSource.LEARNING_REVIEW: "Learning review",
            RecommendationSource.JOINT_INSPECTION: "Joint inspection",
            RecommendationSource.SELF_EVALUATION: "Self-evaluation",
            RecommendationSource.AUDIT: "Audit or case file reading",
            RecommendationSource.NATIONAL_GUIDANCE: "National guidance",
            RecommendationSource.OTHER: "Other",
        }[self]


class RecommendationState(StrEnum):
    """Open (being acted on), addressed (its actions have done what it asked, waiting for the
    committee to close it) or closed (with the reason recorded)."""

    OPEN = "open"
    ADDRESSED = "addressed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ReviewStage(StrEnum):
    """The stages of a learning review in the national guidance for child protection
    committees undertaking learning reviews (2021, updated 2024), in order."""

    NOTIFICATION = "notification"
    INFORMATION_GATHERING = "information_gathering"
    RECOMMENDATION_TO_CPC = "recommendation_to_cpc"
    DECISION = "decision"
    CARE_INSPECTORATE_NOTIFIED = "care_inspectorate_notified"
    CHIEF_OFFICERS_GROUP = "chief_officers_group"
    FINAL_REPORT_TO_CARE_INSPECTORATE = "final_report_to_care_inspectorate"

    @property
    def label(self) -> str:
        return {
            ReviewStage.NOTIFICATION: "Notification received",
            ReviewStage.INFORMATION_GATHERING: "Information gathered",
            ReviewStage.RECOMMENDATION_TO_CPC: "Recommendation made to the CPC",
            ReviewStage.DECISION: "Decision on whether a review proceeds",
            ReviewStage.CARE_INSPECTORATE_NOTIFIED: "Care Inspectorate told of the decision",
            ReviewStage.CHIEF_OFFICERS_GROUP: "Considered by the Chief Officers Group",
            ReviewStage.FINAL_REPORT_TO_CARE_INSPECTORATE: "Final report sent to the Care "
            "Inspectorate",
        }[self]


class EvidenceKind(StrEnum):
    """What a self-evaluation's evidence is: a KPI and its figures, an entry of the plan's
    evidence menu, a progress update, or a document (by its link)."""

    KPI = "kpi"
    EVIDENCE_SOURCE = "evidence_source"
    UPDATE = "update"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return {
            EvidenceKind.KPI: "KPI",
            EvidenceKind.EVIDENCE_SOURCE: "Evidence menu",
            EvidenceKind.UPDATE: "Progress update",
            EvidenceKind.DOCUMENT: "Document",
        }[self]

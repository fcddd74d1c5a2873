"""The plan engine's tables, as SQLAlchemy 2.x typed models."""

from core.models.action import Action, ActionChange, ActionLead, KpiMeasure
from core.models.annual_report import AnnualReport, AnnualReportText
from core.models.area import Area
from core.models.audit import AuditEntry
from core.models.idempotency import IdempotencyRecord
from core.models.improvement import (
    LearningReview,
    LearningReviewStage,
    Recommendation,
    action_recommendations,
    shared_action_recommendations,
)
from core.models.job import DataVersion, Job, PageFragment, ReportFile
from core.models.kpi import Kpi, KpiDefinition, KpiValue, kpi_actions
from core.models.plan import EvidenceSource, FrameItem, Outcome, Plan, PriorityGroup, RagDefinition
from core.models.progress import ProgressUpdate
from core.models.reporting import ReminderSent, ReportingDate
from core.models.self_evaluation import (
    QualityFramework,
    QualityIndicator,
    SelfEvaluation,
    SelfEvaluationEvidence,
    SelfEvaluationRating,
    action_indicators,
    kpi_indicators,
)
from core.models.shared import NotApplicable, SharedAction, SharedActionVersion
from core.models.user import (
    ApiToken,
    OidcIdentity,
    PasswordReset,
    RecoveryCode,
    SecondFactor,
    SignInAttempt,
    User,
    UserSession,
    action_contributors,
    user_areas,
)

__all__ = [
    "Action",
    "ActionChange",
    "ActionLead",
    "AnnualReport",
    "AnnualReportText",
    "ApiToken",
    "Area",
    "AuditEntry",
    "DataVersion",
    "EvidenceSource",
    "FrameItem",
    "IdempotencyRecord",
    "Job",
    "Kpi",
    "KpiDefinition",
    "KpiMeasure",
    "KpiValue",
    "LearningReview",
    "LearningReviewStage",
    "NotApplicable",
    "OidcIdentity",
    "Outcome",
    "PageFragment",
    "PasswordReset",
    "Plan",
    "PriorityGroup",
    "ProgressUpdate",
    "QualityFramework",
    "QualityIndicator",
    "RagDefinition",
    "Recommendation",
    "RecoveryCode",
    "ReminderSent",
    "ReportFile",
    "ReportingDate",
    "SecondFactor",
    "SelfEvaluation",
    "SelfEvaluationEvidence",
    "SelfEvaluationRating",
    "SharedAction",
    "SharedActionVersion",
    "SignInAttempt",
    "User",
    "UserSession",
    "action_contributors",
    "action_indicators",
    "action_recommendations",
    "kpi_actions",
    "kpi_indicators",
    "shared_action_recommendations",
    "user_areas",
]

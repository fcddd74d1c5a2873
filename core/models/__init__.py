"""The plan engine's tables, as SQLAlchemy 2.x typed models."""

from core.models.action import Action, ActionChange, ActionLead, KpiMeasure
from core.models.area import Area
from core.models.audit import AuditEntry
from core.models.idempotency import IdempotencyRecord
from core.models.job import DataVersion, Job, PageFragment, ReportFile
from core.models.kpi import Kpi, KpiValue, kpi_actions
from core.models.plan import EvidenceSource, FrameItem, Outcome, Plan, PriorityGroup, RagDefinition
from core.models.progress import ProgressUpdate
from core.models.reporting import ReminderSent, ReportingDate
from core.models.shared import NotApplicable, SharedAction, SharedActionVersion
from core.models.user import (
    ApiToken,
    PasswordReset,
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
    "ApiToken",
    "Area",
    "AuditEntry",
    "DataVersion",
    "EvidenceSource",
    "FrameItem",
    "IdempotencyRecord",
    "Job",
    "Kpi",
    "KpiMeasure",
    "KpiValue",
    "NotApplicable",
    "Outcome",
    "PageFragment",
    "PasswordReset",
    "Plan",
    "PriorityGroup",
    "ProgressUpdate",
    "RagDefinition",
    "ReminderSent",
    "ReportFile",
    "ReportingDate",
    "SharedAction",
    "SharedActionVersion",
    "SignInAttempt",
    "User",
    "UserSession",
    "action_contributors",
    "kpi_actions",
    "user_areas",
]

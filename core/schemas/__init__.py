"""marshmallow schemas at the edges: plugin data files (and, later, the API)."""

from core.schemas.errors import flatten_errors
from core.schemas.framework_file import FrameworkFileSchema
from core.schemas.kpi_file import KpiFileSchema
from core.schemas.plan_file import PlanFileSchema, PlanFrameSchema, SharedActionFileSchema

__all__ = [
    "FrameworkFileSchema",
    "KpiFileSchema",
    "PlanFileSchema",
    "PlanFrameSchema",
    "SharedActionFileSchema",
    "flatten_errors",
]

"""marshmallow schemas at the edges: plugin data files (and, later, the API)."""

from core.schemas.errors import flatten_errors
from core.schemas.plan_file import PlanFileSchema, PlanFrameSchema, SharedActionFileSchema

__all__ = ["PlanFileSchema", "PlanFrameSchema", "SharedActionFileSchema", "flatten_errors"]

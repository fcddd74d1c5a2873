"""The engine's services: plain functions over a SQLAlchemy session, knowing nothing of HTTP."""

# The audit trail records every change through session events: registered whenever a service
# can run.
from core.services import audit as _audit  # noqa: F401

"""The engine's services: plain functions over a SQLAlchemy session, knowing nothing of HTTP,
in packages by subject (plans, progress, tric, kpis, reports, accounts, records, notify, demo;
each package's docstring says what it holds and which others it may use, and there is no
circle between them), over a few modules every package may use: ``errors`` (refusals with a
sentence), ``words`` (dates and names in words) and ``mail`` (an email, and sending it).
Plugins written before the packages still import the old paths (``core.moved``)."""

# The audit trail records every change through session events: registered whenever a service
# can run.
from core.services.records import audit as _audit  # noqa: F401

"""The built-in webhook: a short JSON message (``{"text": ...}``, the shape Microsoft Teams and
Slack incoming webhooks take) posted to ``CPC_WEBHOOK_URL`` through the job queue when an
update is submitted for review or returned, a period is locked, or TRIC PG5 rewords a shared
action. Without ``CPC_WEBHOOK_URL`` it does nothing."""

from __future__ import annotations

from flask import current_app

from core import worker
from core.hooks.change import ChangeEvent
from core.hooks.specs import hookimpl
from core.services.jobs import webhooks

# The changes told, and how each reads.
TOLD: dict[tuple[str, str], str] = {
    ("progress_update", "submitted"): "An update is waiting for review",
    ("progress_update", "returned"): "An update was returned to its author",
    ("period", "locked"): "A reporting period was locked",
    ("shared_action", "reworded"): "TRIC PG5 reworded a shared action",
}


def message(change: ChangeEvent) -> str | None:
    """The message's text for ``change``, or None if it is not one told."""
    heading = TOLD.get((change.kind, change.event))
    if heading is None:
        return None
    where = change.area.replace("-", " ").title().replace(" And ", " and ") or "Tayside"
    return f"Tayside CPC improvement plans, {where}: {heading}: {change.summary}."


@hookimpl
def after_change(change: ChangeEvent) -> None:
    """Queue the message for the webhook (a worker posts it, tried up to three times)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    text = message(change)
    if not app.config.get("WEBHOOK_URL") or text is None:
        return
    with app.extensions["cpc_sessionmaker"]() as session:
        webhooks.enqueue(session, text)
        session.commit()
    worker.wake(app)

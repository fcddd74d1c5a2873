"""Short JSON messages posted to a chat channel's incoming webhook (Microsoft Teams, Slack),
as jobs: tried up to three times with back-off."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from sqlalchemy.orm import Session

from core.services.jobs import queue

KIND = "webhook"


class NotDelivered(Exception):
    """The webhook did not answer 2xx: worth trying again."""


def enqueue(session: Session, text: str, *, area_id: int | None = None) -> None:
    """Queue ``text`` for the webhook (the caller commits)."""
    queue.enqueue(session, KIND, {"text": text}, title=f"Webhook: {text[:200]}", area_id=area_id)


def post(args: dict, *, url: str | None, timeout: float = 10.0) -> dict:
    """The job: post ``{"text": ...}`` (the shape Teams and Slack incoming webhooks take)."""
    if not url:  # unset since the job was queued: nothing to send it to
        return {"skipped": "CPC_WEBHOOK_URL is not set"}
    body = json.dumps({"text": args["text"]}).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status = answer.status
    except urllib.error.HTTPError as problem:
        raise NotDelivered(f"The webhook answered {problem.code} {problem.reason}.") from None
    except (OSError, ValueError) as problem:
        raise NotDelivered(f"The webhook could not be reached: {problem}") from None
    return {"status": status}

"""Idempotency keys: the first answer to a write is kept with its key, in the same transaction
as the write, so the same request sent again gets that answer and changes nothing twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.models import IdempotencyRecord
from core.services.errors import FieldError

LIFETIME = dt.timedelta(hours=24)
# A key is 1 to 200 visible ASCII characters (a UUID is the usual choice).
KEY = re.compile(r"[\x21-\x7e]{1,200}\Z")


class KeyRefused(FieldError):
    """The key is not one."""


class KeyReused(KeyRefused):
    """The key was used, in the last 24 hours, with another request."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    location: str
    body: str


def check_key(key: str) -> str:
    if not KEY.match(key):
        raise KeyRefused(
            "idempotency_key",
            "An Idempotency-Key is 1 to 200 visible characters, such as a UUID.",
        )
    return key


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode("utf-8", "surrogatepass"))
    digest.update(body)
    return digest.hexdigest()


def first_answer(
    session: Session, user_id: int, key: str, digest: str, *, now: dt.datetime | None = None
) -> Answer | None:
    """The answer kept for ``key`` in the last 24 hours, or None if there is none. The same
    key with another request is refused (``KeyReused``)."""
    now = now or dt.datetime.now(dt.UTC)
    found = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at > now - LIFETIME,
        )
    )
    if found is None:
        return None
    if found.request_hash != digest:
        raise KeyReused(
            "idempotency_key",
            "This Idempotency-Key was used for a different request in the last 24 hours: use "
            "a new key for a new request.",
        )
    return Answer(found.status, found.content_type, found.location, found.body)


def keep_answer(
    session: Session,
    user_id: int,
    key: str,
    digest: str,
    answer: Answer,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Add the answer to the transaction that made the change (the caller commits both). An
    expired record of the same key gives way; two requests with one key at once cannot both
    commit (the unique key)."""
    now = now or dt.datetime.now(dt.UTC)
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.created_at <= now - LIFETIME,
        )
    )
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_hash=digest,
            status=answer.status,
            content_type=answer.content_type[:200],
            location=answer.location[:2000],
            body=answer.body,
            created_at=now,
        )
    )

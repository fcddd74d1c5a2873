"""The audit trail: who changed what, when, from where, before and after. Written in the same
transaction as each change (``core.services.records.audit``); never changed or deleted through
the app or the API."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

if TYPE_CHECKING:
    from core.models.area import Area


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Who: a user (kept by email too, should the account go), or nobody for the platform itself
    # (loading plugin data, the command line).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    # What kind of record (its table, like "actions"), or an event like "sign_in".
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # "created", "changed", "deleted", or the event: "signed_in", "sign_in_failed", ...
    event: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int | None]
    # The council area the record belongs to, where it belongs to one.
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    area: Mapped[Area | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.kind} {self.event} {self.record_id}>"

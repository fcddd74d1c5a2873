"""Progress updates: an append-only record of how each action stands at each reporting date.

An update is never changed or deleted. A mistake is put right by a correction (a new update
that replaces it) or a withdrawal; either retires the original, which stays, marked with who,
when and why, and no longer counts anywhere. Only ``core.services.progress.progress`` retires or
redacts an update, with one guarded UPDATE each."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    event,
    func,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import ProgressStatus, Rag, ReviewState

if TYPE_CHECKING:
    from core.models.action import Action
    from core.models.user import User


class ProgressUpdate(Base):
    """An action's state at a reporting date. The latest one is the action's current state."""

    __tablename__ = "progress_updates"
    # The latest update of an action as at a date: one index range, newest first.
    __table_args__ = (
        Index("ix_progress_updates_action_id_reported_on", "action_id", "reported_on", "id"),
        # An action's most recently posted updates (the dashboard's "latest updates").
        Index("ix_progress_updates_action_id_created_at", "action_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[dt.date] = mapped_column(Date, index=True)
    rag: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag"))
    status: Mapped[ProgressStatus] = mapped_column(enum_column(ProgressStatus, "progress_status"))
    commentary: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(2000), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # On a correction: the update it replaces.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_updates.id", ondelete="SET NULL"), index=True
    )
    # Set once, when the update is corrected or withdrawn: it then counts nowhere.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    retired_how: Mapped[str | None] = mapped_column(String(20))
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retired_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when an administrator replaced sensitive commentary.
    redacted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # A coordinator posting for a contributor names them here ("posted on behalf of").
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The coordinator's review: a contributor's update counts once accepted. Set by one
    # guarded UPDATE in ``core.services.progress.review``, never by changing the object.
    review: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState, "review"),
        default=ReviewState.ACCEPTED,
        server_default=ReviewState.ACCEPTED.value,
    )
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The RAG the engine suggested when the update was posted, and why; and, where the author
    # chose a greener RAG than that, the reason they gave.
    suggested_rag: Mapped[Rag | None] = mapped_column(enum_column(Rag, "suggested_rag"))
    suggestion_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    rag_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # For an action at Red or Amber, or overdue: what will bring it back on track.
    back_on_track: Mapped[str] = mapped_column(Text, default="", server_default="")

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    retired_by: Mapped[User | None] = relationship(foreign_keys=[retired_by_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    CORRECTED: ClassVar[str] = "corrected"
    WITHDRAWN: ClassVar[str] = "withdrawn"

    @classmethod
    def in_force(cls) -> ColumnElement[bool]:
        """The updates that count: accepted, and not corrected or withdrawn."""
        return counts(cls)

    @property
    def counts(self) -> bool:
        return self.retired_at is None and self.review is ReviewState.ACCEPTED

    @property
    def chose_greener(self) -> bool:
        """The author chose a greener RAG than the engine suggested (and gave ``rag_reason``)."""
        return (
            self.rag is not None
            and self.suggested_rag is not None
            and self.rag.rank > self.suggested_rag.rank
        )


def counts(updates) -> ColumnElement[bool]:
    """In SQL, for ``ProgressUpdate`` or an alias of it: the updates that count."""
    return and_(updates.retired_at.is_(None), updates.review == ReviewState.ACCEPTED)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a progress update that was already saved."""


@event.listens_for(Session, "before_flush")
def _refuse_rewriting_history(session: Session, _context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, ProgressUpdate) and session.is_modified(obj):
            raise AppendOnlyError(
                "Progress updates cannot be changed: correct or withdraw one instead."
            )
    for obj in session.deleted:
        if isinstance(obj, ProgressUpdate):
            raise AppendOnlyError("Progress updates cannot be deleted: post a new update instead.")

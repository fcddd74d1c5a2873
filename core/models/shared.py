"""TRIC PG5 shared actions: delivered by every Tayside area, rolled up across Tayside."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column
from core.enums import ActionKind


class SharedAction(Base):
    __tablename__ = "shared_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    # Short name for the rollup, e.g. "Inter-Agency Referral Discussions (IRDs)".
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(String(300), default="")
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[ActionKind] = mapped_column(
        enum_column(ActionKind, "action_kind"), default=ActionKind.IMPROVEMENT
    )
    # The Tayside Priority for Practice (1-6) the action falls under.
    priority_for_practice: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<SharedAction {self.key}>"

"""Quality frameworks for self-evaluation (contributed by plugins, completed by
administrators): their rating scale, their questions and their numbered indicators."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class QualityFramework(Base):
    """A framework of quality indicators (such as the Care Inspectorate's for children and
    young people in need of care and protection), with where its words come from."""

    __tablename__ = "quality_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    edition: Mapped[str] = mapped_column(String(60), default="")
    # Only some of its indicators were sourced; ``source`` says which are missing.
    partial: Mapped[bool] = mapped_column(default=False)
    # [{"value": 6, "label": "Excellent"}, ...], best first.
    scale: Mapped[list] = mapped_column(JSON)
    questions: Mapped[list] = mapped_column(JSON)

    indicators: Mapped[list[QualityIndicator]] = relationship(
        back_populates="framework", order_by="QualityIndicator.position"
    )

    def label_of(self, value: int | None) -> str:
        """A rating in words: "4 Good"."""
        found = next((p["label"] for p in self.scale if p["value"] == value), None)
        return f"{value} {found}" if found else ""


class QualityIndicator(Base):
    """A numbered indicator of a framework ("2.1 Impact on children and young people")."""

    __tablename__ = "quality_indicators"
    __table_args__ = (UniqueConstraint("framework_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("quality_frameworks.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int]
    # "plugin": shipped in a framework file; "added": by an administrator in the app.
    origin: Mapped[str] = mapped_column(String(10), default="plugin")

    framework: Mapped[QualityFramework] = relationship(back_populates="indicators")

    @property
    def name(self) -> str:
        return f"{self.number} {self.title}"

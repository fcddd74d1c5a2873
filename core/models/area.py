"""A council area and its Child Protection Committee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

if TYPE_CHECKING:
    from core.models.plan import Plan


class Area(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    committee_name: Mapped[str] = mapped_column(String(200))
    # Generated data (tests, benchmarks, demos) lives only in areas marked synthetic.
    is_synthetic: Mapped[bool] = mapped_column(default=False)
    # The month its annual reporting year starts in (8: 1 August to 31 July, as the national
    # child protection statistics count years).
    year_starts_month: Mapped[int] = mapped_column(default=8, server_default="8")

    plans: Mapped[list[Plan]] = relationship(back_populates="area", order_by="Plan.period_start")

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"

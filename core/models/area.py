"""A council area and its Child Protection Committee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

if TYPE_CHECKING:
    from core.models.plan import Plan


class Area(Base):
    """A CPC's council area; or, ``is_reference``, a series to compare with (Scotland), which
    reports national measures only and is never a CPC, in a list of areas or in the rollup."""

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
    # Scotland's national figures: compared with, never counted as a CPC.
    is_reference: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The council's official code ("S12000048") and its name as the national statistics'
    # tables print it ("Perth & Kinross"): how an import of those tables finds the area.
    code: Mapped[str | None] = mapped_column(String(9), unique=True)
    statistics_name: Mapped[str | None] = mapped_column(String(200))

    plans: Mapped[list[Plan]] = relationship(back_populates="area", order_by="Plan.period_start")

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"

    @classmethod
    def is_cpc(cls):
        """The SQL condition for an area that is a CPC (not a reference series like Scotland)."""
        return cls.is_reference.is_(False)

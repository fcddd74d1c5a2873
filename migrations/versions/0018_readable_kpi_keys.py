"""Perth and Kinross's shipped KPI keys that were cut inside a word are cut between words

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (the key as first shipped, the key now shipped), for the area perth-and-kinross.
RENAMED = (
    (
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-practice-improve",
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-practice",
    ),
    (
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-chronology-pract",
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-chronology",
    ),
    (
        "no-of-staff-undertaking-various-learning-and-development-opportunities-courses-e",
        "no-of-staff-undertaking-various-learning-and-development-opportunities-courses",
    ),
    (
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-knowledge-post-t",
        "sampling-no-and-of-staff-reporting-increased-awareness-improved-knowledge-post",
    ),
)


def _rename(pairs) -> None:
    kpis = sa.table("kpis", sa.column("key", sa.String), sa.column("area_id", sa.Integer))
    areas = sa.table("areas", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    area = sa.select(areas.c.id).where(areas.c.slug == "perth-and-kinross").scalar_subquery()
    for before, after in pairs:
        op.execute(
            kpis.update().where(kpis.c.key == before, kpis.c.area_id == area).values(key=after)
        )


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename((after, before) for before, after in RENAMED)

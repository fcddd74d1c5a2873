"""reporting dates: each plan's committee meetings, and TRIC PG5's

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIC = "plan_id IS NULL"


def upgrade() -> None:
    op.create_table(
        "reporting_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_reporting_dates_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_reporting_dates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_dates")),
        sa.UniqueConstraint(
            "plan_id", "reported_on", name=op.f("uq_reporting_dates_plan_id_reported_on")
        ),
    )
    op.create_index(
        "uq_reporting_dates_tric",
        "reporting_dates",
        ["reported_on"],
        unique=True,
        sqlite_where=sa.text(TRIC),
        postgresql_where=sa.text(TRIC),
    )


def downgrade() -> None:
    op.drop_index("uq_reporting_dates_tric", table_name="reporting_dates")
    op.drop_table("reporting_dates")

"""a reporting date's period can be locked once the committee has had its report

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reporting_dates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("locked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reporting_dates_locked_by_id_users"),
            "users",
            ["locked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_dates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reporting_dates_locked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("locked_by_id")
        batch_op.drop_column("locked_at")

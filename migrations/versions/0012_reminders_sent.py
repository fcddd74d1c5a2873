"""the reminders sent, each once: a unique key per email

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("reporting_date_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporting_date_id"],
            ["reporting_dates.id"],
            name=op.f("fk_reminders_sent_reporting_date_id_reporting_dates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminders_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("key", name=op.f("uq_reminders_sent_key")),
    )
    op.create_index(
        op.f("ix_reminders_sent_reporting_date_id"),
        "reminders_sent",
        ["reporting_date_id"],
        unique=False,
    )
    op.create_index(op.f("ix_reminders_sent_user_id"), "reminders_sent", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_sent_user_id"), table_name="reminders_sent")
    op.drop_index(op.f("ix_reminders_sent_reporting_date_id"), table_name="reminders_sent")
    op.drop_table("reminders_sent")

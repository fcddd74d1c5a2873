"""progress updates corrected, withdrawn or redacted without erasure

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_updates") as batch_op:
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retired_how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("retired_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("retired_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_updates_corrects_id_progress_updates"),
            "progress_updates",
            ["corrects_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_updates_retired_by_id_users"),
            "users",
            ["retired_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_progress_updates_corrects_id"), ["corrects_id"])
    with op.batch_alter_table("progress_updates") as batch_op:
        batch_op.alter_column("retired_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("progress_updates") as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_updates_corrects_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_progress_updates_retired_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_progress_updates_corrects_id_progress_updates"), type_="foreignkey"
        )
        for column in (
            "redacted_at",
            "retired_reason",
            "retired_by_id",
            "retired_how",
            "retired_at",
            "corrects_id",
        ):
            batch_op.drop_column(column)

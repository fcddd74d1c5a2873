"""shared action versions (PG5's wording history) and "does not apply" records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:37:21.709961
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
    )


def _shared_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shared_action_id"],
        ["shared_actions.id"],
        name=op.f(f"fk_{table}_shared_action_id_shared_actions"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "not_applicable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shared_action_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_not_applicable_area_id_areas"),
            ondelete="CASCADE",
        ),
        _user_fk("not_applicable", "recorded_by_id"),
        _shared_fk("not_applicable"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_not_applicable")),
    )
    with op.batch_alter_table("not_applicable") as batch_op:
        batch_op.create_index(batch_op.f("ix_not_applicable_area_id"), ["area_id"])
        batch_op.create_index(
            batch_op.f("ix_not_applicable_shared_action_id"), ["shared_action_id"]
        )

    op.create_table(
        "shared_action_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shared_action_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("expected_impact", sa.Text(), nullable=False),
        sa.Column("lead", sa.String(length=300), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _user_fk("shared_action_versions", "changed_by_id"),
        _shared_fk("shared_action_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_action_versions")),
        sa.UniqueConstraint(
            "shared_action_id",
            "version",
            name=op.f("uq_shared_action_versions_shared_action_id_version"),
        ),
    )
    with op.batch_alter_table("shared_action_versions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shared_action_versions_shared_action_id"), ["shared_action_id"]
        )

    # Each shared action already stored gets its current wording as its first version.
    wording = ["title", "text", "expected_impact", "lead", "target_date"]
    op.execute(
        "INSERT INTO shared_action_versions (shared_action_id, version, "
        + ", ".join(wording)
        + ") SELECT id, version, "
        + ", ".join(wording)
        + " FROM shared_actions"
    )


def downgrade() -> None:
    op.drop_table("shared_action_versions")
    op.drop_table("not_applicable")

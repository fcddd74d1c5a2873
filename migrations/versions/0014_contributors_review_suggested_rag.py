"""contributors linked to actions, review of their updates, the suggested RAG, reminder opt-out

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = ("admin", "coordinator", "pg5", "viewer")
ROLES_AFTER = (*ROLES_BEFORE, "contributor")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "action_contributors",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_contributors_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_action_contributors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "user_id", name=op.f("pk_action_contributors")),
    )
    with op.batch_alter_table("action_contributors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_contributors_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_updates", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("review", sa.String(9), server_default="accepted", nullable=False)
        )
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("review_comment", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("suggested_rag", sa.String(1), nullable=True))
        batch_op.add_column(
            sa.Column("suggestion_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("rag_reason", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_progress_updates_review"), _in("review", ("submitted", "accepted", "returned"))
        )
        batch_op.create_check_constraint(
            op.f("ck_progress_updates_suggested_rag"), _in("suggested_rag", ("R", "A", "G"))
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_updates_on_behalf_of_id_users"),
            "users",
            ["on_behalf_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_updates_reviewed_by_id_users"),
            "users",
            ["reviewed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminders_off", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), _in("role", ROLES_AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE role = 'contributor'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), _in("role", ROLES_BEFORE))
        batch_op.drop_column("reminders_off")

    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_progress_updates_reviewed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_progress_updates_on_behalf_of_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("ck_progress_updates_suggested_rag"), type_="check")
        batch_op.drop_constraint(op.f("ck_progress_updates_review"), type_="check")
        batch_op.drop_column("rag_reason")
        batch_op.drop_column("suggestion_reason")
        batch_op.drop_column("suggested_rag")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review")
        batch_op.drop_column("on_behalf_of_id")

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("review_updates")

    with op.batch_alter_table("action_contributors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_contributors_user_id"))

    op.drop_table("action_contributors")

"""An index of each action's updates by when they were posted, for the dashboard's latest
updates (a bounded walk per action, whatever the length of the history)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_progress_updates_action_id_created_at",
        "progress_updates",
        ["action_id", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_progress_updates_action_id_created_at", table_name="progress_updates")

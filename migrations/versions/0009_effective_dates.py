"""when shared actions and adoptions took effect, for "as at" views; the latest-update index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shared_actions") as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    with op.batch_alter_table("actions") as batch_op:
        batch_op.add_column(sa.Column("adopted_on", sa.Date(), nullable=True))
    # A shared action created in the platform took effect the day it was created.
    op.execute(
        "UPDATE shared_actions SET effective_on = (SELECT MIN(v.changed_at) "
        "FROM shared_action_versions v WHERE v.shared_action_id = shared_actions.id) "
        "WHERE source LIKE 'Created in the platform%'"
        if op.get_bind().dialect.name != "postgresql"
        else "UPDATE shared_actions SET effective_on = (SELECT MIN(v.changed_at)::date "
        "FROM shared_action_versions v WHERE v.shared_action_id = shared_actions.id) "
        "WHERE source LIKE 'Created in the platform%'"
    )
    if op.get_bind().dialect.name != "postgresql":
        op.execute(
            "UPDATE shared_actions SET effective_on = substr(effective_on, 1, 10) "
            "WHERE effective_on IS NOT NULL"
        )
    op.create_index(
        "ix_progress_updates_action_id_reported_on",
        "progress_updates",
        ["action_id", "reported_on", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_progress_updates_action_id_reported_on", table_name="progress_updates")
    with op.batch_alter_table("actions") as batch_op:
        batch_op.drop_column("adopted_on")
    with op.batch_alter_table("shared_actions") as batch_op:
        batch_op.drop_column("effective_on")

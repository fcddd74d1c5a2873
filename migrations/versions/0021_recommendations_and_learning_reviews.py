"""Recommendations, the actions and shared actions that answer them, learning reviews, and
quality frameworks for self-evaluation

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The learning review digest is a reminder not about a reporting date.
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.alter_column("reporting_date_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "learning_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("proceeds", sa.Boolean(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_learning_reviews_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_reviews")),
        sa.UniqueConstraint(
            "area_id", "reference", name=op.f("uq_learning_reviews_area_id_reference")
        ),
    )
    with op.batch_alter_table("learning_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_reviews_area_id"), ["area_id"], unique=False)

    op.create_table(
        "learning_review_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "notification",
                "information_gathering",
                "recommendation_to_cpc",
                "decision",
                "care_inspectorate_notified",
                "chief_officers_group",
                "final_report_to_care_inspectorate",
                name="review_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["learning_reviews.id"],
            name=op.f("fk_learning_review_stages_review_id_learning_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_review_stages")),
        sa.UniqueConstraint(
            "review_id", "stage", name=op.f("uq_learning_review_stages_review_id_stage")
        ),
    )
    with op.batch_alter_table("learning_review_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_review_stages_due_on"), ["due_on"], unique=False
        )

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "learning_review",
                "joint_inspection",
                "self_evaluation",
                "audit",
                "national_guidance",
                "other",
                name="recommendation_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("source_reference", sa.String(length=300), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("accepted_by", sa.String(length=300), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "addressed",
                "closed",
                name="recommendation_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("learning_review_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_recommendations_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["learning_review_id"],
            ["learning_reviews.id"],
            name=op.f("fk_recommendations_learning_review_id_learning_reviews"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint(
            "area_id", "reference", name=op.f("uq_recommendations_area_id_reference")
        ),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_learning_review_id"),
            ["learning_review_id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_recommendations_tayside_reference",
            ["reference"],
            unique=True,
            postgresql_where=sa.text("area_id IS NULL"),
            sqlite_where=sa.text("area_id IS NULL"),
        )

    op.create_table(
        "shared_action_recommendations",
        sa.Column("shared_action_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_shared_action_recommendations_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shared_action_id"],
            ["shared_actions.id"],
            name=op.f("fk_shared_action_recommendations_shared_action_id_shared_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shared_action_id", "recommendation_id", name=op.f("pk_shared_action_recommendations")
        ),
    )
    with op.batch_alter_table("shared_action_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shared_action_recommendations_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "action_recommendations",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_recommendations_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_action_recommendations_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "action_id", "recommendation_id", name=op.f("pk_action_recommendations")
        ),
    )
    with op.batch_alter_table("action_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_recommendations_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
    op.create_table(
        "quality_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("edition", sa.String(length=60), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("scale", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_frameworks")),
        sa.UniqueConstraint("key", name=op.f("uq_quality_frameworks_key")),
    )
    op.create_table(
        "quality_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["quality_frameworks.id"],
            name=op.f("fk_quality_indicators_framework_id_quality_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_indicators")),
        sa.UniqueConstraint(
            "framework_id", "number", name=op.f("uq_quality_indicators_framework_id_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("quality_indicators")
    op.drop_table("quality_frameworks")
    op.execute("DELETE FROM reminders_sent WHERE reporting_date_id IS NULL")
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.alter_column("reporting_date_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("action_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_recommendations_recommendation_id"))

    op.drop_table("action_recommendations")
    with op.batch_alter_table("shared_action_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_action_recommendations_recommendation_id"))

    op.drop_table("shared_action_recommendations")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_recommendations_tayside_reference",
            postgresql_where=sa.text("area_id IS NULL"),
            sqlite_where=sa.text("area_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_recommendations_learning_review_id"))

    op.drop_table("recommendations")
    with op.batch_alter_table("learning_review_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_review_stages_due_on"))

    op.drop_table("learning_review_stages")
    with op.batch_alter_table("learning_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_reviews_area_id"))

    op.drop_table("learning_reviews")

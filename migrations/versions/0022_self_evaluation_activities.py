"""Self-evaluation activities with their ratings and evidence, the recommendations they lead
to, and the quality indicators actions and KPIs are tagged with

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 03:20:32.038798
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("how_good_now", sa.Text(), nullable=False),
        sa.Column("how_we_know", sa.Text(), nullable=False),
        sa.Column("what_next", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.String(length=300), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_self_evaluations_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["quality_frameworks.id"],
            name=op.f("fk_self_evaluations_framework_id_quality_frameworks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_evaluations")),
    )
    with op.batch_alter_table("self_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_self_evaluations_area_id_planned_on", ["area_id", "planned_on"], unique=False
        )

    op.create_table(
        "kpi_indicators",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["quality_indicators.id"],
            name=op.f("fk_kpi_indicators_indicator_id_quality_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpis.id"], name=op.f("fk_kpi_indicators_kpi_id_kpis"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kpi_id", "indicator_id", name=op.f("pk_kpi_indicators")),
    )
    with op.batch_alter_table("kpi_indicators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kpi_indicators_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "self_evaluation_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("self_evaluation_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "rating BETWEEN 0 AND 100", name=op.f("ck_self_evaluation_ratings_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["quality_indicators.id"],
            name=op.f("fk_self_evaluation_ratings_indicator_id_quality_indicators"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["self_evaluation_id"],
            ["self_evaluations.id"],
            name=op.f("fk_self_evaluation_ratings_self_evaluation_id_self_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_evaluation_ratings")),
        sa.UniqueConstraint(
            "self_evaluation_id",
            "indicator_id",
            name=op.f("uq_self_evaluation_ratings_self_evaluation_id_indicator_id"),
        ),
    )
    with op.batch_alter_table("self_evaluation_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_evaluation_ratings_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "action_indicators",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_indicators_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["quality_indicators.id"],
            name=op.f("fk_action_indicators_indicator_id_quality_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "indicator_id", name=op.f("pk_action_indicators")),
    )
    with op.batch_alter_table("action_indicators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_indicators_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "self_evaluation_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("self_evaluation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "kpi",
                "evidence_source",
                "update",
                "document",
                name="evidence_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("evidence_source_id", sa.Integer(), nullable=True),
        sa.Column("progress_update_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_source_id"],
            ["evidence_sources.id"],
            name=op.f("fk_self_evaluation_evidence_evidence_source_id_evidence_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"],
            ["kpis.id"],
            name=op.f("fk_self_evaluation_evidence_kpi_id_kpis"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["progress_update_id"],
            ["progress_updates.id"],
            name=op.f("fk_self_evaluation_evidence_progress_update_id_progress_updates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["self_evaluation_id"],
            ["self_evaluations.id"],
            name=op.f("fk_self_evaluation_evidence_self_evaluation_id_self_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_evaluation_evidence")),
    )
    with op.batch_alter_table("self_evaluation_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_evaluation_evidence_self_evaluation_id"),
            ["self_evaluation_id"],
            unique=False,
        )

    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_evaluation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_recommendations_self_evaluation_id"),
            ["self_evaluation_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_recommendations_self_evaluation_id_self_evaluations"),
            "self_evaluations",
            ["self_evaluation_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recommendations_self_evaluation_id_self_evaluations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_recommendations_self_evaluation_id"))
        batch_op.drop_column("self_evaluation_id")

    with op.batch_alter_table("self_evaluation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_evaluation_evidence_self_evaluation_id"))

    op.drop_table("self_evaluation_evidence")
    with op.batch_alter_table("action_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_indicators_indicator_id"))

    op.drop_table("action_indicators")
    with op.batch_alter_table("self_evaluation_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_evaluation_ratings_indicator_id"))

    op.drop_table("self_evaluation_ratings")
    with op.batch_alter_table("kpi_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_indicators_indicator_id"))

    op.drop_table("kpi_indicators")
    with op.batch_alter_table("self_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_self_evaluations_area_id_planned_on")

    op.drop_table("self_evaluations")

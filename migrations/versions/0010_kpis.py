"""KPIs: each area's measures and TRIC PG5's Tayside-wide ones, their figures by period, and
the actions they evidence

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kpis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("counted", sa.Text(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "count",
                "percentage",
                "rate_per_1000",
                "days",
                "yes_no",
                name="kpi_unit",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "frequency",
            sa.Enum(
                "monthly",
                "quarterly",
                "annual",
                "sampling",
                name="kpi_frequency",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "direction",
            sa.Enum(
                "higher",
                "lower",
                "neither",
                name="kpi_direction",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "combine",
            sa.Enum(
                "sum",
                "ratio_of_sums",
                "none",
                name="kpi_combine",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_kpis_area_id_areas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpis")),
        sa.UniqueConstraint("area_id", "key", name=op.f("uq_kpis_area_id_key")),
    )
    op.create_index(
        "uq_kpis_tayside_key",
        "kpis",
        ["key"],
        unique=True,
        sqlite_where=sa.text("area_id IS NULL"),
        postgresql_where=sa.text("area_id IS NULL"),
    )
    op.create_table(
        "kpi_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("edition", sa.String(length=100), nullable=False),
        sa.Column(
            "origin",
            sa.Enum(
                "entered",
                "imported",
                "api",
                "pulled",
                "synthetic",
                name="kpi_value_origin",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "entered_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_kpi_values_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["kpi_values.id"],
            name=op.f("fk_kpi_values_corrects_id_kpi_values"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_kpi_values_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpis.id"], name=op.f("fk_kpi_values_kpi_id_kpis"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["retired_by_id"],
            ["users.id"],
            name=op.f("fk_kpi_values_retired_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_values")),
    )
    op.create_index(op.f("ix_kpi_values_area_id"), "kpi_values", ["area_id"], unique=False)
    op.create_index(
        "ix_kpi_values_kpi_id_period_start",
        "kpi_values",
        ["kpi_id", "period_start", "area_id"],
        unique=False,
    )
    op.create_index(
        "uq_kpi_values_in_force",
        "kpi_values",
        ["kpi_id", "area_id", "period"],
        unique=True,
        sqlite_where=sa.text("retired_at IS NULL AND proposed = 0"),
        postgresql_where=sa.text("retired_at IS NULL AND NOT proposed"),
    )
    op.create_table(
        "kpi_actions",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_kpi_actions_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpis.id"], name=op.f("fk_kpi_actions_kpi_id_kpis"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kpi_id", "action_id", name=op.f("pk_kpi_actions")),
    )


def downgrade() -> None:
    op.drop_table("kpi_actions")
    op.drop_index(
        "uq_kpi_values_in_force",
        table_name="kpi_values",
        sqlite_where=sa.text("retired_at IS NULL AND proposed = 0"),
        postgresql_where=sa.text("retired_at IS NULL AND NOT proposed"),
    )
    op.drop_index("ix_kpi_values_kpi_id_period_start", table_name="kpi_values")
    op.drop_index(op.f("ix_kpi_values_area_id"), table_name="kpi_values")
    op.drop_table("kpi_values")
    op.drop_index(
        "uq_kpis_tayside_key",
        table_name="kpis",
        sqlite_where=sa.text("area_id IS NULL"),
        postgresql_where=sa.text("area_id IS NULL"),
    )
    op.drop_table("kpis")

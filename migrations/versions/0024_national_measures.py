"""National measures: KPIs every area shares (with their published definition versions), the
statistical year, figures superseded by a newer edition, and Scotland as a reference series
with each council's official code

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 06:22:40.199925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FREQUENCIES_BEFORE = ("monthly", "quarterly", "annual", "sampling")
FREQUENCIES_AFTER = (*FREQUENCIES_BEFORE, "statistical_year")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "kpi_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("first_edition", sa.String(length=7), nullable=False),
        sa.Column("population", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpis.id"], name=op.f("fk_kpi_definitions_kpi_id_kpis"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_definitions")),
        sa.UniqueConstraint("kpi_id", "key", name=op.f("uq_kpi_definitions_kpi_id_key")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_reference", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("code", sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("statistics_name", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_areas_code"), ["code"])

    with op.batch_alter_table("kpi_values", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("definition", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("superseded_by", sa.String(length=100), nullable=True))

    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("national", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_kpis_kpi_frequency"), type_="check")
        batch_op.alter_column(
            "frequency",
            existing_type=sa.String(length=9),
            type_=sa.String(length=16),
            existing_nullable=True,
        )
        batch_op.create_check_constraint(
            op.f("ck_kpis_kpi_frequency"), _in("frequency", FREQUENCIES_AFTER)
        )


def downgrade() -> None:
    # What the older schema cannot hold: the national measures and the Scotland series.
    op.execute(
        "DELETE FROM kpi_values WHERE kpi_id IN (SELECT id FROM kpis WHERE national "
        "OR frequency = 'statistical_year') OR area_id IN (SELECT id FROM areas WHERE is_reference)"
    )
    op.execute("DELETE FROM kpi_definitions")
    for table in ("kpi_actions", "kpi_indicators"):
        op.execute(
            f"DELETE FROM {table} WHERE kpi_id IN (SELECT id FROM kpis WHERE national "
            "OR frequency = 'statistical_year')"
        )
    op.execute("DELETE FROM kpis WHERE national OR frequency = 'statistical_year'")
    op.execute("DELETE FROM user_areas WHERE area_id IN (SELECT id FROM areas WHERE is_reference)")
    op.execute(
        "UPDATE audit_entries SET area_id = NULL "
        "WHERE area_id IN (SELECT id FROM areas WHERE is_reference)"
    )
    op.execute("DELETE FROM areas WHERE is_reference")
    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_kpis_kpi_frequency"), type_="check")
        batch_op.alter_column(
            "frequency",
            existing_type=sa.String(length=16),
            type_=sa.String(length=9),
            existing_nullable=True,
        )
        batch_op.create_check_constraint(
            op.f("ck_kpis_kpi_frequency"), _in("frequency", FREQUENCIES_BEFORE)
        )
        batch_op.drop_column("national")

    with op.batch_alter_table("kpi_values", schema=None) as batch_op:
        batch_op.drop_column("superseded_by")
        batch_op.drop_column("definition")

    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_areas_code"), type_="unique")
        batch_op.drop_column("statistics_name")
        batch_op.drop_column("code")
        batch_op.drop_column("is_reference")

    op.drop_table("kpi_definitions")

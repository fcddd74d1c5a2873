"""Annual reports (an area's, or with no area TRIC PG5's Tayside-wide one), the versions of
their narrative sections, their files (a Tayside-wide one has no plan), and the month an
area's reporting year starts

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:48:57.409432
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annual_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.String(length=7), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("template_key", sa.String(length=80), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_data", sa.JSON(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_annual_reports_area_id_areas"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_reports")),
        sa.UniqueConstraint("area_id", "year", name=op.f("uq_annual_reports_area_id_year")),
    )
    op.create_table(
        "annual_report_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "written_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["annual_reports.id"],
            name=op.f("fk_annual_report_texts_report_id_annual_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["users.id"],
            name=op.f("fk_annual_report_texts_written_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_report_texts")),
        sa.UniqueConstraint(
            "report_id",
            "section_key",
            "version",
            name=op.f("uq_annual_report_texts_report_id_section_key_version"),
        ),
    )
    with op.batch_alter_table("annual_reports", schema=None) as batch_op:
        batch_op.create_index(
            "uq_annual_reports_tayside_year",
            ["year"],
            unique=True,
            postgresql_where=sa.text("area_id IS NULL"),
            sqlite_where=sa.text("area_id IS NULL"),
        )
    # Never a batch (a copy of the table) for these: on SQLite, dropping the old copy of a table
    # others refer to would delete their rows with it. Nothing refers to report_files.
    op.add_column(
        "areas", sa.Column("year_starts_month", sa.Integer(), server_default="8", nullable=False)
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.alter_column("plan_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            "uq_report_files_tayside",
            ["as_at", "contents", "format", "data_version"],
            unique=True,
            postgresql_where=sa.text("plan_id IS NULL"),
            sqlite_where=sa.text("plan_id IS NULL"),
        )


def downgrade() -> None:
    op.execute("DELETE FROM report_files WHERE plan_id IS NULL")
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_report_files_tayside",
            postgresql_where=sa.text("plan_id IS NULL"),
            sqlite_where=sa.text("plan_id IS NULL"),
        )
        batch_op.alter_column("plan_id", existing_type=sa.INTEGER(), nullable=False)
    op.drop_column("areas", "year_starts_month")  # SQLite 3.35 and later drop it in place
    op.drop_table("annual_report_texts")
    op.drop_table("annual_reports")

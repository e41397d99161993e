"""kept versions: a merged-away student's second answer to a prompt

Revision ID: b7d3e5f1a2c4
Revises: 88d84c7ee6d4
Create Date: 2026-11-26 19:25:00

When a teacher merges two students of a class and both answered the same prompt, the reflection that
stays keeps the other text as a kept version the teacher sees on its history page.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d3e5f1a2c4"
down_revision = "88d84c7ee6d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=False),
        sa.Column("from_name", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("html_policy", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reflection_id"],
            ["reflections.id"],
            name=op.f("fk_kept_versions_reflection_id_reflections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_versions")),
    )
    op.create_index(op.f("ix_kept_versions_reflection_id"), "kept_versions", ["reflection_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_kept_versions_reflection_id"), table_name="kept_versions")
    op.drop_table("kept_versions")

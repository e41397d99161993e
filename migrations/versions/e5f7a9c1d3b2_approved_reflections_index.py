"""an index of approved reflections for the classmates' previews on the student's page

Revision ID: e5f7a9c1d3b2
Revises: d8e2f4a6b1c3
Create Date: 2026-11-27 04:40:00

The student's page numbers each prompt's approved reflections (starred first, then the newest) and shows
the first few. With every column it reads in a partial index of approved rows, PostgreSQL answers from
the index alone instead of reading a few hundred rows spread over the whole table on every view.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5f7a9c1d3b2"
down_revision = "d8e2f4a6b1c3"
branch_labels = None
depends_on = None

APPROVED = sa.text("status = 'approved'")


def upgrade():
    op.create_index(
        "ix_reflections_approved",
        "reflections",
        ["prompt_id", "starred", "decided_at", "id", "student_id"],
        postgresql_where=APPROVED,
        sqlite_where=APPROVED,
    )


def downgrade():
    op.drop_index("ix_reflections_approved", table_name="reflections")

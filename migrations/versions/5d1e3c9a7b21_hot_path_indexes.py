"""Hot-path indexes: drop two redundant and two unused indexes, add partial ones for the queue and highlights

- ix_reflections_student_id and ix_stance_answers_student_id: redundant, the unique constraints
  uq_reflection_once (student_id, prompt_id) and uq_stance_once (student_id, ...) start with the column.
- ix_reflections_status and ix_reflections_flagged: never used by any page's plan at district size
  (a handful of distinct values), yet updated on every save.
- ix_reflections_awaiting: the moderation queue and the "awaiting" counts read only awaiting rows.
- ix_reflections_starred: highlights read only starred rows.

Revision ID: 5d1e3c9a7b21
Revises: 3b1f6c2d9a41
Create Date: 2026-11-26 16:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5d1e3c9a7b21"
down_revision = "3b1f6c2d9a41"
branch_labels = None
depends_on = None

AWAITING = sa.text("status = 'awaiting'")
STARRED = sa.text("starred")


def upgrade():
    op.drop_index("ix_reflections_student_id", table_name="reflections")
    op.drop_index("ix_reflections_status", table_name="reflections")
    op.drop_index("ix_reflections_flagged", table_name="reflections")
    op.drop_index("ix_stance_answers_student_id", table_name="stance_answers")
    op.create_index(
        "ix_reflections_awaiting",
        "reflections",
        ["prompt_id", "flagged"],
        postgresql_where=AWAITING,
        sqlite_where=AWAITING,
    )
    op.create_index(
        "ix_reflections_starred", "reflections", ["prompt_id"], postgresql_where=STARRED, sqlite_where=STARRED
    )


def downgrade():
    op.drop_index("ix_reflections_starred", table_name="reflections")
    op.drop_index("ix_reflections_awaiting", table_name="reflections")
    op.create_index("ix_stance_answers_student_id", "stance_answers", ["student_id"])
    op.create_index("ix_reflections_flagged", "reflections", ["flagged"])
    op.create_index("ix_reflections_status", "reflections", ["status"])
    op.create_index("ix_reflections_student_id", "reflections", ["student_id"])

"""score deliveries count how many times they were owed

Revision ID: d8e2f4a6b1c3
Revises: c4a7e1f2b9d5
Create Date: 2026-11-27 03:30:00

A sender records a delivery as sent only if it was not owed again while the score was on its way, so a
mark given during the LMS's answer to an earlier hand-in score is still sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "d8e2f4a6b1c3"
down_revision = "c4a7e1f2b9d5"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "lti_score_deliveries", sa.Column("times_owed", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade():
    op.drop_column("lti_score_deliveries", "times_owed")

"""reflection status check: only the statuses of classroom/statuses.py

Revision ID: 5d1f0c2a7b3e
Revises: 86c27186e796
Create Date: 2026-11-27 09:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1f0c2a7b3e"
down_revision = "86c27186e796"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must keep meaning what it meant when it ran.
STATUSES = "status IN ('draft', 'awaiting', 'approved', 'returned', 'rejected')"


def upgrade():
    # Batch mode: SQLite adds a CHECK only by rebuilding the table.
    with op.batch_alter_table("reflections") as batch_op:
        batch_op.create_check_constraint(op.f("ck_reflections_status"), STATUSES)


def downgrade():
    with op.batch_alter_table("reflections") as batch_op:
        batch_op.drop_constraint(op.f("ck_reflections_status"), type_="check")

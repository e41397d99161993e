"""assignment student link token

Revision ID: 3b1f6c2d9a41
Revises: 5d1f0c2a7b3e
Create Date: 2026-11-26 15:30:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "3b1f6c2d9a41"
down_revision = "5d1f0c2a7b3e"
branch_labels = None
depends_on = None

# The same alphabet and length as classroom.joincodes; copied so the migration never changes with the app.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10


def upgrade():
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.add_column(sa.Column("link_token", sa.String(length=16), nullable=True))

    # Every existing assignment gets its own student link.
    assignments = sa.table("assignments", sa.column("id", sa.Integer), sa.column("link_token", sa.String))
    connection = op.get_bind()
    used = set()
    for (assignment_id,) in connection.execute(sa.select(assignments.c.id)).all():
        token = ""
        while not token or token in used:
            token = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        used.add(token)
        connection.execute(assignments.update().where(assignments.c.id == assignment_id).values(link_token=token))

    with op.batch_alter_table("assignments") as batch_op:
        batch_op.alter_column("link_token", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_assignments_link_token"), ["link_token"])


def downgrade():
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_assignments_link_token"), type_="unique")
        batch_op.drop_column("link_token")

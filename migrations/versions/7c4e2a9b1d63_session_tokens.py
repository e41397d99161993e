"""Session tokens for teachers and students: part of every login cookie, rotated to sign every browser out

Revision ID: 7c4e2a9b1d63
Revises: e28fb485abd4
Create Date: 2026-11-26 18:50:00

Every existing teacher and student gets a token of their own, so cookies issued before this
migration (which carry no token) stop working once: everyone signs in again after the upgrade.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "7c4e2a9b1d63"
down_revision = "e28fb485abd4"
branch_labels = None
depends_on = None

TABLES = ("teachers", "students")


def upgrade():
    # Plain ADD COLUMN (a SQLite batch rebuild would cascade away the rows that depend on these tables).
    for table in TABLES:
        op.add_column(table, sa.Column("session_token", sa.String(length=32), server_default="", nullable=False))
    connection = op.get_bind()
    for table in TABLES:
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("session_token", sa.String))
        ids = [row[0] for row in connection.execute(sa.select(rows.c.id))]
        for row_id in ids:
            connection.execute(
                rows.update().where(rows.c.id == row_id).values(session_token=secrets.token_urlsafe(16))
            )


def downgrade():
    for table in TABLES:
        op.drop_column(table, "session_token")

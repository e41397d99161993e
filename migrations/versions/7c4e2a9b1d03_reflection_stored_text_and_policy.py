"""Reflections: the plain text made at save time and the sanitiser policy version of the stored HTML

Rows from before have no version, so their HTML is cleaned again whenever it is shown (as before this
migration) until `flask reclean-reflections` renders them again; a school's database of half a million
reflections takes minutes for that, too long to hold a migration.

Revision ID: 7c4e2a9b1d03
Revises: 7c4e2a9d1f60
Create Date: 2026-11-26 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c4e2a9b1d03"
down_revision = "7c4e2a9d1f60"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN (not batch mode): on SQLite a batch rebuild of reflections would
    # cascade away its moderation history.
    op.add_column("reflections", sa.Column("body_text", sa.Text(), nullable=True))
    op.add_column("reflections", sa.Column("html_policy", sa.String(length=32), nullable=True))


def downgrade():
    # Plain ALTER TABLE here too: a batch rebuild of reflections on SQLite would take its history with it.
    op.drop_column("reflections", "html_policy")
    op.drop_column("reflections", "body_text")

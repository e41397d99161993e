"""caption tracks: an assignment's captions in more than one language

Revision ID: c4a7e1f2b9d5
Revises: b7d3e5f1a2c4
Create Date: 2026-11-26 20:10:00

Each assignment had one WebVTT text (assignments.captions_vtt, always English). Tracks now live in
caption_tracks, one per language; the existing captions become the English track.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4a7e1f2b9d5"
down_revision = "b7d3e5f1a2c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "caption_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("vtt", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "language", name="uq_caption_track_language"),
    )
    op.create_index(op.f("ix_caption_tracks_assignment_id"), "caption_tracks", ["assignment_id"], unique=False)
    op.execute(
        "INSERT INTO caption_tracks (assignment_id, language, vtt, created_at) "
        "SELECT id, 'en', captions_vtt, created_at FROM assignments WHERE captions_vtt <> ''"
    )
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): batch mode would rebuild the table and
    # cascade away every prompt and reflection under it.
    op.drop_column("assignments", "captions_vtt")


def downgrade():
    op.add_column("assignments", sa.Column("captions_vtt", sa.Text(), nullable=False, server_default=""))
    op.execute(
        "UPDATE assignments SET captions_vtt = (SELECT vtt FROM caption_tracks "
        "WHERE caption_tracks.assignment_id = assignments.id AND language = 'en') "
        "WHERE id IN (SELECT assignment_id FROM caption_tracks WHERE language = 'en')"
    )
    op.drop_index(op.f("ix_caption_tracks_assignment_id"), table_name="caption_tracks")
    op.drop_table("caption_tracks")

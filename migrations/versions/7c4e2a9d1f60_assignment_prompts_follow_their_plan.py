"""Assignment prompts remember their plan prompt and when they changed; plans carry a film link

Revision ID: 7c4e2a9d1f60
Revises: 7c4e2a9b1d63
Create Date: 2026-11-26 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e2a9d1f60'
down_revision = '7c4e2a9b1d63'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: on SQLite batch mode copies and drops the table, and dropping
    # prompts would cascade away every reflection.
    op.add_column('prompts', sa.Column('plan_prompt_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_prompts_plan_prompt_id'), 'prompts', ['plan_prompt_id'], unique=False)
    op.add_column('prompts', sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('lesson_plans', sa.Column('video_url', sa.String(length=2000), server_default='', nullable=False))
    # Prompts assigned before today find their plan prompt by the same text at the same time.
    op.execute(
        "UPDATE prompts SET plan_prompt_id = ("
        " SELECT MIN(pp.id) FROM plan_prompts pp JOIN assignments a ON a.plan_id = pp.plan_id"
        " WHERE a.id = prompts.assignment_id AND pp.text = prompts.text AND pp.time_seconds = prompts.time_seconds)"
    )


def downgrade():
    op.drop_column('lesson_plans', 'video_url')
    op.drop_column('prompts', 'changed_at')
    op.drop_index(op.f('ix_prompts_plan_prompt_id'), table_name='prompts')
    op.drop_column('prompts', 'plan_prompt_id')

"""class-scoped four-word return codes

Revision ID: 88d84c7ee6d4
Revises: 7c4e2a9b1d03
Create Date: 2026-12-01 18:55:00

Return codes were three words from 153, valid across the whole installation (2.3 million codes). They
become the class's number and four words from the EFF short list, so every existing student gets a new
code; the class remembers when, and the roster tells the teacher to hand out the new codes.
"""

import secrets
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "88d84c7ee6d4"
down_revision = "7c4e2a9b1d03"
branch_labels = None
depends_on = None


def _words():
    text = resources.files("classroom").joinpath("data/return_words.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def upgrade():
    with op.batch_alter_table("students") as batch_op:
        batch_op.alter_column("return_code", existing_type=sa.String(length=20), type_=sa.String(length=40))
    with op.batch_alter_table("classes") as batch_op:
        batch_op.add_column(sa.Column("return_codes_reissued_at", sa.DateTime(timezone=True), nullable=True))

    words = _words()
    students = sa.table(
        "students", sa.column("id", sa.Integer), sa.column("class_id", sa.Integer), sa.column("return_code", sa.String)
    )
    classes = sa.table("classes", sa.column("id", sa.Integer), sa.column("return_codes_reissued_at", sa.DateTime))
    connection = op.get_bind()
    used = set()
    reissued_classes = set()
    for student_id, class_id in connection.execute(sa.select(students.c.id, students.c.class_id)).all():
        code = ""
        while not code or code in used:
            code = "-".join([str(class_id), *(secrets.choice(words) for _ in range(4))])
        used.add(code)
        reissued_classes.add(class_id)
        connection.execute(students.update().where(students.c.id == student_id).values(return_code=code))
    now = datetime.now(UTC)
    for class_id in reissued_classes:
        connection.execute(classes.update().where(classes.c.id == class_id).values(return_codes_reissued_at=now))


def downgrade():
    # The new codes stay (they fit no shorter column, so the column stays wide enough for them).
    with op.batch_alter_table("classes") as batch_op:
        batch_op.drop_column("return_codes_reissued_at")

"""The hot pages stay cheap: what each one asks the database, whatever the size of the installation."""

from contextlib import contextmanager

from sqlalchemy import event

from classroom.classes import logic
from classroom.extensions import db
from classroom.models import Teacher


@contextmanager
def statements(app):
    """The SQL statements run inside the block."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", record)


def test_teacher_home_counts_per_class_in_one_query_whatever_else_is_installed(
    app, teacher, other_teacher, make_class, make_student, make_assignment
):
    mine = [make_class(teacher, name=f"Class {n}") for n in range(3)]
    make_assignment(mine[0])
    for n in range(4):
        make_student(mine[1], f"Student {n}")
    theirs = make_class(other_teacher, name="Class 0")
    make_assignment(theirs)
    for n in range(6):
        make_student(theirs, f"Other {n}")
    with statements(app) as seen:
        rows = logic.classes_with_counts(db.session.get(Teacher, teacher.id))
        found = [(c.name, a, s) for c, a, s in rows]
    assert found == [("Class 0", 1, 0), ("Class 1", 0, 4), ("Class 2", 0, 0)]
    counting = [s for s in seen if "count(" in s.lower()]
    assert len(counting) == 1
    # Counted per class (correlated to the teacher's classes), never by grouping whole tables.
    assert "GROUP BY" not in counting[0].upper()

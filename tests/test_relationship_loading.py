"""Many-to-one relationships raise instead of loading one by one, so a page that forgets to load what it shows
fails here rather than growing a query per row (issue 10)."""

import pytest
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import joinedload

from classroom.extensions import db
from classroom.models import (
    Assignment,
    LessonPlan,
    MarkEvent,
    ModerationEvent,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    utcnow,
)

RAISING = [
    (Reflection, "student"),
    (Reflection, "prompt"),
    (Prompt, "assignment"),
    (Assignment, "school_class"),
    (Assignment, "plan"),
    (Assignment, "film"),
    (Student, "school_class"),
    (StanceAnswer, "student"),
    (StanceAnswer, "assignment"),
    (ModerationEvent, "reflection"),
    (ModerationEvent, "teacher"),
    (MarkEvent, "teacher"),
    (LessonPlan, "teacher"),
    (LessonPlan, "film"),
    (SchoolClass, "teacher"),
]


@pytest.fixture
def one_of_each(app, teacher, student, assignment, write_reflection):
    """A reflection (with its moderation event and the stance answer before it) and a mark event by the teacher."""
    reflection = write_reflection(student, assignment.prompts[0])
    with app.app_context():
        db.session.add(MarkEvent(reflection_id=reflection.id, teacher_id=teacher.id, description="2 of 2"))
        db.session.execute(db.update(ModerationEvent).values(teacher_id=teacher.id))
        db.session.commit()


@pytest.mark.parametrize(("model", "name"), RAISING, ids=[f"{m.__name__}.{n}" for m, n in RAISING])
def test_reading_an_unloaded_many_to_one_raises(app, one_of_each, model, name):
    with app.app_context():
        row = db.session.scalars(db.select(model).limit(1)).one()
        with pytest.raises(InvalidRequestError, match="raise_on_sql"):
            getattr(row, name)
    with app.app_context():
        # Asked for in the query, it is there.
        row = db.session.scalars(db.select(model).options(joinedload(getattr(model, name))).limit(1)).one()
        assert getattr(row, name) is not None


def _events_by(app, reflection_id, teacher_id, count):
    with app.app_context():
        for n in range(count):
            db.session.add(
                ModerationEvent(
                    reflection_id=reflection_id, teacher_id=teacher_id, actor="teacher", from_status="awaiting",
                    to_status="returned", feedback=f"Look again ({n})", created_at=utcnow(),
                )
            )  # fmt: skip
            db.session.add(MarkEvent(reflection_id=reflection_id, teacher_id=teacher_id, description=f"{n} of 2"))
        db.session.commit()


def test_history_names_every_deciding_teacher_in_a_fixed_number_of_queries(
    app, teacher_client, make_teacher, student, assignment, make_reflection, count_queries
):
    """Decisions and marks by other teachers (a colleague, since removed from the class) are named too."""
    reflection = make_reflection(student, assignment.prompts[0])
    url = f"/moderation/reflections/{reflection.id}"

    def queries_for_history():
        with count_queries(app) as seen:
            page = teacher_client.get(url).get_data(as_text=True)
        return len(seen), page

    few, _ = queries_for_history()
    for n in range(4):
        colleague = make_teacher(name=f"Colleague {n}")
        _events_by(app, reflection.id, colleague.id, 2)
    many, page = queries_for_history()
    assert many == few
    for n in range(4):
        assert page.count(f"Colleague {n}") == 4


def test_gradebook_queries_do_not_grow_with_the_class(
    app, teacher_client, school_class, assignment, make_student, make_reflection, count_queries
):
    def queries_for_gradebook():
        with count_queries(app) as seen:
            for url in (f"/marks/classes/{school_class.id}", f"/marks/classes/{school_class.id}/gradebook.csv"):
                assert teacher_client.get(url).status_code == 200
        return len(seen)

    make_reflection(make_student(school_class, "First"), assignment.prompts[0], status="approved")
    few = queries_for_gradebook()
    for n in range(6):
        make_reflection(make_student(school_class, f"More {n}"), assignment.prompts[n % 3], status="approved")
    assert queries_for_gradebook() == few

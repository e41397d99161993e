"""The class gradebook: every student's score on every assignment, with totals, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Assignment, Mark, Prompt, Reflection, SchoolClass, Student
from .scheme import Score, score_for


@dataclass
class GradebookRow:
    student: Student
    scores: list[Score] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(score.given for score in self.scores)

    @property
    def total_maximum(self) -> int:
        return sum(score.maximum for score in self.scores)


@dataclass
class Gradebook:
    assignments: list[Assignment]
    rows: list[GradebookRow]


def class_gradebook(school_class: SchoolClass) -> Gradebook:
    """Students (by name) by assignments (oldest first); four queries whatever the class's size."""
    assignments = list(
        db.session.scalars(
            db.select(Assignment)
            .where(Assignment.class_id == school_class.id)
            .options(selectinload(Assignment.prompts))
            .order_by(Assignment.id)
        )
    )
    students = list(
        db.session.scalars(
            db.select(Student)
            .where(Student.class_id == school_class.id)
            .order_by(db.func.lower(Student.display_name), Student.id)
        )
    )
    rows = db.session.execute(
        db.select(Reflection.student_id, Reflection.prompt_id, Reflection.status, Mark)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .where(Assignment.class_id == school_class.id)
    ).all()
    statuses: dict[int, dict[int, str]] = {}
    marks: dict[int, dict[int, Mark]] = {}
    for student_id, prompt_id, status, mark in rows:
        statuses.setdefault(student_id, {})[prompt_id] = status
        if mark is not None:
            marks.setdefault(student_id, {})[prompt_id] = mark
    book_rows = [
        GradebookRow(
            student,
            [
                score_for(assignment, statuses.get(student.id, {}), marks.get(student.id, {}))
                for assignment in assignments
            ],
        )
        for student in students
    ]
    return Gradebook(assignments=assignments, rows=book_rows)

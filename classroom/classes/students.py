"""The teacher's side of a class's students: the roster's counts, renaming, new return codes, removal."""

import logging
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from ..cache import mark_changed
from ..extensions import db
from ..join.logic import clean_display_name, unused_return_code
from ..models import Assignment, Prompt, Reflection, SchoolClass, StanceAnswer, Student
from ..sessions import rotate_session_token
from ..statuses import DONE, WITH_STUDENT
from ..statuses import ReflectionStatus as S

log = logging.getLogger(__name__)


@dataclass
class RosterRow:
    student: Student
    done: int
    awaiting: int
    with_student: int


def class_roster(school_class: SchoolClass) -> tuple[list[RosterRow], int]:
    """Each student of the class with their counts, and the number of prompts across the class's assignments."""
    total = db.session.scalar(
        select(func.count(Prompt.id))
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .where(Assignment.class_id == school_class.id)
    )
    rows = db.session.execute(
        select(
            Student,
            func.count(case((Reflection.status.in_(list(DONE)), 1))),
            func.count(case((Reflection.status == S.AWAITING, 1))),
            func.count(case((Reflection.status.in_(list(WITH_STUDENT)), 1))),
        )
        .outerjoin(Reflection, Reflection.student_id == Student.id)
        .where(Student.class_id == school_class.id)
        .group_by(Student.id)
        .order_by(func.lower(Student.display_name), Student.id)
    ).all()
    return [
        RosterRow(student, done, awaiting, with_student) for student, done, awaiting, with_student in rows
    ], total or 0


def assignment_ids(school_class: SchoolClass) -> list[int]:
    """The ids of the class's assignments."""
    return list(db.session.scalars(select(Assignment.id).where(Assignment.class_id == school_class.id)))


def students_by_name(school_class: SchoolClass) -> list[Student]:
    """The class's students in alphabetical order, for the printable return codes."""
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.class_id == school_class.id)
            .order_by(func.lower(Student.display_name), Student.id)
        )
    )


def rename_student(student: Student, display_name: str) -> Student:
    """Give the student a new display name (the teacher's fix for a silly or duplicate name)."""
    student.display_name = clean_display_name(display_name)
    db.session.commit()
    return student


def reset_return_code(student: Student) -> str:
    """Replace a lost return code; the old one stops working at once, and so does every browser signed in with it."""
    student.return_code = unused_return_code(student.class_id)
    rotate_session_token(student)
    db.session.commit()
    # The new code is for the teacher's screen only, never the log.
    log.info(
        "return code reset",
        extra={"event": "student.code_reset", "student_id": student.id, "class_id": student.class_id},
    )
    return student.return_code


def forget_reissued_codes(school_class: SchoolClass) -> None:
    """The teacher has seen that an upgrade gave the class new return codes."""
    school_class.return_codes_reissued_at = None
    db.session.commit()


def removal_summary(student: Student) -> dict:
    """How much of this student's work a removal deletes, counted in SQL."""
    reflections = db.session.scalar(select(func.count(Reflection.id)).where(Reflection.student_id == student.id))
    stance_answers = db.session.scalar(select(func.count(StanceAnswer.id)).where(StanceAnswer.student_id == student.id))
    return {"reflections": reflections or 0, "stance_answers": stance_answers or 0}


def remove_student(student: Student) -> None:
    """Delete the student and everything they wrote, including the moderation history of it."""
    # Counted first: the log is the only record of what went once the rows are gone.
    removed = removal_summary(student)
    student_id, class_id = student.id, student.class_id
    # One statement: the foreign keys' ON DELETE CASCADE removes their reflections, history and answers.
    db.session.execute(delete(Student).where(Student.id == student.id))
    # Core deletes pass the ORM by, so the dashboards' cache is told directly.
    mark_changed(db.session, classes=[student.class_id])
    db.session.commit()
    db.session.expire_all()
    log.info(
        "student removed",
        extra={"event": "student.removed", "student_id": student_id, "class_id": class_id, **removed},
    )

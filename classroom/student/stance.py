"""The stance question a student answers once before viewing ("pre") and once after ("post")."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Assignment, StanceAnswer, Student

PHASES = ("pre", "post")


class StanceRefused(ValueError):
    """An answer that cannot be recorded; the message is shown to the student."""


def has_stance_question(assignment: Assignment) -> bool:
    return bool((assignment.stance_question or "").strip() and assignment.stance_options)


def stance_answers(student: Student, assignment: Assignment) -> dict[str, StanceAnswer]:
    """The student's answers to this assignment's question, by phase."""
    answers = db.session.scalars(
        select(StanceAnswer).where(StanceAnswer.student_id == student.id, StanceAnswer.assignment_id == assignment.id)
    )
    return {answer.phase: answer for answer in answers}


def prompts_unlocked(assignment: Assignment, answers: dict[str, StanceAnswer]) -> bool:
    """The prompts open once the pre-viewing question is answered (or when there is none)."""
    return not has_stance_question(assignment) or "pre" in answers


def record_stance(
    student: Student, assignment: Assignment, phase: str, option_index: int, now: datetime | None = None
) -> StanceAnswer:
    """Record one answer for the phase; each phase is answered once, and "post" only after "pre"."""
    if phase not in PHASES:
        raise StanceRefused("There is no such question.")
    if assignment.class_id != student.class_id:
        raise StanceRefused("This assignment is not in your class.")
    if not has_stance_question(assignment):
        raise StanceRefused("This assignment has no question to answer.")
    if not assignment.has_opened(now):
        raise StanceRefused("This assignment is not open yet.")
    if assignment.has_closed(now):
        raise StanceRefused("This assignment has closed, so answers can no longer be changed or added.")
    if not 0 <= option_index < len(assignment.stance_options):
        raise StanceRefused("Please choose one of the answers shown.")
    answers = stance_answers(student, assignment)
    if phase in answers:
        raise StanceRefused("You have already answered this question; your first answer stands.")
    if phase == "post" and "pre" not in answers:
        raise StanceRefused("Please answer the question before viewing first.")
    answer = StanceAnswer(student_id=student.id, assignment_id=assignment.id, phase=phase, option_index=option_index)
    db.session.add(answer)
    try:
        db.session.commit()
    except IntegrityError as clash:
        # The same answer sent twice at once: the unique constraint kept the first.
        db.session.rollback()
        raise StanceRefused("You have already answered this question; your first answer stands.") from clash
    return answer

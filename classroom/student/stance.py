"""The stance question a student answers once before viewing ("pre") and once after ("post")."""

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..filmtime import format_film_time
from ..models import Assignment, Prompt, Reflection, StanceAnswer, Student, utcnow
from ..statuses import HANDED_IN
from ..timezones import as_utc

PHASES = ("pre", "post")


class StanceRefused(ValueError):
    """An answer that cannot be recorded; the message is shown to the student."""


def has_stance_question(assignment: Assignment) -> bool:
    return bool((assignment.stance_question or "").strip() and assignment.stance_options)


# Built once with the ids as parameters: the student's page asks on every view (issue 13).
@cache
def _answers_query() -> Select:
    return select(StanceAnswer).where(
        StanceAnswer.student_id == bindparam("student_id"), StanceAnswer.assignment_id == bindparam("assignment_id")
    )


def stance_answers(student: Student, assignment: Assignment) -> dict[str, StanceAnswer]:
    """The student's answers to this assignment's question, by phase."""
    answers = db.session.scalars(_answers_query(), {"student_id": student.id, "assignment_id": assignment.id})
    return {answer.phase: answer for answer in answers}


def prompts_unlocked(assignment: Assignment, answers: Collection[str]) -> bool:
    """The prompts open once the pre-viewing question is answered (or when there is none)."""
    return not has_stance_question(assignment) or "pre" in answers


def last_prompt_seconds(assignment: Assignment, prompt_times: Sequence[int] | None = None) -> int:
    """The film time of the assignment's last prompt (0 without prompts); `prompt_times` are the prompts'
    times when the caller has them (the assignment page does, from its cache), else the prompts are read."""
    times = [prompt.time_seconds for prompt in assignment.prompts] if prompt_times is None else prompt_times
    return max(times, default=0)


def after_poll_opens_at(
    assignment: Assignment, answers: dict[str, StanceAnswer], prompt_times: Sequence[int] | None = None
) -> datetime | None:
    """The earliest moment the film can have reached the last prompt: the before-viewing answer plus its time."""
    pre = answers.get("pre")
    if pre is None:
        return None
    return as_utc(pre.created_at) + timedelta(seconds=last_prompt_seconds(assignment, prompt_times))


def answered_every_prompt(student: Student, assignment: Assignment, prompt_count: int | None = None) -> bool:
    """Whether the student has handed in an answer to each of the assignment's prompts."""
    handed_in = db.session.scalar(
        select(func.count(Reflection.id))
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(
            Prompt.assignment_id == assignment.id,
            Reflection.student_id == student.id,
            Reflection.status.in_(list(HANDED_IN)),
        )
    )
    return (handed_in or 0) >= (len(assignment.prompts) if prompt_count is None else prompt_count)


def after_poll_open(
    student: Student,
    assignment: Assignment,
    answers: dict[str, StanceAnswer],
    now: datetime | None = None,
    prompt_times: Sequence[int] | None = None,
) -> bool:
    """The after-viewing question opens once the film has had time to pass the last prompt, or every prompt
    is answered; not straight after the before-viewing question."""
    opens_at = after_poll_opens_at(assignment, answers, prompt_times)
    if opens_at is None:
        return False
    count = None if prompt_times is None else len(prompt_times)
    return (now or utcnow()) >= opens_at or answered_every_prompt(student, assignment, count)


def after_poll_wait_message(assignment: Assignment, prompt_times: Sequence[int] | None = None) -> str:
    """What a student is told while the after-viewing question is not open yet."""
    return (
        "The question after viewing opens once you have handed in every prompt, or once the film has reached "
        f"its last prompt (at {format_film_time(last_prompt_seconds(assignment, prompt_times))})."
    )


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
    if phase == "post" and not after_poll_open(student, assignment, answers, now):
        raise StanceRefused(after_poll_wait_message(assignment))
    answer = StanceAnswer(student_id=student.id, assignment_id=assignment.id, phase=phase, option_index=option_index)
    db.session.add(answer)
    try:
        db.session.commit()
    except IntegrityError as clash:
        # The same answer sent twice at once: the unique constraint kept the first.
        db.session.rollback()
        raise StanceRefused("You have already answered this question; your first answer stands.") from clash
    return answer

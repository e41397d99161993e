"""Progress through the prompts, counted in SQL, for the student's home page."""

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import Assignment, Prompt, Reflection, StanceAnswer, Student
from ..statuses import DONE
from ..statuses import ReflectionStatus as S


@dataclass
class PromptStatus:
    prompt_id: int
    time_seconds: int
    theme: str
    text: str
    status: str | None


@dataclass
class AssignmentProgress:
    assignment: Assignment
    total: int
    done: int
    answered_pre: bool
    prompts: list[PromptStatus] = field(default_factory=list)

    def next_prompt(self) -> PromptStatus | None:
        """The prompt to work on next: one returned with feedback first, else the first not yet handed in."""
        for prompt in self.prompts:
            if prompt.status == S.RETURNED:
                return prompt
        for prompt in self.prompts:
            if prompt.status is None or prompt.status == S.DRAFT:
                return prompt
        return None


def student_home(student: Student) -> list[AssignmentProgress]:
    """The student's assignments with prompts done / total and each reflection's status (three queries);
    the prompts of an assignment that has not opened are not listed."""
    done = func.count(case((Reflection.status.in_(list(DONE)), 1)))
    rows = db.session.execute(
        select(Assignment, func.count(Prompt.id), done)
        .outerjoin(Prompt, Prompt.assignment_id == Assignment.id)
        .outerjoin(Reflection, and_(Reflection.prompt_id == Prompt.id, Reflection.student_id == student.id))
        .where(Assignment.class_id == student.class_id)
        .group_by(Assignment.id)
        .order_by(Assignment.opens_at.is_(None).desc(), Assignment.opens_at, Assignment.id)
    ).all()
    answered_pre = set(
        db.session.scalars(
            select(StanceAnswer.assignment_id).where(StanceAnswer.student_id == student.id, StanceAnswer.phase == "pre")
        )
    )
    progress = {
        assignment.id: AssignmentProgress(assignment, total, done_count, assignment.id in answered_pre)
        for assignment, total, done_count in rows
    }
    prompt_rows = db.session.execute(
        select(Prompt.assignment_id, Prompt.id, Prompt.time_seconds, Prompt.theme, Prompt.text, Reflection.status)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .outerjoin(Reflection, and_(Reflection.prompt_id == Prompt.id, Reflection.student_id == student.id))
        .where(Assignment.class_id == student.class_id)
        .order_by(Prompt.assignment_id, Prompt.time_seconds, Prompt.id)
    )
    opened = {assignment_id for assignment_id, item in progress.items() if item.assignment.has_opened()}
    for assignment_id, prompt_id, seconds, theme, text, status in prompt_rows:
        # The questions stay the teacher's until the assignment opens (the count still shows).
        if assignment_id in opened:
            progress[assignment_id].prompts.append(PromptStatus(prompt_id, seconds, theme, text, status))
    return list(progress.values())

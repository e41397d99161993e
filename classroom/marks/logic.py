"""Giving marks and choosing an assignment's marking scheme, as plain functions; every mark is audited."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Assignment, Mark, MarkEvent, Reflection, Teacher, utcnow
from ..statuses import HANDED_IN
from .scheme import COMPLETE, MAX_POINTS_PER_PROMPT, POINTS, RUBRIC, SCHEMES, SchemeError, clean_rubric, describe_mark


def set_scheme(assignment: Assignment, scheme: str, points_per_prompt: int = 2, rubric: list | None = None) -> None:
    """Choose how the assignment is marked. Marks already given stay, and count again if the scheme comes back."""
    if scheme not in SCHEMES:
        raise SchemeError("Choose one of the three ways of marking.")
    if scheme == POINTS and not 1 <= int(points_per_prompt) <= MAX_POINTS_PER_PROMPT:
        raise SchemeError(f"Points for each prompt must be between 1 and {MAX_POINTS_PER_PROMPT}.")
    cleaned = clean_rubric(rubric or []) if scheme == RUBRIC else (assignment.rubric or [])
    assignment.marking_scheme = scheme
    if scheme == POINTS:
        assignment.points_per_prompt = int(points_per_prompt)
    assignment.rubric = cleaned
    db.session.commit()


def mark_of(reflection: Reflection) -> Mark | None:
    return db.session.scalars(db.select(Mark).where(Mark.reflection_id == reflection.id)).first()


def give_mark(
    reflection: Reflection, teacher: Teacher, *, points: int | None = None, levels: list | None = None
) -> Mark:
    """Mark a handed-in reflection under its assignment's scheme; raises SchemeError when the mark does not fit."""
    assignment = reflection.prompt.assignment
    scheme = assignment.marking_scheme
    if reflection.status not in HANDED_IN:
        raise SchemeError("Only reflections the student has handed in can be marked.")
    if scheme == COMPLETE:
        raise SchemeError(
            "This assignment is marked complete or not complete by itself, when every prompt is approved."
        )
    mark = mark_of(reflection) or Mark(reflection_id=reflection.id)
    if scheme == POINTS:
        if points is None or not 0 <= points <= assignment.points_per_prompt:
            raise SchemeError(f"Give between 0 and {assignment.points_per_prompt} points.")
        mark.points, mark.levels = points, None
    else:
        rubric = assignment.rubric or []
        if levels is None or len(levels) != len(rubric) or any(level is None for level in levels):
            raise SchemeError("Choose a level for every criterion.")
        for criterion, level in zip(rubric, levels, strict=True):
            if not 0 <= level < len(criterion["levels"]):
                raise SchemeError(f"Choose one of the levels of “{criterion['name']}”.")
        mark.levels, mark.points = list(levels), None
    mark.teacher_id, mark.updated_at = teacher.id, utcnow()
    db.session.add(mark)
    db.session.flush()
    db.session.add(
        MarkEvent(reflection_id=reflection.id, teacher_id=teacher.id, description=describe_mark(assignment, mark))
    )
    db.session.commit()
    return mark


def mark_history(reflection: Reflection) -> list[MarkEvent]:
    """The reflection's marks, oldest first, with each marking teacher (the history page names them)."""
    return list(
        db.session.scalars(
            db.select(MarkEvent)
            .where(MarkEvent.reflection_id == reflection.id)
            .options(joinedload(MarkEvent.teacher))
            .order_by(MarkEvent.created_at, MarkEvent.id)
        )
    )

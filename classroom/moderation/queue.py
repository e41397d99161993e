"""Finding the reflections a teacher moderates: the awaiting queue, one page at a time, and scoped lookups."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..models import Assignment, ModerationEvent, Prompt, Reflection, ReflectionStatus, SchoolClass

PAGE_SIZE = 50


@dataclass
class QueuePage:
    items: list[Reflection]
    page: int
    pages: int
    total: int
    flagged: int


def _class_reflections(class_id: int, assignment_id: int | None = None):
    query = (
        db.select(Reflection)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .where(Assignment.class_id == class_id)
    )
    if assignment_id is not None:
        query = query.where(Assignment.id == assignment_id)
    return query


def awaiting_page(
    class_id: int, assignment_id: int | None = None, page: int = 1, per_page: int = PAGE_SIZE
) -> QueuePage:
    """One page of a class's reflections awaiting approval: flagged first, then the longest waiting."""
    base = _class_reflections(class_id, assignment_id).where(Reflection.status == ReflectionStatus.AWAITING)
    total, flagged = db.session.execute(
        base.with_only_columns(
            func.count(Reflection.id), func.coalesce(func.sum(db.case((Reflection.flagged.is_(True), 1), else_=0)), 0)
        )
    ).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = db.session.scalars(
        base.options(
            contains_eager(Reflection.prompt).contains_eager(Prompt.assignment),
            joinedload(Reflection.student),
        )
        .order_by(Reflection.flagged.desc(), Reflection.submitted_at, Reflection.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QueuePage(items=items, page=page, pages=pages, total=total, flagged=int(flagged))


def awaiting_count(class_id: int, assignment_id: int | None = None) -> int:
    """How many reflections in the class (or one assignment) wait for the teacher's decision."""
    base = _class_reflections(class_id, assignment_id).where(Reflection.status == ReflectionStatus.AWAITING)
    return db.session.execute(base.with_only_columns(func.count(Reflection.id))).scalar_one()


def class_assignment_or_404(class_id: int, assignment_id: int) -> Assignment:
    """An assignment that belongs to the (already scoped) class, or 404."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != class_id:
        abort(404)
    return assignment


def owned_reflection_or_404(reflection_id: int, teacher_id: int) -> Reflection:
    """A reflection in one of the teacher's classes (with its prompt, assignment, class and student), or 404."""
    reflection = db.session.scalars(
        db.select(Reflection)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(Reflection.id == reflection_id, SchoolClass.teacher_id == teacher_id)
        .options(
            contains_eager(Reflection.prompt).contains_eager(Prompt.assignment).contains_eager(Assignment.school_class),
            joinedload(Reflection.student),
        )
    ).one_or_none()
    if reflection is None:
        abort(404)
    return reflection


def history_of(reflection: Reflection) -> list[ModerationEvent]:
    """The reflection's audit trail, oldest first, with each deciding teacher."""
    return db.session.scalars(
        db.select(ModerationEvent)
        .where(ModerationEvent.reflection_id == reflection.id)
        .options(joinedload(ModerationEvent.teacher))
        .order_by(ModerationEvent.created_at, ModerationEvent.id)
    ).all()

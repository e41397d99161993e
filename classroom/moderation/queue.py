"""Finding the reflections a teacher moderates: the awaiting queue, one page at a time, and a history."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..models import Assignment, Mark, ModerationEvent, Prompt, Reflection
from ..statuses import ReflectionStatus

PAGE_SIZE = 50


@dataclass
class QueuePage:
    items: list[Reflection]
    page: int
    pages: int
    total: int
    flagged: int
    # The teacher's mark on each item that has one, by reflection id.
    marks: dict[int, Mark] = field(default_factory=dict)


def _class_reflections(class_id: int, assignment_id: int | None = None) -> Select[tuple[Reflection]]:
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
    """One page of a class's reflections awaiting approval: flagged first, then the longest waiting.

    Each reflection comes with its student, prompt and mark; the prompt's assignment is left to the caller,
    who loads the class's assignments once rather than with every row (the queue page does).
    """
    base = _class_reflections(class_id, assignment_id).where(Reflection.status == ReflectionStatus.AWAITING)
    flagged_one = db.case((Reflection.flagged.is_(True), 1), else_=0)
    # The marks (one per reflection at most) and the counts come with the page's rows (window functions run
    # before LIMIT), so a page is one statement; only a page with no rows asks for the counts on their own,
    # to tell an empty queue from a page past the end.
    page = max(1, page)
    rows = db.session.execute(
        base.outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .add_columns(Mark, func.count(Reflection.id).over(), func.sum(flagged_one).over())
        .options(contains_eager(Reflection.prompt), joinedload(Reflection.student))
        .order_by(Reflection.flagged.desc(), Reflection.submitted_at, Reflection.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        total, flagged = rows[0][2], rows[0][3]
        marks = {reflection.id: mark for reflection, mark, _, _ in rows if mark is not None}
        items = [row[0] for row in rows]
        return QueuePage(items, page, max(1, -(-total // per_page)), total, int(flagged), marks)
    total = db.session.execute(base.with_only_columns(func.count(Reflection.id))).scalar_one()
    if total:
        # Past the last page: show the last page.
        return awaiting_page(class_id, assignment_id, -(-total // per_page), per_page)
    return QueuePage([], 1, 1, 0, 0)


def awaiting_count(class_id: int, assignment_id: int | None = None) -> int:
    """How many reflections in the class (or one assignment) wait for the teacher's decision."""
    base = _class_reflections(class_id, assignment_id).where(Reflection.status == ReflectionStatus.AWAITING)
    return db.session.execute(base.with_only_columns(func.count(Reflection.id))).scalar_one()


REJECTED_SHOWN = 50


def rejected_list(class_id: int, assignment_id: int | None = None, limit: int = REJECTED_SHOWN) -> list[Reflection]:
    """The class's rejected reflections, most recently decided first, so a rejection can be undone.

    Like awaiting_page, with each reflection's student and prompt but not the prompt's assignment.
    """
    return list(
        db.session.scalars(
            _class_reflections(class_id, assignment_id)
            .where(Reflection.status == ReflectionStatus.REJECTED)
            .options(contains_eager(Reflection.prompt), joinedload(Reflection.student))
            .order_by(Reflection.decided_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
    )


def history_of(reflection: Reflection) -> list[ModerationEvent]:
    """The reflection's audit trail, oldest first, with each deciding teacher."""
    return list(
        db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.reflection_id == reflection.id)
            .options(joinedload(ModerationEvent.teacher))
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        )
    )

"""Finding the reflections a teacher moderates: the awaiting queue, one page at a time, and a history."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, bindparam, func
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


def _class_reflections(status: ReflectionStatus, narrowed: bool) -> Select[tuple[Reflection]]:
    """A class's reflections in one status (of one assignment when `narrowed`), the ids as parameters."""
    query = (
        db.select(Reflection)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .where(Assignment.class_id == bindparam("class_id"), Reflection.status == status)
    )
    if narrowed:
        query = query.where(Assignment.id == bindparam("assignment_id"))
    return query


def _ids(class_id: int, assignment_id: int | None) -> tuple[bool, dict[str, int]]:
    """Whether the statement is narrowed to one assignment, and its parameters."""
    if assignment_id is None:
        return False, {"class_id": class_id}
    return True, {"class_id": class_id, "assignment_id": assignment_id}


# The statements below are built once, with their loader options, and so is their cache key: building them
# on every view cost about as much CPU as running them (issue 13).


@cache
def _awaiting_page_query(narrowed: bool) -> Select:
    flagged_one = db.case((Reflection.flagged.is_(True), 1), else_=0)
    # The marks (one per reflection at most) and the counts come with the page's rows (window functions run
    # before LIMIT), so a page is one statement.
    return (
        _class_reflections(ReflectionStatus.AWAITING, narrowed)
        .outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .add_columns(Mark, func.count(Reflection.id).over(), func.sum(flagged_one).over())
        .options(contains_eager(Reflection.prompt), joinedload(Reflection.student))
        .order_by(Reflection.flagged.desc(), Reflection.submitted_at, Reflection.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cache
def _awaiting_count_query(narrowed: bool) -> Select:
    return _class_reflections(ReflectionStatus.AWAITING, narrowed).with_only_columns(func.count(Reflection.id))


@cache
def _rejected_query(narrowed: bool) -> Select:
    return (
        _class_reflections(ReflectionStatus.REJECTED, narrowed)
        .options(contains_eager(Reflection.prompt), joinedload(Reflection.student))
        .order_by(Reflection.decided_at.desc(), Reflection.id.desc())
        .limit(bindparam("limit"))
    )


def awaiting_page(
    class_id: int, assignment_id: int | None = None, page: int = 1, per_page: int = PAGE_SIZE
) -> QueuePage:
    """One page of a class's reflections awaiting approval: flagged first, then the longest waiting.

    Each reflection comes with its student, prompt and mark; the prompt's assignment is left to the caller,
    who loads the class's assignments once rather than with every row (the queue page does).
    """
    narrowed, ids = _ids(class_id, assignment_id)
    page = max(1, page)
    rows = db.session.execute(
        _awaiting_page_query(narrowed), {**ids, "limit": per_page, "offset": (page - 1) * per_page}
    ).all()
    if rows:
        total, flagged = rows[0][2], rows[0][3]
        marks = {reflection.id: mark for reflection, mark, _, _ in rows if mark is not None}
        items = [row[0] for row in rows]
        return QueuePage(items, page, max(1, -(-total // per_page)), total, int(flagged), marks)
    # No rows: an empty queue, or a page past the end, which shows the last page.
    total = awaiting_count(class_id, assignment_id)
    if total:
        return awaiting_page(class_id, assignment_id, -(-total // per_page), per_page)
    return QueuePage([], 1, 1, 0, 0)


def awaiting_count(class_id: int, assignment_id: int | None = None) -> int:
    """How many reflections in the class (or one assignment) wait for the teacher's decision."""
    narrowed, ids = _ids(class_id, assignment_id)
    return db.session.execute(_awaiting_count_query(narrowed), ids).scalar_one()


REJECTED_SHOWN = 50


def rejected_list(class_id: int, assignment_id: int | None = None, limit: int = REJECTED_SHOWN) -> list[Reflection]:
    """The class's rejected reflections, most recently decided first, so a rejection can be undone.

    Like awaiting_page, with each reflection's student and prompt but not the prompt's assignment.
    """
    narrowed, ids = _ids(class_id, assignment_id)
    return list(db.session.scalars(_rejected_query(narrowed), {**ids, "limit": limit}))


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

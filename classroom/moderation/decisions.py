"""The teacher's decisions on a reflection: each one a checked transition with an audit entry."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Update, update

from ..extensions import db
from ..models import (
    Assignment,
    ModerationEvent,
    Prompt,
    Reflection,
    SchoolClass,
    Student,
    Teacher,
    utcnow,
)
from ..statuses import ReflectionStatus as S
from .flags import apply_flags

log = logging.getLogger(__name__)


def _guarded(statement: Update) -> CursorResult[Any]:
    """Run a guarded UPDATE; its rowcount says whether the row was still as the teacher saw it."""
    return cast(CursorResult[Any], db.session.execute(statement))


# Which statuses each decision may start from. An approved reflection can still be taken down
# (returned or rejected) when the teacher has second thoughts, and a rejection is never a trap: it can
# be approved after all or reopened for the student to rewrite. A draft is the student's alone.
APPROVE_FROM = frozenset({S.AWAITING, S.REJECTED})
RETURN_FROM = frozenset({S.AWAITING, S.APPROVED})
REJECT_FROM = frozenset({S.AWAITING, S.APPROVED})
REOPEN_FROM = frozenset({S.REJECTED})
# What the student reads when the teacher reopens without a message and the rejection gave no reason.
REOPENED_MESSAGE = "Your teacher reopened this reflection: you can rewrite it and hand it in again."


# What returning without feedback or rejecting without a reason says, in the form (moderation/forms.py) and here.
FEEDBACK_MISSING = "Write the feedback the student should act on."
REASON_MISSING = "Write the reason the student will see."


class TransitionError(ValueError):
    """A decision that does not fit the reflection's current status; the message is for the teacher."""


class StudentChangedReflection(TransitionError):
    """The student changed the reflection after the teacher opened it."""


def _transition(
    reflection: Reflection,
    teacher: Teacher,
    to_status: str,
    allowed_from: frozenset,
    feedback: str = "",
    expected_version: int | None = None,
) -> ModerationEvent:
    from_status = reflection.status
    if from_status not in allowed_from:
        raise TransitionError(
            f"This reflection is {S.label_of(from_status).lower()}, so it cannot be "
            f"{S.label_of(to_status).split()[0].lower()} now."
        )
    if expected_version is not None and expected_version != reflection.version:
        raise StudentChangedReflection("The student changed this reflection after you opened it. Please read it again.")
    now = utcnow()
    # Guarded update: if the student saved in the meantime, nothing changes and the teacher is told.
    result = _guarded(
        update(Reflection)
        .where(
            Reflection.id == reflection.id, Reflection.status == from_status, Reflection.version == reflection.version
        )
        .values(
            status=to_status,
            feedback=feedback,
            decided_at=now,
            # Only approved work can be a class highlight.
            starred=reflection.starred and to_status == S.APPROVED,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise StudentChangedReflection("The student changed this reflection a moment ago. Please read it again.")
    event = ModerationEvent(
        reflection_id=reflection.id,
        teacher_id=teacher.id,
        actor="teacher",
        from_status=from_status,
        to_status=to_status,
        feedback=feedback,
        created_at=now,
    )
    db.session.add(event)
    db.session.commit()
    log.info(
        "moderation decision",
        extra={
            "event": "moderation.decision",
            "teacher_id": teacher.id,
            "reflection_id": reflection.id,
            "from_status": str(from_status),
            "to_status": str(to_status),
        },
    )
    db.session.refresh(reflection)
    return event


def approve_reflection(
    reflection: Reflection, teacher: Teacher, expected_version: int | None = None
) -> ModerationEvent:
    """Approve an awaiting reflection so classmates may see it."""
    return _transition(reflection, teacher, S.APPROVED, APPROVE_FROM, "", expected_version)


def return_reflection(
    reflection: Reflection, teacher: Teacher, feedback: str, expected_version: int | None = None
) -> ModerationEvent:
    """Send a reflection back with feedback; the student revises and submits again."""
    feedback = (feedback or "").strip()
    if not feedback:
        raise TransitionError(FEEDBACK_MISSING)
    return _transition(reflection, teacher, S.RETURNED, RETURN_FROM, feedback, expected_version)


def reject_reflection(
    reflection: Reflection, teacher: Teacher, reason: str, expected_version: int | None = None
) -> ModerationEvent:
    """Reject a reflection: hidden from classmates; the student sees the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(REASON_MISSING)
    return _transition(reflection, teacher, S.REJECTED, REJECT_FROM, reason, expected_version)


@dataclass
class BulkApproval:
    """What a bulk approval did: the ids it approved and, by name, what it left for the teacher."""

    approved: list[int] = field(default_factory=list)
    # Flagged reflections are approved one by one, after the teacher has read the flag.
    flagged: list[str] = field(default_factory=list)
    # Changed by the student (or decided elsewhere) since the teacher's page showed them.
    changed: list[str] = field(default_factory=list)
    # Not awaiting approval in this class at all (already decided, a draft, another class, unknown).
    not_here: int = 0

    @property
    def skipped(self) -> int:
        return len(self.flagged) + len(self.changed) + self.not_here


def _bulk_candidates(teacher: Teacher, class_id: int, ids: list[int]) -> Sequence[Row[tuple[int, str, bool]]]:
    """(id, student's name, flagged) of the selected reflections awaiting approval in the teacher's class."""
    return db.session.execute(
        db.select(Reflection.id, Student.display_name, Reflection.flagged)
        .join(Student, Reflection.student_id == Student.id)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(
            Reflection.id.in_(ids),
            Reflection.status == S.AWAITING,
            SchoolClass.id == class_id,
            SchoolClass.teacher_id == teacher.id,
        )
        .order_by(Reflection.id)
    ).all()


def reopen_reflection(
    reflection: Reflection, teacher: Teacher, message: str = "", expected_version: int | None = None
) -> ModerationEvent:
    """Undo a rejection by handing the reflection back to the student to rewrite (status "returned").

    The student sees the teacher's message, or the earlier reason when the teacher adds none.
    """
    if reflection.status not in REOPEN_FROM:
        raise TransitionError(
            f"This reflection is {S.label_of(reflection.status).lower()}, so there is no rejection to undo."
        )
    message = (message or "").strip() or (reflection.feedback or "").strip() or REOPENED_MESSAGE
    return _transition(reflection, teacher, S.RETURNED, REOPEN_FROM, message, expected_version)


def bulk_approve(teacher: Teacher, class_id: int, selected: dict[int, int | None]) -> BulkApproval:
    """Approve the selected awaiting reflections of one of the teacher's classes, never a flagged one.

    `selected` maps reflection id to the version the teacher saw. Each row is approved by the same
    guarded update as a single decision (still awaiting, still that version, still unflagged), so a
    student's save landing at any moment after the page was shown is never published unseen.
    """
    result = BulkApproval()
    if not selected:
        return result
    candidates = _bulk_candidates(teacher, class_id, list(selected))
    result.not_here = len(selected) - len(candidates)
    now = utcnow()
    for reflection_id, name, flagged in candidates:
        seen = selected.get(reflection_id)
        if flagged:
            result.flagged.append(name)
            continue
        if seen is None:
            # Without the version the teacher saw, we cannot know they read this text.
            result.changed.append(name)
            continue
        updated = _guarded(
            update(Reflection)
            .where(
                Reflection.id == reflection_id,
                Reflection.status == S.AWAITING,
                Reflection.version == seen,
                Reflection.flagged.is_(False),
            )
            .values(status=S.APPROVED, feedback="", decided_at=now)
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            result.changed.append(name)
            continue
        db.session.add(
            ModerationEvent(
                reflection_id=reflection_id,
                teacher_id=teacher.id,
                actor="teacher",
                from_status=S.AWAITING,
                to_status=S.APPROVED,
                created_at=now,
            )
        )
        result.approved.append(reflection_id)
    db.session.commit()
    log.info(
        "bulk approval",
        extra={
            "event": "moderation.bulk_approve",
            "teacher_id": teacher.id,
            "class_id": class_id,
            "approved_ids": result.approved,
            "skipped": result.skipped,
        },
    )
    # The rows changed behind the session's back: reload any loaded copies on next access.
    db.session.expire_all()
    return result


def set_star(reflection: Reflection, starred: bool) -> None:
    """Star an approved reflection as a class highlight, or unstar any reflection."""
    if starred and reflection.status != S.APPROVED:
        raise TransitionError("Only approved reflections can be highlights.")
    reflection.starred = starred
    db.session.commit()
    log.info(
        "highlight changed", extra={"event": "moderation.star", "reflection_id": reflection.id, "starred": starred}
    )


def reflag_awaiting(teacher: Teacher) -> int:
    """Run the flags again on the teacher's awaiting reflections (after their word list changed)."""
    rows = db.session.execute(
        db.select(Reflection, Student.class_id)
        .join(Student, Reflection.student_id == Student.id)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(SchoolClass.teacher_id == teacher.id, Reflection.status == S.AWAITING)
    ).all()
    # Each class's names read once, not once per reflection.
    names: dict[int, list[tuple[int, str]]] = {}
    for class_id in {class_id for _, class_id in rows}:
        names[class_id] = [
            (student_id, name)
            for student_id, name in db.session.execute(
                db.select(Student.id, Student.display_name).where(Student.class_id == class_id)
            )
        ]
    for reflection, class_id in rows:
        classmates = tuple(name for student_id, name in names[class_id] if student_id != reflection.student_id)
        apply_flags(reflection, teacher.flag_words or "", classmates)
    db.session.commit()
    return len(rows)

"""Merging two students of one class: the same person joined twice, from two devices."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from ..cache import mark_changed
from ..extensions import db
from ..models import (
    KeptVersion,
    LtiLearner,
    Mark,
    MarkEvent,
    ModerationEvent,
    Reflection,
    StanceAnswer,
    Student,
    Teacher,
    utcnow,
)
from ..statuses import ReflectionStatus as S

log = logging.getLogger(__name__)


class MergeRefused(ValueError):
    """Two students that cannot be merged; the message is for the teacher."""


@dataclass
class MergeSummary:
    moved: int = 0  # reflections that moved over whole
    kept_versions: int = 0  # answers to a prompt both had: kept beside the staying reflection
    stance_answers: int = 0  # stance answers moved (the staying student's own answers win)


def _reflections_of(student: Student) -> list[Reflection]:
    return list(db.session.scalars(select(Reflection).where(Reflection.student_id == student.id)))


def merge_students(keep: Student, other: Student, teacher: Teacher) -> MergeSummary:
    """Move everything `other` did in the class to `keep`, then remove `other`.

    A prompt both answered keeps `keep`'s reflection; `other`'s text becomes a kept version the
    teacher sees on that reflection's history page, with its decisions and marks added to the trail.
    """
    if keep.id == other.id:
        raise MergeRefused("Choose two different students.")
    if keep.class_id != other.class_id:
        raise MergeRefused("Only students of the same class can be merged.")
    learners = {
        learner.student_id: learner
        for learner in db.session.scalars(select(LtiLearner).where(LtiLearner.student_id.in_([keep.id, other.id])))
    }
    if keep.id in learners and other.id in learners:
        raise MergeRefused(
            "Both students come from your learning platform as different people, so they cannot be merged here."
        )
    summary = MergeSummary()
    now = utcnow()
    mine = {reflection.prompt_id: reflection for reflection in _reflections_of(keep)}
    for theirs in _reflections_of(other):
        staying = mine.get(theirs.prompt_id)
        if staying is None:
            theirs.student_id = keep.id
            summary.moved += 1
            continue
        db.session.add(
            KeptVersion(
                reflection_id=staying.id,
                from_name=other.display_name,
                body=theirs.body,
                body_html=theirs.body_html,
                html_policy=theirs.html_policy,
                status=theirs.status,
                feedback=theirs.feedback or "",
                submitted_at=theirs.submitted_at,
                created_at=now,
            )
        )
        # Their trail and marks join the staying reflection's, so nothing the teacher decided is lost.
        db.session.execute(
            update(ModerationEvent).where(ModerationEvent.reflection_id == theirs.id).values(reflection_id=staying.id)
        )
        db.session.execute(
            update(MarkEvent).where(MarkEvent.reflection_id == theirs.id).values(reflection_id=staying.id)
        )
        has_mark = db.session.scalar(select(Mark.id).where(Mark.reflection_id == staying.id))
        if has_mark is None:
            db.session.execute(update(Mark).where(Mark.reflection_id == theirs.id).values(reflection_id=staying.id))
        db.session.add(
            ModerationEvent(
                reflection_id=staying.id,
                teacher_id=teacher.id,
                actor="teacher",
                from_status=staying.status,
                to_status=staying.status,
                feedback=f"Merged {other.display_name} into {keep.display_name}: their answer to this prompt "
                f"({S.label_of(theirs.status).lower()}) is kept as a second version.",
                created_at=now,
            )
        )
        db.session.delete(theirs)
        summary.kept_versions += 1
    db.session.flush()
    answered = {
        (answer.assignment_id, answer.phase)
        for answer in db.session.scalars(select(StanceAnswer).where(StanceAnswer.student_id == keep.id))
    }
    for answer in db.session.scalars(select(StanceAnswer).where(StanceAnswer.student_id == other.id)):
        if (answer.assignment_id, answer.phase) not in answered:
            answer.student_id = keep.id
            summary.stance_answers += 1
    # A student who came from the learning platform stays linked to it, now as the staying student.
    if other.id in learners:
        learners[other.id].student_id = keep.id
    db.session.flush()
    other_id = other.id
    db.session.execute(delete(Student).where(Student.id == other_id))
    # Deleted without the ORM's flush: the cached class views (who is in the class) are told here.
    mark_changed(db.session, classes=[keep.class_id])
    db.session.commit()
    db.session.expire_all()
    log.info(
        "students merged",
        extra={
            "event": "student.merged",
            "class_id": keep.class_id,
            "kept_student_id": keep.id,
            "removed_student_id": other_id,
            "teacher_id": teacher.id,
            "moved": summary.moved,
            "kept_versions": summary.kept_versions,
            "stance_answers": summary.stance_answers,
        },
    )
    return summary


def kept_versions_of(reflection: Reflection) -> list[KeptVersion]:
    """The other texts kept beside a reflection by merges, oldest first."""
    return list(
        db.session.scalars(
            select(KeptVersion).where(KeptVersion.reflection_id == reflection.id).order_by(KeptVersion.id)
        )
    )

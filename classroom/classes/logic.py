"""Opening classes and assigning lesson plans to them, without HTTP."""

import logging
from datetime import datetime
from typing import Any

from ..cache import mark_changed
from ..extensions import db
from ..joincodes import new_join_code
from ..models import (
    Assignment,
    CaptionTrack,
    LessonPlan,
    Prompt,
    Reflection,
    SchoolClass,
    Student,
    Teacher,
)
from .media import CAPTION_LANGUAGES

log = logging.getLogger(__name__)


def unused_join_code() -> str:
    """A join code no class has yet."""
    while True:
        code = new_join_code()
        if db.session.execute(db.select(SchoolClass.id).where(SchoolClass.join_code == code)).first() is None:
            return code


def create_class(teacher: Teacher, name: str, term: str = "") -> SchoolClass:
    """Open a class for the teacher with a fresh join code."""
    school_class = SchoolClass(
        teacher_id=teacher.id, name=name.strip(), term=(term or "").strip(), join_code=unused_join_code()
    )
    db.session.add(school_class)
    db.session.commit()
    return school_class


def regenerate_join_code(school_class: SchoolClass) -> str:
    """Give the class a new code; the old link stops working at once."""
    school_class.join_code = unused_join_code()
    db.session.commit()
    log.info("join code changed", extra={"event": "class.join_code_changed", "class_id": school_class.id})
    return school_class.join_code


def assign_plan(
    school_class: SchoolClass,
    plan: LessonPlan,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    video_url: str = "",
    captions_vtt: str = "",
    captions_language: str = "en",
    require_approval: bool = True,
    show_classmates: bool = True,
    anonymise: bool = True,
    title: str | None = None,
) -> Assignment:
    """Give a plan to a class; it gets its own copy of the prompts, each remembering its plan prompt."""
    assignment = Assignment(
        class_id=school_class.id,
        plan_id=plan.id,
        film_id=plan.film_id,
        title=title or plan.title,
        objectives=plan.objectives,
        opens_at=opens_at,
        closes_at=closes_at,
        video_url=video_url,
        require_approval=require_approval,
        show_classmates=show_classmates,
        anonymise=anonymise,
        stance_question=plan.stance_question,
        stance_options=list(plan.stance_options),
        prompts=[Prompt(plan_prompt_id=p.id, **p.prompt_fields()) for p in plan.prompts],
        caption_tracks=[CaptionTrack(language=captions_language, vtt=captions_vtt)] if captions_vtt else [],
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def update_class(school_class: SchoolClass, name: str, term: str = "") -> None:
    """Rename a class or change its term."""
    school_class.name = name.strip()
    school_class.term = (term or "").strip()
    db.session.commit()


def set_joining(school_class: SchoolClass, enabled: bool) -> None:
    """Switch the join code on or off; students who already joined are not affected."""
    school_class.join_enabled = enabled
    db.session.commit()
    log.info(
        "joining switched " + ("on" if enabled else "off"),
        extra={"event": "class.joining", "class_id": school_class.id, "join_enabled": enabled},
    )


def classes_with_counts(teacher: Teacher) -> list[tuple[SchoolClass, int, int]]:
    """The teacher's classes with how many assignments and students each has."""
    # Counted per class through the class_id indexes, so the page costs the same in a school or a district
    # (grouping the whole assignments and students tables first grew with the installation).
    assignments = (
        db.select(db.func.count(Assignment.id))
        .where(Assignment.class_id == SchoolClass.id)
        .correlate(SchoolClass)
        .scalar_subquery()
    )
    students = (
        db.select(db.func.count(Student.id))
        .where(Student.class_id == SchoolClass.id)
        .correlate(SchoolClass)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(SchoolClass, assignments, students)
        .where(SchoolClass.teacher_id == teacher.id)
        .order_by(SchoolClass.name, SchoolClass.id)
    ).all()
    return [(school_class, int(n_assignments), int(n_students)) for school_class, n_assignments, n_students in rows]


def class_assignments(school_class: SchoolClass) -> list[tuple[Assignment, int]]:
    """The class's assignments, newest first, each with its number of prompts."""
    rows = db.session.execute(
        db.select(Assignment, db.func.count(Prompt.id))
        .outerjoin(Prompt, Prompt.assignment_id == Assignment.id)
        .where(Assignment.class_id == school_class.id)
        .group_by(Assignment.id)
        .order_by(Assignment.id.desc())
    ).all()
    return [(assignment, int(count)) for assignment, count in rows]


def set_caption_track(assignment: Assignment, language: str, vtt: str) -> None:
    """Upload the captions in one language: a new track, or a new file for that language's track."""
    track = db.session.scalar(
        db.select(CaptionTrack).where(CaptionTrack.assignment_id == assignment.id, CaptionTrack.language == language)
    )
    if track is None:
        db.session.add(CaptionTrack(assignment_id=assignment.id, language=language, vtt=vtt))
    else:
        track.vtt = vtt
    db.session.commit()


def remove_caption_tracks(assignment: Assignment, languages: list[str]) -> None:
    """Remove the assignment's captions in these languages."""
    db.session.execute(
        db.delete(CaptionTrack).where(CaptionTrack.assignment_id == assignment.id, CaptionTrack.language.in_(languages))
    )
    # A bulk delete is not seen by the aggregate cache's flush watcher: the students' page lists the languages.
    mark_changed(db.session, setups=[assignment.id])
    db.session.commit()


def caption_languages(assignment_id: int) -> list[str]:
    """The languages the assignment has captions in, English first, without reading any captions text."""
    languages = db.session.scalars(
        db.select(CaptionTrack.language).where(CaptionTrack.assignment_id == assignment_id)
    ).all()
    order = list(CAPTION_LANGUAGES)
    return sorted(languages, key=lambda code: order.index(code) if code in order else len(order))


def update_assignment(assignment: Assignment, **changes: Any) -> None:
    """Change an assignment's title, dates, video, captions or options (its prompts stay as they are)."""
    allowed = {
        "title",
        "opens_at",
        "closes_at",
        "video_url",
        "require_approval",
        "show_classmates",
        "anonymise",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} on an assignment")
    for name, value in changes.items():
        setattr(assignment, name, value)
    db.session.commit()


def reflections_in_assignment(assignment: Assignment) -> int:
    """How many reflections students have written (drafts included) for this assignment."""
    return (
        db.session.scalar(
            db.select(db.func.count(Reflection.id))
            .join(Prompt, Reflection.prompt_id == Prompt.id)
            .where(Prompt.assignment_id == assignment.id)
        )
        or 0
    )


def delete_assignment(assignment: Assignment) -> None:
    """Delete the assignment with its prompts, students' reflections, their history, marks and stance answers."""
    assignment_id, class_id = assignment.id, assignment.class_id
    reflections = reflections_in_assignment(assignment)
    # One statement: the foreign keys' ON DELETE CASCADE removes everything under it (SQLite enforces
    # them too: classroom/extensions.py turns them on for every connection).
    db.session.execute(db.delete(Assignment).where(Assignment.id == assignment.id))
    db.session.commit()
    log.info(
        "assignment deleted",
        extra={
            "event": "assignment.deleted",
            "assignment_id": assignment_id,
            "class_id": class_id,
            "reflections": reflections,
        },
    )

"""Opening classes and assigning lesson plans to them, without HTTP."""

from datetime import datetime

from ..extensions import db
from ..joincodes import new_join_code
from ..models import Assignment, LessonPlan, Prompt, SchoolClass, Teacher


def unused_join_code() -> str:
    """A join code no class has yet."""
    while True:
        code = new_join_code()
        if db.session.execute(db.select(SchoolClass.id).where(SchoolClass.join_code == code)).first() is None:
            return code


def create_class(teacher: Teacher, name: str, term: str = "") -> SchoolClass:
    """Open a class for the teacher with a fresh join code."""
    school_class = SchoolClass(teacher_id=teacher.id, name=name.strip(), term=(term or "").strip(), join_code=unused_join_code())
    db.session.add(school_class)
    db.session.commit()
    return school_class


def regenerate_join_code(school_class: SchoolClass) -> str:
    """Give the class a new code; the old link stops working at once."""
    school_class.join_code = unused_join_code()
    db.session.commit()
    return school_class.join_code


def assign_plan(
    school_class: SchoolClass,
    plan: LessonPlan,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    video_url: str = "",
    captions_vtt: str = "",
    require_approval: bool = True,
    show_classmates: bool = True,
    anonymise: bool = True,
    title: str | None = None,
) -> Assignment:
    """Give a plan to a class; the assignment copies the prompts so later plan edits leave it alone."""
    assignment = Assignment(
        class_id=school_class.id,
        plan_id=plan.id,
        film_id=plan.film_id,
        title=title or plan.title,
        objectives=plan.objectives,
        opens_at=opens_at,
        closes_at=closes_at,
        video_url=video_url,
        captions_vtt=captions_vtt,
        require_approval=require_approval,
        show_classmates=show_classmates,
        anonymise=anonymise,
        stance_question=plan.stance_question,
        stance_options=list(plan.stance_options),
        prompts=[
            Prompt(
                text=p.text,
                time_seconds=p.time_seconds,
                theme=p.theme,
                pause=p.pause,
                time_confirmed=p.time_confirmed,
                teacher_note=p.teacher_note,
            )
            for p in plan.prompts
        ],
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment

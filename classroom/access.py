"""Who may see what: the session loader, role guards, and every lookup scoped to its owner.

Each `*_or_404` here answers 404 whether the thing is missing or someone else's, so an
address never tells a teacher or a student that another class's work exists.
"""

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, and_, bindparam
from sqlalchemy.orm import contains_eager, joinedload, selectinload, undefer
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from .extensions import db, login_manager
from .models import (
    Assignment,
    CaptionTrack,
    LessonPlan,
    PlanPrompt,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    Teacher,
)
from .sessions import parse_login_id, token_matches

View = TypeVar("View", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(user_id: str) -> Teacher | Student | None:
    """Login ids are "teacher:<id>:<token>" or "student:<id>:<token>", so the two kinds never mix, and a
    cookie stops working once the person's session token changes (classroom/sessions.py)."""
    parsed = parse_login_id(user_id)
    if parsed is None:
        return None
    kind, person_id, token = parsed
    query = _person_query(Teacher if kind == "teacher" else Student)
    person: Teacher | Student | None = db.session.execute(query, {"person_id": person_id}).scalar_one_or_none()
    return person if token_matches(person, token) else None


# Every signed-in request loads its person: a statement built once with the id as a parameter costs half
# the CPU of Session.get, which builds its query on every call (issue 13).
@cache
def _person_query(model: type[Teacher] | type[Student]) -> Select:
    return db.select(model).where(model.id == bindparam("person_id"))


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


def is_teacher() -> bool:
    return bool(current_user.is_authenticated and current_user.is_teacher)


def is_student() -> bool:
    return bool(current_user.is_authenticated and current_user.is_student)


def to_teacher_login() -> Response:
    """Send the visitor to the teachers' login, coming back here afterwards."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def teachers_only(blueprint: Blueprint) -> None:
    """Guard every route of a blueprint that shows minors' work: teachers only, others to the login."""

    @blueprint.before_request
    def require_teacher() -> Response | None:
        return None if is_teacher() else to_teacher_login()


def current_teacher() -> Teacher:
    return cast(Teacher, current_user._get_current_object())


def current_student() -> Student:
    return cast(Student, current_user._get_current_object())


def student_required(view: View) -> View:
    """Only a signed-in student: a visitor is sent to the resume page, a teacher back to their own pages."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if is_student():
            return view(*args, **kwargs)
        if is_teacher():
            # Never a student's data for a teacher: their own pages are elsewhere.
            flash("That page is for students. You are logged in as a teacher.", "info")
            return redirect(url_for("main.home"))
        return redirect(url_for("join.resume", next=request.full_path.rstrip("?")))

    return cast(View, wrapper)


# --- A teacher's own things. ---


def owned_plan_or_404(plan_id: int, *load: ORMOption) -> LessonPlan:
    """The current teacher's lesson plan, with what the caller's page shows loaded by `load` (its film, say:
    many-to-one relationships raise rather than load one by one)."""
    return db.one_or_404(
        db.select(LessonPlan).where(LessonPlan.id == plan_id, LessonPlan.teacher_id == current_user.id).options(*load)
    )


def owned_plan_prompt_or_404(plan_id: int, prompt_id: int) -> PlanPrompt:
    """A prompt of one of the current teacher's plans, with its plan."""
    return db.one_or_404(
        db.select(PlanPrompt)
        .join(LessonPlan, PlanPrompt.plan_id == LessonPlan.id)
        .where(PlanPrompt.id == prompt_id, LessonPlan.id == plan_id, LessonPlan.teacher_id == current_user.id)
        .options(contains_eager(PlanPrompt.plan))
    )


def owned_class_or_404(class_id: int) -> SchoolClass:
    """The current teacher's class."""
    return db.one_or_404(
        db.select(SchoolClass).where(SchoolClass.id == class_id, SchoolClass.teacher_id == current_user.id)
    )


def owned_assignment_or_404(assignment_id: int, *load: ORMOption) -> Assignment:
    """An assignment in one of the current teacher's classes, with its class, the plan it came from (the
    assignment's pages name it and compare prompts with it), prompts (two queries) and whatever else the
    caller's page shows, loaded by `load`."""
    return db.one_or_404(
        db.select(Assignment)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(Assignment.id == assignment_id, SchoolClass.teacher_id == current_user.id)
        .options(
            contains_eager(Assignment.school_class),
            joinedload(Assignment.plan),
            selectinload(Assignment.prompts),
            *load,
        )
    )


def assignment_prompt_or_404(assignment: Assignment, prompt_id: int) -> Prompt:
    """A prompt of that (already owned) assignment."""
    return db.one_or_404(db.select(Prompt).where(Prompt.id == prompt_id, Prompt.assignment_id == assignment.id))


def class_assignment_or_404(school_class: SchoolClass, assignment_id: int) -> Assignment:
    """An assignment of that (already owned) class."""
    return db.one_or_404(
        db.select(Assignment).where(Assignment.id == assignment_id, Assignment.class_id == school_class.id)
    )


def class_student_or_404(school_class: SchoolClass, student_id: int) -> Student:
    """A student of that (already owned) class."""
    return db.one_or_404(db.select(Student).where(Student.id == student_id, Student.class_id == school_class.id))


def owned_reflection_or_404(reflection_id: int) -> Reflection:
    """A reflection in one of the current teacher's classes, with its prompt, assignment, class and student."""
    return db.one_or_404(
        db.select(Reflection)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(Reflection.id == reflection_id, SchoolClass.teacher_id == current_user.id)
        .options(
            contains_eager(Reflection.prompt).contains_eager(Prompt.assignment).contains_eager(Assignment.school_class),
            joinedload(Reflection.student),
        )
    )


# --- A student's own class. ---


# Built once with the ids as parameters: the student's page runs it on every view.
@cache
def _student_assignment_query() -> Select:
    return (
        db.select(Assignment)
        .where(Assignment.id == bindparam("assignment_id"), Assignment.class_id == bindparam("class_id"))
        .options(joinedload(Assignment.school_class), joinedload(Assignment.film))
    )


def student_assignment_or_404(assignment_id: int) -> Assignment:
    """An assignment of the current student's own class, with the class and the film (its page names the
    class, and the film's length bounds the times a student cites)."""
    ids = {"assignment_id": assignment_id, "class_id": current_user.class_id}
    work = db.session.execute(_student_assignment_query(), ids).scalar_one_or_none()
    if work is None:
        abort(404)
    return work


@cache
def _student_assignment_with_answers_query() -> Select:
    return (
        _student_assignment_query()
        .add_columns(StanceAnswer)
        .outerjoin(
            StanceAnswer,
            and_(StanceAnswer.assignment_id == Assignment.id, StanceAnswer.student_id == bindparam("student_id")),
        )
    )


def student_assignment_and_answers_or_404(assignment_id: int) -> tuple[Assignment, dict[str, StanceAnswer]]:
    """As student_assignment_or_404, with the student's answers to its question by phase, in the same query
    (the assignment page needs both on every view)."""
    ids = {"assignment_id": assignment_id, "class_id": current_user.class_id, "student_id": current_user.id}
    rows = db.session.execute(_student_assignment_with_answers_query(), ids).all()
    if not rows:
        abort(404)
    return rows[0][0], {answer.phase: answer for _, answer in rows if answer is not None}


def student_prompt_or_404(assignment: Assignment, prompt_id: int) -> Prompt:
    """A prompt of that (already scoped) assignment."""
    return db.one_or_404(db.select(Prompt).where(Prompt.id == prompt_id, Prompt.assignment_id == assignment.id))


def find_student_prompt(assignment_id: int, prompt_id: int) -> Prompt | None:
    """A prompt of an assignment in the current student's class, with its assignment and the assignment's class
    and film (what the assignment page shows); None when there is none."""
    return db.session.scalars(
        db.select(Prompt)
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .where(Prompt.id == prompt_id, Assignment.id == assignment_id, Assignment.class_id == current_user.class_id)
        .options(
            contains_eager(Prompt.assignment).options(joinedload(Assignment.school_class), joinedload(Assignment.film))
        )
    ).one_or_none()


# --- Shared by both sides. ---


def caption_track_or_404(assignment_id: int, language: str | None = None) -> CaptionTrack:
    """An assignment's captions in one language (English, else the first, when none is named), with its
    text, for its class's teacher or one of its students."""
    query = (
        db.select(CaptionTrack)
        .join(Assignment, CaptionTrack.assignment_id == Assignment.id)
        .where(Assignment.id == assignment_id)
        .options(undefer(CaptionTrack.vtt))
    )
    if language is not None:
        query = query.where(CaptionTrack.language == language)
    else:
        query = query.order_by((CaptionTrack.language != "en"), CaptionTrack.language).limit(1)
    if is_teacher():
        query = query.join(SchoolClass, Assignment.class_id == SchoolClass.id).where(
            SchoolClass.teacher_id == current_user.id
        )
    elif is_student():
        query = query.where(Assignment.class_id == current_user.class_id)
    else:
        abort(404)
    return db.one_or_404(query)

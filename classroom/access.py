"""Who may see what: the session loader, role guards and lookups scoped to their owner."""

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from .extensions import db, login_manager
from .models import Assignment, LessonPlan, Prompt, SchoolClass, Student, Teacher


@login_manager.user_loader
def load_user(user_id: str):
    """Session ids are "teacher:<id>" or "student:<id>", so the two kinds never mix."""
    kind, _, raw_id = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    model = {"teacher": Teacher, "student": Student}.get(kind)
    return db.session.get(model, int(raw_id)) if model else None


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


def is_teacher() -> bool:
    return current_user.is_authenticated and current_user.is_teacher


def is_student() -> bool:
    return current_user.is_authenticated and current_user.is_student


def _to_teacher_login():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def teacher_required(view):
    """Only a logged-in teacher; anyone else is sent to the teachers' login."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_teacher():
            return _to_teacher_login()
        return view(*args, **kwargs)

    return wrapper


def teachers_only(blueprint) -> None:
    """Guard every route of a blueprint that shows minors' work: teachers only, others to the login."""

    @blueprint.before_request
    def require_teacher():
        return None if is_teacher() else _to_teacher_login()


def current_teacher() -> Teacher:
    return current_user._get_current_object()


def owned_plan_or_404(plan_id: int) -> LessonPlan:
    """The current teacher's lesson plan, or 404 whether it is missing or someone else's."""
    plan = db.session.get(LessonPlan, plan_id)
    if plan is None or plan.teacher_id != current_user.id:
        abort(404)
    return plan


def owned_class_or_404(class_id: int) -> SchoolClass:
    """The current teacher's class, or 404."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or school_class.teacher_id != current_user.id:
        abort(404)
    return school_class


def owned_assignment_or_404(assignment_id: int) -> Assignment:
    """An assignment in one of the current teacher's classes, or 404."""
    return db.one_or_404(
        db.select(Assignment)
        .join(SchoolClass)
        .where(Assignment.id == assignment_id, SchoolClass.teacher_id == current_user.id)
    )


def owned_student_or_404(student_id: int) -> Student:
    """A student in one of the current teacher's classes, or 404."""
    return db.one_or_404(
        db.select(Student).join(SchoolClass).where(Student.id == student_id, SchoolClass.teacher_id == current_user.id)
    )


# --- Students: their own session kind, and lookups scoped to their one class. ---


def student_required(view):
    """Only a signed-in student: a visitor is sent to /resume, a teacher back to their own pages."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if is_student():
            return view(*args, **kwargs)
        if is_teacher():
            # Never a student's data for a teacher: their own pages are elsewhere.
            flash("That page is for students. You are logged in as a teacher.", "info")
            return redirect(url_for("main.home"))
        return redirect(url_for("student.resume", next=request.full_path.rstrip("?")))

    return wrapper


def current_student() -> Student:
    return current_user._get_current_object()


def student_assignment_or_404(assignment_id: int) -> Assignment:
    """An assignment of the current student's own class, or 404."""
    return db.one_or_404(
        db.select(Assignment).where(Assignment.id == assignment_id, Assignment.class_id == current_user.class_id)
    )


def student_prompt_or_404(assignment: Assignment, prompt_id: int) -> Prompt:
    """A prompt of that (already scoped) assignment, or 404."""
    return db.one_or_404(db.select(Prompt).where(Prompt.id == prompt_id, Prompt.assignment_id == assignment.id))


def class_student_or_404(school_class: SchoolClass, student_id: int) -> Student:
    """A student of that (already owned) class, or 404."""
    return db.one_or_404(db.select(Student).where(Student.id == student_id, Student.class_id == school_class.id))

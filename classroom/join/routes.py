"""Joining a class by code or link, the welcome page with the return code, and coming back with it."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import throttles
from ..access import current_student, is_student, is_teacher, student_required
from ..extensions import csrf, db, limiter
from ..joincodes import class_number_of, normalise_join_code, normalise_return_code
from ..models import SchoolClass
from ..sessions import sign_in_student
from ..student.page import restore_kept_text
from ..web import form_page, safe_next
from .forms import DisplayNameForm, JoinCodeForm, ResumeForm
from .logic import (
    assignment_for_link,
    find_student_by_return_code,
    join_class,
    name_refusal,
    open_class_for_code,
    same_name_in_class,
)

log = logging.getLogger(__name__)

bp = Blueprint("join", __name__, url_prefix="/join")

# Set right after joining, so the return code is shown until the student says they wrote it down.
WELCOME_KEY = "show_return_code_for"
# The assignment a student link was opening, where the welcome page goes on to.
WELCOME_NEXT_KEY = "after_welcome_assignment"
BAD_RETURN_CODE = (
    "That return code does not match anyone. Check the class number and the four words and try again, "
    "or ask your teacher."
)
NO_CLASS_NUMBER = (
    "Return codes start with your class's number and have four words, e.g. 12-otter-quill-lunar-tulip. "
    "If you have an older three-word code, ask your teacher for your new one."
)
# Only failures count, so a whole class joining or resuming from one school network is never blocked. Wrong
# return codes count against the class they name, so a class guessed at is slowed without blocking the
# school's other classes, and the address limit is only for one machine trying codes of many classes; any one
# code is slowed when tried over and over, right or wrong. With at least 10^12 codes in every class (see
# joincodes.RETURN_CODE_SPACE) these limits make a guess hopeless rather than merely slow.
RESUME_FAILURES_PER_ADDRESS = "200/15 minutes"
RESUME_FAILURES_PER_CLASS = "100/15 minutes"
RESUME_TRIES_PER_CODE = "20/15 minutes"
JOIN_FAILURES = "60/15 minutes"
JOINS = "300/hour"


def _failed(response: Response) -> bool:
    return response.status_code in (400, 404)


@bp.route("", methods=["GET", "POST"])
@limiter.limit(JOIN_FAILURES, methods=["POST"], deduct_when=_failed)
def index() -> ResponseReturnValue:
    form = JoinCodeForm()
    if form.validate_on_submit():
        code = normalise_join_code(form.code.data)
        if code:
            return redirect(url_for("join.code", code=code))
        form.code.errors.append("Please type the letters and numbers of the code.")
    return form_page("join/join.html", form=form)


@bp.route("/resume", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so a stale page still gets its kept text back
@limiter.limit(RESUME_FAILURES_PER_ADDRESS, methods=["POST"], deduct_when=_failed, key_func=throttles.by_address)
@limiter.limit(
    RESUME_FAILURES_PER_CLASS,
    methods=["POST"],
    deduct_when=_failed,
    key_func=throttles.by_return_code_class,
    exempt_when=throttles.names_no_class,
)
@limiter.limit(RESUME_TRIES_PER_CODE, methods=["POST"], key_func=throttles.by_return_code)
def resume() -> ResponseReturnValue:
    if is_teacher():
        return render_template("join/teacher_here.html", doing="sign in as a student"), 200
    next_url = safe_next(request.args.get("next"))
    form = ResumeForm()
    if form.validate_on_submit():
        student = find_student_by_return_code(form.return_code.data)
        if student is None:
            has_class = class_number_of(normalise_return_code(form.return_code.data)) is not None
            form.return_code.errors.append(BAD_RETURN_CODE if has_class else NO_CLASS_NUMBER)
            # Never the code that was typed: it may be someone's real one, mistyped by a letter.
            log.warning("return code refused", extra={"event": "resume.failed"})
        else:
            sign_in_student(student)
            if form.stash_prompt.data:
                restored = restore_kept_text(form)
                if restored is not None:
                    return restored
            flash(f"Welcome back, {student.display_name}.", "success")
            return redirect(next_url or url_for("student.home"))
    return form_page("join/resume.html", form=form, next_url=next_url, signed_out=False)


@bp.route("/welcome", methods=["GET", "POST"])
@student_required
def welcome() -> ResponseReturnValue:
    if request.method == "POST" or session.get(WELCOME_KEY) != current_user.id:
        session.pop(WELCOME_KEY, None)
        assignment_id = session.pop(WELCOME_NEXT_KEY, None)
        if assignment_id is not None:
            return redirect(url_for("student.assignment", assignment_id=assignment_id))
        return redirect(url_for("student.home"))
    student = current_student()
    return render_template(
        "join/welcome.html", student=student, school_class=db.session.get(SchoolClass, student.class_id)
    )


def _check_new_name(school_class: SchoolClass, form: DisplayNameForm) -> str | None:
    """Refuse an unkind name; for a name already in the class, ask "is this you?" before making a second one.

    Returns the name already taken (for the question), with the field's message set; None otherwise.
    """
    name = form.display_name.data
    refusal = name_refusal(school_class, name)
    if refusal:
        form.display_name.errors.append(refusal)
        return None
    if same_name_in_class(school_class, name) is not None:
        form.display_name.errors.append(
            f"There is already a “{name}” in this class. If that is you, use your return code; "
            "if not, add something that tells you apart, such as the first letter of your surname."
        )
        return name
    return None


@bp.route("/<code>", methods=["GET", "POST"])
@limiter.limit(JOIN_FAILURES, deduct_when=_failed)
@limiter.limit(JOINS, methods=["POST"])
def code(code: str) -> ResponseReturnValue:
    school_class = open_class_for_code(code)
    if school_class is None:
        retype = JoinCodeForm(formdata=None, data={"code": code})
        return render_template("join/join_unknown.html", form=retype, code=code), 404
    if is_teacher():
        return render_template("join/teacher_here.html", doing="join a class"), 200
    if is_student() and current_user.class_id == school_class.id:
        flash(f"You are already in {school_class.name} as {current_user.display_name}.", "info")
        return redirect(url_for("student.home"))
    if request.method == "GET" and code != school_class.join_code:
        return redirect(url_for("join.code", code=school_class.join_code))
    form = DisplayNameForm()
    same_name = None
    if form.validate_on_submit():
        same_name = _check_new_name(school_class, form)
        if not form.display_name.errors:
            student = join_class(school_class, form.display_name.data)
            sign_in_student(student)
            session[WELCOME_KEY] = student.id
            return redirect(url_for("join.welcome"))
    elsewhere = current_student() if is_student() else None
    return form_page(
        "join/join_code.html", form=form, school_class=school_class, elsewhere=elsewhere, same_name=same_name
    )


@bp.route("/a/<token>", methods=["GET", "POST"])
@limiter.limit(JOIN_FAILURES, deduct_when=_failed)
@limiter.limit(JOINS, methods=["POST"])
def assignment_link(token: str) -> ResponseReturnValue:
    """An assignment's student link: new students join (name only) and land in the assignment, members go
    straight there, and its teacher to the assignment's teacher page."""
    assignment = assignment_for_link(token)
    if assignment is None:
        return render_template("join/link_unknown.html", assignment=None), 404
    school_class = assignment.school_class
    if is_teacher():
        if current_user.id == school_class.teacher_id:
            return redirect(url_for("classes.assignment", assignment_id=assignment.id))
        return render_template("join/teacher_here.html", doing="open a student link"), 200
    if is_student() and current_user.class_id == school_class.id:
        return redirect(url_for("student.assignment", assignment_id=assignment.id))
    if not school_class.join_enabled:
        # Switched off with the class's joining: nobody new gets in; members can still sign back in.
        return render_template("join/link_unknown.html", assignment=assignment), 404
    if request.method == "GET" and token != assignment.link_token:
        return redirect(url_for("join.assignment_link", token=assignment.link_token))
    form = DisplayNameForm()
    same_name = None
    if form.validate_on_submit():
        same_name = _check_new_name(school_class, form)
        if not form.display_name.errors:
            student = join_class(school_class, form.display_name.data)
            sign_in_student(student)
            session[WELCOME_KEY] = student.id
            session[WELCOME_NEXT_KEY] = assignment.id
            return redirect(url_for("join.welcome"))
    elsewhere = current_student() if is_student() else None
    return form_page(
        "join/join_code.html",
        form=form,
        school_class=school_class,
        elsewhere=elsewhere,
        assignment=assignment,
        same_name=same_name,
    )

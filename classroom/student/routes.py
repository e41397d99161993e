"""The student's own pages: their assignments, the stance question, saving reflections, captions, logging out."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import logout_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from ..access import (
    caption_track_or_404,
    current_student,
    is_student,
    is_teacher,
    student_assignment_and_answers_or_404,
    student_assignment_or_404,
    student_prompt_or_404,
    student_required,
)
from ..classes.media import CAPTION_LANGUAGES
from ..extensions import csrf, db
from ..join.routes import WELCOME_KEY
from ..models import Assignment, Prompt, Reflection, SchoolClass
from ..sessions import rotate_session_token
from ..statuses import ReflectionStatus as S
from ..web import int_or_none
from .forms import ReflectionForm, StanceAnswerForm
from .page import (
    SAVED_NOTE_KEY,
    ReflectionEntry,
    button_labels,
    film_position,
    reflection_form,
    render_assignment,
    signed_out_with_text,
)
from .progress import student_home
from .reflections import (
    BadReflection,
    NewerVersionSaved,
    classmates_page,
    find_reflection,
    lookup_for_save,
    save_reflection,
    sees_classmates,
)
from .stance import PHASES, StanceRefused, record_stance

log = logging.getLogger(__name__)

bp = Blueprint("student", __name__, url_prefix="/student")

SAVED_MESSAGES: dict[str, str] = {
    S.DRAFT: "Draft saved. Only you can see it until you submit it.",
    S.RETURNED: "Your changes are saved. Submit them when you are ready for your teacher to look again.",
    S.AWAITING: "Submitted. Your teacher will read it before classmates can.",
    S.APPROVED: "Submitted. It is posted for the class.",
}


@bp.route("")
@student_required
def home() -> ResponseReturnValue:
    session.pop(WELCOME_KEY, None)
    student = current_student()
    return render_template(
        "student/home.html",
        student=student,
        school_class=db.session.get(SchoolClass, student.class_id),
        progress=student_home(student),
    )


@bp.route("/assignments/<int:assignment_id>")
@student_required
def assignment(assignment_id: int) -> ResponseReturnValue:
    work, answers = student_assignment_and_answers_or_404(assignment_id)
    return render_assignment(work, answers=answers)


@bp.route("/assignments/<int:assignment_id>/prompts/<int:prompt_id>/classmates")
@student_required
def classmates(assignment_id: int, prompt_id: int) -> ResponseReturnValue:
    """Every approved classmate's reflection on one prompt, a page at a time (the assignment page shows the
    newest few), under the same rules: shown once the reader has handed in their own, never when the
    teacher has switched classmates' reflections off."""
    work = student_assignment_or_404(assignment_id)
    if not work.show_classmates:
        abort(404)
    prompt = student_prompt_or_404(work, prompt_id)
    student = current_student()
    unlocked = sees_classmates(work, find_reflection(student, prompt))
    listed = (
        classmates_page(student, work, prompt, page=int_or_none(request.args.get("page")) or 1) if unlocked else None
    )
    return render_template("student/classmates.html", assignment=work, prompt=prompt, listed=listed)


@bp.route("/assignments/<int:assignment_id>/stance/<phase>", methods=["GET", "POST"])
@student_required
def stance(assignment_id: int, phase: str) -> ResponseReturnValue:
    if phase not in PHASES:
        abort(404)
    work = student_assignment_or_404(assignment_id)
    if request.method == "GET":
        # The address bar after a refused answer: back to the page, not a "method not allowed".
        return redirect(url_for("student.assignment", assignment_id=work.id))
    form = StanceAnswerForm(work.stance_question, work.stance_options, prefix=phase)
    if form.validate_on_submit():
        try:
            record_stance(current_student(), work, phase, form.option.data)
        except StanceRefused as refused:
            form.option.errors.append(str(refused))
        else:
            flash(
                "Thank you: your answer is saved." + (" The prompts are open now." if phase == "pre" else ""), "success"
            )
            anchor = "prompts" if phase == "pre" else "after-viewing"
            return redirect(url_for("student.assignment", assignment_id=work.id, _anchor=anchor))
    return render_assignment(work, stance_forms={phase: form}, status=400)


STALE_PAGE = (
    "This page had been open a long time, so for your safety nothing was saved yet. "
    "Your text is still in the box: press the button again to save it."
)
SIGNED_OUT = (
    "You were signed out, so nothing was saved. Your text is kept in this browser: "
    "sign in again with your return code and it is offered back in the box."
)


def wants_json() -> bool:
    """The page's script saves in the background and asks for JSON; a plain form post gets HTML."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def page_token_ok() -> bool:
    """The page's one CSRF token, checked here so a failed check keeps the student's text on the page."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


@bp.route("/assignments/<int:assignment_id>/prompts/<int:prompt_id>", methods=["GET", "POST"])
@csrf.exempt  # checked by page_token_ok, so a failed check re-shows the text instead of losing it
def save(assignment_id: int, prompt_id: int) -> ResponseReturnValue:
    if request.method == "GET":
        # The address bar after a refused save: back to the prompt on the assignment page.
        return redirect(url_for("student.assignment", assignment_id=assignment_id, _anchor=f"prompt-{prompt_id}"))
    if not is_student():
        if is_teacher():
            abort(404)
        if wants_json():
            login = url_for("join.resume", next=url_for("student.assignment", assignment_id=assignment_id))
            return jsonify(saved=False, signed_out=True, message=SIGNED_OUT, login_url=login), 401
        return signed_out_with_text(assignment_id, prompt_id)
    lookup = lookup_for_save(current_student(), assignment_id, prompt_id)
    if lookup is None:
        abort(404)
    prompt = lookup.prompt
    work = prompt.assignment
    form = reflection_form(prompt, lookup.film_seconds)
    if not page_token_ok():
        form.validate()
        return refused(work, prompt, form, STALE_PAGE, status=400)
    if not form.validate():
        return refused(work, prompt, form, None, status=400)
    try:
        with kept_after_commit():
            reflection = save_reflection(
                current_student(),
                prompt,
                form.body.data,
                cited_seconds=form.cited_seconds,
                submit=form.wants_submit(),
                expected_version=form.expected_version(),
                opened_for=form.owner.data or "",
                lookup=lookup,
            )
    except NewerVersionSaved as newer:
        # Point the form at the newer version, so the student's merged text saves next time.
        return refused(work, prompt, form, str(newer), status=409, newer=newer.current)
    except BadReflection as refused_save:
        if refused_save.field == "body":
            form.body.errors = [str(refused_save)]
            return refused(work, prompt, form, None, status=400)
        return refused(work, prompt, form, str(refused_save), status=400)
    message = saved_message(reflection)
    if wants_json():
        draft_label, send_label = button_labels(reflection.status, work.require_approval)
        return jsonify(
            saved=True,
            message=message,
            status=str(reflection.status),
            status_label=reflection.status_label,
            version=reflection.version,
            draft_button=draft_label,
            send_button=send_label,
        )
    session[SAVED_NOTE_KEY] = {"assignment": work.id, "prompt": prompt.id, "message": message}
    position = film_position(lookup.film_seconds, request.form.get("t"))
    return redirect(url_for("student.assignment", assignment_id=work.id, t=position, _anchor=f"prompt-{prompt.id}"))


@contextmanager
def kept_after_commit() -> Iterator[None]:
    """The save's rows stay loaded after its commit: the answer reads back only what the save itself has
    just written (status, version) and the assignment's setting, and reloading the reflection and the
    assignment after the commit was two more queries on every save (issue 13)."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def refused(
    work: Assignment,
    prompt: Prompt,
    form: ReflectionForm,
    message: str | None,
    *,
    status: int,
    newer: Reflection | None = None,
) -> ResponseReturnValue:
    """A save that did not happen: the page (or JSON) with the student's text, the message and the field errors."""
    entry = ReflectionEntry.from_form(form)
    if newer is not None:
        entry.version = newer.version
    if wants_json():
        payload = {"saved": False, "message": message or "", "errors": entry.errors}
        if newer is not None:
            payload["newer"] = {"body": newer.body, "version": newer.version}
        if message == STALE_PAGE:
            payload["csrf_token"] = generate_csrf()
        return jsonify(payload), status
    messages = {prompt.id: message} if message else {}
    conflicts = {prompt.id: newer} if newer is not None else {}
    # The save read only what a save needs; the page also names the class and shows the film.
    work = student_assignment_or_404(work.id)
    return render_assignment(work, entries={prompt.id: entry}, messages=messages, conflicts=conflicts, status=status)


def saved_message(reflection: Reflection) -> str:
    return SAVED_MESSAGES.get(reflection.status, "Saved.")


@bp.route("/assignments/<int:assignment_id>/captions.vtt")
def captions(assignment_id: int) -> ResponseReturnValue:
    """The English captions (else the first language), for the class's students and its teacher; the
    address of the single captions file before tracks had languages."""
    # Sent with no-store like every signed-in page (classroom/headers.py).
    return Response(caption_track_or_404(assignment_id).vtt, mimetype="text/vtt")


@bp.route("/assignments/<int:assignment_id>/captions/<language>.vtt")
def captions_in(assignment_id: int, language: str) -> ResponseReturnValue:
    """The captions in one language, for the class's students and its teacher (who previews it)."""
    if language not in CAPTION_LANGUAGES:
        abort(404)
    return Response(caption_track_or_404(assignment_id, language).vtt, mimetype="text/vtt")


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if is_student():
        logout_user()
        session.pop(WELCOME_KEY, None)
        flash("You have logged out. To come back, use your return code.", "info")
    return redirect(url_for("main.home"))


@bp.route("/logout-everywhere", methods=["POST"])
def logout_everywhere() -> ResponseReturnValue:
    """Sign out every browser signed in as this student (a school computer someone forgot to log out of)."""
    if is_student():
        rotate_session_token(current_student())
        db.session.commit()
        log.info(
            "student logged out everywhere", extra={"event": "logout.everywhere", "student_id": current_student().id}
        )
        logout_user()
        session.pop(WELCOME_KEY, None)
        flash("You have logged out on every computer and phone. To come back, use your return code.", "info")
    return redirect(url_for("main.home"))

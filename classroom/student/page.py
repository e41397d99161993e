"""The student's assignment page, built with the forms it shows, and the text kept across a sign-in."""

from flask import flash, render_template, request, url_for
from flask_login import current_user

from ..access import current_student, find_student_prompt
from ..extensions import db
from ..filmtime import format_film_time
from ..join.forms import ResumeForm
from ..marks.scheme import score_for
from ..models import Assignment, Mark, Prompt, Reflection, StanceAnswer, utcnow
from ..statuses import HANDED_IN
from .forms import ReflectionForm, StanceAnswerForm
from .reflections import ClassmateReflection, classmates_reflections
from .stance import PHASES, has_stance_question, prompts_unlocked, stance_answers


def reflection_form(
    work: Assignment, prompt: Prompt, reflection: Reflection | None = None, fresh: bool = False
) -> ReflectionForm:
    """The reflection form for a prompt: from the request when posting, else filled from the saved reflection."""
    prefix = f"p{prompt.id}"
    film_seconds = work.film.running_time_seconds
    if not fresh:
        return ReflectionForm(prefix=prefix, film_seconds=film_seconds)
    data = {"owner": str(current_user.id), "version": "0"}
    if reflection is not None:
        data.update(
            body=reflection.body,
            at=format_film_time(reflection.cited_seconds) if reflection.cited_seconds is not None else "",
            version=str(reflection.version),
        )
    return ReflectionForm(formdata=None, data=data, prefix=prefix, film_seconds=film_seconds)


def render_assignment(
    work: Assignment,
    *,
    forms: dict[int, ReflectionForm] | None = None,
    messages: dict[int, str] | None = None,
    conflicts: dict[int, Reflection] | None = None,
    stance_forms: dict[str, StanceAnswerForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The assignment page; forms given here (with the student's text and errors) replace the fresh ones."""
    student = current_student()
    now = utcnow()
    answers: dict[str, StanceAnswer] = stance_answers(student, work)
    prompts = work.prompts
    reflections: dict[int, Reflection] = {}
    marks: dict[int, Mark] = {}
    # The teacher's marks come in the same query, so the page's query count does not grow.
    for r, mark in db.session.execute(
        db.select(Reflection, Mark)
        .outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .where(Reflection.student_id == student.id, Reflection.prompt_id.in_([p.id for p in prompts]))
    ):
        reflections[r.prompt_id] = r
        if mark is not None and r.status in HANDED_IN:
            marks[r.prompt_id] = mark
    forms = dict(forms or {})
    for prompt in prompts:
        if prompt.id not in forms:
            forms[prompt.id] = reflection_form(work, prompt, reflections.get(prompt.id), fresh=True)
    unlocked_classmates = (
        [pid for pid, r in reflections.items() if r.status in HANDED_IN] if work.show_classmates else []
    )
    stance_forms = dict(stance_forms or {})
    for phase in PHASES:
        if phase not in stance_forms:
            stance_forms[phase] = StanceAnswerForm(
                work.stance_question, work.stance_options, prefix=phase, formdata=None
            )
    captions_url = url_for("student.captions", assignment_id=work.id) if work.has_captions else None
    classmates: dict[int, list[ClassmateReflection]] = classmates_reflections(student, work, unlocked_classmates)
    return (
        render_template(
            "student/assignment.html",
            assignment=work,
            film=work.film,
            prompts=prompts,
            reflections=reflections,
            marks=marks,
            score=score_for(work, {pid: r.status for pid, r in reflections.items()}, marks),
            forms=forms,
            messages=messages or {},
            conflicts=conflicts or {},
            classmates=classmates,
            answers=answers,
            stance_forms=stance_forms,
            has_stance=has_stance_question(work),
            unlocked=prompts_unlocked(work, answers),
            not_open_yet=not work.has_opened(now),
            closed=work.has_closed(now),
            captions_url=captions_url,
            student=student,
        ),
        status,
    )


def signed_out_with_text(assignment_id: int, prompt_id: int) -> tuple[str, int]:
    """The student was signed out while writing: ask for their return code with the text kept on the page."""
    prefix = f"p{prompt_id}-"
    form = ResumeForm(
        formdata=None,
        data={
            "stash_assignment": str(assignment_id),
            "stash_prompt": str(prompt_id),
            "stash_owner": request.form.get(prefix + "owner", ""),
            "stash_version": request.form.get(prefix + "version", "0"),
            "stash_at": request.form.get(prefix + "at", ""),
            "stash_body": request.form.get(prefix + "body", ""),
        },
    )
    next_url = url_for("student.assignment", assignment_id=assignment_id)
    return render_template("join/resume.html", form=form, next_url=next_url, signed_out=True), 400


def restore_kept_text(form: ResumeForm) -> tuple[str, int] | None:
    """After signing back in, the assignment page with the kept text back in its box (or None to go on)."""
    student = current_student()
    owner, assignment_id, prompt_id = form.stash_owner.data, form.stash_assignment.data, form.stash_prompt.data
    if owner and owner != str(student.id):
        flash("The text on that page was written by another student, so it was not carried over.", "info")
        return None
    if not (assignment_id or "").isdigit() or not (prompt_id or "").isdigit():
        return None
    prompt = find_student_prompt(int(assignment_id), int(prompt_id))
    if prompt is None:
        return None
    work = prompt.assignment
    version = form.stash_version.data if (form.stash_version.data or "").isdigit() else "0"
    restored = ReflectionForm(
        formdata=None,
        prefix=f"p{prompt.id}",
        film_seconds=work.film.running_time_seconds,
        data={"body": form.stash_body.data, "at": form.stash_at.data, "version": version, "owner": str(student.id)},
    )
    message = f"Welcome back, {student.display_name}. Your text is back in the box: check it, then save or submit it."
    return render_assignment(work, forms={prompt.id: restored}, messages={prompt.id: message})

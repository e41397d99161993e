"""Students: join with a name, come back with a code, watch along and write reflections; the teacher's roster."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from ..access import (
    class_student_or_404,
    current_student,
    is_student,
    is_teacher,
    owned_class_or_404,
    student_assignment_or_404,
    student_prompt_or_404,
    student_required,
    teacher_required,
)
from ..auth.routes import safe_next
from ..extensions import csrf, db, limiter
from ..filmtime import format_film_time
from ..joincodes import normalise_join_code
from ..models import Assignment, Prompt, Reflection, Student, utcnow
from ..models import ReflectionStatus as S
from ..pages import form_page
from .forms import DisplayNameForm, JoinCodeForm, ReflectionForm, RenameForm, ResumeForm, StanceForm
from .joining import (
    find_student_by_return_code,
    join_class,
    open_class_for_code,
    removal_summary,
    remove_student,
    rename_student,
    reset_return_code,
)
from .progress import class_roster, student_home
from .reflections import SUBMITTED, BadReflection, StaleReflection, classmates_reflections, save_reflection
from .stance import PHASES, StanceRefused, has_stance_question, prompts_unlocked, record_stance, stance_answers

bp = Blueprint("student", __name__)

# Set right after joining, so the return code is shown until the student says they wrote it down.
WELCOME_KEY = "show_return_code_for"
BAD_RETURN_CODE = "That return code does not match anyone. Check the three words and try again, or ask your teacher."
# Only failures count, so a whole class joining or resuming from one school network is never blocked.
RESUME_FAILURES = "20/15 minutes"
JOIN_FAILURES = "60/15 minutes"
JOINS = "300/hour"


def _failed(response) -> bool:
    return response.status_code in (400, 404)


# --- Joining and coming back --------------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(JOIN_FAILURES, methods=["POST"], deduct_when=_failed)
def join():
    form = JoinCodeForm()
    if form.validate_on_submit():
        code = normalise_join_code(form.code.data)
        if code:
            return redirect(url_for("student.join_code", code=code))
        form.code.errors.append("Please type the letters and numbers of the code.")
    return form_page("student/join.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(JOIN_FAILURES, deduct_when=_failed)
@limiter.limit(JOINS, methods=["POST"])
def join_code(code):
    school_class = open_class_for_code(code)
    if school_class is None:
        retype = JoinCodeForm(formdata=None, data={"code": code})
        return render_template("student/join_unknown.html", form=retype, code=code), 404
    if is_teacher():
        return render_template("student/teacher_here.html", doing="join a class"), 200
    if is_student() and current_user.class_id == school_class.id:
        flash(f"You are already in {school_class.name} as {current_user.display_name}.", "info")
        return redirect(url_for("student.home"))
    if request.method == "GET" and code != school_class.join_code:
        return redirect(url_for("student.join_code", code=school_class.join_code))
    form = DisplayNameForm()
    if form.validate_on_submit():
        student = join_class(school_class, form.display_name.data)
        if current_user.is_authenticated:
            logout_user()
        # remember=True: on the student's own device they stay signed in after closing the browser.
        login_user(student, remember=True)
        session[WELCOME_KEY] = student.id
        return redirect(url_for("student.welcome"))
    elsewhere = current_student() if is_student() else None
    return form_page("student/join_code.html", form=form, school_class=school_class, elsewhere=elsewhere)


@bp.route("/me/welcome", methods=["GET", "POST"])
@student_required
def welcome():
    if request.method == "POST" or session.get(WELCOME_KEY) != current_user.id:
        session.pop(WELCOME_KEY, None)
        return redirect(url_for("student.home"))
    return render_template("student/welcome.html", student=current_student())


@bp.route("/resume", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so a stale page still gets its kept text back
@limiter.limit(RESUME_FAILURES, methods=["POST"], deduct_when=_failed)
def resume():
    if is_teacher():
        return render_template("student/teacher_here.html", doing="sign in as a student"), 200
    next_url = safe_next(request.args.get("next"))
    form = ResumeForm()
    if form.validate_on_submit():
        student = find_student_by_return_code(form.return_code.data)
        if student is None:
            form.return_code.errors.append(BAD_RETURN_CODE)
        else:
            if current_user.is_authenticated:
                logout_user()
            login_user(student, remember=True)
            if form.stash_prompt.data:
                restored = _restore_stash(form)
                if restored is not None:
                    return restored
            flash(f"Welcome back, {student.display_name}.", "success")
            return redirect(next_url or url_for("student.home"))
    return form_page("student/resume.html", form=form, next_url=next_url, signed_out=False)


@bp.route("/me/logout", methods=["POST"])
def logout():
    if is_student():
        logout_user()
        session.pop(WELCOME_KEY, None)
        flash("You have logged out. To come back, use your return code.", "info")
    return redirect(url_for("main.home"))


# --- The student's own pages --------------------------------------------------------------------


@bp.route("/me")
@student_required
def home():
    session.pop(WELCOME_KEY, None)
    student = current_student()
    return render_template(
        "student/home.html", student=student, school_class=student.school_class, progress=student_home(student)
    )


@bp.route("/me/assignments/<int:assignment_id>")
@student_required
def assignment(assignment_id):
    return render_assignment(student_assignment_or_404(assignment_id))


@bp.route("/me/assignments/<int:assignment_id>/stance/<phase>", methods=["GET", "POST"])
@student_required
def stance(assignment_id, phase):
    if phase not in PHASES:
        abort(404)
    work = student_assignment_or_404(assignment_id)
    if request.method == "GET":
        # The address bar after a refused answer: back to the page, not a "method not allowed".
        return redirect(url_for("student.assignment", assignment_id=work.id))
    form = StanceForm(work.stance_question, work.stance_options, prefix=phase)
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


@bp.route("/me/assignments/<int:assignment_id>/prompts/<int:prompt_id>", methods=["GET", "POST"])
@csrf.exempt  # the ReflectionForm checks its own token, so a failed check re-shows the text instead of losing it
def save(assignment_id, prompt_id):
    if request.method == "GET":
        # The address bar after a refused save: back to the prompt on the assignment page.
        return redirect(url_for("student.assignment", assignment_id=assignment_id, _anchor=f"prompt-{prompt_id}"))
    if not is_student():
        if is_teacher():
            abort(404)
        return _signed_out_with_text(assignment_id, prompt_id)
    work = student_assignment_or_404(assignment_id)
    prompt = student_prompt_or_404(work, prompt_id)
    student = current_student()
    form = reflection_form(work, prompt)
    messages = {}
    if form.validate():
        if form.owner.data and form.owner.data != str(student.id):
            messages[prompt.id] = (
                "This page was opened by another student on this device, so nothing was saved. Your text is "
                "still in the box. If it is yours, log out and come back with your own return code."
            )
            return render_assignment(work, forms={prompt.id: form}, messages=messages, status=400)
        try:
            reflection = save_reflection(
                student,
                prompt,
                form.body.data,
                cited_seconds=form.cited_seconds,
                submit=form.wants_submit(),
                expected_version=form.expected_version(),
            )
        except StaleReflection as stale:
            # Point the form at the newer version, so the student's merged text saves next time.
            form.version.data = str(stale.current.version)
            messages[prompt.id] = str(stale)
            return render_assignment(
                work, forms={prompt.id: form}, messages=messages, conflicts={prompt.id: stale.current}, status=409
            )
        except BadReflection as refused:
            if refused.field == "body":
                form.body.errors = [str(refused)]
            else:
                messages[prompt.id] = str(refused)
            return render_assignment(work, forms={prompt.id: form}, messages=messages, status=400)
        flash(_saved_message(reflection), "success")
        return redirect(url_for("student.assignment", assignment_id=work.id, _anchor=f"prompt-{prompt.id}"))
    csrf_field = getattr(form, "csrf_token", None)
    if csrf_field is not None and csrf_field.errors:
        messages[prompt.id] = (
            "This page had been open a long time, so for your safety nothing was saved yet. "
            "Your text is still in the box: press the button again to save it."
        )
    return render_assignment(work, forms={prompt.id: form}, messages=messages, status=400)


def _saved_message(reflection: Reflection) -> str:
    return {
        S.DRAFT: "Draft saved. Only you can see it until you submit it.",
        S.RETURNED: "Your changes are saved. Submit them when you are ready for your teacher to look again.",
        S.AWAITING: "Submitted. Your teacher will read it before classmates can.",
        S.APPROVED: "Submitted. It is posted for the class.",
    }.get(reflection.status, "Saved.")


def _signed_out_with_text(assignment_id: int, prompt_id: int):
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
    return render_template("student/resume.html", form=form, next_url=next_url, signed_out=True), 400


def _restore_stash(form: ResumeForm):
    """After signing back in, the assignment page with the kept text back in its box (or None to go on)."""
    student = current_student()
    owner, assignment_id, prompt_id = form.stash_owner.data, form.stash_assignment.data, form.stash_prompt.data
    if owner and owner != str(student.id):
        flash("The text on that page was written by another student, so it was not carried over.", "info")
        return None
    if not (assignment_id or "").isdigit() or not prompt_id.isdigit():
        return None
    work = db.session.execute(
        select(Assignment).where(Assignment.id == int(assignment_id), Assignment.class_id == student.class_id)
    ).scalar_one_or_none()
    prompt = db.session.get(Prompt, int(prompt_id))
    if work is None or prompt is None or prompt.assignment_id != work.id:
        return None
    version = form.stash_version.data if (form.stash_version.data or "").isdigit() else "0"
    restored = ReflectionForm(
        formdata=None,
        prefix=f"p{prompt.id}",
        film_seconds=work.film.running_time_seconds,
        data={"body": form.stash_body.data, "at": form.stash_at.data, "version": version, "owner": str(student.id)},
    )
    message = f"Welcome back, {student.display_name}. Your text is back in the box: check it, then save or submit it."
    return render_assignment(work, forms={prompt.id: restored}, messages={prompt.id: message})


def reflection_form(work: Assignment, prompt: Prompt, reflection: Reflection | None = None, fresh: bool = False):
    """The reflection form for a prompt: from the request when posting, else filled from the saved reflection."""
    options = {"prefix": f"p{prompt.id}", "film_seconds": work.film.running_time_seconds}
    if not fresh:
        return ReflectionForm(**options)
    data = {"owner": str(current_user.id), "version": "0"}
    if reflection is not None:
        data.update(
            body=reflection.body,
            at=format_film_time(reflection.cited_seconds) if reflection.cited_seconds is not None else "",
            version=str(reflection.version),
        )
    return ReflectionForm(formdata=None, data=data, **options)


def render_assignment(work: Assignment, *, forms=None, messages=None, conflicts=None, stance_forms=None, status=200):
    """The assignment page; forms given here (with the student's text and errors) replace the fresh ones."""
    student = current_student()
    now = utcnow()
    answers = stance_answers(student, work)
    prompts = work.prompts
    reflections = {
        r.prompt_id: r
        for r in db.session.scalars(
            select(Reflection).where(
                Reflection.student_id == student.id, Reflection.prompt_id.in_([p.id for p in prompts])
            )
        )
    }
    forms = dict(forms or {})
    for prompt in prompts:
        if prompt.id not in forms:
            forms[prompt.id] = reflection_form(work, prompt, reflections.get(prompt.id), fresh=True)
    unlocked_classmates = (
        [pid for pid, r in reflections.items() if r.status in SUBMITTED] if work.show_classmates else []
    )
    stance_forms = dict(stance_forms or {})
    for phase in PHASES:
        if phase not in stance_forms:
            stance_forms[phase] = StanceForm(work.stance_question, work.stance_options, prefix=phase, formdata=None)
    captions_url = url_for("classes.captions", assignment_id=work.id) if (work.captions_vtt or "").strip() else None
    return (
        render_template(
            "student/assignment.html",
            assignment=work,
            film=work.film,
            prompts=prompts,
            reflections=reflections,
            forms=forms,
            messages=messages or {},
            conflicts=conflicts or {},
            classmates=classmates_reflections(student, work, unlocked_classmates),
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


# --- The teacher's roster ----------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/students")
@teacher_required
def roster(class_id):
    school_class = owned_class_or_404(class_id)
    rows, total_prompts = class_roster(school_class)
    return render_template(
        "student/roster.html",
        school_class=school_class,
        rows=rows,
        total_prompts=total_prompts,
        class_url=url_for("classes.show", class_id=school_class.id),
        join_url=url_for("student.join_code", code=school_class.join_code, _external=True),
    )


@bp.route("/classes/<int:class_id>/students/<int:student_id>/rename", methods=["GET", "POST"])
@teacher_required
def rename(class_id, student_id):
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    form = RenameForm(data={"display_name": student.display_name} if request.method == "GET" else None)
    if form.validate_on_submit():
        old_name = student.display_name
        rename_student(student, form.display_name.data)
        flash(f"{old_name} is now called {student.display_name}.", "success")
        return redirect(url_for("student.roster", class_id=school_class.id))
    return form_page("student/rename.html", form=form, school_class=school_class, student=student)


@bp.route("/classes/<int:class_id>/students/<int:student_id>/remove", methods=["GET", "POST"])
@teacher_required
def remove(class_id, student_id):
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    if request.method == "POST":
        name = student.display_name
        remove_student(student)
        flash(f"{name} and all of their work have been removed from {school_class.name}.", "success")
        return redirect(url_for("student.roster", class_id=school_class.id))
    return render_template(
        "student/remove.html", school_class=school_class, student=student, summary=removal_summary(student)
    )


@bp.route("/classes/<int:class_id>/students/<int:student_id>/reset-code", methods=["POST"])
@teacher_required
def reset_code(class_id, student_id):
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    code = reset_return_code(student)
    flash(f"{student.display_name}'s new return code is {code}. The old one no longer works.", "success")
    return redirect(url_for("student.roster", class_id=school_class.id, _anchor=f"student-{student.id}"))


@bp.route("/classes/<int:class_id>/students/codes")
@teacher_required
def print_codes(class_id):
    school_class = owned_class_or_404(class_id)
    students = db.session.scalars(
        select(Student)
        .where(Student.class_id == school_class.id)
        .order_by(func.lower(Student.display_name), Student.id)
    ).all()
    return render_template(
        "student/print_codes.html",
        school_class=school_class,
        students=students,
        resume_url=url_for("student.resume", _external=True),
        class_url=url_for("classes.show", class_id=school_class.id),
    )

"""The student's assignment page, built with the forms it shows, and the text kept across a sign-in."""

from dataclasses import dataclass, field

from flask import flash, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..access import current_student, find_student_prompt
from ..classes.logic import caption_languages
from ..classes.media import CAPTION_LANGUAGES
from ..extensions import db
from ..filmtime import format_film_time
from ..join.forms import ResumeForm
from ..marks.scheme import score_for
from ..models import Assignment, Mark, Prompt, Reflection, StanceAnswer, utcnow
from ..statuses import HANDED_IN
from ..web import id_or_none, int_or_none
from .forms import AT_HINT, AT_LABEL, BODY_HINT, BODY_LABEL, ReflectionForm, StanceAnswerForm
from .reflections import CLASSMATES_PREVIEW, ClassmatesOnPrompt, classmates_reflections, sees_classmates
from .stance import (
    PHASES,
    after_poll_open,
    after_poll_opens_at,
    after_poll_wait_message,
    has_stance_question,
    prompts_unlocked,
    stance_answers,
)

# The "saved" message of the last save, shown beside its prompt (a flash at the top of the page ends
# up off-screen after the jump to the prompt).
SAVED_NOTE_KEY = "saved_note"
FORM_TEXT = {"body_label": BODY_LABEL, "body_hint": BODY_HINT, "at_label": AT_LABEL, "at_hint": AT_HINT}


@dataclass
class ReflectionEntry:
    """What one prompt's plain HTML form shows: the text, the cited time, the version, and any errors."""

    body: str = ""
    at: str = ""
    version: int = 0
    owner: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: ReflectionForm) -> "ReflectionEntry":
        """The posted text exactly as typed (never the cleaned copy), with the form's errors."""
        raw = form.body.raw_data[0] if form.body.raw_data else (form.body.data or "")
        return cls(
            body=raw,
            at=form.at.data or "",
            version=form.expected_version(),
            owner=form.owner.data or "",
            errors={name: list(errors) for name, errors in form.errors.items()},
        )

    @classmethod
    def saved(cls, reflection: Reflection | None, owner: str) -> "ReflectionEntry":
        if reflection is None:
            return cls(owner=owner)
        at = format_film_time(reflection.cited_seconds) if reflection.cited_seconds is not None else ""
        return cls(body=reflection.body, at=at, version=reflection.version, owner=owner)


class StanceForms(dict[str, StanceAnswerForm]):
    """The stance question's forms by phase: the posted one given, the others made only when the page shows
    them (a form costs about 0.2 ms, and most views of the page, once the question is answered, show none)."""

    def __init__(self, work: Assignment, given: dict[str, StanceAnswerForm]) -> None:
        super().__init__(given)
        self.work = work

    def __missing__(self, phase: str) -> StanceAnswerForm:
        if phase not in PHASES:
            raise KeyError(phase)
        form = StanceAnswerForm(self.work.stance_question, self.work.stance_options, prefix=phase, formdata=None)
        self[phase] = form
        return form


def reflection_form(work: Assignment, prompt: Prompt) -> ReflectionForm:
    """The posted reflection form for a prompt, ready to validate."""
    return ReflectionForm(request.form, prefix=f"p{prompt.id}", film_seconds=work.film.running_time_seconds)


def button_labels(status: str | None, require_approval: bool) -> tuple[str | None, str]:
    """The prompt form's two buttons for a reflection in this status: (draft button or None, submit button)."""
    draft = {None: "Save draft", "draft": "Save draft", "returned": "Save draft", "awaiting": "Move back to drafts"}
    if status == "returned":
        send = "Submit again"
    elif status == "awaiting":
        send = "Save changes"
    elif status == "approved":
        send = "Save and send for approval again" if require_approval else "Save changes"
    else:
        send = "Submit"
    return draft.get(status), send


def film_position(work: Assignment, raw: str | None) -> int | None:
    """A film position in whole seconds from a `t` value, or None when it is missing or out of the film."""
    text = (raw or "").strip()
    # ASCII digits only: "²" passes str.isdigit() and int() refuses it.
    if not (text.isascii() and text.isdecimal()) or len(text) > 6:
        return None
    seconds = int(text)
    return seconds if seconds <= work.film.running_time_seconds else None


def render_assignment(
    work: Assignment,
    *,
    entries: dict[int, ReflectionEntry] | None = None,
    messages: dict[int, str] | None = None,
    conflicts: dict[int, Reflection] | None = None,
    stance_forms: dict[str, StanceAnswerForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The assignment page; entries given here (with the student's text and errors) replace the saved ones."""
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
    entries = dict(entries or {})
    owner = str(current_user.id)
    for prompt in prompts:
        if prompt.id not in entries:
            entries[prompt.id] = ReflectionEntry.saved(reflections.get(prompt.id), owner)
    start_at = film_position(work, request.args.get("t"))
    saved_notes: dict[int, str] = {}
    note = session.pop(SAVED_NOTE_KEY, None)
    if isinstance(note, dict) and note.get("assignment") == work.id:
        prompt_id = note.get("prompt")
        if isinstance(prompt_id, int):
            saved_notes[prompt_id] = note.get("message", "")
    unlocked_classmates = [pid for pid, r in reflections.items() if sees_classmates(work, r)]
    stance_forms = StanceForms(work, stance_forms or {})
    caption_tracks = [
        {
            "src": url_for("student.captions_in", assignment_id=work.id, language=code),
            "language": code,
            "label": CAPTION_LANGUAGES[code],
        }
        for code in (caption_languages(work.id) if work.has_captions else [])
    ]
    classmates: dict[int, ClassmatesOnPrompt] = classmates_reflections(
        student, work, unlocked_classmates, limit=CLASSMATES_PREVIEW
    )
    return (
        render_template(
            "student/assignment.html",
            assignment=work,
            film=work.film,
            prompts=prompts,
            reflections=reflections,
            marks=marks,
            score=score_for(work, {pid: r.status for pid, r in reflections.items()}, marks),
            entries=entries,
            start_at=start_at,
            # What every prompt form shares: one CSRF token for the whole page, labels, buttons, notes.
            page={
                "csrf": generate_csrf(),
                "start_at": start_at,
                "buttons": button_labels,
                "saved_notes": saved_notes,
                "hints": FORM_TEXT,
            },
            messages=messages or {},
            conflicts=conflicts or {},
            classmates=classmates,
            answers=answers,
            stance_forms=stance_forms,
            has_stance=has_stance_question(work),
            unlocked=prompts_unlocked(work, answers),
            post_open="post" in answers or after_poll_open(student, work, answers, now),
            post_opens_at=after_poll_opens_at(work, answers),
            post_wait=after_poll_wait_message(work),
            not_open_yet=not work.has_opened(now),
            closed=work.has_closed(now),
            caption_tracks=caption_tracks,
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
    assignment_id, prompt_id = id_or_none(assignment_id), id_or_none(prompt_id)
    if assignment_id is None or prompt_id is None:
        return None
    prompt = find_student_prompt(assignment_id, prompt_id)
    if prompt is None:
        return None
    work = prompt.assignment
    version = int_or_none(form.stash_version.data) or 0
    restored = ReflectionEntry(
        body=form.stash_body.data or "", at=form.stash_at.data or "", version=max(version, 0), owner=str(student.id)
    )
    message = f"Welcome back, {student.display_name}. Your text is back in the box: check it, then save or submit it."
    return render_assignment(work, entries={prompt.id: restored}, messages={prompt.id: message})

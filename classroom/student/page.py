"""The student's assignment page, built with the forms it shows, and the text kept across a sign-in."""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import cast

from flask import current_app, flash, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import Select, bindparam, select

from ..access import current_student, find_student_prompt
from ..cache import cached_for_setup
from ..classes.logic import caption_languages
from ..classes.media import CAPTION_LANGUAGES
from ..classes.prompts import answered_before_change
from ..extensions import db
from ..filmtime import format_film_time
from ..join.forms import ResumeForm
from ..marks.scheme import describe_mark
from ..models import Assignment, Mark, Prompt, Reflection, StanceAnswer, utcnow
from ..sanitize import user_html
from ..statuses import HANDED_IN
from ..templating import text_lang
from ..web import address_for_each, id_or_none, int_or_none
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


def reflection_form(prompt: Prompt, film_seconds: int) -> ReflectionForm:
    """The posted reflection form for a prompt, ready to validate (times cited up to the film's length)."""
    return ReflectionForm(request.form, prefix=f"p{prompt.id}", film_seconds=film_seconds)


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


def film_position(film_seconds: int, raw: str | None) -> int | None:
    """A film position in whole seconds from a `t` value, or None when it is missing or past the film's end."""
    text = (raw or "").strip()
    # ASCII digits only: "²" passes str.isdigit() and int() refuses it.
    if not (text.isascii() and text.isdecimal()) or len(text) > 6:
        return None
    seconds = int(text)
    return seconds if seconds <= film_seconds else None


def save_hint(status: str | None, require_approval: bool) -> str:
    """The line under a prompt's form: where a submitted reflection goes."""
    if status == "approved" and require_approval:
        return (
            "Changing an approved reflection sends it back to your teacher; "
            "classmates will not see it until it is approved again."
        )
    if require_approval:
        return "Submitted reflections go to your teacher first. Classmates see only approved ones."
    return "Submitted reflections are posted for the class straight away."


@dataclass(frozen=True)
class PromptFacts:
    """One prompt as every reader of the assignment sees it, in plain values worked out once."""

    id: int
    time_seconds: int
    time_label: str
    pause: bool
    theme: str
    text: str
    lang: str
    changed_at: datetime | None

    @classmethod
    def of(cls, prompt: Prompt) -> "PromptFacts":
        return cls(
            id=prompt.id,
            time_seconds=prompt.time_seconds,
            time_label=format_film_time(prompt.time_seconds),
            pause=bool(prompt.pause),
            theme=prompt.theme,
            text=prompt.text,
            lang=text_lang(prompt.text),
            changed_at=prompt.changed_at,
        )


@dataclass(frozen=True)
class AssignmentFacts:
    """What every student's page of an assignment shares: its prompts in film order, as plain values, and the
    languages of its captions. Kept in the aggregate cache until a prompt, a setting or a caption changes:
    two statements fewer on every view of the page (issue 13)."""

    prompts: list[PromptFacts]
    caption_languages: list[str]

    @property
    def prompt_times(self) -> list[int]:
        return [prompt.time_seconds for prompt in self.prompts]


def assignment_facts(work: Assignment) -> AssignmentFacts:
    """The assignment's shared facts, from the cache while its setup is unchanged."""
    return cached_for_setup(
        work,
        "student-page",
        lambda: AssignmentFacts(
            prompts=[PromptFacts.of(prompt) for prompt in work.prompts],
            caption_languages=caption_languages(work.id) if work.has_captions else [],
        ),
    )


@dataclass
class MarkShown:
    """The teacher's mark as the student sees it: in words, and each rubric criterion's level."""

    words: str
    # (criterion, level's name, level's number from 1, number of levels) under a rubric, else None.
    levels: list[tuple[str, str, int, int]] | None

    @classmethod
    def of(cls, work: Assignment, mark: Mark) -> "MarkShown":
        levels: list[tuple[str, str, int, int]] | None = None
        if work.marking_scheme == "rubric":
            levels = []
            given = mark.levels or []
            for index, criterion in enumerate(work.rubric or []):
                level = given[index] if index < len(given) else 0
                names = criterion["levels"]
                levels.append(
                    (
                        criterion["name"],
                        names[level] if 0 <= level < len(names) else "",
                        level + 1,
                        len(names),
                    )
                )
        return cls(describe_mark(work, mark).split(" (")[0], levels)


@dataclass(frozen=True)
class ReflectionShown:
    """What a prompt's card says about the student's own reflection: its status and the teacher's feedback."""

    status: str
    status_label: str
    feedback: str


@dataclass
class PromptCard:
    """One prompt's card on the student's timeline: everything it shows, worked out once in Python (13 cards
    through nested Jinja macros were about half of the page's time, issue 13)."""

    prompt: PromptFacts
    entry: ReflectionEntry
    reflection: ReflectionShown | None
    can_write: bool
    # The prompt changed after the student answered it.
    changed: bool
    message: str | None
    conflict: Reflection | None
    mark: MarkShown | None
    save_url: str
    draft_label: str | None
    send_label: str
    save_hint: str
    saved_note: str
    # The student's own reflection as shown (read-only, or under "How your saved reflection looks").
    shown_html: Markup | None
    shown_lang: str
    cited_label: str
    sees_classmates: bool
    classmates: ClassmatesOnPrompt | None
    classmates_url: str


@dataclass(frozen=True)
class PageForms:
    """What every prompt form on the page shares: one CSRF token, the film position, the fields' words."""

    csrf: str
    start_at: str
    body_label: str = BODY_LABEL
    body_hint: str = BODY_HINT
    at_label: str = AT_LABEL
    at_hint: str = AT_HINT


def prompt_cards(
    work: Assignment,
    prompts: list[PromptFacts],
    reflections: dict[int, Reflection],
    marks: dict[int, Mark],
    entries: dict[int, ReflectionEntry],
    messages: dict[int, str],
    conflicts: dict[int, Reflection],
    saved_notes: dict[int, str],
    classmates: dict[int, ClassmatesOnPrompt],
    closed: bool,
) -> list[PromptCard]:
    """The cards of the page's prompts, in film order."""
    # Built once a page, each card filling in its prompt's id.
    save_url = address_for_each("student.save", "prompt_id", assignment_id=work.id)
    classmates_url = address_for_each("student.classmates", "prompt_id", assignment_id=work.id)
    cards = []
    for prompt in prompts:
        reflection = reflections.get(prompt.id)
        status = reflection.status if reflection is not None else None
        can_write = not closed and status != "rejected"
        draft_label, send_label = button_labels(status, work.require_approval)
        mark = marks.get(prompt.id)
        shown = reflection is not None and (not can_write or status != "draft")
        cards.append(
            PromptCard(
                prompt=prompt,
                entry=entries[prompt.id],
                reflection=(
                    ReflectionShown(reflection.status, reflection.status_label, reflection.feedback or "")
                    if reflection is not None
                    else None
                ),
                can_write=can_write,
                changed=answered_before_change(prompt, reflection),
                message=messages.get(prompt.id),
                conflict=conflicts.get(prompt.id),
                mark=MarkShown.of(work, mark) if mark is not None else None,
                save_url=f"{save_url(prompt.id)}#prompt-{prompt.id}",
                draft_label=draft_label,
                send_label=send_label,
                save_hint=save_hint(status, work.require_approval),
                saved_note=saved_notes.get(prompt.id, ""),
                shown_html=user_html(reflection.body_html, reflection.html_policy) if shown and reflection else None,
                shown_lang=text_lang(reflection.body_html) if shown and reflection else "",
                cited_label=(
                    format_film_time(reflection.cited_seconds)
                    if reflection is not None and reflection.cited_seconds is not None
                    else ""
                ),
                sees_classmates=sees_classmates(work, reflection),
                classmates=classmates.get(prompt.id),
                classmates_url=classmates_url(prompt.id),
            )
        )
    return cards


# A value no key can stand for (a database row): a card holding one is rendered afresh.
_UNFIT = object()
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), datetime})


def _frozen(value: object) -> Hashable:
    """A card's value as a key of plain values (dataclasses by their fields, lists as tuples), or _UNFIT."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if isinstance(value, str):
        return (kind, value)  # Markup and plain text with the same characters are different cards
    if kind is list or kind is tuple:
        return _frozen_each(cast(list, value))
    if hasattr(kind, "__dataclass_fields__"):
        parts = _frozen_each(vars(value).values())
        return _UNFIT if parts is _UNFIT else (kind, parts)
    if kind is dict:
        return _frozen_each(sorted(cast(dict, value).items()))
    return _UNFIT


def _frozen_each(values: Iterable[object]) -> Hashable:
    """The values' keys as a tuple, or _UNFIT when any of them has none."""
    items = []
    for item in values:
        frozen = _frozen(item)
        if frozen is _UNFIT:
            return _UNFIT
        items.append(frozen)
    return tuple(items)


class RenderedCards:
    """Cards rendered lately, by everything they show: a student reloading the page, or coming back to it
    after saving one prompt, gets the other cards' HTML without running the template again (13 cards were
    most of the page's time, issue 13). The page's CSRF token, new every second, is put in afterwards."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._html: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            html = self._html.get(key)
            if html is not None:
                self._html.move_to_end(key)
            return html

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._html[key] = html
            if len(self._html) > self.size:
                self._html.popitem(last=False)


# A class of 35 has 455 cards on a 13-prompt assignment: room for two or three classes in one lesson.
RENDERED_CARDS = RenderedCards(1024)
# Stands for the CSRF token in a remembered card: random for each process, so no text can contain it.
_TOKEN_MARK = secrets.token_hex(20)


def cards_html(cards: list[PromptCard], forms: PageForms, show_classmates: bool) -> list[Markup]:
    """Each prompt's card as HTML (the `prompt_card` macro), from RENDERED_CARDS when nothing on it changed."""
    # The template is part of the key: where templates reload when edited (debug), an edit shows at once.
    template = current_app.jinja_env.get_template("student/_prompt.html")
    macro = template.module.prompt_card  # type: ignore[attr-defined]  # a macro the template defines
    token = str(escape(forms.csrf))
    marked_forms = replace(forms, csrf=_TOKEN_MARK)
    forms_key = _frozen(replace(forms, csrf=""))
    shown = []
    for card in cards:
        frozen = _frozen(card)
        if frozen is _UNFIT:
            shown.append(Markup(macro(card, forms, show_classmates)))
            continue
        key = (template, frozen, forms_key, show_classmates)
        html = RENDERED_CARDS.get(key)
        if html is None:
            html = str(macro(card, marked_forms, show_classmates))
            RENDERED_CARDS.put(key, html)
        # The macro's own output (autoescaped), with the escaped token in its place.
        shown.append(Markup(html.replace(_TOKEN_MARK, token)))
    return shown


# Built once with the ids as parameters: building the statement and its cache key on every view cost CPU
# on the page students reload most (issue 13).
@cache
def _own_reflections_query() -> Select:
    return (
        select(Reflection, Mark)
        .outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .where(
            Reflection.student_id == bindparam("student_id"),
            Reflection.prompt_id.in_(bindparam("prompt_ids", expanding=True)),
        )
    )


def render_assignment(
    work: Assignment,
    *,
    entries: dict[int, ReflectionEntry] | None = None,
    messages: dict[int, str] | None = None,
    conflicts: dict[int, Reflection] | None = None,
    stance_forms: dict[str, StanceAnswerForm] | None = None,
    status: int = 200,
    answers: dict[str, StanceAnswer] | None = None,
) -> tuple[str, int]:
    """The assignment page; entries given here (with the student's text and errors) replace the saved ones.
    `answers` are the student's answers to the question by phase, when the caller has read them."""
    student = current_student()
    now = utcnow()
    if answers is None:
        answers = stance_answers(student, work)
    facts = assignment_facts(work)
    prompts = facts.prompts
    reflections: dict[int, Reflection] = {}
    marks: dict[int, Mark] = {}
    # The teacher's marks come in the same query, so the page's query count does not grow.
    for r, mark in db.session.execute(
        _own_reflections_query(), {"student_id": student.id, "prompt_ids": [p.id for p in prompts]}
    ):
        reflections[r.prompt_id] = r
        if mark is not None and r.status in HANDED_IN:
            marks[r.prompt_id] = mark
    entries = dict(entries or {})
    messages = messages or {}
    owner = str(current_user.id)
    for prompt in prompts:
        if prompt.id not in entries:
            entries[prompt.id] = ReflectionEntry.saved(reflections.get(prompt.id), owner)
    start_at = film_position(work.film.running_time_seconds, request.args.get("t"))
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
        for code in facts.caption_languages
    ]
    classmates: dict[int, ClassmatesOnPrompt] = classmates_reflections(
        student, work, unlocked_classmates, limit=CLASSMATES_PREVIEW
    )
    closed = work.has_closed(now)
    cards = prompt_cards(
        work, prompts, reflections, marks, entries, messages, conflicts or {}, saved_notes, classmates, closed
    )
    forms = PageForms(csrf=generate_csrf(), start_at="" if start_at is None else str(start_at))
    return (
        render_template(
            "student/assignment.html",
            assignment=work,
            film=work.film,
            cards=cards,
            cards_html=cards_html(cards, forms, work.show_classmates),
            any_pause=any(prompt.pause for prompt in prompts),
            start_at=start_at,
            forms=forms,
            messages=messages,
            answers=answers,
            stance_forms=stance_forms,
            has_stance=has_stance_question(work),
            unlocked=prompts_unlocked(work, answers),
            post_open="post" in answers or after_poll_open(student, work, answers, now, facts.prompt_times),
            post_opens_at=after_poll_opens_at(work, answers, facts.prompt_times),
            post_wait=after_poll_wait_message(work, facts.prompt_times),
            not_open_yet=not work.has_opened(now),
            closed=closed,
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

"""The student's side of a reflection's life: write, save as draft, submit, revise.

Every change of status leaves a ModerationEvent with actor "student", so the teacher's history
shows the whole story next to their own decisions.
"""

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    CompoundSelect,
    CursorResult,
    Insert,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    func,
    insert,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from ..cache import cached_plain_for_assignment, mark_changed
from ..extensions import db
from ..lms.grades import dispatch, owe_scores
from ..models import (
    Assignment,
    Film,
    LtiResourceLink,
    ModerationEvent,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    Teacher,
    utcnow,
)
from ..moderation.flags import apply_flags, flag_columns
from ..sanitize import POLICY_VERSION, plain_text, render_for_storage, word_count
from ..statuses import HANDED_IN
from ..statuses import ReflectionStatus as S
from .stance import prompts_unlocked

BODY_MAX = 5000


class BadReflection(ValueError):
    """A reflection that cannot be saved; the message is shown to the student beside their text."""

    field: str | None = None


class BodyRefused(BadReflection):
    field = "body"


class AssignmentNotOpen(BadReflection):
    """Before the assignment opens or after it closes."""


class PromptsLocked(BadReflection):
    """The pre-viewing question has not been answered yet."""


class OpenedByAnotherStudent(BadReflection):
    """The form was opened while another student was signed in on this device."""


class ReflectionLocked(BadReflection):
    """A rejected reflection cannot be changed by the student until the teacher reopens it."""


class NewerVersionSaved(BadReflection):
    """Another tab or device saved a newer version since this form was loaded."""

    def __init__(self, current: Reflection):
        super().__init__(
            "A newer version of this reflection was saved in another tab or on another device. "
            "Your text is still in the box and the saved version is shown below it: combine them, then save again."
        )
        self.current = current


def clean_body(text: str | None) -> str:
    """The text trimmed, or BodyRefused when it is empty, too long, or has no words once formatting is removed."""
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise BodyRefused("Please write something before saving.")
    if len(body) > BODY_MAX:
        raise BodyRefused(
            f"That is {len(body):,} characters; the limit is {BODY_MAX:,}. "
            f"Please shorten it by {len(body) - BODY_MAX:,} characters. Your text is still in the box."
        )
    if not plain_text(body):
        raise BodyRefused("Nothing is left once formatting is removed. Please write some words.")
    return body


def target_status(current: str | None, submit: bool, require_approval: bool) -> str:
    """The status a student's save leads to, from the current one (None for a new reflection)."""
    if current == S.REJECTED:
        raise ReflectionLocked(
            "Your teacher rejected this reflection, so it can no longer be changed unless your teacher reopens it."
        )
    if submit:
        return S.AWAITING if require_approval else S.APPROVED
    # A returned reflection stays returned while the student revises it, so the feedback stays in view.
    if current == S.RETURNED:
        return S.RETURNED
    # Saving as draft takes a submitted reflection back out of the teacher's queue and classmates' view.
    return S.DRAFT


# The save's lookups are built once with their values as parameters: building a statement (and working out
# its cache key) on every save cost more CPU than running it (issue 13).
@cache
def _reflection_query(lock: bool) -> Select:
    query = select(Reflection).where(
        Reflection.student_id == bindparam("student_id"), Reflection.prompt_id == bindparam("prompt_id")
    )
    # A locking read refreshes a reflection the session already holds (the save's lookup may have read it).
    return query.with_for_update().execution_options(populate_existing=True) if lock else query


def find_reflection(student: Student, prompt: Prompt, lock: bool = False) -> Reflection | None:
    """The student's reflection on the prompt, if any (row-locked on databases that can)."""
    return db.session.execute(
        _reflection_query(lock), {"student_id": student.id, "prompt_id": prompt.id}
    ).scalar_one_or_none()


# The save's two writes are built once: the columns written are the keys of the values given when they run.
@cache
def _event_insert() -> Insert:
    return insert(cast(Table, ModerationEvent.__table__))  # every model maps one table


@cache
def _reflection_update(as_read: bool) -> Update:
    table = cast(Table, Reflection.__table__)
    query = update(table).where(table.c.id == bindparam("reflection_id"))
    if as_read:
        # Only if nobody has saved or decided on it since it was read (a decision changes the status).
        query = query.where(
            table.c.version == bindparam("read_version"),
            table.c.status == bindparam("read_status"),
            table.c.student_id == bindparam("read_student_id"),
        )
    return query


def _record(reflection: Reflection, from_status: str, to_status: str) -> None:
    # One INSERT of the row (its defaults are the table's), not an object for the ORM's flush (issue 13).
    db.session.execute(
        _event_insert(),
        {
            "reflection_id": reflection.id,
            "teacher_id": None,
            "actor": "student",
            "from_status": from_status,
            "to_status": to_status,
        },
    )


def _changes(
    reflection: Reflection, body: str, cited_seconds: int | None, status: str, now: datetime
) -> dict[str, Any]:
    """The columns a save writes over the reflection as it is: the text, its renderings, the time, the status."""
    stored = render_for_storage(body)
    changes: dict[str, Any] = {
        "body": body,
        "body_html": stored.html,
        "body_text": stored.text,
        "html_policy": stored.policy,
        "word_count": word_count(body),
        "cited_seconds": cited_seconds,
    }
    if status in (S.AWAITING, S.APPROVED) and (status != reflection.status or reflection.submitted_at is None):
        changes["submitted_at"] = now
    if status == S.APPROVED and reflection.status != S.APPROVED:
        # With approval off nobody decides: it is approved the moment it is submitted.
        changes["decided_at"] = now
    changes["status"] = status
    return changes


def _write(reflection: Reflection, body: str, cited_seconds: int | None, status: str, now: datetime) -> None:
    for name, value in _changes(reflection, body, cited_seconds, status, now).items():
        setattr(reflection, name, value)


def _update(reflection: Reflection, changes: dict[str, Any], *, locked: bool) -> bool:
    """Write the changes to the row with one UPDATE and show them on the loaded reflection as saved: the
    ORM's flush of the same UPDATE cost about a millisecond of CPU on every save (issue 13). A reflection
    read without a lock is written only if it is still as read; False when it was not."""
    values = {**changes, "reflection_id": reflection.id}
    if not locked:
        values.update(
            read_version=reflection.version, read_status=reflection.status, read_student_id=reflection.student_id
        )
    result = cast(CursorResult, db.session.execute(_reflection_update(not locked), values))
    if not locked and result.rowcount != 1:
        return False
    for name, value in changes.items():
        set_committed_value(reflection, name, value)
    return True


@dataclass(frozen=True)
class WritingContext:
    """What a save reads about the writer's class: the teacher's own flag words and the classmates' names (for
    the flags), and whether the writer has answered the question before viewing (which opens the prompts)."""

    flag_words: str
    classmates: tuple[str, ...]
    answered: frozenset[str]
    # The assignment has a column in an LMS gradebook (LTI), which hears when a student hands in.
    gradebook: bool = False


# Names are joined with a line break, which a display name never holds (it is cleaned to single spaces).
_NAMES_APART = "\n"


@dataclass(frozen=True)
class SaveLookup:
    """What one save reads before it writes, in one query: the prompt with its assignment, what the save needs to
    know about the class, the film's length, and the student's reflection on the prompt as it was read (not locked:
    the write checks that it has not changed since)."""

    prompt: Prompt
    context: WritingContext
    reflection: Reflection | None
    # The film's length, which bounds the times a student cites (the film itself is loaded only by a refusal's page).
    film_seconds: int


@cache
def _save_lookup_query() -> Select:
    classmates = (
        select(func.aggregate_strings(Student.display_name, _NAMES_APART))
        .where(Student.class_id == bindparam("class_id"), Student.id != bindparam("student_id"))
        .scalar_subquery()
    )
    answered_before = (
        select(StanceAnswer.id)
        .where(
            StanceAnswer.student_id == bindparam("student_id"),
            StanceAnswer.assignment_id == Assignment.id,
            StanceAnswer.phase == "pre",
        )
        .exists()
    )
    gradebook = (
        select(LtiResourceLink.id)
        .where(LtiResourceLink.assignment_id == Assignment.id, LtiResourceLink.lineitem_url != "")
        .exists()
    )
    return (
        select(
            Prompt,
            Reflection,
            Teacher.flag_words,
            classmates.label("classmates"),
            answered_before.label("answered_before"),
            gradebook.label("gradebook"),
            Film.running_time_seconds,
        )
        .join(Assignment, Prompt.assignment_id == Assignment.id)
        .join(Film, Assignment.film_id == Film.id)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .join(Teacher, SchoolClass.teacher_id == Teacher.id)
        .outerjoin(
            Reflection, and_(Reflection.prompt_id == Prompt.id, Reflection.student_id == bindparam("student_id"))
        )
        .where(
            Prompt.id == bindparam("prompt_id"),
            Assignment.id == bindparam("assignment_id"),
            Assignment.class_id == bindparam("class_id"),
        )
        .options(contains_eager(Prompt.assignment).defer(Assignment.has_captions))
    )


def lookup_for_save(student: Student, assignment_id: int, prompt_id: int) -> SaveLookup | None:
    """A prompt of an assignment of the student's own class, and all a save of it reads, in one query (the
    prompt's, the class's and the reflection's were three); None when the prompt is not the student's to answer."""
    ids = {
        "prompt_id": prompt_id,
        "assignment_id": assignment_id,
        "class_id": student.class_id,
        "student_id": student.id,
    }
    row = db.session.execute(_save_lookup_query(), ids).one_or_none()
    if row is None:
        return None
    prompt, reflection, flag_words, classmates, answered_before, gradebook, film_seconds = row
    context = WritingContext(
        flag_words=flag_words or "",
        classmates=tuple(sorted(classmates.split(_NAMES_APART))) if classmates else (),
        answered=frozenset({"pre"}) if answered_before else frozenset(),
        gradebook=bool(gradebook),
    )
    return SaveLookup(prompt, context, reflection, film_seconds)


def check_can_write(
    student: Student, prompt: Prompt, now: datetime | None = None, context: WritingContext | None = None
) -> WritingContext:
    """Raise unless the student may write on this prompt now; else what the save needs to know about the class
    (`context`, when the caller has read it already)."""
    # From the session when the caller has loaded it (the save route has), else by its key: one query at most.
    assignment = db.session.get_one(Assignment, prompt.assignment_id)
    if context is None:
        # Callers without the save route's lookup (and a save retried under the row lock) read it here; it is
        # scoped to the student's class, so nothing comes back for another class's prompt.
        found = lookup_for_save(student, assignment.id, prompt.id)
        context = found.context if found is not None else None
    if context is None or assignment.class_id != student.class_id:
        raise AssignmentNotOpen("This prompt is not in your class.")
    if not assignment.has_opened(now):
        raise AssignmentNotOpen(
            "This assignment is not open yet, so nothing can be saved. Your text is still in the box: copy it somewhere safe."
        )
    if assignment.has_closed(now):
        raise AssignmentNotOpen(
            "This assignment has closed, so changes can no longer be saved. Your text is still in the box: copy it if you want to keep it."
        )
    if not prompts_unlocked(assignment, context.answered):
        raise PromptsLocked("Please answer the question before viewing first; then the prompts open.")
    return context


def save_reflection(
    student: Student,
    prompt: Prompt,
    body: str,
    *,
    cited_seconds: int | None = None,
    submit: bool = False,
    expected_version: int = 0,
    opened_for: str = "",
    now: datetime | None = None,
    lookup: SaveLookup | None = None,
) -> Reflection:
    """Create or update the student's one reflection on the prompt, as a draft or submitted.

    `expected_version` is the version the student's form was loaded with (0 for none): a save
    over a newer version raises NewerVersionSaved, unless it is the very same save arriving twice.
    `opened_for` is the student the form was opened for (empty when unknown): someone else's form saves nothing.
    `lookup` is what lookup_for_save read for this save, so it is not read again.
    """
    if opened_for and opened_for != str(student.id):
        raise OpenedByAnotherStudent(
            "This page was opened by another student on this device, so nothing was saved. Your text is "
            "still in the box. If it is yours, log out and come back with your own return code."
        )
    now = now or utcnow()
    context = check_can_write(student, prompt, now, lookup.context if lookup else None)
    body = clean_body(body)
    assignment = db.session.get_one(Assignment, prompt.assignment_id)

    # Read with the lookup, the reflection is not locked: the UPDATE checks that it is still as read.
    locked = lookup is None
    existing = lookup.reflection if lookup else find_reflection(student, prompt, lock=True)
    if existing is None:
        status = target_status(None, submit, assignment.require_approval)
        reflection = Reflection(student_id=student.id, prompt_id=prompt.id, version=1, status=S.DRAFT)
        _write(reflection, body, cited_seconds, status, now)
        apply_flags(reflection, context.flag_words, context.classmates)
        db.session.add(reflection)
        try:
            db.session.flush()
            _record(reflection, "", status)
            owed = _owed_to_the_gradebook(context, assignment.id, student.id, None, status)
            db.session.commit()
            if owed:
                dispatch()
            return reflection
        except IntegrityError:
            # A double click raced us to the insert: carry on as an update of the row it made.
            db.session.rollback()
            existing, locked = find_reflection(student, prompt, lock=True), True
            if existing is None:
                raise

    status = target_status(existing.status, submit, assignment.require_approval)
    if expected_version != existing.version:
        if existing.body == body and existing.cited_seconds == cited_seconds and existing.status == status:
            # The same save sent twice (double click, resubmitted form): nothing to do.
            return existing
        raise NewerVersionSaved(existing)
    previous = existing.status
    changes = _changes(existing, body, cited_seconds, status, now)
    changes.update(flag_columns(body, context.flag_words, context.classmates))
    changes.update(version=existing.version + 1, updated_at=utcnow())
    if not _update(existing, changes, locked=locked):
        # Another save or a teacher's decision changed it after it was read: decide again on the row locked
        # (the locking read refreshes the reflection).
        return save_reflection(
            student,
            prompt,
            body,
            cited_seconds=cited_seconds,
            submit=submit,
            expected_version=expected_version,
            now=now,
        )
    if status != previous:
        _record(existing, previous, status)
    # Written without the ORM's flush, so the dashboards' cache is told here which assignment changed.
    mark_changed(db.session, assignments=[assignment.id])
    owed = _owed_to_the_gradebook(context, assignment.id, student.id, previous, status)
    db.session.commit()
    if owed:
        dispatch()
    return existing


def changes_score(before: str | None, after: str) -> bool:
    """Whether a student's own save changes what their LMS gradebook entry says: handed in or not (the
    activity's progress), approved or not (a complete / not complete assignment's score)."""
    return (before in HANDED_IN) != (after in HANDED_IN) or (before == S.APPROVED) != (after == S.APPROVED)


def _owed_to_the_gradebook(
    context: WritingContext, assignment_id: int, student_id: int, before: str | None, after: str
) -> list[int]:
    # An LMS gradebook shows "submitted" when the student hands in, not only once the teacher has decided.
    # The score is owed in the save's own transaction (nothing more to ask of a class without an LMS column)
    # and sent after the commit.
    if context.gradebook and changes_score(before, after):
        return owe_scores(assignment_id, [student_id])
    return []


@dataclass
class ClassmateReflection:
    label: str
    body_html: str
    cited_seconds: int | None
    starred: bool
    html_policy: str | None = None


def classmate_places(key: bytes, assignment_id: int, student_ids: Iterable[int]) -> dict[int, int]:
    """Each member's place (from 0) in the class's order of its own for one assignment: a keyed hash of the
    assignment and the student, so it is the same on every page load but says nothing about the same person's
    place in another assignment, nor about join order."""

    def place(student_id: int) -> bytes:
        return hmac.new(key, f"{assignment_id}:{student_id}".encode(), hashlib.sha256).digest()

    return {student_id: index for index, student_id in enumerate(sorted(set(student_ids), key=place))}


def number_for_reader(places: dict[int, int], student_id: int, reader_id: int) -> int:
    """A classmate's number as one reader sees it: their place counted from 1 with the reader left out, so
    no gap gives the reader's own number away."""
    place = places[student_id]
    reader = places.get(reader_id)
    return place + (0 if reader is not None and reader < place else 1)


def classmate_numbers(key: bytes, assignment_id: int, student_ids: Iterable[int], reader_id: int) -> dict[int, int]:
    """Each classmate's number for one reader in one assignment (classmate_places, the reader left out)."""
    places = classmate_places(key, assignment_id, student_ids)
    return {sid: number_for_reader(places, sid, reader_id) for sid in places if sid != reader_id}


def _label_key() -> bytes:
    # Keyed with the app's secret: without it nobody can work out the order from student ids.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hashlib.sha256(b"classmate-labels:" + secret).digest()


# The assignment page shows each prompt's few newest classmates' reflections and links to the rest, a
# page at a time: a class of 35 writes hundreds across 13 prompts, more than anyone reads on one page, and
# rendering all of them on every view made the page cost grow with the class (issue 13).
CLASSMATES_PREVIEW = 3
CLASSMATES_PER_PAGE = 20


@dataclass
class ClassmatesOnPrompt:
    """The classmates' reflections shown for one prompt, and how many there are in all."""

    shown: list[ClassmateReflection]
    total: int


def _classmates_where() -> tuple:
    """Approved reflections by others in the reader's class on this assignment's prompts (the ids are
    parameters, from _classmates_ids)."""
    return (
        Prompt.assignment_id == bindparam("assignment_id"),
        Reflection.status == S.APPROVED,
        Reflection.student_id != bindparam("reader_id"),
        Student.class_id == bindparam("reader_class_id"),
    )


def _classmates_ids(student: Student, assignment: Assignment) -> dict[str, int]:
    return {"assignment_id": assignment.id, "reader_id": student.id, "reader_class_id": student.class_id}


def _classmates_order() -> tuple:
    """The teacher's starred picks first, then the most recently approved: the same order on every page."""
    return (Reflection.starred.desc(), Reflection.decided_at.desc().nulls_last(), Reflection.id.desc())


def _labeller(
    student: Student, assignment: Assignment, places: dict[int, int] | None = None
) -> Callable[[int, str], str]:
    """A function giving the label the reader sees for a classmate: their name, or an anonymous number from
    the class's places (classmate_places, read here unless given)."""
    if not assignment.anonymise:
        return lambda student_id, name: name
    if places is None:
        class_ids = db.session.scalars(select(Student.id).where(Student.class_id == assignment.class_id))
        places = classmate_places(_label_key(), assignment.id, class_ids)
    known = places  # narrowed to a dict for the closure
    return lambda student_id, name: f"Classmate {number_for_reader(known, student_id, student.id)}"


_CLASSMATE_COLUMNS = (
    Reflection.body_html,
    Reflection.html_policy,
    Reflection.cited_seconds,
    Reflection.starred,
    Student.display_name,
    Student.id,
)


def sees_classmates(assignment: Assignment, own: Reflection | None) -> bool:
    """Whether a student may read classmates' approved reflections on a prompt: once they have handed in their
    own there, and only where the teacher shows classmates' work at all."""
    return assignment.show_classmates and own is not None and own.status in HANDED_IN


@dataclass(frozen=True)
class ClassPreview:
    """The class's approved reflections on an assignment's prompts, from which every reader's preview is cut:
    the first few on each prompt in the page's order (one more than a preview shows, in case one is the
    reader's own), who has an approved one on each prompt (for the totals), and each member's anonymous place.
    The same for every reader, so it is cached per assignment until a write touches the class's work."""

    # prompt id -> [(student id, name, body HTML, its policy, cited seconds, starred)], in the page's order
    first: dict[int, list[tuple[int, str, str, str | None, int | None, bool]]]
    authors: dict[int, frozenset[int]]
    places: dict[int, int]


# Part of the preview's cache key: a release that changes ClassPreview's fields never loads an older one.
_PREVIEW_SHAPE = ",".join(field.name for field in fields(ClassPreview))


# Built once, with the ids as parameters: building this statement (a window over a subquery, a union) and its
# cache key on every view of the student's page cost more CPU than running it (issue 13).
@cache
def _class_preview_query() -> CompoundSelect:
    place = func.row_number().over(partition_by=Reflection.prompt_id, order_by=_classmates_order())
    ranked = (
        select(
            Reflection.id.label("id"),
            Reflection.prompt_id.label("prompt_id"),
            Reflection.student_id.label("student_id"),
            place.label("place"),
        )
        .join(Student, Reflection.student_id == Student.id)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(
            Prompt.assignment_id == bindparam("assignment_id"),
            Reflection.status == S.APPROVED,
            Student.class_id == bindparam("class_id"),
        )
        .subquery()
    )
    # Every approved one's author (for the totals), the text only of the first few on each prompt.
    written = (
        select(
            ranked.c.prompt_id,
            ranked.c.student_id,
            ranked.c.place,
            Student.display_name,
            Reflection.body_html,
            Reflection.html_policy,
            Reflection.cited_seconds,
            Reflection.starred,
        )
        .select_from(ranked)
        .outerjoin(Reflection, and_(Reflection.id == ranked.c.id, ranked.c.place <= bindparam("per_prompt")))
        .outerjoin(Student, Student.id == Reflection.student_id)
    )
    # The whole class's ids, for the anonymous places, in the same round trip: rows without a prompt.
    members = select(null(), Student.id, *[null()] * 6).where(Student.class_id == bindparam("class_id"))
    return union_all(written, members)


def class_preview(assignment: Assignment, per_prompt: int) -> ClassPreview:
    """The class's approved reflections on the assignment's prompts, the first `per_prompt` of each with their
    text (one query)."""
    values = {"assignment_id": assignment.id, "class_id": assignment.class_id, "per_prompt": per_prompt}
    rows = db.session.execute(_class_preview_query(), values).all()
    first: dict[int, list[tuple[int, str, str, str | None, int | None, bool]]] = {}
    authors: dict[int, set[int]] = {}
    members = []
    for prompt_id, student_id, _place, name, body_html, policy, cited, starred in sorted(
        rows, key=lambda row: (row[0] is None, row[0] or 0, row[2] or 0)
    ):
        if prompt_id is None:
            members.append(student_id)
            continue
        authors.setdefault(prompt_id, set()).add(student_id)
        if body_html is not None:
            first.setdefault(prompt_id, []).append((student_id, name, body_html, policy, cited, bool(starred)))
    return ClassPreview(
        first=first,
        authors={prompt_id: frozenset(ids) for prompt_id, ids in authors.items()},
        places=classmate_places(_label_key(), assignment.id, members),
    )


def classmates_reflections(
    student: Student, assignment: Assignment, prompt_ids: list[int], limit: int = CLASSMATES_PREVIEW
) -> dict[int, ClassmatesOnPrompt]:
    """Approved reflections by others in the reader's class on the given prompts, labelled for this
    assignment's privacy setting (anonymous numbers from the class's places), starred first, then the newest;
    at most `limit` per prompt, with each prompt's total. Cut from the class's cached ClassPreview."""
    if not prompt_ids or student.class_id != assignment.class_id:
        return {}
    preview: ClassPreview = cached_plain_for_assignment(
        assignment, f"classmates:{limit}:{_PREVIEW_SHAPE}", lambda: class_preview(assignment, limit + 1)
    )
    reader = student.id
    label = _labeller(student, assignment, preview.places)
    shown: dict[int, ClassmatesOnPrompt] = {}
    for prompt_id in prompt_ids:
        authors = preview.authors.get(prompt_id, frozenset())
        total = len(authors) - (reader in authors)
        if total <= 0:
            continue
        shown[prompt_id] = ClassmatesOnPrompt(
            [
                ClassmateReflection(label(student_id, name), body_html, cited, starred, policy)
                for student_id, name, body_html, policy, cited, starred in preview.first[prompt_id]
                if student_id != reader
            ][:limit],
            total,
        )
    return shown


@dataclass
class ClassmatesPage:
    """One page of the classmates' reflections on a prompt."""

    shown: list[ClassmateReflection]
    total: int
    page: int
    pages: int


def classmates_page(
    student: Student, assignment: Assignment, prompt: Prompt, page: int = 1, per_page: int = CLASSMATES_PER_PAGE
) -> ClassmatesPage:
    """All approved classmates' reflections on one prompt, in the assignment page's order, one page loaded
    in SQL (LIMIT/OFFSET); a page past the end shows the last one."""
    query = (
        select(*_CLASSMATE_COLUMNS)
        .join(Student, Reflection.student_id == Student.id)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(Reflection.prompt_id == prompt.id, *_classmates_where())
    )
    ids = _classmates_ids(student, assignment)
    total = db.session.scalar(query.with_only_columns(func.count(Reflection.id)), ids) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    if not total:
        return ClassmatesPage([], 0, page, pages)
    rows = db.session.execute(
        query.order_by(*_classmates_order()).limit(per_page).offset((page - 1) * per_page), ids
    ).all()
    label = _labeller(student, assignment)
    shown = [
        ClassmateReflection(label(student_id, name), body_html, cited, starred, policy)
        for body_html, policy, cited, starred, name, student_id in rows
    ]
    return ClassmatesPage(shown, total, page, pages)


def reclean_stored_text(batch_size: int = 500) -> int:
    """Render every reflection not stored under the current sanitiser policy again from what the student
    wrote (HTML, plain text, version); returns how many rows were rewritten. Safe while the app runs."""
    done, after_id = 0, 0
    stale = or_(Reflection.html_policy.is_(None), Reflection.html_policy != POLICY_VERSION)
    while True:
        rows = db.session.execute(
            select(Reflection.id, Reflection.body)
            .where(stale, Reflection.id > after_id)
            .order_by(Reflection.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        for reflection_id, body in rows:
            stored = render_for_storage(body)
            # Only if the text is still the one rendered: a student's save meanwhile stored its own.
            result = db.session.execute(
                update(Reflection)
                .where(Reflection.id == reflection_id, Reflection.body == body)
                .values(
                    body_html=stored.html,
                    body_text=stored.text,
                    html_policy=stored.policy,
                    updated_at=Reflection.updated_at,  # a re-render is not an edit
                )
                .execution_options(synchronize_session=False)
            )
            done += cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a cursor result
        db.session.commit()
        after_id = rows[-1][0]

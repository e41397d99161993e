"""Joining a class with only a display name, and coming back with a return code."""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..joincodes import (
    class_number_of,
    new_link_token,
    new_return_code,
    normalise_join_code,
    normalise_return_code,
)
from ..models import Assignment, SchoolClass, Student, Teacher

log = logging.getLogger(__name__)

NAME_MAX = 40
# Said for an empty name, by the join form (join/forms.py) and by clean_display_name for one of only spaces.
NAME_MISSING = "Please type the name your teacher will see."


class BadDisplayName(ValueError):
    """A display name that is empty or too long once trimmed."""


def clean_display_name(name: str) -> str:
    """The name trimmed and with inner runs of spaces collapsed, or BadDisplayName."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise BadDisplayName(NAME_MISSING)
    if len(cleaned) > NAME_MAX:
        raise BadDisplayName(f"Please keep it to {NAME_MAX} characters.")
    return cleaned


def open_class_for_code(code: str) -> SchoolClass | None:
    """The class a join code opens, with its teacher (the join page names them), or None when the code is
    unknown or switched off."""
    normalised = normalise_join_code(code)
    if not normalised:
        return None
    school_class = db.session.execute(
        select(SchoolClass).where(SchoolClass.join_code == normalised).options(joinedload(SchoolClass.teacher))
    ).scalar_one_or_none()
    if school_class is None or not school_class.join_enabled:
        return None
    return school_class


def assignment_for_link(token: str) -> Assignment | None:
    """The assignment a student link opens (whatever case was typed), with its class and the class's teacher
    (the join page names them), or None when the token is unknown."""
    normalised = normalise_join_code(token)
    if not normalised:
        return None
    return db.session.execute(
        select(Assignment)
        .where(Assignment.link_token == normalised)
        .options(joinedload(Assignment.school_class).joinedload(SchoolClass.teacher))
    ).scalar_one_or_none()


def regenerate_link(assignment: Assignment) -> str:
    """Give the assignment a new student link; the old one stops working at once."""
    while True:
        token = new_link_token()
        if db.session.execute(select(Assignment.id).where(Assignment.link_token == token)).first() is None:
            break
    assignment.link_token = token
    db.session.commit()
    return token


def unused_return_code(class_id: int) -> str:
    """A return code for the class that no student has yet."""
    while True:
        code = new_return_code(class_id)
        if db.session.execute(select(Student.id).where(Student.return_code == code)).first() is None:
            return code


PLEASE_CHOOSE_ANOTHER = (
    "Please choose another name. Names are seen by your teacher and classmates, so this one can't be used here."
)


def name_refusal(school_class: SchoolClass, display_name: str) -> str | None:
    """Why this name cannot join the class (a built-in, insult or the teacher's own flag word), or None."""
    from ..moderation.flags import offensive_name_words

    teacher_words = db.session.scalar(select(Teacher.flag_words).where(Teacher.id == school_class.teacher_id))
    if offensive_name_words(display_name, teacher_words or ""):
        return PLEASE_CHOOSE_ANOTHER
    return None


def same_name_in_class(school_class: SchoolClass, display_name: str) -> Student | None:
    """A student of the class already called this (case and spaces aside): maybe the same person again."""
    wanted = " ".join((display_name or "").split()).casefold()
    names = db.session.execute(select(Student.id, Student.display_name).where(Student.class_id == school_class.id))
    for student_id, name in names:
        if " ".join(name.split()).casefold() == wanted:
            return db.session.get(Student, student_id)
    return None


def join_class(school_class: SchoolClass, display_name: str) -> Student:
    """Add a student to the class with a fresh return code; nothing but the name is stored."""
    name = clean_display_name(display_name)
    for _attempt in range(5):
        student = Student(class_id=school_class.id, display_name=name, return_code=unused_return_code(school_class.id))
        db.session.add(student)
        try:
            db.session.commit()
        except IntegrityError:
            # Another join took the same code between our check and insert: draw again.
            db.session.rollback()
            continue
        log.info(
            "student joined", extra={"event": "student.joined", "student_id": student.id, "class_id": school_class.id}
        )
        return student
    raise RuntimeError("Could not find a free return code after several tries.")


def find_student_by_return_code(text: str) -> Student | None:
    """The student of the class the code names whose return code this is, whatever case or separators were
    typed; None for a code without a class number."""
    code = normalise_return_code(text)
    class_id = class_number_of(code)
    if class_id is None:
        return None
    return db.session.execute(
        select(Student).where(Student.class_id == class_id, Student.return_code == code)
    ).scalar_one_or_none()

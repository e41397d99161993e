"""Who a launch is: an LMS learner becomes a student of the bound class, an instructor a teacher.

A learner is keyed by platform and `sub` within a class, named as the platform names them, and never
given a return code to carry around (the column is filled with one nobody is shown). An instructor is
linked to a teacher account once, by the teacher, and signed straight in afterwards.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..join.logic import NAME_MAX, unused_return_code
from ..models import LtiInstructor, LtiLearner, LtiPlatform, SchoolClass, Student, Teacher, utcnow

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
)


def is_instructor(roles: list[str]) -> bool:
    """Instructors, content developers, teaching assistants and administrators set things up and mark."""
    return any(role in INSTRUCTOR_ROLES or role.endswith("#Instructor") for role in roles or [])


def display_name(claims: dict, fallback: str = "Student") -> str:
    """The name the platform sends, trimmed to what our roster holds."""
    name = claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    name = " ".join(str(name or "").split()) or fallback
    return name[:NAME_MAX]


def find_learner(platform: LtiPlatform, sub: str, school_class: SchoolClass) -> LtiLearner | None:
    return db.session.scalars(
        db.select(LtiLearner).where(
            LtiLearner.platform_id == platform.id, LtiLearner.sub == sub, LtiLearner.class_id == school_class.id
        )
    ).first()


def learner_student(
    platform: LtiPlatform, sub: str, school_class: SchoolClass, name: str, email: str = "", launched: bool = True
) -> Student:
    """The class's student for this LMS user, made on first sight; the name follows the platform's."""
    learner = find_learner(platform, sub, school_class)
    keep_email = email if current_app.config.get("LTI_STORE_EMAIL") else ""
    if learner is None:
        student = Student(class_id=school_class.id, display_name=name, return_code=unused_return_code(school_class.id))
        db.session.add(student)
        db.session.flush()
        learner = LtiLearner(
            platform_id=platform.id,
            sub=sub,
            class_id=school_class.id,
            student_id=student.id,
            email=keep_email,
            first_launch_at=utcnow() if launched else None,
        )
        db.session.add(learner)
        try:
            db.session.commit()
        except IntegrityError:
            # The same person launched twice at once: use the row the other request made.
            db.session.rollback()
            learner = find_learner(platform, sub, school_class)
            if learner is None:
                raise
        return learner.student
    student = learner.student
    if name and student.display_name != name:
        student.display_name = name
    if launched and learner.first_launch_at is None:
        learner.first_launch_at = utcnow()
    learner.email = keep_email
    db.session.commit()
    return student


def linked_teacher(platform: LtiPlatform, sub: str) -> Teacher | None:
    """The teacher this LMS instructor confirmed as theirs, if any."""
    link = db.session.scalars(
        db.select(LtiInstructor).where(LtiInstructor.platform_id == platform.id, LtiInstructor.sub == sub)
    ).first()
    return link.teacher if link else None


def link_instructor(platform: LtiPlatform, sub: str, teacher: Teacher) -> LtiInstructor:
    """Record the teacher's confirmation that this LMS instructor is them (replacing an older link)."""
    link = db.session.scalars(
        db.select(LtiInstructor).where(LtiInstructor.platform_id == platform.id, LtiInstructor.sub == sub)
    ).first()
    if link is None:
        link = LtiInstructor(platform_id=platform.id, sub=sub, teacher_id=teacher.id)
        db.session.add(link)
    else:
        link.teacher_id, link.confirmed_at = teacher.id, utcnow()
    db.session.commit()
    return link

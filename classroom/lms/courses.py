"""LMS courses bound to our classes, and LMS activities bound to our assignments."""

from __future__ import annotations

from sqlalchemy.orm import contains_eager

from ..classes.logic import assign_plan, create_class
from ..extensions import db
from ..lessons.plans import copy_starter_plan
from ..models import Assignment, LtiCourse, LtiPlatform, LtiResourceLink, SchoolClass, Teacher

CLASS_NAME_MAX = 120


class BindingError(ValueError):
    """An LMS course or activity that cannot be bound as asked; the message is for the teacher."""


def find_course(platform: LtiPlatform, context_id: str) -> LtiCourse | None:
    return db.session.scalars(
        db.select(LtiCourse).where(LtiCourse.platform_id == platform.id, LtiCourse.context_id == context_id)
    ).first()


def bind_course(platform: LtiPlatform, context: dict, school_class: SchoolClass) -> LtiCourse:
    """Tie the LMS course to a class; a course stays with the class it was first tied to."""
    context_id = str(context.get("id") or "")
    if not context_id:
        raise BindingError("The LMS did not say which course this is, so no class can be tied to it.")
    course = find_course(platform, context_id)
    if course is None:
        course = LtiCourse(
            platform_id=platform.id,
            context_id=context_id,
            title=str(context.get("title") or context.get("label") or "")[:255],
            class_id=school_class.id,
        )
        db.session.add(course)
        db.session.commit()
    elif course.class_id != school_class.id:
        raise BindingError(
            f"This course already opens the class “{course.school_class.name}”. Choose one of its assignments."
        )
    return course


def remember_services(course: LtiCourse, claims: dict) -> None:
    """Keep the course's Names and Roles address from the latest launch (it can change)."""
    nrps = claims.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}
    url = str(nrps.get("context_memberships_url") or "")
    if url and url != course.memberships_url:
        course.memberships_url = url
        db.session.commit()


def starter_assignment_for_course(teacher: Teacher, platform: LtiPlatform, context: dict) -> Assignment:
    """Assign the starter plan on the spot to a new class named after the LMS course, bound to it."""
    title = " ".join(str(context.get("title") or context.get("label") or "LMS course").split())
    school_class = create_class(teacher, title[:CLASS_NAME_MAX], "")
    # LMS students arrive through their launches; nobody needs the join code.
    school_class.join_enabled = False
    db.session.commit()
    bind_course(platform, context, school_class)
    return assign_plan(school_class, copy_starter_plan(teacher))


def find_resource_link(platform: LtiPlatform, resource_link_id: str) -> LtiResourceLink | None:
    return db.session.scalars(
        db.select(LtiResourceLink).where(
            LtiResourceLink.platform_id == platform.id, LtiResourceLink.resource_link_id == resource_link_id
        )
    ).first()


def bind_resource_link(
    platform: LtiPlatform, resource_link_id: str, assignment: Assignment, course: LtiCourse
) -> LtiResourceLink:
    """Tie an LMS activity to an assignment of the course's class."""
    if assignment.class_id != course.class_id:
        raise BindingError("That assignment belongs to another class than the one this course opens.")
    link = find_resource_link(platform, resource_link_id)
    if link is None:
        link = LtiResourceLink(platform_id=platform.id, resource_link_id=resource_link_id, assignment_id=assignment.id)
        db.session.add(link)
        db.session.commit()
    return link


def remember_line_item(link: LtiResourceLink, claims: dict) -> None:
    """Keep the activity's gradebook column (line item) and the grade scopes from the latest launch."""
    endpoint = claims.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
    lineitem = str(endpoint.get("lineitem") or "")
    scopes = " ".join(sorted(str(s) for s in endpoint.get("scope") or []))
    changed = False
    if lineitem and lineitem != link.lineitem_url:
        link.lineitem_url, changed = lineitem, True
    if scopes and scopes != link.ags_scopes:
        link.ags_scopes, changed = scopes, True
    if changed:
        db.session.commit()


def teacher_assignments(teacher: Teacher, class_id: int | None = None) -> list[Assignment]:
    """The teacher's assignments (of one class, when given), newest class first, each with its class."""
    query = (
        db.select(Assignment)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(SchoolClass.teacher_id == teacher.id)
        .order_by(SchoolClass.name, Assignment.id.desc())
        .options(contains_eager(Assignment.school_class))
    )
    if class_id is not None:
        query = query.where(SchoolClass.id == class_id)
    return list(db.session.scalars(query))

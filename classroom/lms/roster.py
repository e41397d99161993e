"""Names and Roles: pull the LMS course's members into the bound class, and see who has not launched yet."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import requests
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService

from ..access import is_teacher, owned_class_or_404, to_teacher_login
from ..extensions import db
from ..models import LtiCourse, LtiLearner, SchoolClass, Student, utcnow
from .forms import RemoveForm
from .identity import LEARNER, learner_student
from .routes import bp
from .tool import ToolRegistration, ToolServiceConnector

log = logging.getLogger("classroom.lms")


class RosterError(RuntimeError):
    """The LMS did not hand over its roster; the message is for the teacher."""


@dataclass
class RosterLine:
    student: Student
    launched: bool


def courses_of(school_class: SchoolClass) -> list[LtiCourse]:
    return list(db.session.scalars(db.select(LtiCourse).where(LtiCourse.class_id == school_class.id)))


def fallback_name(sub: str) -> str:
    """A stable placeholder when the LMS shares no name (the teacher can rename the student)."""
    return "LMS student " + hashlib.sha256(sub.encode()).hexdigest()[:4].upper()


def pull_roster(course: LtiCourse) -> int:
    """Add the course's active learners to the class (names only); returns how many are on the roster."""
    if not course.memberships_url:
        raise RosterError("Open the activity once from the LMS first: its launch tells us where the roster is.")
    connector = ToolServiceConnector(ToolRegistration(course.platform))
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": course.memberships_url})
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException, ValueError, KeyError) as error:
        log.warning("Names and Roles pull failed for course %s: %s", course.id, error)
        raise RosterError("The LMS did not hand over the course roster. Try again in a minute.") from error
    count = 0
    for member in members:
        roles = member.get("roles") or []
        if member.get("status", "Active") != "Active" or not any(
            role == LEARNER or role.endswith("#Learner") or role == "Learner" for role in roles
        ):
            continue
        sub = str(member.get("user_id") or "")
        if not sub:
            continue
        name = member.get("name") or " ".join(p for p in (member.get("given_name"), member.get("family_name")) if p)
        learner_student(course.platform, sub, course.school_class, (name or fallback_name(sub))[:40], launched=False)
        count += 1
    course.roster_pulled_at = utcnow()
    db.session.commit()
    return count


def roster_lines(school_class: SchoolClass) -> list[RosterLine]:
    rows = db.session.execute(
        db.select(Student, LtiLearner.first_launch_at)
        .join(LtiLearner, LtiLearner.student_id == Student.id)
        .where(Student.class_id == school_class.id)
        .order_by(LtiLearner.first_launch_at.is_not(None), db.func.lower(Student.display_name))
    ).all()
    return [RosterLine(student, launched is not None) for student, launched in rows]


@bp.route("/classes/<int:class_id>/roster")
def lms_roster(class_id: int) -> ResponseReturnValue:
    if not is_teacher():
        return to_teacher_login()
    school_class = owned_class_or_404(class_id)
    lines = roster_lines(school_class)
    return render_template(
        "lms/roster.html",
        school_class=school_class,
        courses=courses_of(school_class),
        lines=lines,
        not_launched=[line for line in lines if not line.launched],
        form=RemoveForm(formdata=None),
    )


@bp.post("/classes/<int:class_id>/roster")
def pull_lms_roster(class_id: int) -> ResponseReturnValue:
    if not is_teacher():
        return to_teacher_login()
    school_class = owned_class_or_404(class_id)
    if not RemoveForm().validate_on_submit():
        flash("The form had expired. Please try again.", "error")
        return redirect(url_for("lms.lms_roster", class_id=class_id))
    courses = courses_of(school_class)
    if not courses:
        flash("This class is not tied to an LMS course yet.", "error")
    for course in courses:
        try:
            count = pull_roster(course)
        except RosterError as problem:
            flash(str(problem), "error")
        else:
            flash(
                f"Pulled {count} student{'s' if count != 1 else ''} from {course.title or 'the LMS course'}.", "success"
            )
    return redirect(url_for("lms.lms_roster", class_id=class_id))

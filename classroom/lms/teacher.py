"""A teacher arriving from the LMS: confirm the link to their account once, then choose what an activity opens."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import joinedload

from .. import throttles
from ..access import current_teacher, is_teacher
from ..auth.accounts import BAD_LOGIN, EmailTaken, create_teacher, find_teacher_by_email, password_matches
from ..extensions import db, limiter
from ..marks.scheme import maximum_score
from ..models import Assignment, LtiCourse, LtiPlatform, Teacher
from ..web import form_page, id_or_none
from .courses import (
    BindingError,
    bind_course,
    bind_resource_link,
    find_course,
    remember_line_item,
    starter_assignment_for_course,
    teacher_assignments,
)
from .forms import ConfirmLinkForm, LinkLoginForm, LinkSignupForm, PickForm
from .framing import origin_of, remember_frame_origin
from .identity import link_instructor
from .platforms import tool_urls
from .routes import CLAIM, PENDING_KEY, Refusal, _policy, bp, instructor_destination, platform_frame_ancestors
from .tool import ToolMessageLaunch, launch_platform, restore_launch


def _pending() -> dict:
    pending = session.get(PENDING_KEY)
    if not pending:
        raise Refusal(400, "This page opens from a launch in your LMS. Open the activity from your course again.")
    return pending


def _restored(launch_id: str) -> tuple[ToolMessageLaunch, dict[str, Any]]:
    try:
        launch = restore_launch(launch_id)
        claims: dict[str, Any] = dict(launch.get_launch_data())
        return launch, claims
    except LtiException as error:
        raise Refusal(
            400,
            "This launch has expired. Open the activity from your course again.",
            f"restoring launch {launch_id}: {error}",
        ) from error


@bp.route("/link-account", methods=["GET", "POST"])
@limiter.limit("30/15 minutes", methods=["POST"])
@throttles.failed_logins_per_account(throttles.by_linking_account, exempt_when=throttles.not_a_linking_login)
def link_account() -> ResponseReturnValue:
    """The first instructor launch: the teacher confirms which teacher account the LMS account is."""
    pending = _pending()
    platform = db.session.get(LtiPlatform, pending["platform_id"])
    if platform is None:
        raise Refusal(400, "This LMS is no longer registered here.", "link-account for a removed platform")
    confirm = ConfirmLinkForm(prefix="confirm")
    login = LinkLoginForm(prefix="login")
    signup = LinkSignupForm(prefix="signup", data=None if request.method == "POST" else {"name": pending["name"]})
    teacher = None
    action = request.form.get("action")
    if request.method == "POST":
        if action == "confirm" and is_teacher() and confirm.validate_on_submit():
            teacher = current_teacher()
        elif action == "login" and login.validate_on_submit():
            found = find_teacher_by_email(login.email.data)
            if password_matches(found, login.password.data):
                teacher = found
            else:
                login.password.errors.append(BAD_LOGIN)
        elif action == "signup" and current_app.config["ALLOW_SIGNUP"] and signup.validate_on_submit():
            try:
                teacher = create_teacher(signup.name.data, signup.email.data, signup.password.data)
            except EmailTaken as taken:
                signup.email.errors.append(str(taken))
    if teacher is None:
        return form_page(
            "lms/link_account.html",
            pending=pending,
            platform=platform,
            confirm=confirm,
            login=login,
            signup=signup,
            signup_open=current_app.config["ALLOW_SIGNUP"],
        )
    link_instructor(platform, pending["sub"], teacher)
    session.pop(PENDING_KEY, None)
    if not (is_teacher() and current_user.id == teacher.id):
        if current_user.is_authenticated:
            logout_user()
        login_user(teacher)
    remember_frame_origin(platform)
    flash(f"Linked. From now on {platform.name} signs you in as {teacher.name}.", "success")
    _launch, claims = _restored(pending["launch_id"])
    return instructor_destination(platform, claims, pending["launch_id"], pending["deep_link"])


def _pick_state() -> dict:
    state = session.get("lti_pick")
    if not state or not is_teacher():
        raise Refusal(400, "This page opens from a launch in your LMS. Open the activity from your course again.")
    return state


@bp.route("/pick", methods=["GET", "POST"])
def pick() -> ResponseReturnValue:
    """Choose the assignment an LMS activity opens, or assign the starter plan to a new class for the course."""
    state = _pick_state()
    launch, claims = _restored(state["launch_id"])
    platform = launch_platform(launch)
    context = claims.get(CLAIM + "context") or {}
    course = find_course(platform, str(context.get("id") or "")) if context.get("id") else None
    teacher = current_teacher()
    if course is not None and course.school_class.teacher_id != teacher.id:
        raise Refusal(
            401,
            "This course opens another teacher's class here. Ask them to choose the activity's assignment.",
            f"teacher {teacher.id} picking for course {course.id} of teacher {course.school_class.teacher_id}",
        )
    assignments = teacher_assignments(teacher, course.class_id if course else None)
    form = PickForm()
    error = ""
    if form.validate_on_submit():
        try:
            assignment = _chosen(request.form.get("choice", ""), teacher, platform, context, course)
        except BindingError as problem:
            error = str(problem)
        else:
            if state["deep_link"]:
                session.pop("lti_pick", None)
                return _deep_link_response(launch, assignment)
            link_id = str((claims.get(CLAIM + "resource_link") or {}).get("id") or "")
            course = find_course(platform, str(context.get("id") or ""))
            assert course is not None  # _chosen bound the course to the class
            link = bind_resource_link(platform, link_id, assignment, course)
            remember_line_item(link, claims)
            session.pop("lti_pick", None)
            flash(f"This activity now opens “{assignment.title}”.", "success")
            return redirect(url_for("classes.assignment", assignment_id=assignment.id))
    elif request.method == "POST":
        error = "Please choose again: the form had expired."
    return form_page(
        "lms/pick.html",
        form=form,
        assignments=assignments,
        course=course,
        context=context,
        deep_link=state["deep_link"],
        error=error,
        maximum_score=maximum_score,
    )


def _chosen(
    choice: str, teacher: Teacher, platform: LtiPlatform, context: dict, course: LtiCourse | None
) -> Assignment:
    if choice == "starter":
        if course is not None:
            from ..classes.logic import assign_plan
            from ..lessons.plans import copy_starter_plan

            return assign_plan(course.school_class, copy_starter_plan(teacher))
        return starter_assignment_for_course(teacher, platform, context)
    assignment_id = id_or_none(choice)
    assignment = (
        db.session.scalar(
            db.select(Assignment).where(Assignment.id == assignment_id).options(joinedload(Assignment.school_class))
        )
        if assignment_id
        else None
    )
    if assignment is None or assignment.school_class.teacher_id != teacher.id:
        raise BindingError("Choose one of your assignments, or the starter plan.")
    if course is None:
        bind_course(platform, context, assignment.school_class)
    elif course.class_id != assignment.class_id:
        raise BindingError("That assignment belongs to another class than the one this course opens.")
    return assignment


def _deep_link_response(launch: ToolMessageLaunch, assignment: Assignment) -> ResponseReturnValue:
    """The signed LtiResourceLink (with its gradebook column) posted back to the LMS."""
    maximum = maximum_score(assignment)
    resource = (
        DeepLinkResource()
        .set_url(tool_urls().launch)
        .set_title(assignment.title)
        .set_custom_params({"assignment_id": str(assignment.id)})
        .set_lineitem(
            LineItem()
            .set_score_maximum(maximum)
            .set_label(assignment.title)
            .set_resource_id(f"assignment-{assignment.id}")
            .set_tag("red-soul-classroom")
        )
    )
    deep_link = launch.get_deep_link()
    settings = launch.get_launch_data().get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    return_url = settings["deep_link_return_url"]
    token = deep_link.get_response_jwt([resource])
    response = current_app.make_response(
        render_template(
            "lms/deep_link_return.html", return_url=return_url, token=token, assignment=assignment, maximum=maximum
        )
    )
    response.headers["Content-Security-Policy"] = _policy(
        frame_ancestors=platform_frame_ancestors(), form_action=f"'self' {origin_of(return_url)}"
    )
    return response

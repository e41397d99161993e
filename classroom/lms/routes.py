"""The LTI 1.3 endpoints an LMS calls: OIDC login, launch, JWKS and Dynamic Registration (/lms).

Every refusal is a plain page for the person in front of the LMS (400 or 401) and one log line for
the school's IT person; nothing a platform sends can make a 500 here.
"""

from __future__ import annotations

import logging
import secrets
import typing as t
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from pylti1p3.contrib.flask.redirect import FlaskRedirect
from pylti1p3.exception import LtiException, OIDCException

from ..access import is_teacher
from ..extensions import csrf, db, limiter
from ..models import Assignment, LtiPlatform, SchoolClass
from ..web import has_control_characters, id_or_none
from .courses import (
    BindingError,
    bind_resource_link,
    find_course,
    find_resource_link,
    remember_line_item,
    remember_services,
)
from .framing import origin_of, platform_frame_ancestors, remember_frame_origin
from .identity import display_name, is_instructor, learner_student, linked_teacher
from .keys import public_jwks
from .platforms import tool_urls, usable_invite
from .registration import RegistrationRefused, register_with
from .store import launch_storage
from .tool import ToolMessageLaunch, ToolOIDCLogin, flask_request, launch_platform, tool_conf

bp = Blueprint("lms", __name__, url_prefix="/lms")
log = logging.getLogger("classroom.lms")

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
PENDING_KEY = "lti_pending"
CLIENT_STATE = "client-state-"


class Refusal(Exception):
    """A launch or registration we will not go on with: `message` for the person, `reason` for the log."""

    def __init__(self, status: int, message: str, reason: str = "") -> None:
        super().__init__(reason or message)
        self.status, self.message, self.reason = status, message, reason or message


@bp.errorhandler(Refusal)
def refused(error: Refusal) -> ResponseReturnValue:
    log.warning(
        "LTI refused (%s) at %s: %s [iss=%s client_id=%s]",
        error.status,
        request.path,
        error.reason,
        request.values.get("iss", "-"),
        request.values.get("client_id", "-"),
    )
    response = current_app.make_response((render_template("lms/refused.html", refusal=error), error.status))
    response.headers["Content-Security-Policy"] = _policy(frame_ancestors=platform_frame_ancestors())
    return response


def _policy(frame_ancestors: str = "'self'", form_action: str = "'self'") -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        f"base-uri 'self'; form-action {form_action}; frame-ancestors {frame_ancestors}"
    )


# Signature, key and token-lifetime problems are "who are you?" (401); the rest are bad requests (400).
UNAUTHORISED_HINTS = ("decode id_token", "public key", "kid", "signature", "expired", "registration not found")


def refusal_for(error: Exception) -> Refusal:
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if "nonce" in lowered:
        return Refusal(401, "This launch was already used. Go back to your course and open the activity again.", text)
    if "state" in lowered:
        return Refusal(
            400,
            "This launch could not be matched to the sign-in that started it. Open the activity again from "
            "your course; if it keeps happening, open it in a new window.",
            text,
        )
    if "deployment" in lowered:
        return Refusal(
            400, "This LMS deployment is not registered here. Ask your school's administrator to add it.", text
        )
    if "client id not registered" in lowered or any(hint in lowered for hint in UNAUTHORISED_HINTS):
        return Refusal(
            401,
            "We could not confirm that this launch really came from your school's LMS, so we did not sign you "
            "in. Open the activity again; if it keeps happening, tell your school's IT person.",
            text,
        )
    return Refusal(400, "This launch could not be used. Open the activity again from your course.", text)


@bp.before_request
def refuse_control_characters() -> None:
    """The platform's own posts are read field by field, not through a form: a control character in one
    (a NUL byte fails the launch data lookup on PostgreSQL) is refused before anything looks it up."""
    if request.endpoint not in ("lms.login", "lms.launch"):
        return
    for key in request.values:
        if has_control_characters(key) or any(has_control_characters(v) for v in request.values.getlist(key)):
            raise Refusal(400, "Open this activity from your course in the LMS.", "control character in the request")


# --- OIDC login initiation -------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the LMS posts here, with no token of ours
@limiter.limit("600/minute")
def login() -> ResponseReturnValue:
    launch_url = tool_urls().launch
    oidc = ToolOIDCLogin(flask_request(), tool_conf())
    storage_target = request.values.get("lti_storage_target", "")
    try:
        if storage_target:
            return _login_with_platform_storage(oidc, launch_url, storage_target)
        oidc.enable_check_cookies(
            main_msg="Your browser is not keeping this site's cookies inside the course page.",
            click_msg="Continue in a new window.",
            loading_msg="Opening the activity…",
        )
        return oidc.redirect(launch_url)
    except (OIDCException, LtiException) as error:
        raise Refusal(
            400,
            "This LMS is not registered here, or it did not send what a launch needs. "
            "Ask your school's administrator to check the tool registration.",
            f"login: {error}",
        ) from error


def _login_with_platform_storage(oidc: ToolOIDCLogin, launch_url: str, target: str) -> ResponseReturnValue:
    """LTI client-side storage: keep the state in the LMS's page (postMessage), for frames without cookies."""
    redirect_obj = oidc.get_redirect_object(launch_url)
    auth_url = redirect_obj.get_redirect_url()
    query = parse_qs(urlsplit(auth_url).query)
    state, nonce = query["state"][0], query["nonce"][0]
    verifier = secrets.token_urlsafe(24)
    platform = tool_conf().find_platform(request.values.get("iss", ""), request.values.get("client_id"))
    platform_origin = origin_of(platform.auth_login_url) if platform else "*"
    launch_storage().set_value(
        CLIENT_STATE + state, {"verifier": verifier, "target": target, "origin": platform_origin}, 600
    )
    response = current_app.make_response(
        render_template(
            "lms/storage_login.html",
            auth_url=auth_url,
            target=target,
            state=state,
            nonce=nonce,
            verifier=verifier,
            platform_origin=platform_origin,
        )
    )
    t.cast(FlaskRedirect, redirect_obj)._process_response(response)  # the cookies too, for browsers that keep them
    response.headers["Content-Security-Policy"] = _policy(frame_ancestors=platform_frame_ancestors())
    return response


# --- Launch ----------------------------------------------------------------------------------


class VerifiedLaunch(ToolMessageLaunch):
    """A launch whose state was proven through the LMS's client-side storage instead of a cookie."""

    storage_verified = False

    def validate_state(self):
        if self.storage_verified:
            return self
        return super().validate_state()


@bp.post("/launch")
@csrf.exempt  # the LMS posts the id_token here
@limiter.limit("600/minute")
def launch() -> ResponseReturnValue:
    if request.form.get("error"):
        raise Refusal(
            400,
            f"Your LMS stopped the launch: {request.form.get('error_description') or request.form['error']}",
            f"platform error {request.form.get('error')}: {request.form.get('error_description', '')}",
        )
    if not request.form.get("id_token"):
        raise Refusal(400, "Open this activity from your course in the LMS.", "launch without id_token")
    message_launch = VerifiedLaunch(flask_request(), tool_conf())
    state = request.form.get("state", "")
    storage = launch_storage()
    if state and not request.cookies.get(f"lti1p3-{state}"):
        kept = storage.get_value(CLIENT_STATE + state)
        if kept and not request.form.get("lti_storage_verifier"):
            # No cookie, but the login kept the state in the LMS page: read it back from there first.
            return _storage_launch_page(state, kept)
        if kept and secrets.compare_digest(str(kept["verifier"]), request.form.get("lti_storage_verifier", "")):
            storage.pop(CLIENT_STATE + state)
            message_launch.storage_verified = True
    try:
        claims: dict[str, Any] = dict(message_launch.get_launch_data())
        platform = launch_platform(message_launch)
    except (LtiException, AssertionError, KeyError, ValueError, requests.RequestException) as error:
        raise refusal_for(error) from error
    remember_frame_origin(platform)
    if message_launch.is_deep_link_launch():
        if not is_instructor(claims.get(CLAIM + "roles", [])):
            raise Refusal(401, "Only teachers can choose what this activity opens.", "deep link by a non-instructor")
        return _instructor(platform, claims, message_launch.get_launch_id(), deep_link=True)
    if not message_launch.is_resource_launch():
        raise Refusal(400, "This kind of LTI message is not something this tool opens.", "unsupported message type")
    if is_instructor(claims.get(CLAIM + "roles", [])):
        return _instructor(platform, claims, message_launch.get_launch_id(), deep_link=False)
    return _learner(platform, claims)


def _storage_launch_page(state: str, kept: dict) -> ResponseReturnValue:
    response = current_app.make_response(
        render_template(
            "lms/storage_launch.html",
            id_token=request.form["id_token"],
            state=state,
            target=kept.get("target") or "_parent",
            platform_origin=kept.get("origin") or "*",
        )
    )
    response.headers["Content-Security-Policy"] = _policy(frame_ancestors=platform_frame_ancestors())
    return response


def _learner(platform: LtiPlatform, claims: dict) -> ResponseReturnValue:
    """A student: into their assignment, as the LMS names them, with no code to carry."""
    link_id = str((claims.get(CLAIM + "resource_link") or {}).get("id") or "")
    context = claims.get(CLAIM + "context") or {}
    course = find_course(platform, str(context.get("id") or ""))
    link = find_resource_link(platform, link_id)
    if link is None and course is not None:
        assignment = _custom_assignment(claims)
        if assignment is not None and assignment.class_id == course.class_id:
            link = bind_resource_link(platform, link_id, assignment, course)
    if link is None or course is None or link.assignment.class_id != course.class_id:
        raise Refusal(
            400,
            "Your teacher has not finished setting up this activity yet. Try again later, or tell your teacher.",
            f"learner launch of an unbound resource link {link_id!r} in context {context.get('id')!r}",
        )
    remember_services(course, claims)
    remember_line_item(link, claims)
    student = learner_student(
        platform, str(claims["sub"]), course.school_class, display_name(claims), str(claims.get("email") or "")
    )
    if current_user.is_authenticated:
        logout_user()
    login_user(student)
    remember_frame_origin(platform)
    return redirect(url_for("student.assignment", assignment_id=link.assignment_id))


def _custom_assignment(claims: dict) -> Assignment | None:
    assignment_id = id_or_none(str((claims.get(CLAIM + "custom") or {}).get("assignment_id") or ""))
    return db.session.get(Assignment, assignment_id) if assignment_id else None


def _teacher_id_of(assignment_id: int) -> int | None:
    """The teacher of the assignment's class, in one query (neither the assignment nor its class is loaded)."""
    return db.session.scalar(
        db.select(SchoolClass.teacher_id)
        .join(Assignment, Assignment.class_id == SchoolClass.id)
        .where(Assignment.id == assignment_id)
    )


def _instructor(platform: LtiPlatform, claims: dict, launch_id: str, deep_link: bool) -> ResponseReturnValue:
    """A teacher: signed in to the linked account (after a one-time confirmation), then where the launch leads."""
    sub = str(claims["sub"])
    teacher = linked_teacher(platform, sub)
    if teacher is None:
        session[PENDING_KEY] = {
            "launch_id": launch_id,
            "platform_id": platform.id,
            "sub": sub,
            "name": display_name(claims, "your LMS account"),
            "deep_link": deep_link,
        }
        return redirect(url_for("lms.link_account"))
    if not (is_teacher() and current_user.id == teacher.id):
        if current_user.is_authenticated:
            logout_user()
        login_user(teacher)
    remember_frame_origin(platform)
    return instructor_destination(platform, claims, launch_id, deep_link)


def instructor_destination(platform: LtiPlatform, claims: dict, launch_id: str, deep_link: bool) -> ResponseReturnValue:
    """Where a signed-in teacher goes after a launch: choosing content, or the activity's assignment."""
    context = claims.get(CLAIM + "context") or {}
    course = find_course(platform, str(context.get("id") or ""))
    if course is not None:
        remember_services(course, claims)
    session["lti_pick"] = {"launch_id": launch_id, "deep_link": deep_link}
    if deep_link:
        return redirect(url_for("lms.pick"))
    link_id = str((claims.get(CLAIM + "resource_link") or {}).get("id") or "")
    link = find_resource_link(platform, link_id)
    if link is None and course is not None:
        assignment = _custom_assignment(claims)
        if assignment is not None and _teacher_id_of(assignment.id) == current_user.id:
            try:
                link = bind_resource_link(platform, link_id, assignment, course)
            except BindingError:
                link = None
    if link is None:
        return redirect(url_for("lms.pick"))
    remember_line_item(link, claims)
    if _teacher_id_of(link.assignment_id) != current_user.id:
        raise Refusal(
            401,
            "This activity opens another teacher's assignment. Ask them to share the class with you.",
            f"instructor {current_user.id} launched assignment {link.assignment_id} of another teacher",
        )
    return redirect(url_for("classes.assignment", assignment_id=link.assignment_id))


# --- Public keys and Dynamic Registration ------------------------------------------------------


@bp.get("/jwks")
def jwks() -> ResponseReturnValue:
    response = jsonify(public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/register/<token>")
@limiter.limit("30/hour")
def register(token: str) -> ResponseReturnValue:
    invite = usable_invite(token)
    if invite is None:
        raise Refusal(
            400,
            "This registration address has been used or has expired. Ask your administrator for a new one.",
            "dynamic registration with an unknown, used or expired invite",
        )
    config_url = request.args.get("openid_configuration", "")
    try:
        platform = register_with(invite, config_url, request.args.get("registration_token"))
    except RegistrationRefused as error:
        raise Refusal(400, str(error), f"dynamic registration refused: {error}") from error
    except (LtiException, AssertionError, KeyError, ValueError, requests.RequestException) as error:
        raise Refusal(
            400,
            "The LMS did not complete the registration. Nothing was saved; try again from the LMS.",
            f"dynamic registration failed: {type(error).__name__}: {error}",
        ) from error
    log.info(
        "LTI platform registered dynamically: %s (%s, client %s)", platform.name, platform.issuer, platform.client_id
    )
    response = current_app.make_response(render_template("lms/registered.html", platform=platform))
    response.headers["Content-Security-Policy"] = _policy(frame_ancestors=f"'self' {origin_of(config_url)}")
    return response

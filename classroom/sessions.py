"""Session tokens: every teacher and student carries one inside their login id.

Flask-Login keeps `get_id()` in the signed session cookie and in the remember cookie, and the loader
(classroom/access.py) accepts an id only while its token matches the stored one. Giving a person a new
token therefore signs out every browser that holds an old cookie: "log out everywhere", a password
change and a teacher's "reset return code" do exactly that.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from flask import current_app, request
from flask_login import current_user, login_user, logout_user

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .models import Student, Teacher


class SignsIn(Protocol):
    session_token: str


def new_session_token() -> str:
    """A fresh unguessable token (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def login_id(kind: str, person_id: int, token: str) -> str:
    """The id Flask-Login stores: "teacher:<id>:<token>" or "student:<id>:<token>"."""
    return f"{kind}:{person_id}:{token}"


def parse_login_id(value: str) -> tuple[str, int, str] | None:
    """(kind, id, token) from a stored login id, or None for anything malformed or from before tokens."""
    kind, _, rest = (value or "").partition(":")
    raw_id, _, token = rest.partition(":")
    # ASCII digits only (a "²" passes isdigit()), and short enough for every database's integer.
    if kind not in ("teacher", "student") or not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 15:
        return None
    if not token:
        return None
    return kind, int(raw_id), token


def token_matches(person: SignsIn | None, token: str) -> bool:
    """True when the cookie's token is this person's current one (compared in constant time)."""
    stored = getattr(person, "session_token", "") or ""
    return bool(stored) and hmac.compare_digest(stored.encode(), token.encode())


def rotate_session_token(person: SignsIn) -> None:
    """Give the person a new token; every cookie holding the old one stops working (the caller commits)."""
    person.session_token = new_session_token()


def student_remember_duration() -> timedelta:
    """How long a student's "stay signed in" cookie lasts: one school term at most (STUDENT_REMEMBER_DAYS)."""
    return timedelta(days=int(current_app.config["STUDENT_REMEMBER_DAYS"]))


def sign_in_student(student: Student) -> None:
    """Sign this browser in as the student (replacing whoever was signed in), remembered for a term."""
    if current_user.is_authenticated:
        logout_user()
    # remember: on the student's own device they stay signed in after closing the browser.
    login_user(student, remember=True, duration=student_remember_duration())
    log.info("student signed in", extra={"event": "student.signed_in", "student_id": student.id})


def stay_signed_in(person: Teacher | Student) -> None:
    """After the person's own token changed, keep this browser signed in under the new one."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    remembered = remember_cookie in request.cookies
    duration = student_remember_duration() if getattr(person, "is_student", False) else None
    login_user(person, remember=remembered, duration=duration if remembered else None)

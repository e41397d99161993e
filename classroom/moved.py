"""Addresses from before every area had its own URL prefix, redirected to where they live now.

Teachers bookmarked them and printed them on handouts, students were given them, and a tab
opened before an upgrade still posts to them: GET gets a permanent 301, a form post a 308 so
the browser sends the same form (with the student's text) to the new address.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from .extensions import csrf

bp = Blueprint("moved", __name__)
# Nothing is changed here; the new address checks the form's CSRF token.
csrf.exempt(bp)

GET, FORM = ("GET",), ("GET", "POST")

# (old rule, endpoint it moved to, methods it answered)
MOVED_PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("/signup", "auth.signup", FORM),
    ("/login", "auth.login", FORM),
    ("/logout", "auth.logout", ("POST",)),
    ("/account/password", "auth.change_password", FORM),
    ("/resume", "join.resume", FORM),
    ("/me", "student.home", GET),
    ("/me/welcome", "join.welcome", FORM),
    ("/me/logout", "student.logout", ("POST",)),
    ("/classes/<int:class_id>/moderation", "moderation.queue", GET),
    ("/classes/<int:class_id>/moderation/approve-selected", "moderation.bulk_approve", ("POST",)),
    ("/classes/<int:class_id>/dashboard", "dashboard.class_overview", GET),
    ("/classes/assignments/<int:assignment_id>/dashboard", "dashboard.assignment", GET),
    ("/classes/assignments/<int:assignment_id>/report", "dashboard.report", GET),
    ("/classes/assignments/<int:assignment_id>/highlights", "dashboard.highlights", GET),
    ("/classes/assignments/<int:assignment_id>/reflections", "dashboard.reflections", GET),
    ("/classes/assignments/<int:assignment_id>/reflections.csv", "dashboard.reflections_csv", GET),
    ("/classes/assignments/<int:assignment_id>/completion.csv", "dashboard.matrix_csv", GET),
    ("/classes/assignments/<int:assignment_id>/captions.vtt", "student.captions", GET),
]

# Whole areas whose addresses kept their shape under a new first segment.
MOVED_PREFIXES: list[tuple[str, str]] = [
    ("/plans", "/lessons"),
    ("/me/assignments", "/student/assignments"),
]


def _moved_to(location: str) -> Response:
    query = request.query_string.decode()
    if query:
        location = f"{location}?{query}"
    return redirect(location, 301 if request.method in ("GET", "HEAD") else 308)


def _to_endpoint(endpoint: str) -> Callable[..., Response]:
    def view(**values: Any) -> Response:
        return _moved_to(url_for(endpoint, **values))

    return view


def _to_prefix(new_prefix: str) -> Callable[..., Response]:
    def view(rest: str = "") -> Response:
        return _moved_to(f"{new_prefix}/{rest}")

    return view


for old_rule, endpoint, methods in MOVED_PAGES:
    bp.add_url_rule(old_rule, f"to_{endpoint.replace('.', '_')}", _to_endpoint(endpoint), methods=methods)

for old_prefix, new_prefix in MOVED_PREFIXES:
    name = f"under_{new_prefix.strip('/').replace('/', '_')}"
    bp.add_url_rule(f"{old_prefix}/", name, _to_prefix(new_prefix), methods=FORM)
    bp.add_url_rule(f"{old_prefix}/<path:rest>", f"{name}_page", _to_prefix(new_prefix), methods=FORM)

"""Pages of an LTI launch live in the LMS's iframe: let the launching platform (and only it) frame them.

A person who arrived through a launch carries the platform's origin in their session; their pages
then send `frame-ancestors 'self' <that origin>` instead of refusing every frame.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, session

from ..extensions import db
from ..models import LtiPlatform

SESSION_KEY = "lti_frame_origin"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, or "" when it has none."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def platform_origins() -> list[str]:
    """Every origin a registered platform serves its pages from."""
    rows = db.session.execute(db.select(LtiPlatform.issuer, LtiPlatform.auth_login_url)).all()
    return sorted({origin for row in rows for origin in map(origin_of, row) if origin})


def platform_frame_ancestors() -> str:
    return " ".join(["'self'", *platform_origins()])


def remember_frame_origin(platform: LtiPlatform) -> None:
    """After a launch, this browser's pages may be framed by that platform."""
    origin = origin_of(platform.auth_login_url) or origin_of(platform.issuer)
    if origin:
        session[SESSION_KEY] = origin


def allow_platform_frame(response: Response) -> Response:
    origin = session.get(SESSION_KEY)
    if not origin:
        return response
    policy = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors" in policy:
        directives = [d.strip() for d in policy.split(";") if d.strip() and not d.strip().startswith("frame-ancestors")]
        directives.append(f"frame-ancestors 'self' {origin}")
        response.headers["Content-Security-Policy"] = "; ".join(directives)
        # X-Frame-Options cannot name another origin; the CSP above says who may frame.
        response.headers.pop("X-Frame-Options", None)
    return response


def register(app: Flask) -> None:
    app.after_request(allow_platform_frame)

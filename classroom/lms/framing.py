"""Pages of an LTI launch live in the LMS's iframe: the launching platforms may frame them.

The embed policy (classroom/embed/policy.py) decides framing and cookies for every request; it counts
the registered platforms' origins among the allowed ones, treats the /lms area as embeddable, and,
for a person who arrived through a launch (marked in their session here), their other pages too.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, session
from sqlalchemy.exc import SQLAlchemyError

from ..embed.policy import LTI_SESSION_KEY
from ..extensions import db
from ..models import LtiPlatform


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, or "" when it has none."""
    try:
        parts = urlsplit(url or "")
    except ValueError:  # an unbalanced IPv6 bracket
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


# Every response asks for these (frame-ancestors), so they are kept for a short while rather than
# read per request; another worker sees a platform added or removed within this many seconds.
ORIGINS_TTL = 30.0


def platform_origins() -> list[str]:
    """Every origin a registered platform serves its pages from."""
    cache = current_app.extensions.setdefault("lti_platform_origins", {})
    if cache.get("until", 0.0) > time.monotonic():
        return cache["origins"]
    try:
        rows = db.session.execute(db.select(LtiPlatform.issuer, LtiPlatform.auth_login_url)).all()
    except SQLAlchemyError:
        # The database is down (the health check says so): no platform may frame anything meanwhile.
        db.session.rollback()
        return []
    origins = sorted({origin for row in rows for origin in map(origin_of, row) if origin})
    cache.update(origins=origins, until=time.monotonic() + ORIGINS_TTL)
    return origins


def forget_platform_origins() -> None:
    """After this worker added or removed a platform: read the origins again at the next request."""
    current_app.extensions.pop("lti_platform_origins", None)


def platform_frame_ancestors() -> str:
    return " ".join(["'self'", *platform_origins()])


def remember_frame_origin(platform: LtiPlatform) -> None:
    """After a launch, this browser's pages may be framed by the platforms, as student pages are."""
    origin = origin_of(platform.auth_login_url) or origin_of(platform.issuer)
    if origin:
        session[LTI_SESSION_KEY] = origin

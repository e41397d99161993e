"""Which pages other sites may frame, and the cookie attributes that keep a student signed in inside such a frame.

Every response asks `frame_context()` once: one decision per request, made when the request starts,
that both the headers and every cookie the app sets follow (the LTI tool reuses it).

- Student pages (the areas in EMBEDDABLE_AREAS) may be framed by the app itself and by the origins the
  school lists in EMBED_ALLOWED_ORIGINS; every other page (teachers', log-in, the rest) by nobody.
- A cookie set inside a frame on another site is a third-party cookie: a SameSite=Lax one is never
  stored there. So when the request comes from a cross-site frame of an allowed origin over HTTPS,
  cookies go out `SameSite=None; Secure; Partitioned` (CHIPS: the browser keeps them for that LMS
  only), and Lax everywhere else.
- The first framed request of a visit is sent through /embed/cookies, which tells whether the browser
  kept the cookie; when it did not (Safari, strict settings) the student gets an "Open in a new tab"
  page instead of a form that cannot be sent.

Another area that must work inside the LMS (the LTI launch) joins EMBEDDABLE_AREAS; its cookies then
follow the same rule. allowed_origins() is the one list that headers and cookies both consult, so
registered LTI platforms' origins belong there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, has_request_context, request, session

# Areas a student uses: joining, their assignments, and the cookie check itself.
EMBEDDABLE_AREAS = frozenset({"join", "student", "embed", "lms"})
# The session remembers which allowed site framed it; a partitioned cookie only ever comes back from there.
FRAME_ORIGIN_KEY = "framed_by"
# Set by an LTI launch (classroom/lms/framing.py): this browser's pages live in that platform's frame.
LTI_SESSION_KEY = "lti_frame_origin"
# What the decision reads from a request: the layout (compact in a frame), the cookies' attributes and,
# through the session's marks, frame-ancestors depend on them, so a cache must key pages on them too.
DECISION_HEADERS = ("Sec-Fetch-Dest", "Sec-Fetch-Site", "Referer", "Cookie")


class BadOrigin(ValueError):
    """An EMBED_ALLOWED_ORIGINS entry that is not a plain origin such as https://moodle.school.org."""


def parse_origins(text: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Origins from a comma- or space-separated list, normalised (lower case, no trailing slash)."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text or ())
    origins: list[str] = []
    for item in items:
        origin = item.strip().rstrip("/").lower()
        parts = urlsplit(origin)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.path or parts.query or parts.fragment:
            raise BadOrigin(
                f"EMBED_ALLOWED_ORIGINS: {item!r} is not an origin; write it like https://moodle.school.org "
                "(scheme and host, a port if it is not the usual one, no path)."
            )
        if "*" in origin or "'" in origin or ";" in origin:
            raise BadOrigin(f"EMBED_ALLOWED_ORIGINS: {item!r} must name one site exactly (no wildcards).")
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def allowed_origins() -> tuple[str, ...]:
    """EMBED_ALLOWED_ORIGINS and the origins of the registered LTI platforms (read once per request)."""
    if not has_request_context():
        return current_app.config["EMBED_ALLOWED_ORIGINS"]
    if "allowed_origins" not in g:
        from ..lms.framing import platform_origins

        configured = current_app.config["EMBED_ALLOWED_ORIGINS"]
        g.allowed_origins = configured + tuple(o for o in platform_origins() if o not in configured)
    return g.allowed_origins


def origin_of(url: str | None) -> str | None:
    """The origin (scheme://host[:port]) of a URL such as a Referer, or None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced IPv6 bracket in a header anyone can send
        return None
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(frozen=True)
class FrameContext:
    """What this request is, as far as framing goes."""

    embeddable: bool  # other allowed sites may frame this page
    framed: bool  # the browser is loading it into a frame (Sec-Fetch-Dest: iframe)
    cross_site_entry: bool  # a frame on another site opened it (the first request of a framed visit)
    origin: str | None  # the allowed site it is framed by, when known
    partitioned_cookies: bool  # cookies go out SameSite=None; Secure; Partitioned

    @property
    def frame_ancestors(self) -> str:
        """The CSP frame-ancestors value for this page."""
        if not self.embeddable:
            return "'none'"
        return " ".join(("'self'", *allowed_origins()))


def decide() -> FrameContext:
    """Decide from the request's Fetch Metadata, its Referer and the session (see the module docstring)."""
    # A teacher who came through an LTI launch works in the LMS's frame too (choosing content, marking).
    embeddable = request.blueprint in EMBEDDABLE_AREAS or bool(session.get(LTI_SESSION_KEY))
    dest = request.headers.get("Sec-Fetch-Dest", "")
    framed = dest == "iframe"
    cross_site_entry = framed and request.headers.get("Sec-Fetch-Site") == "cross-site"
    allowed = allowed_origins()
    marked = session.get(FRAME_ORIGIN_KEY)
    # The session began in a frame of that allowed site, or its (partitioned) cookie would not be here.
    marked = marked if marked in allowed else None
    if cross_site_entry:
        # A cross-site frame's first request names the framing page in its Referer (browsers send at
        # least the origin by default). Our own redirects drop it (Referrer-Policy: same-origin); then
        # the session's mark stands in. Another site in the Referer means no cross-site cookies.
        referrer = origin_of(request.referrer)
        origin = referrer if referrer in allowed else (marked if referrer is None else None)
    elif dest != "document":
        # Later requests inside the frame (form posts, links, the page's own fetches) are same-origin.
        origin = marked
    else:
        origin = None
    return FrameContext(
        embeddable=embeddable,
        framed=framed,
        cross_site_entry=cross_site_entry,
        origin=origin,
        partitioned_cookies=origin is not None and request.is_secure,
    )


def frame_context() -> FrameContext:
    """This request's decision, made once (before the view can change the session)."""
    if "frame_context" not in g:
        g.frame_context = decide()
    return g.frame_context


def cookie_attributes(samesite: str | None, secure: bool, partitioned: bool) -> tuple[str | None, bool, bool]:
    """The (SameSite, Secure, Partitioned) a cookie set during this request gets."""
    if has_request_context() and frame_context().partitioned_cookies:
        return "None", True, True
    return samesite, secure, partitioned


class FrameAwareResponse(Response):
    """Every cookie the app sets (Flask's session with the CSRF token, Flask-Login's remember cookie,
    and any later one) follows the request's frame decision; Flask-Login has no setting for Partitioned."""

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        samesite, secure, partitioned = cookie_attributes(samesite, secure, partitioned)
        super().set_cookie(
            key,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )


def apply_frame_headers(response: Response) -> Response:
    """frame-ancestors on every page; X-Frame-Options only where it can say the same (it has no allowlist)."""
    context = frame_context()
    if context.partitioned_cookies and session.get(FRAME_ORIGIN_KEY) != context.origin:
        # Keep the mark even if the view cleared the session, so the next request decides the same.
        session[FRAME_ORIGIN_KEY] = context.origin
    if request.endpoint != "static":  # a static file is the same whoever asks
        response.vary.update(DECISION_HEADERS)
    if not context.embeddable:
        response.headers["X-Frame-Options"] = "DENY"
    elif not allowed_origins():
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def init_app(app: Flask) -> None:
    """Read EMBED_ALLOWED_ORIGINS (a bad entry stops the app at start-up) and hook the decision in."""
    app.config["EMBED_ALLOWED_ORIGINS"] = parse_origins(app.config.get("EMBED_ALLOWED_ORIGINS"))
    app.response_class = FrameAwareResponse
    app.after_request(apply_frame_headers)
    app.jinja_env.globals["framed"] = lambda: frame_context().framed

"""The cookie check a framed visit starts with, and the "Open in a new tab" page when the browser refuses cookies."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from ..web import safe_next
from .policy import FRAME_ORIGIN_KEY, frame_context

bp = Blueprint("embed", __name__, url_prefix="/embed")


@bp.before_app_request
def check_cookies_on_entry() -> ResponseReturnValue | None:
    """A student page opened by a frame on another site: first find out whether cookies work in there."""
    context = frame_context()
    if (
        request.method == "GET"
        and context.embeddable
        and context.cross_site_entry
        and FRAME_ORIGIN_KEY not in session
        and request.endpoint != "embed.cookies"
    ):
        # The mark rides in the session cookie: if it comes back, the browser kept the cookie.
        session[FRAME_ORIGIN_KEY] = context.origin or ""
        return redirect(url_for("embed.cookies", next=request.full_path.rstrip("?")))
    return None


@bp.route("/cookies")
def cookies() -> ResponseReturnValue:
    next_url = safe_next(request.args.get("next")) or url_for("join.index")
    if FRAME_ORIGIN_KEY in session or not frame_context().framed:
        # The cookie came back, or this is a tab of its own (the frame's "open the full page" link).
        return redirect(next_url)
    return open_in_new_tab(next_url, status=200)


def open_in_new_tab(next_url: str, status: int) -> ResponseReturnValue:
    """The page a student sees when their browser will not keep them signed in inside the frame."""
    return render_template("embed/open_in_tab.html", continue_url=request.host_url.rstrip("/") + next_url), status


@bp.app_errorhandler(CSRFError)
def form_without_cookies(error: CSRFError) -> ResponseReturnValue:
    """A form sent from a frame whose cookies the browser refused: say how to go on, not a token error."""
    if frame_context().framed and not session.get("csrf_token"):
        return open_in_new_tab(request.path, status=400)
    return render_template("errors/error.html", code=400, title="That request could not be used", error=error), 400

"""An assignment's student link: a new link, the QR code as a file, and the projector view (classes blueprint)."""

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..access import owned_assignment_or_404
from ..join.logic import regenerate_link
from . import sharing
from .routes import bp


@bp.route("/assignments/<int:assignment_id>/new-link", methods=["POST"])
def new_link(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    regenerate_link(assignment)
    flash(
        "New student link made. The old link, its QR code and any embed using it no longer work: "
        "share the new one. Students who already joined are not affected.",
        "success",
    )
    return redirect(url_for("classes.assignment", assignment_id=assignment.id, _anchor="share"))


@bp.route("/assignments/<int:assignment_id>/qr.svg")
def qr_file(assignment_id: int) -> ResponseReturnValue:
    """The QR code as an SVG file to download, print or put on a slide."""
    assignment = owned_assignment_or_404(assignment_id)
    svg = sharing.qr_svg_file(sharing.student_link(assignment), f"Student link for {assignment.title}")
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="student-link-{assignment.id}.svg"'
    return response


@bp.route("/assignments/<int:assignment_id>/projector")
def projector(assignment_id: int) -> ResponseReturnValue:
    """For the board at the start of a lesson: the join code very large, the QR code and the short link."""
    assignment = owned_assignment_or_404(assignment_id)
    link = sharing.student_link(assignment)
    return render_template(
        "classes/projector.html",
        assignment=assignment,
        school_class=assignment.school_class,
        short=sharing.short_link(link),
        qr=sharing.qr_svg(link, title=f"QR code: scan to open {assignment.title}"),
    )

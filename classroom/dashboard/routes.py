"""The teacher's dashboards, highlights, printable report and CSV exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from ..access import owned_assignment_or_404, owned_class_or_404, teachers_only
from ..cache import cached_for_assignment
from ..models import Assignment
from ..statuses import ALL_STATUSES
from ..web import id_or_none, int_or_none
from . import charts, exports
from .stats import (
    BIN_SECONDS,
    AssignmentDashboard,
    ChangedMinds,
    assignment_dashboard,
    changed_minds,
    class_overview,
    reflections_for,
    reflections_page,
    sort_key,
    stance_texts_by_student,
)
from .stats import (
    highlights as starred_reflections,
)

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

LIST_PAGE_SIZE = 50

# Dashboards show minors' work: teachers only.
teachers_only(bp)


def _dashboard(assignment: Assignment, sort: str = "name", descending: bool = False) -> AssignmentDashboard:
    """The assignment dashboard's aggregates, from the per-assignment cache while nothing was written."""
    sort = sort_key(sort)
    list(assignment.prompts)  # loaded in one query, so the cached value's prompts are found without more
    return cached_for_assignment(
        assignment, f"dashboard:{sort}:{int(descending)}", lambda: assignment_dashboard(assignment, sort, descending)
    )


def _changed_minds(assignment: Assignment) -> list[ChangedMinds]:
    """What the students who changed their minds wrote, from the per-assignment cache like the aggregates."""
    return cached_for_assignment(assignment, "changed-minds", lambda: changed_minds(assignment))


def _sorting():
    sort = request.args.get("sort", "name")
    return sort, request.args.get("order") == "desc"


def _charts(data: AssignmentDashboard) -> dict:
    """The SVG charts of an assignment dashboard, keyed by what they show."""
    drawn = {}
    for stats in data.prompt_stats:
        prompt = stats.prompt
        drawn[f"cited-{prompt.id}"] = charts.histogram(
            stats.cited,
            chart_id=f"cited-{prompt.id}",
            title=f"Moments cited for the prompt at {prompt.time_seconds // 60} minutes",
            description=(
                f"{stats.cited_total} reflections cite a moment, counted in five-minute steps over the film. "
                "The table beside the chart lists the same numbers."
            ),
            bin_seconds=BIN_SECONDS,
        )
    stance = data.stance
    drawn["stance"] = charts.paired_bars(
        stance.options,
        stance.before,
        stance.after,
        chart_id="stance-chart",
        title=f"Stance poll before and after viewing: {stance.question}",
        description=(
            f"{sum(stance.before)} answers before viewing and {sum(stance.after)} after; "
            f"{stance.moved} of {stance.answered_both} students who answered both changed their answer."
        ),
    )
    return drawn


@bp.route("/classes/<int:class_id>", endpoint="class_overview")
def class_overview_page(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    sort, descending = _sorting()
    overview = class_overview(school_class, sort, descending)
    return render_template("dashboard/class_overview.html", overview=overview, school_class=school_class)


@bp.route("/assignments/<int:assignment_id>", endpoint="assignment")
def assignment_page(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    sort, descending = _sorting()
    data = _dashboard(assignment, sort, descending)
    return render_template(
        "dashboard/assignment.html",
        data=data,
        assignment=assignment,
        drawn=_charts(data),
        printable=False,
        minds=_changed_minds(assignment),
    )


@bp.route("/assignments/<int:assignment_id>/report")
def report(assignment_id: int) -> ResponseReturnValue:
    # The report's heading names the film.
    assignment = owned_assignment_or_404(assignment_id, joinedload(Assignment.film))
    data = _dashboard(assignment)
    return render_template(
        "dashboard/report.html",
        data=data,
        assignment=assignment,
        drawn=_charts(data),
        printable=True,
        minds=_changed_minds(assignment),
        highlights=starred_reflections(assignment),
    )


@bp.route("/assignments/<int:assignment_id>/highlights")
def highlights(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    return render_template(
        "dashboard/highlights.html", assignment=assignment, reflections=starred_reflections(assignment)
    )


@bp.route("/assignments/<int:assignment_id>/reflections")
def reflections(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    prompt_ids = {p.id for p in assignment.prompts}
    prompt_id = id_or_none(request.args.get("prompt"))
    if prompt_id is not None and prompt_id not in prompt_ids:
        abort(404)
    term = (request.args.get("term") or "").strip()[:60]
    status = request.args.get("status", "")
    status = status if status in ALL_STATUSES else ""
    listed = reflections_page(
        assignment, prompt_id, term, status, page=int_or_none(request.args.get("page")) or 1, per_page=LIST_PAGE_SIZE
    )
    shown = listed.reflections
    prompt = next((p for p in assignment.prompts if p.id == prompt_id), None)
    return render_template(
        "dashboard/reflections.html",
        assignment=assignment,
        reflections=shown,
        total=listed.total,
        page=listed.page,
        pages=listed.pages,
        prompt=prompt,
        term=term,
        status=status,
    )


def _csv_response(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/assignments/<int:assignment_id>/reflections.csv")
def reflections_csv(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    rows = exports.reflection_rows(
        assignment.school_class.name,
        assignment.title,
        reflections_for(assignment),
        stance_texts_by_student(assignment),
    )
    name = exports.filename(assignment.school_class.name, assignment.title, f"{assignment.id}", "reflections")
    return _csv_response(exports.to_csv(exports.REFLECTION_HEADER, rows), name)


@bp.route("/assignments/<int:assignment_id>/completion.csv")
def matrix_csv(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    header, rows = exports.matrix_table(_dashboard(assignment))
    name = exports.filename(assignment.school_class.name, assignment.title, f"{assignment.id}", "completion")
    return _csv_response(exports.to_csv(header, rows), name)

"""Marking: each assignment's scheme, a mark next to approve/return, the class gradebook and its CSV (/marks)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..access import (
    current_teacher,
    owned_assignment_or_404,
    owned_class_or_404,
    owned_reflection_or_404,
    teachers_only,
)
from ..dashboard import exports
from ..lms.grades import deliveries_for_class, dispatch, resend, scores_changed
from ..models import Assignment, Reflection
from ..moderation.forms import BulkApproveForm
from ..web import form_page, int_or_none
from .forms import MarkForm, SchemeForm
from .gradebook import class_gradebook
from .logic import give_mark, set_scheme
from .scheme import POINTS, RUBRIC, SUGGESTED_RUBRIC, SchemeError, maximum_score

bp = Blueprint("marks", __name__, url_prefix="/marks")
teachers_only(bp)


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def scheme(assignment_id: int) -> ResponseReturnValue:
    """Choose how an assignment is marked."""
    assignment = owned_assignment_or_404(assignment_id)
    form = SchemeForm(data={"scheme": assignment.marking_scheme, "points_per_prompt": assignment.points_per_prompt})
    if request.method == "GET":
        # The starter plan's rubric is the suggestion until the teacher writes their own.
        form.fill_rubric(assignment.rubric or SUGGESTED_RUBRIC)
    error = ""
    if form.validate_on_submit():
        try:
            set_scheme(assignment, form.scheme.data, form.points_per_prompt.data or 2, form.rubric())
        except SchemeError as problem:
            error = str(problem)
            (form.levels_1 if form.scheme.data == RUBRIC else form.points_per_prompt).errors.append(error)
        else:
            scores_changed(assignment.id, _student_ids(assignment))
            flash(f"Saved. “{assignment.title}” is now marked out of {maximum_score(assignment)}.", "success")
            return redirect(url_for("classes.assignment", assignment_id=assignment.id))
    return form_page("marks/scheme.html", form=form, assignment=assignment, school_class=assignment.school_class)


def _student_ids(assignment: Assignment) -> list[int]:
    from ..extensions import db
    from ..models import Student

    return list(db.session.scalars(db.select(Student.id).where(Student.class_id == assignment.class_id)))


def _back(reflection: Reflection, class_id: int, form: MarkForm) -> ResponseReturnValue:
    if form.back.data == "history":
        return redirect(url_for("moderation.history", reflection_id=reflection.id, _anchor="mark"))
    next_id = int_or_none(form.next_id.data)
    return redirect(
        url_for(
            "moderation.queue",
            class_id=class_id,
            assignment=int_or_none(form.assignment.data),
            page=int_or_none(form.page.data),
            _anchor=f"reflection-{next_id}" if next_id else f"reflection-{reflection.id}",
        )
    )


@bp.post("/reflections/<int:reflection_id>")
def mark(reflection_id: int) -> ResponseReturnValue:
    """Give or change a reflection's mark, then go back to the queue or the history page."""
    reflection = owned_reflection_or_404(reflection_id)
    # Taken before the mark commits: the commit expires the prompt, assignment and student loaded with it.
    assignment = reflection.prompt.assignment
    name = reflection.student.display_name
    form = MarkForm()
    if not form.validate_on_submit():
        flash("The page had been open a long time. Please give the mark again.", "error")
        return _back(reflection, assignment.class_id, form)
    try:
        if assignment.marking_scheme == POINTS:
            give_mark(reflection, current_teacher(), points=int_or_none(request.form.get("points")))
        else:
            levels = [int_or_none(request.form.get(f"level-{i}")) for i in range(len(assignment.rubric or []))]
            give_mark(reflection, current_teacher(), levels=levels)
    except SchemeError as problem:
        flash(f"{name}: {problem}", "error")
        return _back(reflection, assignment.class_id, form)
    scores_changed(assignment.id, [reflection.student_id])
    flash(f"Marked {name}’s reflection.", "success")
    return _back(reflection, assignment.class_id, form)


@bp.route("/classes/<int:class_id>")
def gradebook(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    return render_template(
        "marks/gradebook.html",
        school_class=school_class,
        book=class_gradebook(school_class),
        deliveries=deliveries_for_class(school_class.id),
        resend_form=BulkApproveForm(formdata=None),
    )


@bp.route("/classes/<int:class_id>/gradebook.csv")
def gradebook_csv(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    book = class_gradebook(school_class)
    header = ["Student"] + [f"{a.title} (out of {maximum_score(a)})" for a in book.assignments] + ["Total", "Out of"]
    rows = [
        [row.student.display_name, *[score.given for score in row.scores], row.total, row.total_maximum]
        for row in book.rows
    ]
    name = exports.filename(school_class.name, "gradebook")
    return Response(
        exports.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Content-Type": "text/csv; charset=utf-8"},
    )


@bp.post("/classes/<int:class_id>/resend")
def resend_scores(class_id: int) -> ResponseReturnValue:
    """Send the class's unsent LMS scores again now."""
    school_class = owned_class_or_404(class_id)
    if BulkApproveForm().validate_on_submit():
        ids = [delivery.id for delivery in deliveries_for_class(school_class.id)]
        count = resend(ids)
        dispatch()
        flash(f"Sending {count} score{'s' if count != 1 else ''} to the LMS again.", "success")
    return redirect(url_for("marks.gradebook", class_id=school_class.id))

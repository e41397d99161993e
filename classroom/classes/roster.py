"""The class's roster on the teacher's side: rename a student, reset a return code, remove, print codes."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..access import class_student_or_404, current_teacher, owned_class_or_404
from ..lms.grades import scores_changed
from ..web import form_page
from . import students
from .forms import MergeForm, RenameForm
from .merge import MergeRefused, merge_students
from .routes import bp


@bp.route("/<int:class_id>/students")
def roster(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    rows, total_prompts = students.class_roster(school_class)
    return render_template("classes/roster.html", school_class=school_class, rows=rows, total_prompts=total_prompts)


@bp.route("/<int:class_id>/students/<int:student_id>/rename", methods=["GET", "POST"])
def rename_student(class_id: int, student_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    form = RenameForm(data={"display_name": student.display_name} if request.method == "GET" else None)
    if form.validate_on_submit():
        old_name = student.display_name
        students.rename_student(student, form.display_name.data)
        flash(f"{old_name} is now called {student.display_name}.", "success")
        return redirect(url_for("classes.roster", class_id=school_class.id))
    return form_page("classes/rename_student.html", form=form, school_class=school_class, student=student)


@bp.route("/<int:class_id>/students/<int:student_id>/remove", methods=["GET", "POST"])
def remove_student(class_id: int, student_id: int) -> ResponseReturnValue:
    """GET asks for confirmation and says what goes; POST removes."""
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    if request.method == "POST":
        name = student.display_name
        students.remove_student(student)
        flash(f"{name} and all of their work have been removed from {school_class.name}.", "success")
        return redirect(url_for("classes.roster", class_id=school_class.id))
    return render_template(
        "classes/remove_student.html",
        school_class=school_class,
        student=student,
        summary=students.removal_summary(student),
    )


@bp.route("/<int:class_id>/students/<int:student_id>/merge", methods=["GET", "POST"])
def merge_student(class_id: int, student_id: int) -> ResponseReturnValue:
    """The same person joined twice: move one student's work to the other and remove the first."""
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    others = [other for other in students.students_by_name(school_class) if other.id != student.id]
    form = MergeForm()
    form.into.choices = [(other.id, other.display_name) for other in others]
    if form.validate_on_submit():
        keep = class_student_or_404(school_class, form.into.data)
        name = student.display_name
        try:
            summary = merge_students(keep, student, current_teacher())
        except MergeRefused as problem:
            form.into.errors.append(str(problem))
        else:
            for assignment_id in students.assignment_ids(school_class):
                scores_changed(assignment_id, [keep.id])
            kept = (
                f" {summary.kept_versions} answer{'s' if summary.kept_versions != 1 else ''} to a prompt both had "
                f"{'are' if summary.kept_versions != 1 else 'is'} kept as a second version on the reflection’s history page."
                if summary.kept_versions
                else ""
            )
            flash(
                f"Merged {name} into {keep.display_name}: {summary.moved} reflection{'s' if summary.moved != 1 else ''} "
                f"moved.{kept} {name}’s return code no longer works.",
                "success",
            )
            return redirect(url_for("classes.roster", class_id=school_class.id, _anchor=f"student-{keep.id}"))
    return form_page(
        "classes/merge_student.html",
        form=form,
        school_class=school_class,
        student=student,
        others=others,
        summary=students.removal_summary(student),
    )


@bp.route("/<int:class_id>/students/<int:student_id>/reset-code", methods=["POST"])
def reset_code(class_id: int, student_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    student = class_student_or_404(school_class, student_id)
    code = students.reset_return_code(student)
    flash(f"{student.display_name}'s new return code is {code}. The old one no longer works.", "success")
    return redirect(url_for("classes.roster", class_id=school_class.id, _anchor=f"student-{student.id}"))


@bp.route("/<int:class_id>/students/codes-handed-out", methods=["POST"])
def codes_handed_out(class_id: int) -> ResponseReturnValue:
    """The teacher has handed out the codes an upgrade reissued: the roster stops saying so."""
    school_class = owned_class_or_404(class_id)
    students.forget_reissued_codes(school_class)
    return redirect(url_for("classes.roster", class_id=school_class.id))


@bp.route("/<int:class_id>/students/codes")
def print_codes(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    return render_template(
        "classes/print_codes.html",
        school_class=school_class,
        students=students.students_by_name(school_class),
        resume_url=url_for("join.resume", _external=True),
    )

"""Classes, their join codes, and the assignments given to them (the roster is in roster.py)."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectChoice

from ..access import (
    assignment_prompt_or_404,
    current_teacher,
    owned_assignment_or_404,
    owned_class_or_404,
    owned_plan_or_404,
    teachers_only,
)
from ..extensions import db
from ..lessons.forms import PromptForm
from ..lessons.plans import unchecked_times
from ..models import LessonPlan, utcnow
from ..moderation.queue import awaiting_count
from ..timezones import current_zone, local_to_utc, utc_to_local
from ..web import form_page, id_or_none
from . import logic, prompts, sharing
from .forms import AssignmentForm, ClassForm, NewAssignmentForm, date_error_messages

bp = Blueprint("classes", __name__, url_prefix="/classes")

teachers_only(bp)


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("classes/index.html", rows=logic.classes_with_counts(current_teacher()))


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = ClassForm()
    if form.validate_on_submit():
        school_class = logic.create_class(current_teacher(), form.name.data, form.term.data)
        flash(f'Class "{school_class.name}" opened. Share the join link or code with your students.', "success")
        return redirect(url_for("classes.show", class_id=school_class.id))
    return form_page("classes/class_form.html", form=form, school_class=None)


@bp.route("/<int:class_id>")
def show(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    return render_template(
        "classes/show.html",
        school_class=school_class,
        assignments=logic.class_assignments(school_class),
        awaiting=awaiting_count(school_class.id),
    )


@bp.route("/<int:class_id>/edit", methods=["GET", "POST"])
def edit(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    form = ClassForm(obj=school_class)
    if form.validate_on_submit():
        logic.update_class(school_class, form.name.data, form.term.data)
        flash("Class saved.", "success")
        return redirect(url_for("classes.show", class_id=school_class.id))
    return form_page("classes/class_form.html", form=form, school_class=school_class)


@bp.route("/<int:class_id>/regenerate-code", methods=["POST"])
def regenerate_code(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    code = logic.regenerate_join_code(school_class)
    flash(f"New join code {code}. The old code and link no longer work.", "success")
    return redirect(url_for("classes.show", class_id=class_id, _anchor="joining"))


@bp.route("/<int:class_id>/toggle-join", methods=["POST"])
def toggle_join(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    logic.set_joining(school_class, not school_class.join_enabled)
    if school_class.join_enabled:
        flash("Joining is on: new students can join with the code or link.", "success")
    else:
        flash("Joining is off: nobody new can join. Students already in the class are not affected.", "success")
    return redirect(url_for("classes.show", class_id=class_id, _anchor="joining"))


def assignment_changes(form: AssignmentForm, default_title: str) -> dict:
    """The form's values as keyword arguments for assign_plan / update_assignment."""
    return {
        "title": (form.title.data or "").strip() or default_title,
        "opens_at": local_to_utc(form.opens_at.data, current_zone()),
        "closes_at": local_to_utc(form.closes_at.data, current_zone()),
        "video_url": form.video_url.data or "",
        "require_approval": form.require_approval.data,
        "show_classmates": form.show_classmates.data,
        "anonymise": form.anonymise.data,
    }


@bp.route("/<int:class_id>/assign", methods=["GET", "POST"])
def new_assignment(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    my_plans = db.session.scalars(
        db.select(LessonPlan).where(LessonPlan.teacher_id == current_teacher().id).order_by(LessonPlan.title)
    ).all()
    unchecked = {plan.id: unchecked_times(plan) for plan in my_plans}
    form = NewAssignmentForm()
    form.plan.choices = [SelectChoice(plan.id, plan.title) for plan in my_plans]
    if request.method == "GET":
        wanted = id_or_none(request.args.get("plan"))
        if wanted is not None:
            chosen = owned_plan_or_404(wanted)
            form.plan.data = chosen.id
            # The plan's film link, checked while setting its times, is where the class starts.
            form.video_url.data = chosen.video_url
        # A sensible starting point: open now, close in two weeks.
        now = utc_to_local(utcnow(), current_zone()).replace(second=0, microsecond=0)
        form.opens_at.data = now
        form.closes_at.data = now + timedelta(days=14)
    if my_plans and form.validate_on_submit():
        plan = owned_plan_or_404(form.plan.data)
        changes = assignment_changes(form, plan.title)
        assignment = logic.assign_plan(
            school_class,
            plan,
            captions_vtt=form.captions_text or "",
            captions_language=form.captions_language.data,
            **changes,
        )
        flash(f'Assigned "{assignment.title}" to {school_class.name}.', "success")
        if unchecked[plan.id]:
            flash(
                f"{unchecked[plan.id]} of its prompt times are still suggested, not yet checked against the film. "
                "Check them below (Edit on each prompt) before students reach them.",
                "warning",
            )
        return redirect(url_for("classes.assignment", assignment_id=assignment.id))
    date_error_messages(form)
    return form_page(
        "classes/assignment_form.html",
        form=form,
        school_class=school_class,
        assignment=None,
        has_plans=bool(my_plans),
        unchecked_plans=[(plan, unchecked[plan.id]) for plan in my_plans if unchecked[plan.id]],
    )


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    changes = prompts.plan_changes(assignment)
    return render_template(
        "classes/assignment.html",
        assignment=assignment,
        school_class=assignment.school_class,
        awaiting=awaiting_count(assignment.class_id, assignment.id),
        share=sharing.share_panel(assignment),
        plan_changes=changes,
        plan_changes_digest=prompts.changes_digest(changes),
        answered_before_change=prompts.answers_before_change(assignment.prompts),
        caption_languages=logic.caption_languages(assignment.id) if assignment.has_captions else [],
    )


@bp.route("/assignments/<int:assignment_id>/prompts/<int:prompt_id>/edit", methods=["GET", "POST"])
def edit_assignment_prompt(assignment_id: int, prompt_id: int) -> ResponseReturnValue:
    """Correct one prompt of the class's copy; students' answers stay with it."""
    assignment = owned_assignment_or_404(assignment_id)
    prompt = assignment_prompt_or_404(assignment, prompt_id)
    form = PromptForm(obj=prompt)
    if request.method == "GET":
        form.show_saved(prompt)
    if form.validate_on_submit():
        changed = prompts.edit_prompt(prompt, **form.typed_fields(), time_checked=form.time_checked.data)
        if not changed:
            flash("Nothing changed.", "info")
        elif prompt.changed_at and prompts.answers_before_change([prompt]).get(prompt.id):
            flash(
                "Prompt saved. Answers written before this change are marked as answering the earlier version.",
                "success",
            )
        else:
            flash("Prompt saved. The class sees the change straight away.", "success")
        return redirect(url_for("classes.assignment", assignment_id=assignment.id, _anchor=f"prompt-{prompt.id}"))
    return form_page(
        "classes/assignment_prompt_form.html",
        form=form,
        assignment=assignment,
        school_class=assignment.school_class,
        prompt=prompt,
        answers=prompts.answer_count(prompt),
        preview_url=assignment.video_url,
    )


@bp.route("/assignments/<int:assignment_id>/plan-changes", methods=["POST"])
def bring_plan_changes(assignment_id: int) -> ResponseReturnValue:
    """Bring the plan's current prompts to the class, if they are still the changes the teacher was shown."""
    assignment = owned_assignment_or_404(assignment_id)
    changes = prompts.plan_changes(assignment)
    if not changes:
        flash("This assignment already has the plan's prompts: nothing to bring over.", "info")
    elif request.form.get("digest") != prompts.changes_digest(changes):
        flash(
            "The plan changed again since this page was loaded. Check the list of changes below and try again.", "error"
        )
    else:
        prompts.bring_plan_changes(assignment)
        flash(f"Brought {len(changes)} change{'s' if len(changes) != 1 else ''} from the plan to the class.", "success")
    return redirect(url_for("classes.assignment", assignment_id=assignment.id, _anchor="plan-changes"))


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
def edit_assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = owned_assignment_or_404(assignment_id)
    form = AssignmentForm(obj=assignment)
    if request.method == "GET":
        form.opens_at.data = utc_to_local(assignment.opens_at, current_zone())
        form.closes_at.data = utc_to_local(assignment.closes_at, current_zone())
    if form.validate_on_submit():
        changes = assignment_changes(form, assignment.title)
        if form.remove_captions.data:
            logic.remove_caption_tracks(assignment, form.remove_captions.data)
        if form.captions_text is not None:
            logic.set_caption_track(assignment, form.captions_language.data, form.captions_text)
        logic.update_assignment(assignment, **changes)
        flash("Assignment saved. Its prompts are unchanged.", "success")
        return redirect(url_for("classes.assignment", assignment_id=assignment.id))
    date_error_messages(form)
    return form_page(
        "classes/assignment_form.html",
        form=form,
        school_class=assignment.school_class,
        assignment=assignment,
        caption_languages=logic.caption_languages(assignment.id),
        has_plans=True,
    )


@bp.route("/assignments/<int:assignment_id>/delete", methods=["GET", "POST"])
def delete_assignment(assignment_id: int) -> ResponseReturnValue:
    """GET asks for confirmation and says what goes; POST deletes."""
    assignment = owned_assignment_or_404(assignment_id)
    class_id = assignment.class_id
    if request.method == "POST":
        title = assignment.title
        logic.delete_assignment(assignment)
        flash(f'Deleted the assignment "{title}" and everything students wrote for it.', "success")
        return redirect(url_for("classes.show", class_id=class_id))
    return render_template(
        "classes/delete_assignment.html",
        assignment=assignment,
        school_class=assignment.school_class,
        reflections=logic.reflections_in_assignment(assignment),
    )

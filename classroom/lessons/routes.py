"""Lesson plans and their timestamped prompts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from ..access import current_teacher, owned_plan_or_404, owned_plan_prompt_or_404, teachers_only
from ..extensions import db
from ..filmtime import format_film_time
from ..models import LessonPlan, SchoolClass
from ..web import form_page
from . import plans
from .forms import PlanForm, PromptForm, StanceQuestionForm

bp = Blueprint("lessons", __name__, url_prefix="/lessons")

teachers_only(bp)


@bp.route("/")
def index() -> ResponseReturnValue:
    starter = plans.starter_plan_data()
    return render_template(
        "lessons/index.html",
        rows=plans.plans_with_prompt_counts(current_teacher()),
        starter=starter,
    )


@bp.route("/starter", methods=["POST"])
def start_starter() -> ResponseReturnValue:
    plan = plans.copy_starter_plan(current_teacher())
    flash(
        f'"{plan.title}" is now your own plan. Its times are suggestions: check each one against '
        "the film and confirm or change it.",
        "success",
    )
    return redirect(url_for("lessons.show", plan_id=plan.id))


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = PlanForm()
    if form.validate_on_submit():
        plan = plans.create_plan(
            current_teacher(), form.title.data, form.grade_band.data, form.objectives.data, form.video_url.data or ""
        )
        flash("Plan created. Now add prompts pinned to moments in the film.", "success")
        return redirect(url_for("lessons.show", plan_id=plan.id))
    return form_page("lessons/plan_form.html", form=form, plan=None)


@bp.route("/<int:plan_id>")
def show(plan_id: int) -> ResponseReturnValue:
    plan = owned_plan_or_404(plan_id, joinedload(LessonPlan.film))
    classes = db.session.scalars(
        db.select(SchoolClass).where(SchoolClass.teacher_id == current_teacher().id).order_by(SchoolClass.name)
    ).all()
    return render_template(
        "lessons/show.html",
        plan=plan,
        classes=classes,
        unchecked=plans.unchecked_times(plan),
    )


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
def edit(plan_id: int) -> ResponseReturnValue:
    plan = owned_plan_or_404(plan_id)
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        plans.update_plan(plan, form.title.data, form.grade_band.data, form.objectives.data, form.video_url.data or "")
        flash("Plan saved.", "success")
        return redirect(url_for("lessons.show", plan_id=plan.id))
    return form_page("lessons/plan_form.html", form=form, plan=plan)


@bp.route("/<int:plan_id>/duplicate", methods=["POST"])
def duplicate(plan_id: int) -> ResponseReturnValue:
    copy = plans.duplicate_plan(owned_plan_or_404(plan_id))
    flash(f'Made "{copy.title}". Change anything here: the original stays as it was.', "success")
    return redirect(url_for("lessons.show", plan_id=copy.id))


@bp.route("/<int:plan_id>/delete", methods=["GET", "POST"])
def delete(plan_id: int) -> ResponseReturnValue:
    """GET asks for confirmation and says what goes; POST deletes."""
    plan = owned_plan_or_404(plan_id)
    if request.method == "POST":
        title = plan.title
        plans.delete_plan(plan)
        flash(f'Deleted the plan "{title}".', "success")
        return redirect(url_for("lessons.index"))
    return render_template("lessons/delete.html", plan=plan, assignments=plans.assignments_from_plan(plan))


@bp.route("/<int:plan_id>/prompts/new", methods=["GET", "POST"])
def new_prompt(plan_id: int) -> ResponseReturnValue:
    plan = owned_plan_or_404(plan_id)
    form = PromptForm()
    if form.validate_on_submit():
        plans.add_prompt(plan, **form.typed_fields())
        flash(f"Prompt added at {format_film_time(form.seconds)}.", "success")
        return redirect(url_for("lessons.show", plan_id=plan.id, _anchor="prompts"))
    return form_page(
        "lessons/prompt_form.html", form=form, plan=plan, prompt=None, preview_url=plans.preview_video_url(plan)
    )


@bp.route("/<int:plan_id>/prompts/<int:prompt_id>/edit", methods=["GET", "POST"])
def edit_prompt(plan_id: int, prompt_id: int) -> ResponseReturnValue:
    prompt = owned_plan_prompt_or_404(plan_id, prompt_id)
    form = PromptForm(obj=prompt)
    if request.method == "GET":
        form.show_saved(prompt)
    if form.validate_on_submit():
        plans.update_prompt(prompt, **form.typed_fields(), time_checked=form.time_checked.data)
        flash("Prompt saved.", "success")
        return redirect(url_for("lessons.show", plan_id=plan_id, _anchor=f"prompt-{prompt.id}"))
    return form_page(
        "lessons/prompt_form.html",
        form=form,
        plan=prompt.plan,
        prompt=prompt,
        preview_url=plans.preview_video_url(prompt.plan),
    )


@bp.route("/<int:plan_id>/prompts/<int:prompt_id>/confirm-time", methods=["POST"])
def confirm_time(plan_id: int, prompt_id: int) -> ResponseReturnValue:
    prompt = owned_plan_prompt_or_404(plan_id, prompt_id)
    plans.confirm_prompt_time(prompt)
    flash(f"Time {format_film_time(prompt.time_seconds)} confirmed.", "success")
    return redirect(url_for("lessons.show", plan_id=plan_id, _anchor=f"prompt-{prompt.id}"))


@bp.route("/<int:plan_id>/prompts/<int:prompt_id>/delete", methods=["GET", "POST"])
def delete_prompt(plan_id: int, prompt_id: int) -> ResponseReturnValue:
    """GET asks for confirmation; POST removes the prompt."""
    prompt = owned_plan_prompt_or_404(plan_id, prompt_id)
    if request.method == "POST":
        plans.delete_prompt(prompt)
        flash("Prompt deleted.", "success")
        return redirect(url_for("lessons.show", plan_id=plan_id, _anchor="prompts"))
    return render_template("lessons/delete_prompt.html", plan=prompt.plan, prompt=prompt)


@bp.route("/<int:plan_id>/stance", methods=["GET", "POST"])
def edit_stance(plan_id: int) -> ResponseReturnValue:
    plan = owned_plan_or_404(plan_id)
    form = StanceQuestionForm()
    if request.method == "GET":
        form.question.data = plan.stance_question
        form.options.data = "\n".join(plan.stance_options)
    if form.validate_on_submit():
        plans.set_stance(plan, form.question.data, form.parsed_options)
        flash("Stance question saved.", "success")
        return redirect(url_for("lessons.show", plan_id=plan.id, _anchor="stance"))
    return form_page("lessons/stance_form.html", form=form, plan=plan)

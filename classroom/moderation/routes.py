"""The moderation queue, the teacher's decisions, a reflection's history and the teacher's flag words."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from ..access import (
    current_teacher,
    owned_class_or_404,
    owned_reflection_or_404,
    teachers_only,
)
from ..classes.merge import kept_versions_of
from ..extensions import db
from ..filmtime import format_film_time as film_time
from ..lms.grades import reflections_changed
from ..marks.logic import mark_history, mark_of
from ..models import Assignment, Reflection
from ..statuses import ReflectionStatus as S
from ..web import int_or_none, safe_next
from .decisions import (
    BulkApproval,
    TransitionError,
    approve_reflection,
    bulk_approve,
    reflag_awaiting,
    reject_reflection,
    reopen_reflection,
    return_reflection,
    set_star,
)
from .flags import builtin_words, highlight, parse_word_list
from .forms import DecisionForm, FlagWordsForm, RejectForm, ReopenForm, ReturnForm
from .items import PageForms
from .queue import awaiting_page, history_of, rejected_list

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

# Every page here is the teacher's; students and visitors go to the teachers' login.
teachers_only(bp)


def _hidden(reflection, next_id=None, assignment_id=None, page=1, back=""):
    """The hidden fields of a reflection's decision forms: the version the teacher saw and where to return."""
    return {
        "version": reflection.version,
        "next_id": next_id or "",
        "assignment": assignment_id or "",
        "page": page,
        "back": back,
    }


def _refused(kind: str, form: FlaskForm) -> dict:
    """A refused decision to show again: which one, what was typed, and why it was refused."""
    feedback = getattr(form, "feedback", None)
    return {
        "kind": kind,
        "feedback": feedback.data if feedback is not None else "",
        "errors": feedback.errors if feedback is not None else [],
    }


def _queue_item(
    forms: PageForms, reflection: Reflection, kinds: tuple[str, ...], hidden: dict, what: str, failed: dict
) -> dict:
    """What the queue shows of one reflection: its film time, the words naming it on every button, its decision
    forms of these kinds, and its text with the flagged words marked."""
    at = film_time(reflection.prompt.time_seconds)
    context = f"{reflection.student.display_name}’s {what} on the prompt at {at}"
    return {
        "reflection": reflection,
        "at": at,
        "context": context,
        "decisions": forms.decisions(reflection.id, kinds, hidden, context, failed.get(reflection.id)),
        "body": highlight(reflection.body_html, reflection.flags, reflection.html_policy),
    }


def render_queue(school_class, assignment_id=None, page=1, failed=None, status=200):
    # The class's assignments first: the filter lists them, and every queued reflection's prompt then finds
    # its assignment in the session instead of each row of the queue carrying it again.
    assignments = db.session.scalars(
        db.select(Assignment).where(Assignment.class_id == school_class.id).order_by(Assignment.id)
    ).all()
    assignment = None
    if assignment_id:
        assignment = next((each for each in assignments if each.id == assignment_id), None)
        if assignment is None:
            abort(404)
    queue = awaiting_page(school_class.id, assignment_id, page)
    forms = PageForms()
    failed = failed or {}
    items = []
    for index, reflection in enumerate(queue.items):
        following = queue.items[index + 1] if index + 1 < len(queue.items) else None
        hidden = _hidden(
            reflection, next_id=following.id if following else None, assignment_id=assignment_id, page=queue.page
        )
        item = _queue_item(forms, reflection, ("approve", "return", "reject"), hidden, "reflection", failed)
        item["mark"] = queue.marks.get(reflection.id)
        # A mark returns to the same place in the queue as a decision.
        item["mark_hidden"] = forms.hidden_fields({name: hidden[name] for name in ("next_id", "assignment", "page")})
        items.append(item)
    rejected = [
        _queue_item(
            forms,
            reflection,
            ("approve", "reopen"),
            _hidden(reflection, assignment_id=assignment_id, page=queue.page, back="rejected"),
            "rejected reflection",
            failed,
        )
        for reflection in rejected_list(school_class.id, assignment_id)
    ]
    return (
        render_template(
            "moderation/queue.html",
            school_class=school_class,
            assignment=assignment,
            assignments=assignments,
            queue=queue,
            items=items,
            rejected=rejected,
            forms=forms,
        ),
        status,
    )


@bp.route("/classes/<int:class_id>")
def queue(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    return render_queue(
        school_class, int_or_none(request.args.get("assignment")), int_or_none(request.args.get("page")) or 1
    )


def _back(reflection_id, class_id, form, anchor_next=True):
    """Where a decision returns to: the reflection's history, or the queue (of that class) at the next item."""
    if form.back.data == "history":
        return redirect(url_for("moderation.history", reflection_id=reflection_id))
    next_id = int_or_none(form.next_id.data)
    anchor = f"reflection-{next_id}" if next_id and anchor_next else None
    if form.back.data == "rejected":
        anchor = "rejected"
    return redirect(
        url_for(
            "moderation.queue",
            class_id=class_id,
            assignment=int_or_none(form.assignment.data),
            page=int_or_none(form.page.data),
            _anchor=anchor,
        )
    )


def _who(reflection: Reflection) -> str:
    return f"{reflection.student.display_name}’s reflection"


def decide(reflection_id: int, kind: str) -> ResponseReturnValue:
    reflection = owned_reflection_or_404(reflection_id)
    # Taken before a decision commits: the commit expires the prompt, assignment and student loaded with it.
    assignment = reflection.prompt.assignment
    who = _who(reflection)
    form_class = {"approve": DecisionForm, "return": ReturnForm, "reject": RejectForm, "reopen": ReopenForm}[kind]
    form = form_class(prefix=f"{kind}-{reflection.id}")
    if not form.validate_on_submit():
        if form.back.data == "history":
            return render_history(reflection, failed=_refused(kind, form), status=400)
        school_class = assignment.school_class
        return render_queue(
            school_class,
            int_or_none(form.assignment.data),
            int_or_none(form.page.data) or 1,
            failed={reflection.id: _refused(kind, form)},
            status=400,
        )
    version = int_or_none(form.version.data)
    try:
        if kind == "approve":
            after_all = " after all" if reflection.status == S.REJECTED else ""
            approve_reflection(reflection, current_teacher(), version)
            seen = " Classmates can see it now." if assignment.show_classmates else ""
            flash(f"Approved {who}{after_all}.{seen}", "success")
        elif kind == "reopen":
            reopen_reflection(reflection, current_teacher(), form.feedback.data, version)
            flash(f"Reopened {who}: it is back with the student to rewrite and hand in again.", "success")
        elif kind == "return":
            return_reflection(reflection, current_teacher(), form.feedback.data, version)
            flash(f"Returned {who} with your feedback.", "success")
        else:
            reject_reflection(reflection, current_teacher(), form.feedback.data, version)
            flash(f"Rejected {who}. Only the student sees your reason.", "success")
    except TransitionError as error:
        flash(str(error), "error")
        return _back(reflection_id, assignment.class_id, form, anchor_next=False)
    # A decision can change a score (approval completes a "complete / not complete" assignment).
    reflections_changed([reflection_id])
    return _back(reflection_id, assignment.class_id, form)


@bp.post("/reflections/<int:reflection_id>/approve")
def approve(reflection_id: int) -> ResponseReturnValue:
    return decide(reflection_id, "approve")


@bp.post("/reflections/<int:reflection_id>/return")
def return_(reflection_id: int) -> ResponseReturnValue:
    return decide(reflection_id, "return")


@bp.post("/reflections/<int:reflection_id>/reject")
def reject(reflection_id: int) -> ResponseReturnValue:
    return decide(reflection_id, "reject")


@bp.post("/reflections/<int:reflection_id>/reopen")
def reopen(reflection_id: int) -> ResponseReturnValue:
    """Undo a rejection: the reflection goes back to the student to rewrite."""
    return decide(reflection_id, "reopen")


@bp.post("/classes/<int:class_id>/approve-selected", endpoint="bulk_approve")
def approve_selected(class_id: int) -> ResponseReturnValue:
    school_class = owned_class_or_404(class_id)
    # The page's one CSRF token is checked by CSRFProtect before this runs.
    assignment_id = int_or_none(request.form.get("assignment"))
    page = int_or_none(request.form.get("page")) or 1
    selected = {}
    for value in request.form.getlist("selected"):
        raw_id, _, version = value.partition(":")
        reflection_id = int_or_none(raw_id)
        if reflection_id is not None:
            selected[reflection_id] = int_or_none(version)
    if not selected:
        flash("Tick the reflections you want to approve first.", "error")
    else:
        result = bulk_approve(current_teacher(), school_class.id, selected)
        reflections_changed(result.approved)
        for message, category in bulk_messages(result):
            flash(message, category)
    return redirect(url_for("moderation.queue", class_id=school_class.id, assignment=assignment_id, page=page))


def _names(names: list[str]) -> str:
    names = [f"{name}’s" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def bulk_messages(result: BulkApproval) -> list[tuple[str, str]]:
    """What the teacher is told after approving together: what was approved, and what was left and why."""
    count = len(result.approved)
    messages = [(f"Approved {count} reflection{'s' if count != 1 else ''}.", "success")]
    if result.flagged:
        messages.append(
            (
                f"Not approved: {_names(result.flagged)} (flagged). A flagged reflection is approved on its own, "
                "after you have read what was flagged.",
                "warning",
            )
        )
    if result.changed:
        messages.append(
            (
                f"Not approved: {_names(result.changed)} (changed by the student since this page was shown). "
                "Read the new text, then decide.",
                "warning",
            )
        )
    if result.not_here:
        messages.append(
            (
                f"{result.not_here} selected could not be approved: already decided, or not waiting in this class.",
                "warning",
            )
        )
    return messages


@bp.post("/reflections/<int:reflection_id>/star")
def star(reflection_id: int) -> ResponseReturnValue:
    reflection = owned_reflection_or_404(reflection_id)
    # Only the page's CSRF token (checked by CSRFProtect) and the choice come with a star.
    starred = request.form.get("starred") == "1"
    try:
        set_star(reflection, starred)
        flash("Starred as a class highlight." if starred else "Removed from the highlights.", "success")
    except TransitionError as error:
        flash(str(error), "error")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.history", reflection_id=reflection.id))


def render_history(reflection, failed=None, status=200):
    forms = PageForms()
    kinds = ("approve", "reopen") if reflection.status == S.REJECTED else ("approve", "return", "reject")
    context = f"{reflection.student.display_name}’s reflection"
    return (
        render_template(
            "moderation/history.html",
            reflection=reflection,
            events=history_of(reflection),
            decisions=forms.decisions(reflection.id, kinds, _hidden(reflection, back="history"), context, failed),
            forms=forms,
            kept_versions=kept_versions_of(reflection),
            mark=mark_of(reflection),
            mark_events=mark_history(reflection),
            body=highlight(reflection.body_html, reflection.flags, reflection.html_policy),
        ),
        status,
    )


@bp.route("/reflections/<int:reflection_id>")
def history(reflection_id: int) -> ResponseReturnValue:
    return render_history(owned_reflection_or_404(reflection_id))


@bp.route("/flag-words", methods=["GET", "POST"])
def flag_words() -> ResponseReturnValue:
    teacher = current_teacher()
    form = FlagWordsForm(data={"words": teacher.flag_words or ""})
    if request.method == "POST":
        if form.validate_on_submit():
            teacher.flag_words = "\n".join(parse_word_list(form.words.data))
            db.session.commit()
            checked = reflag_awaiting(teacher)
            flash(
                f"Saved your words. {checked} reflection{'s' if checked != 1 else ''} awaiting approval checked again.",
                "success",
            )
            return redirect(url_for("moderation.flag_words"))
        status = 400
    else:
        status = 200
    return render_template("moderation/flag_words.html", form=form, builtin=builtin_words()), status

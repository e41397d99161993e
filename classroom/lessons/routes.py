"""Lesson plans and their timestamped prompts."""

from flask import Blueprint, render_template

from ..access import current_teacher, teacher_required
from ..extensions import db
from ..models import LessonPlan

bp = Blueprint("lessons", __name__, url_prefix="/plans")


@bp.route("/")
@teacher_required
def index():
    plans = db.session.scalars(
        db.select(LessonPlan).where(LessonPlan.teacher_id == current_teacher().id).order_by(LessonPlan.title)
    ).all()
    return render_template("lessons/index.html", plans=plans)

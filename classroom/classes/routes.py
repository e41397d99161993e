"""Classes, their join codes, and the assignments given to them."""

from flask import Blueprint, render_template

from ..access import current_teacher, teacher_required
from ..extensions import db
from ..models import SchoolClass

bp = Blueprint("classes", __name__, url_prefix="/classes")


@bp.route("/")
@teacher_required
def index():
    classes = db.session.scalars(
        db.select(SchoolClass).where(SchoolClass.teacher_id == current_teacher().id).order_by(SchoolClass.name)
    ).all()
    return render_template("classes/index.html", classes=classes)

"""The benchmark's targets: every address and login the load generator needs, built inside the app.

The load scripts never spell an app path: URLs come from `url_for`, so they follow the routes
wherever the blueprints move. Field names come from the app's own forms for the same reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import current_app, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from ..auth.forms import LoginForm
from ..extensions import db
from ..join.forms import ResumeForm
from ..models import Assignment, Film, Prompt, Reflection, SchoolClass, Student, Teacher
from ..student.forms import ReflectionForm
from .baseline import ROWS_PER_KEY, fortunes
from .seed import BENCH_PASSWORD, DOMAIN, GROWTH_CLASS, HOME_EMAIL, LOAD_CLASS, LOAD_EMAIL

BASELINE_URLS = 100


class NoDistrict(RuntimeError):
    """The database has no benchmark district (run `flask bench seed` first)."""


def _like(template: str) -> str:
    return template.format(size="%")


def _size(name: str) -> int:
    digits = re.findall(r"\d+", name)
    return int(digits[-1]) if digits else 0


def _first_assignment(class_id: int) -> Assignment:
    return db.session.scalars(
        select(Assignment).where(Assignment.class_id == class_id).order_by(Assignment.id).limit(1)
    ).one()  # every seeded class has assignments


def _teacher_pages(school_class: SchoolClass) -> dict:
    assignment = _first_assignment(school_class.id)
    return {
        "class_id": school_class.id,
        "assignment_id": assignment.id,
        "students": db.session.scalar(select(func.count(Student.id)).where(Student.class_id == school_class.id)),
        "dashboard": url_for("dashboard.assignment", assignment_id=assignment.id),
        "queue": url_for("moderation.queue", class_id=school_class.id, assignment=assignment.id),
        "reflections_csv": url_for("dashboard.reflections_csv", assignment_id=assignment.id),
        "report": url_for("dashboard.report", assignment_id=assignment.id),
        "reflections": url_for("dashboard.reflections", assignment_id=assignment.id),
        "class_overview": url_for("dashboard.class_overview", class_id=school_class.id),
    }


def _form_names(form: FlaskForm) -> dict:
    return {name: field.name for name, field in form._fields.items()}


def build_targets(password: str = BENCH_PASSWORD) -> dict:
    """Everything the load generator reads, as plain JSON-ready data."""
    if "bench" not in current_app.blueprints:
        raise NoDistrict("The bench routes are off: set BENCH_ROUTES=1 so the baseline URLs exist.")
    load = db.session.scalars(select(Teacher).where(Teacher.email == LOAD_EMAIL)).first()
    if load is None:
        raise NoDistrict("No benchmark district in this database: run `flask bench seed` first.")
    own_classes = db.session.scalars(
        select(SchoolClass).where(SchoolClass.teacher_id == load.id).order_by(SchoolClass.id)
    ).all()
    lesson = next(c for c in own_classes if c.name.startswith(LOAD_CLASS.split("{")[0]))
    growth = [c for c in own_classes if c.name.startswith(GROWTH_CLASS.split("{")[0])]
    work = _first_assignment(lesson.id)
    prompts = db.session.scalars(
        select(Prompt).where(Prompt.assignment_id == work.id).order_by(Prompt.time_seconds, Prompt.id)
    ).all()
    students = db.session.scalars(select(Student).where(Student.class_id == lesson.id).order_by(Student.id)).all()
    film_seconds = db.session.get_one(Film, work.film_id).running_time_seconds
    prompt_targets = []
    for prompt in prompts:
        form = ReflectionForm(prefix=f"p{prompt.id}", film_seconds=film_seconds, formdata=None, meta={"csrf": False})
        names = _form_names(form)
        prompt_targets.append(
            {
                "id": prompt.id,
                "save_url": url_for("student.save", assignment_id=work.id, prompt_id=prompt.id),
                "body": names["body"],
                "at": names["at"],
                "save_draft": names["save_draft"],
                "submit": names["send"],
            }
        )

    homes = db.session.scalars(select(Teacher).where(Teacher.email.like(_like(HOME_EMAIL))).order_by(Teacher.id)).all()
    keys = db.session.scalars(select(fortunes.c.group_key).distinct().order_by(fortunes.c.group_key)).all()
    step = max(1, len(keys) // BASELINE_URLS)
    chosen = keys[::step][:BASELINE_URLS]

    login_form = _form_names(LoginForm(formdata=None, meta={"csrf": False}))
    resume_form = _form_names(ResumeForm(formdata=None, meta={"csrf": False}))
    return {
        "database": db.engine.url.render_as_string(hide_password=True),
        "installation": {
            "teachers": db.session.scalar(select(func.count(Teacher.id))),
            "classes": db.session.scalar(select(func.count(SchoolClass.id))),
            "students": db.session.scalar(select(func.count(Student.id))),
            "reflections": db.session.scalar(select(func.count(Reflection.id))),
        },
        "health_url": url_for("main.healthz"),
        "teacher_login": {
            "url": url_for("auth.login"),
            "email_field": login_form["email"],
            "password_field": login_form["password"],
        },
        "student_login": {"url": url_for("join.resume"), "code_field": resume_form["return_code"]},
        "teachers": {
            "lesson": {"email": load.email, "password": password},
            **{f"home_{_size(t.email)}": {"email": t.email, "password": password} for t in homes},
        },
        "home_url": url_for("classes.index"),
        "home_classes": {
            f"home_{_size(t.email)}": db.session.scalar(
                select(func.count(SchoolClass.id)).where(SchoolClass.teacher_id == t.id)
            )
            for t in homes
        },
        "lesson": {
            "class_id": lesson.id,
            "assignment_url": url_for("student.assignment", assignment_id=work.id),
            "return_codes": [s.return_code for s in students],
            "prompts": prompt_targets,
        },
        "teacher_pages": {f"class_{_size(c.name)}": _teacher_pages(c) for c in growth},
        "baseline": {
            "rows_per_key": ROWS_PER_KEY,
            "read_urls": [url_for("bench.read", key=key) for key in chosen],
            "write_urls": [url_for("bench.write", key=key) for key in chosen],
        },
        "domain": DOMAIN,
    }


def write_targets(path: Path, password: str = BENCH_PASSWORD) -> dict:
    """Build the targets in a request context and write them as JSON; returns them too."""
    with current_app.test_request_context():
        targets = build_targets(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(targets, indent=2) + "\n", encoding="utf-8")
    return targets

"""The demo a fresh `make run` loads: one teacher, one class, the starter plan assigned to it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from .auth.accounts import create_teacher, find_teacher_by_email
from .classes.logic import assign_plan, create_class
from .extensions import db
from .film import load_film
from .lessons.plans import copy_starter_plan
from .models import SchoolClass, Teacher, utcnow

# Demo only: printed on every `make run` and written in the README, so never use it for real data.
DEMO_NAME = "Demo Teacher"
DEMO_EMAIL = "demo.teacher@example.org"
DEMO_PASSWORD = "red-soul-demo"
DEMO_CLASS = "Demo class"


@dataclass
class DemoState:
    """What `seed_demo` did, and what there is to print."""

    loaded: bool
    teacher: Teacher | None
    school_class: SchoolClass | None


def seed_demo() -> DemoState:
    """Load the film; when no teacher exists yet, add the demo teacher, class, plan and assignment."""
    load_film()
    if db.session.scalar(db.select(db.func.count(Teacher.id))):
        teacher = find_teacher_by_email(DEMO_EMAIL)
        return DemoState(loaded=False, teacher=teacher, school_class=demo_class(teacher))
    teacher = create_teacher(DEMO_NAME, DEMO_EMAIL, DEMO_PASSWORD)
    plan = copy_starter_plan(teacher)
    school_class = create_class(teacher, DEMO_CLASS, "Demo term")
    now = utcnow().replace(second=0, microsecond=0)
    assign_plan(school_class, plan, opens_at=now, closes_at=now + timedelta(days=28))
    return DemoState(loaded=True, teacher=teacher, school_class=school_class)


def demo_class(teacher: Teacher | None) -> SchoolClass | None:
    """The demo teacher's "Demo class", if both still exist."""
    if teacher is None:
        return None
    return db.session.execute(
        db.select(SchoolClass)
        .where(SchoolClass.teacher_id == teacher.id, SchoolClass.name == DEMO_CLASS)
        .order_by(SchoolClass.id)
        .limit(1)
    ).scalar_one_or_none()


def local_base_url() -> str:
    """Where `make run` serves, from the same HOST and PORT it uses."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    port = os.environ.get("PORT", "").strip() or "5000"
    return f"http://{host}:{port}"


def demo_report(state: DemoState) -> list[str]:
    """The lines `flask seed-demo` prints."""
    base = local_base_url()
    lines = []
    if state.loaded:
        lines.append("Loaded the demo: a teacher, a class and the starter plan assigned to it.")
    else:
        lines.append("The database already has teachers, so the demo was not loaded.")
    if state.teacher is not None:
        lines.append(f"Demo teacher login: {base}/auth/login")
        lines.append(f"  email:    {DEMO_EMAIL}")
        suffix = "" if state.loaded else " (unless it has been changed)"
        lines.append(f"  password: {DEMO_PASSWORD}{suffix}")
        lines.append("  (demo only: do not put real classes in this account)")
    if state.school_class is not None:
        code = state.school_class.join_code
        lines.append(f'Students join "{state.school_class.name}" at {base}/join/{code} (join code {code}).')
    return lines

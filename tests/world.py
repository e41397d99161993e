"""A small school for tests that walk every route: two teachers (one an administrator), a class each,
an assignment with prompts and reflections, students in each class, and clients signed in as each role.

Tests that probe every route with many requests build one world per module (see `build_world`),
so they stay fast; every id they use is real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from classroom import create_app
from classroom.classes.logic import assign_plan, create_class
from classroom.extensions import db
from classroom.film import load_film
from classroom.joincodes import new_return_code
from classroom.lessons.plans import copy_starter_plan
from classroom.lessons.stance import DEFAULT_STANCE_OPTIONS, DEFAULT_STANCE_QUESTION
from classroom.models import (
    LessonPlan,
    LtiPlatform,
    PlanPrompt,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    Teacher,
)
from classroom.passwords import hash_password
from classroom.sanitize import render_reflection, word_count

from .conftest import TEACHER_PASSWORD, login_as, test_config

CAPTIONS = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nМы помним.\n"
ROLES = ("anonymous", "owner", "other_teacher", "admin", "student", "other_student")


@dataclass
class World:
    app: object
    ids: dict[str, object] = field(default_factory=dict)
    clients: dict[str, object] = field(default_factory=dict)
    people: dict[str, object] = field(default_factory=dict)

    def client(self, role: str):
        return self.clients[role]


def _student(school_class: SchoolClass, name: str) -> Student:
    student = Student(class_id=school_class.id, display_name=name, return_code=new_return_code(school_class.id))
    db.session.add(student)
    db.session.flush()
    return student


def _reflection(student: Student, prompt: Prompt, body: str, status: str = "awaiting") -> Reflection:
    from classroom.models import utcnow

    reflection = Reflection(
        student_id=student.id,
        prompt_id=prompt.id,
        body=body,
        body_html=str(render_reflection(body)),
        word_count=word_count(body),
        status=status,
        submitted_at=utcnow(),
    )
    db.session.add(reflection)
    db.session.flush()
    return reflection


def build_world(tmp_path, pg_schema, **overrides) -> World:
    """Create the app on a fresh database and fill it; the caller drops it with `drop_world`."""
    config = test_config(tmp_path, pg_schema)
    config.update(overrides)
    app = create_app(config)
    world = World(app=app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        film = load_film()
        owner = Teacher(name="Ada Owner", email="ada@school.example", password_hash=hash_password(TEACHER_PASSWORD))
        other = Teacher(name="Boris Other", email="boris@school.example", password_hash=hash_password(TEACHER_PASSWORD))
        admin = Teacher(name="Carla Admin", email="carla@school.example", password_hash=hash_password(TEACHER_PASSWORD))
        admin.is_admin = True
        db.session.add_all([owner, other, admin])
        db.session.flush()
        school_class = create_class(owner, "History 11B", "Autumn 2026")
        other_class = create_class(other, "Other 10A", "Autumn 2026")
        plan = copy_starter_plan(owner)
        db.session.flush()
        assignment = assign_plan(school_class, plan, captions_vtt=CAPTIONS)
        other_plan = LessonPlan(
            teacher_id=other.id,
            film_id=film.id,
            title="Boris's plan",
            stance_question=DEFAULT_STANCE_QUESTION,
            stance_options=list(DEFAULT_STANCE_OPTIONS),
            prompts=[PlanPrompt(text="What stays with you?", time_seconds=60, theme="memory", time_confirmed=True)],
        )
        db.session.add(other_plan)
        db.session.flush()
        other_assignment = assign_plan(other_class, other_plan)
        db.session.flush()
        student = _student(school_class, "Sasha")
        classmate = _student(school_class, "Misha")
        other_student = _student(other_class, "Olga")
        prompts = list(db.session.scalars(db.select(Prompt).where(Prompt.assignment_id == assignment.id)))
        db.session.add(StanceAnswer(student_id=student.id, assignment_id=assignment.id, phase="pre", option_index=0))
        reflection = _reflection(student, prompts[0], "The flowers at the grave surprised me.")
        _reflection(classmate, prompts[0], "My grandmother remembers it differently.", status="approved")
        other_prompt = db.session.scalars(db.select(Prompt).where(Prompt.assignment_id == other_assignment.id)).first()
        other_reflection = _reflection(other_student, other_prompt, "Olga's answer.")
        platform = LtiPlatform(
            name="Test LMS",
            issuer="https://lms.school.example",
            client_id="tool-1",
            auth_login_url="https://lms.school.example/auth",
            auth_token_url="https://lms.school.example/token",
            key_set_url="https://lms.school.example/jwks",
        )
        db.session.add(platform)
        db.session.commit()
        from classroom.models import Assignment

        world.ids = {
            "class_id": school_class.id,
            "other_class_id": other_class.id,
            "assignment_id": assignment.id,
            "other_assignment_id": other_assignment.id,
            "plan_id": plan.id,
            "other_plan_id": other_plan.id,
            "plan_prompt_id": plan.prompts[0].id,
            "prompt_id": prompts[0].id,
            "other_prompt_id": other_prompt.id,
            "student_id": student.id,
            "other_student_id": other_student.id,
            "reflection_id": reflection.id,
            "other_reflection_id": other_reflection.id,
            "platform_id": platform.id,
            "code": school_class.join_code,
            "token": db.session.get(Assignment, assignment.id).link_token,
            "return_code": student.return_code,
        }
        people = {
            "owner": owner,
            "other_teacher": other,
            "admin": admin,
            "student": student,
            "other_student": other_student,
        }
        for role in ROLES:
            client = app.test_client()
            if role in people:
                login_as(client, people[role])
            world.clients[role] = client
        world.people = {role: (type(person), person.id) for role, person in people.items()}
    return world


def drop_world(world: World) -> None:
    with world.app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def rule_path(rule, ids: dict, other: bool = False) -> str | None:
    """The path of a URL rule with the world's real ids (those of the other class with other=True)."""
    prefix = "other_" if other else ""
    values = {}
    for name in rule.arguments:
        if name == "prompt_id" and rule.rule.startswith("/lessons/"):
            key = "plan_prompt_id" if not other else None
        elif name in ("code", "token", "return_code"):
            key = name
        elif name == "phase":
            values[name] = "pre"
            continue
        elif name == "language":
            values[name] = "en"
            continue
        elif name in ("rest", "filename"):
            values[name] = "style.css" if name == "filename" else ""
            continue
        else:
            key = prefix + name if prefix + name in ids else name
        if key is None or key not in ids:
            return None
        values[name] = ids[key]
    return rule.build(values, append_unknown=False)[1]


class FormFinder(HTMLParser):
    """Every POST form on a page: its action and the names and values of its fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._by_id: dict[str, dict] = {}
        self._textarea: str | None = None
        self._late: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(), "fields": {}}
            self.forms.append(form)
            self._current = form
            if attrs.get("id"):
                self._by_id[attrs["id"]] = form
            return
        if tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            value = attrs.get("value") or ""
            if tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                value = attrs.get("value") or "1"
            if attrs.get("form"):
                self._late.append((attrs["form"], attrs["name"], value))
            elif self._current is not None:
                self._current["fields"].setdefault(attrs["name"], value)
            if tag == "textarea":
                self._textarea = attrs["name"]

    def handle_data(self, data):
        if self._textarea and self._current is not None and not self._current["fields"].get(self._textarea):
            self._current["fields"][self._textarea] = data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        if tag == "textarea":
            self._textarea = None

    def post_forms(self, page_path: str) -> list[dict]:
        for form_id, name, value in self._late:
            if form_id in self._by_id:
                self._by_id[form_id]["fields"].setdefault(name, value)
        found = []
        for form in self.forms:
            if form["method"] != "post":
                continue
            action = form["action"] or page_path
            parts = urlsplit(action)
            if parts.netloc:
                continue
            found.append({"action": parts.path + (f"?{parts.query}" if parts.query else ""), "fields": form["fields"]})
        return found


def post_forms_on(html: str, page_path: str) -> list[dict]:
    finder = FormFinder()
    finder.feed(html)
    return finder.post_forms(page_path)

"""Shared fixtures: an app on a fresh database, logged-in teachers and joined students.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the
suite on PostgreSQL: each test run gets its own schema, dropped at the end.

Every test's app starts on a database that is exactly a new one (the models' tables, the film's
record, ids from 1), but the tables are built once per run, not once per test: creating ~25 tables
took longer than most tests themselves. On SQLite each test gets a copy of a database file made at
the start of the run; on PostgreSQL the run's schema is emptied (DELETE, and every id sequence
restarted), which for tables of a few rows is far quicker than TRUNCATE or new tables. Any CREATE,
DROP or ALTER a test sends (migration tests, a module's own world) is noticed, and the next test
gets its tables built afresh.
"""

import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import jinja2
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from classroom import create_app
from classroom.classes.logic import assign_plan, create_class
from classroom.config import with_psycopg_driver
from classroom.extensions import db
from classroom.film import load_film
from classroom.joincodes import new_return_code
from classroom.lessons.stance import DEFAULT_STANCE_OPTIONS, DEFAULT_STANCE_QUESTION
from classroom.models import LessonPlan, PlanPrompt, Student, Teacher
from classroom.passwords import hash_password

TEST_DATABASE_URL = with_psycopg_driver(os.environ.get("TEST_DATABASE_URL", "").strip())
TEACHER_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def pg_schema():
    """On PostgreSQL, a schema of our own for this run, so parallel runs and leftovers never clash."""
    if not TEST_DATABASE_URL:
        yield None
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_config(tmp_path, pg_schema) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": uuid.uuid4().hex,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The LTI tool key is made per test, never in the project's instance/ folder.
        "LTI_KEYRING_PATH": str(tmp_path / "lti_keys.json"),
        "LTI_PRIVATE_KEY": "",
        "LTI_PREVIOUS_PRIVATE_KEY": "",
        "LTI_REDIS_URL": "",
        "AGGREGATE_CACHE_URL": "",
    }
    if pg_schema:
        config["SQLALCHEMY_DATABASE_URI"] = TEST_DATABASE_URL
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return config


# --- a fresh database for every test, built once per run -------------------------------------------

_SCHEMA_CHANGE = re.compile(r"\s*(CREATE|DROP|ALTER)\s", re.IGNORECASE)
# Anything but these may have written a row or moved a sequence.
_READ_ONLY = re.compile(r"\s*(SELECT|SHOW|SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class _PostgresState:
    """What the run's PostgreSQL schema holds. Every statement any engine sends is watched (a regular
    expression on its first word), so a test that builds, drops or migrates tables, or a fixture that
    writes rows outside make_app, can never leave the next test a database that is not a new one."""

    tables_ok = False  # exactly the models' tables, as create_all makes them
    empty = False  # and nothing in them but the film's record, every id sequence at its start


@event.listens_for(Engine, "before_cursor_execute")
def _watch_statements(conn, cursor, statement, parameters, context, executemany):
    if _PostgresState.empty and (not _READ_ONLY.match(statement) or "nextval" in statement):
        _PostgresState.empty = False
    if _PostgresState.tables_ok and _SCHEMA_CHANGE.match(statement):
        _PostgresState.tables_ok = _PostgresState.empty = False


def _empty_postgres_tables() -> None:
    """Inside an app context on the run's schema: make it what db.create_all() + load_film() make."""
    if not _PostgresState.tables_ok:
        db.drop_all()
        db.create_all()
        _PostgresState.tables_ok = True
    elif not _PostgresState.empty:
        # Children first, so no foreign key is in the way; sequences back to 1 (tests read ids).
        sequences = db.session.scalars(
            text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
        ).all()
        statements = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
        statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        db.session.remove()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("; ".join(statements))
    else:
        return
    load_film()
    db.session.remove()
    _PostgresState.empty = True


@event.listens_for(Engine, "connect")
def _no_fsync_in_tests(dbapi_connection, connection_record):
    """SQLite waits for the disk at every commit (~5 ms here, a few per test); a test's database is thrown
    away, so it never needs to survive a power cut. What SQLite checks and returns is the same."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


class _SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates shared by every app of the run: each test's app has its own Jinja environment,
    which would otherwise compile every page it renders again. Jinja checks each template's source
    checksum before reusing its code, so a changed template is compiled afresh."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, pg_schema):
    """On SQLite, a database file with the models' tables and the film, copied for each test."""
    if pg_schema:
        return None
    folder = tmp_path_factory.mktemp("template")
    app = create_app(test_config(folder, None))
    with app.app_context():
        db.create_all()
        load_film()
        db.session.remove()
        db.engine.dispose()
    return folder / "test.sqlite3"


def _is_suite_database(config: dict, tmp_path, pg_schema) -> bool:
    suite = test_config(tmp_path, pg_schema)
    return all(config.get(key) == suite.get(key) for key in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS"))


@pytest.fixture
def make_app(tmp_path, pg_schema, sqlite_template):
    """Build an app on a fresh database; extra config overrides the test defaults."""
    apps = []

    def build(**overrides):
        config = test_config(tmp_path, pg_schema)
        config.update(overrides)
        app = create_app(config)
        app.jinja_env.bytecode_cache = _TEMPLATE_CODE
        suite_database = _is_suite_database(config, tmp_path, pg_schema)
        with app.app_context():
            if suite_database and pg_schema:
                _empty_postgres_tables()
            elif suite_database and _unused_sqlite_file(tmp_path):
                db.engine.dispose()
                # create_app made the file empty, with its 0600 mode; copyfile keeps the mode.
                shutil.copyfile(sqlite_template, tmp_path / "test.sqlite3")
            else:  # another database, or this test's second app on its file: as a new database
                db.drop_all()
                db.create_all()
                load_film()
        apps.append((app, suite_database))
        return app

    yield build
    for app, suite_database in apps:
        with app.app_context():
            db.session.remove()
            if suite_database and pg_schema:
                # Leave the schema empty for tests that build an app on it themselves.
                _empty_postgres_tables()
            elif not suite_database:
                db.drop_all()
            db.engine.dispose()


def _unused_sqlite_file(tmp_path) -> bool:
    path = Path(tmp_path / "test.sqlite3")
    return not path.exists() or path.stat().st_size == 0


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_queries():
    """Records the SQL statements an app runs inside a block: `with count_queries(app) as seen: ...`,
    then `len(seen)`. No app context is held open, so each test-client request gets its own, as on a server."""

    @contextmanager
    def recording(app):
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return recording


def login_as(client, person) -> None:
    """Sign a test client in as a teacher or a student, the way Flask-Login's cookie would."""
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True


def _saved(instance, *load):
    """Commit, load every column (and the named relationships), and detach, for use outside an app context."""
    db.session.add(instance)
    db.session.commit()
    db.session.refresh(instance)
    for relationship_name in load:
        for child in getattr(instance, relationship_name):
            db.session.refresh(child)
    db.session.expunge(instance)
    return instance


@pytest.fixture
def make_teacher(app):
    def make(name="Ada Teacher", email=None, password=TEACHER_PASSWORD):
        with app.app_context():
            email = email or f"{uuid.uuid4().hex[:8]}@school.example"
            return _saved(Teacher(name=name, email=email.lower(), password_hash=hash_password(password)))

    return make


@pytest.fixture
def teacher(make_teacher):
    return make_teacher(name="Ada Teacher", email="ada@school.example")


@pytest.fixture
def other_teacher(make_teacher):
    return make_teacher(name="Boris Other", email="boris@school.example")


@pytest.fixture
def teacher_client(app, teacher):
    """A test client logged in as `teacher` (the logged-in teacher of the guide)."""
    client = app.test_client()
    login_as(client, teacher)
    return client


DEFAULT_PROMPTS = [
    (60, "What do you notice in the opening images?", "film literacy", False),
    (600, "Why do some people still lay flowers for Stalin?", "nostalgia", True),
    (3000, "Who keeps the record when the state does not?", "justice", False),
]


@pytest.fixture
def make_plan(app):
    def make(owner, title="Memory and the Stalin legacy", prompts=DEFAULT_PROMPTS):
        with app.app_context():
            plan = LessonPlan(
                teacher_id=owner.id,
                film_id=load_film().id,
                title=title,
                grade_band="Grades 10-12",
                objectives="Discuss how a country remembers.",
                stance_question=DEFAULT_STANCE_QUESTION,
                stance_options=list(DEFAULT_STANCE_OPTIONS),
                prompts=[
                    PlanPrompt(text=t, time_seconds=s, theme=th, pause=p, time_confirmed=True, teacher_note="")
                    for s, t, th, p in prompts
                ],
            )
            return _saved(plan, "prompts")

    return make


@pytest.fixture
def make_class(app):
    def make(owner, name="History 11B", term="Autumn 2026"):
        with app.app_context():
            school_class = create_class(db.session.get(Teacher, owner.id), name, term)
            return _saved(school_class)

    return make


@pytest.fixture
def make_assignment(app, make_plan):
    def make(school_class, plan=None, **options):
        with app.app_context():
            from classroom.models import SchoolClass

            owner = db.session.get(Teacher, school_class.teacher_id)
            plan = plan or make_plan(owner)
            assignment = assign_plan(
                db.session.get(SchoolClass, school_class.id), db.session.get(LessonPlan, plan.id), **options
            )
            return _saved(assignment, "prompts")

    return make


@pytest.fixture
def make_student(app):
    def make(school_class, display_name="Sasha"):
        with app.app_context():
            return _saved(
                Student(
                    class_id=school_class.id, display_name=display_name, return_code=new_return_code(school_class.id)
                )
            )

    return make


@pytest.fixture
def school_class(make_class, teacher):
    return make_class(teacher)


@pytest.fixture
def assignment(make_assignment, school_class):
    return make_assignment(school_class)


@pytest.fixture
def student(make_student, school_class):
    """A student who has joined `school_class`."""
    return make_student(school_class)


@pytest.fixture
def student_client(app, student):
    client = app.test_client()
    login_as(client, student)
    return client


@pytest.fixture
def make_reflection(app):
    """A reflection saved straight through the model (the student side is not needed to test moderation)."""

    def make(student, prompt, body="I noticed the flowers at the grave.", status="awaiting", **fields):
        from datetime import timedelta

        from classroom.models import Reflection, utcnow
        from classroom.sanitize import render_reflection, word_count

        with app.app_context():
            now = utcnow()
            values = {
                "student_id": student.id,
                "prompt_id": prompt.id,
                "body": body,
                "body_html": str(render_reflection(body)),
                "word_count": word_count(body),
                "status": status,
                "submitted_at": None if status == "draft" else now - timedelta(minutes=5),
            }
            values.update(fields)
            reflection = Reflection(**values)
            if "flag_details" not in fields:
                from classroom.moderation.flags import apply_flags

                apply_flags(reflection, "")
            return _saved(reflection)

    return make


@pytest.fixture
def make_stance(app):
    """A student's stance poll answer ("pre" or "post" viewing)."""

    def make(student, assignment, phase, option_index):
        from classroom.models import StanceAnswer

        with app.app_context():
            return _saved(
                StanceAnswer(student_id=student.id, assignment_id=assignment.id, phase=phase, option_index=option_index)
            )

    return make


# --- Students (issue 3): the student side of a reflection, through its own plain functions. ---


@pytest.fixture
def answer_stance(app):
    """Record a student's stance answer (phase "pre" or "post") through classroom.student.stance."""

    def answer(student, assignment, phase="pre", option_index=0):
        from datetime import timedelta

        from classroom.models import Assignment, utcnow
        from classroom.models import Student as StudentModel
        from classroom.student.stance import record_stance

        # "post" is answered after the film, when the after-viewing question has opened.
        now = utcnow() + timedelta(hours=2) if phase == "post" else None
        with app.app_context():
            record_stance(
                db.session.get(StudentModel, student.id),
                db.session.get(Assignment, assignment.id),
                phase,
                option_index,
                now=now,
            )

    return answer


@pytest.fixture
def write_reflection(app):
    """Save a student's reflection the way the student's form does (answering the opening question first if needed)."""

    def write(student, prompt, body="The flowers at the statue surprised me.", submit=True, **options):
        from classroom.models import Assignment, Prompt, Reflection, StanceAnswer
        from classroom.models import Student as StudentModel
        from classroom.student.reflections import find_reflection, save_reflection
        from classroom.student.stance import record_stance

        with app.app_context():
            person = db.session.get(StudentModel, student.id)
            target = db.session.get(Prompt, prompt.id)
            answered = db.session.execute(
                db.select(StanceAnswer.id).where(
                    StanceAnswer.student_id == person.id,
                    StanceAnswer.assignment_id == target.assignment_id,
                    StanceAnswer.phase == "pre",
                )
            ).first()
            if answered is None:
                record_stance(person, db.session.get(Assignment, target.assignment_id), "pre", 0)
            existing = find_reflection(person, target)
            options.setdefault("expected_version", existing.version if existing else 0)
            reflection = save_reflection(person, target, body, submit=submit, **options)
            return _saved(db.session.get(Reflection, reflection.id))

    return write


# --- LTI (issue 12): a test LMS platform with its HTTP endpoints stubbed (tests/lti_platform.py). ---


@pytest.fixture
def platform():
    from .lti_platform import TestPlatform

    return TestPlatform()


@pytest.fixture
def rsps(platform):
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        platform.serve(mock)
        yield mock

"""Browser-test fixtures: the real app in a server thread, Debian's Chromium driven by Playwright.

The app runs with CSRF on (real forms in a real browser) on a fresh database: a temp SQLite file,
or this run's PostgreSQL schema when TEST_DATABASE_URL is set. Playwright never downloads a
browser: it launches /usr/bin/chromium. In CI (CI=true) a missing browser or axe-core fails the
run; on a developer's machine without them the browser tests are skipped with the reason.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from flask import got_request_exception, send_from_directory
from werkzeug.serving import WSGIRequestHandler, make_server

from classroom.extensions import db
from classroom.models import Teacher

from .helpers import AXE_JS, DESKTOP, REPO_ROOT, TEST_DATA

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a 2-core CI machine, short enough that a missing element fails fast.
TIMEOUT_MS = 10_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str):
    """Fail in CI (a browser test that silently skips proves nothing); skip on a laptop without the tools."""
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason} (run `make e2e-deps`)", pytrace=False)
    pytest.skip(f"browser tests need {reason}; `make e2e-deps` installs it")


def pytest_collection_modifyitems(items):
    # Everything under tests/e2e is a browser test, marked or not.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright (requirements-dev.txt)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.is_file():
        unavailable(f"axe-core at {AXE_JS.relative_to(REPO_ROOT)} (npm ci)")
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver):
    try:
        chromium = playwright_driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
    except Exception as error:  # a broken install shows up here, not at import
        unavailable(f"a Chromium that starts ({error})")
    yield chromium
    chromium.close()


@pytest.fixture
def viewport():
    """The window size contexts open with; a test may override this fixture (e.g. PHONE)."""
    return dict(DESKTOP)


@pytest.fixture
def new_context(browser, live_server, viewport):
    """Open a browser context (one person's browser: own cookies) on the live server; closed at the end."""
    contexts = []

    def open_context(**options):
        settings = {"viewport": viewport, "base_url": live_server.url, "locale": "en-GB"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        # Read by check_axe: axe-core needs timers, which never fire where page scripts are off.
        context.scripts_enabled = settings.get("java_script_enabled", True)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def teacher_page(new_context):
    return new_context().new_page()


@pytest.fixture
def student_page(new_context):
    return new_context().new_page()


# --- the live server ------------------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request drowns the test output
        pass


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.errors: list[BaseException] = []
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def clip_url(self) -> str:
        return f"{self.url}/_test/media/test-clip.webm"


def add_test_media_route(app) -> None:
    """Serve tests/data/ from the test app only: the product never serves media of its own."""

    def test_media(filename):
        return send_from_directory(TEST_DATA, filename, conditional=True)

    app.add_url_rule("/_test/media/<path:filename>", "test_media", test_media)


@pytest.fixture
def live_app(make_app):
    app = make_app(
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        PASSWORD_HASH_FAST=True,
        ALLOW_LOOPBACK_HTTP_MEDIA=True,
        # Real requests: let errors reach the handlers and pages a user would see.
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    add_test_media_route(app)
    return app


@pytest.fixture
def live_server(live_app):
    """The app served on 127.0.0.1 on a free port; any exception a request raised fails the test."""
    server = LiveServer(live_app)

    def record(sender, exception, **extra):
        server.errors.append(exception)

    got_request_exception.connect(record, live_app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server.start()
    yield server
    server.stop()
    got_request_exception.disconnect(record, live_app)
    assert not server.errors, f"the server raised during the test: {server.errors!r}"


@pytest.fixture
def app_db(live_app):
    """Run a function inside the live app's context, for checks straight on the database."""

    def run(function):
        with live_app.app_context():
            try:
                return function()
            finally:
                db.session.remove()

    return run


@pytest.fixture
def signed_up_teacher(live_app):
    """Email and password of a teacher account created directly (for tests not about sign-up)."""
    from classroom.passwords import hash_password

    email, password = "lena@school.example", "a long enough password"
    with live_app.app_context():
        db.session.add(Teacher(name="Lena Lehrerin", email=email, password_hash=hash_password(password)))
        db.session.commit()
        db.session.remove()
    return email, password


@pytest.fixture
def seeded_lesson(live_app, live_server):
    """A teacher with the starter plan (first prompt moved to 0:02) assigned to a class with the test
    clip and captions: the teacher's side of the story done directly, for student-only stories."""
    from classroom.classes.logic import assign_plan, create_class
    from classroom.lessons.plans import copy_starter_plan
    from classroom.passwords import hash_password

    from .story import TEACHER_EMAIL, TEACHER_NAME, TEACHER_PASSWORD, Lesson

    lesson = Lesson(app=live_app)
    with live_app.app_context():
        teacher = Teacher(name=TEACHER_NAME, email=TEACHER_EMAIL, password_hash=hash_password(TEACHER_PASSWORD))
        db.session.add(teacher)
        db.session.commit()
        plan = copy_starter_plan(teacher)
        first = plan.prompts[0]
        first.time_seconds, first.time_confirmed = 2, True
        db.session.commit()
        school_class = create_class(teacher, "History 11B", "Autumn 2026")
        assignment = assign_plan(
            school_class,
            plan,
            video_url=live_server.clip_url(),
            captions_vtt=(TEST_DATA / "test-captions.vtt").read_text(encoding="utf-8"),
        )
        prompt = min(assignment.prompts, key=lambda p: (p.time_seconds, p.id))
        lesson.plan_id, lesson.class_id, lesson.assignment_id = plan.id, school_class.id, assignment.id
        lesson.prompt_id, lesson.prompt_text = prompt.id, prompt.text
        lesson.join_link = f"{live_server.url}/join/{school_class.join_code}"
        db.session.remove()
    return lesson

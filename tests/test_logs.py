"""Logs a school can answer "who did this" with (issue 8): JSON lines, a request id on every line, the
events that matter, and never a reflection's text or a return code."""

import io
import json
import logging
import re

import pytest

from classroom.extensions import db
from classroom.logs import JsonLinesFormatter, configure_logging, logging_config
from classroom.models import Reflection, Student
from tests.conftest import TEACHER_PASSWORD, login_as
from tests.test_student_reflections import form as reflection_form
from tests.test_student_reflections import url as reflection_url


@pytest.fixture
def log_lines():
    """Every log line the app writes during the test, as the JSON objects a school's log store gets."""
    stream = io.StringIO()
    handler = configure_logging("INFO", stream=stream)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)

    def lines():
        handler.flush()
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    lines.text = lambda: stream.getvalue()
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def events(lines, name):
    return [line for line in lines() if line.get("event") == name]


# --- the format -------------------------------------------------------------------------------


def test_one_json_object_per_line_with_extra_fields_and_traceback():
    formatter = JsonLinesFormatter()
    record = logging.LogRecord("classroom.x", logging.WARNING, __file__, 1, "hello %s", ("there",), None)
    record.event = "test.event"
    line = json.loads(formatter.format(record))
    assert line["msg"] == "hello there" and line["level"] == "WARNING" and line["logger"] == "classroom.x"
    assert line["event"] == "test.event" and line["time"].endswith("+00:00")
    assert "request_id" not in line  # outside a request
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("classroom.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    formatted = formatter.format(record)
    assert "\n" not in formatted
    assert "ValueError: boom" in json.loads(formatted)["exc"]


def test_gunicorn_and_the_app_share_the_formatter():
    config = logging_config("INFO")
    assert config["formatters"]["json"]["()"] is JsonLinesFormatter
    assert config["loggers"]["gunicorn.error"]["handlers"] == config["root"]["handlers"]
    for handler in config["handlers"].values():
        assert handler["formatter"] == "json"


def test_configure_logging_twice_adds_one_handler():
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        first = configure_logging()
        assert configure_logging() is first
        assert len(root.handlers) == len(before) + 1
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)


# --- request ids ------------------------------------------------------------------------------


def test_every_response_has_a_request_id_and_every_line_carries_it(app, client, teacher, log_lines):
    response = client.post("/auth/login", data={"email": "ada@school.example", "password": "not the password"})
    assert response.status_code == 400
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    failed = events(log_lines, "login.failed")
    assert len(failed) == 1
    assert failed[0]["request_id"] == request_id and failed[0]["teacher_id"] == teacher.id
    assert failed[0]["ip"] == "127.0.0.1" and failed[0]["path"] == "/auth/login"
    assert client.get("/").headers["X-Request-ID"] != request_id
    for line in log_lines():
        assert line.get("request_id"), line


def test_a_proxy_request_id_is_used_only_from_a_trusted_proxy(make_app):
    direct = make_app()
    assert direct.test_client().get("/", headers={"X-Request-ID": "lb-1234"}).headers["X-Request-ID"] != "lb-1234"
    behind = make_app(TRUSTED_PROXIES=1)
    browser = behind.test_client()
    assert browser.get("/", headers={"X-Request-ID": "lb-1234"}).headers["X-Request-ID"] == "lb-1234"
    for junk in ("two words", "x" * 65, "a\u00e9b"):
        assert browser.get("/", headers={"X-Request-ID": junk}).headers["X-Request-ID"] != junk


def test_lines_name_the_signed_in_person_without_their_token(app, teacher, school_class, student, log_lines):
    browser = app.test_client()
    login_as(browser, teacher)
    browser.post(f"/classes/{school_class.id}/students/{student.id}/reset-code")
    (reset,) = events(log_lines, "student.code_reset")
    assert reset["user"] == f"teacher:{teacher.id}"
    assert reset["student_id"] == student.id and reset["class_id"] == school_class.id
    assert teacher.session_token not in log_lines.text()


# --- what a school needs to know --------------------------------------------------------------


def test_moderation_decisions_removals_and_code_changes_are_logged(
    app, teacher, teacher_client, school_class, assignment, student, make_reflection, log_lines
):
    first = make_reflection(student, assignment.prompts[0])
    second = make_reflection(student, assignment.prompts[1])
    teacher_client.post(f"/moderation/reflections/{first.id}/approve", data={f"approve-{first.id}-version": "1"})
    teacher_client.post(
        f"/moderation/reflections/{second.id}/reject", data={f"reject-{second.id}-feedback": "Please rewrite it."}
    )
    teacher_client.post(f"/moderation/reflections/{first.id}/star", data={"starred": "1"})
    teacher_client.post(f"/classes/{school_class.id}/regenerate-code")
    teacher_client.post(f"/classes/{school_class.id}/toggle-join")
    teacher_client.post(f"/classes/{school_class.id}/students/{student.id}/remove")
    teacher_client.post(f"/classes/assignments/{assignment.id}/delete")

    decisions = events(log_lines, "moderation.decision")
    assert [(d["reflection_id"], d["to_status"], d["teacher_id"]) for d in decisions] == [
        (first.id, "approved", teacher.id),
        (second.id, "rejected", teacher.id),
    ]
    assert events(log_lines, "moderation.star")[0]["reflection_id"] == first.id
    assert events(log_lines, "class.join_code_changed")[0]["class_id"] == school_class.id
    assert events(log_lines, "class.joining")[0]["join_enabled"] is False
    (removed,) = events(log_lines, "student.removed")
    assert removed["user"] == f"teacher:{teacher.id}" and removed["student_id"] == student.id
    assert removed["reflections"] == 2 and removed["stance_answers"] == 0
    (deleted,) = events(log_lines, "assignment.deleted")
    assert deleted["assignment_id"] == assignment.id and deleted["user"] == f"teacher:{teacher.id}"
    # The teacher's reason goes to the student, not the log.
    assert "Please rewrite it." not in log_lines.text()


def test_a_rate_limit_is_logged(make_app, log_lines):
    app = make_app(RATELIMIT_ENABLED=True)
    browser = app.test_client()
    responses = [browser.post("/join/resume", data={"return_code": "1-no-such-words-here"}) for _ in range(40)]
    assert responses[-1].status_code == 429
    limited = events(log_lines, "rate_limited")
    assert limited and limited[0]["path"] == "/join/resume" and limited[0]["ip"] == "127.0.0.1"
    assert events(log_lines, "resume.failed")


def test_a_500_is_logged_with_its_traceback_but_not_the_values(app, student, assignment, answer_stance, log_lines):
    """A failed statement's parameters (a reflection, a return code) never reach the log."""
    from sqlalchemy import text

    secret = f"my private thought {student.return_code}"

    @app.route("/boom")
    def boom():
        db.session.execute(text("INSERT INTO no_such_table VALUES (:body)"), {"body": secret})

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert errors and "no_such_table" in errors[0]["exc"] and "Traceback" in errors[0]["exc"]
    assert errors[0]["request_id"] == response.headers["X-Request-ID"]
    assert secret not in log_lines.text() and student.return_code not in log_lines.text()


def test_a_whole_lesson_leaves_no_reflection_text_or_return_code_in_the_logs(
    app, teacher, school_class, assignment, log_lines
):
    """Join, resume, write, submit, be moderated, get a new code, be removed: grep the logs after."""
    student_browser = app.test_client()
    student_browser.post(f"/join/{school_class.join_code}", data={"display_name": "Lena"})
    with app.app_context():
        lena = db.session.scalars(db.select(Student).where(Student.display_name == "Lena")).one()
        first_code, lena_id = lena.return_code, lena.id
    fresh_browser = app.test_client()
    assert fresh_browser.post("/join/resume", data={"return_code": first_code}).status_code == 302
    fresh_browser.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "0"})
    body = "Zebra-striped memory of the parade that my grandmother kept quiet about"
    prompt = assignment.prompts[0]
    saved = fresh_browser.post(reflection_url(assignment, prompt), data=reflection_form(prompt, body))
    assert saved.status_code in (200, 302)
    with app.app_context():
        reflection = db.session.scalars(db.select(Reflection).where(Reflection.student_id == lena_id)).one()
        assert reflection.body == body
        reflection_id, version = reflection.id, reflection.version
    teacher_browser = app.test_client()
    teacher_browser.post("/auth/login", data={"email": "ada@school.example", "password": TEACHER_PASSWORD})
    teacher_browser.post(
        f"/moderation/reflections/{reflection_id}/return",
        data={f"return-{reflection_id}-feedback": "Say more", f"return-{reflection_id}-version": str(version)},
    )
    teacher_browser.post(f"/classes/{school_class.id}/students/{lena_id}/reset-code")
    with app.app_context():
        second_code = db.session.get(Student, lena_id).return_code
    teacher_browser.post("/join/resume", data={"return_code": second_code})
    # A wrong code: its last letter changed (six return words end in "x", so "x" alone was sometimes right).
    wrong_code = second_code[:-1] + ("y" if second_code.endswith("x") else "x")
    app.test_client().post("/join/resume", data={"return_code": wrong_code})
    teacher_browser.post(f"/classes/{school_class.id}/students/{lena_id}/remove")

    text = log_lines.text()
    assert events(log_lines, "student.joined") and events(log_lines, "student.signed_in")
    assert events(log_lines, "moderation.decision") and events(log_lines, "student.removed")
    assert events(log_lines, "resume.failed")
    for secret in (first_code, second_code, body, "Zebra-striped", "Say more"):
        assert secret not in text, secret
    # Words of the codes may be common ones; the codes themselves with any separator are not there.
    for code in (first_code, second_code):
        words = re.split(r"[^a-z0-9]+", code.lower())
        assert " ".join(words) not in text.lower() and "".join(words) not in text.lower()

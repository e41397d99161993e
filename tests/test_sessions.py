"""Sessions end when they should (issue 8 item 2): a session token inside every login cookie, rotated by
"log out everywhere", a password change and a teacher's "reset return code"; students are remembered
for one school term at most."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from classroom.extensions import db
from classroom.models import Student, Teacher
from classroom.sessions import parse_login_id
from tests.conftest import TEACHER_PASSWORD, login_as

SESSION = "session"
REMEMBER = "remember_token"


def teacher_signs_in(app, remember=True):
    client = app.test_client()
    data = {"email": "ada@school.example", "password": TEACHER_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/classes/").status_code == 200
    return client


def student_signs_in(app, student):
    client = app.test_client()
    assert client.post("/join/resume", data={"return_code": student.return_code}).status_code == 302
    assert client.get("/student").status_code == 200
    return client


def captured(client):
    """The browser's login cookies, as someone copying them off a shared computer would keep them."""
    return {name: client.get_cookie(name).value for name in (SESSION, REMEMBER) if client.get_cookie(name)}


def replay(app, cookies, only=None):
    """A new browser holding only the captured cookie(s)."""
    browser = app.test_client()
    for name, value in cookies.items():
        if only in (None, name):
            browser.set_cookie(name, value)
    return browser


def teacher_signed_in(browser) -> bool:
    response = browser.get("/classes/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def student_signed_in(browser) -> bool:
    response = browser.get("/student")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- teachers ---------------------------------------------------------------------------------


def test_captured_teacher_cookies_work_until_rotated(app, teacher):
    """The replay itself works, so the tests below prove the rotation and not a broken replay."""
    cookies = captured(teacher_signs_in(app))
    assert set(cookies) == {SESSION, REMEMBER}
    assert teacher_signed_in(replay(app, cookies, only=SESSION))
    assert teacher_signed_in(replay(app, cookies, only=REMEMBER))


@pytest.mark.parametrize("only", [SESSION, REMEMBER])
def test_log_out_everywhere_ends_every_teacher_session(app, teacher, only):
    elsewhere = captured(teacher_signs_in(app))
    here = teacher_signs_in(app)
    page = here.get("/auth/password").get_data(as_text=True)
    assert 'action="/auth/logout-everywhere"' in page
    response = here.post("/auth/logout-everywhere")
    assert response.status_code == 302
    assert not teacher_signed_in(here)
    assert not teacher_signed_in(replay(app, elsewhere, only=only))
    # Logging in again works as before.
    assert teacher_signed_in(teacher_signs_in(app))


def test_log_out_everywhere_needs_a_signed_in_teacher(client):
    response = client.post("/auth/logout-everywhere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("only", [SESSION, REMEMBER])
def test_password_change_signs_out_the_other_computers_but_not_this_one(app, teacher, only):
    elsewhere = captured(teacher_signs_in(app))
    here = teacher_signs_in(app)
    response = here.post(
        "/auth/password",
        data={
            "current_password": TEACHER_PASSWORD,
            "new_password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert response.status_code == 302
    assert teacher_signed_in(here)
    # Its remember cookie was renewed with the new token, so this computer stays remembered.
    assert teacher_signed_in(replay(app, captured(here), only=REMEMBER))
    assert not teacher_signed_in(replay(app, elsewhere, only=only))


def test_a_refused_password_change_signs_nobody_out(app, teacher):
    elsewhere = captured(teacher_signs_in(app))
    here = teacher_signs_in(app)
    response = here.post(
        "/auth/password", data={"current_password": "wrong one here", "new_password": "x" * 12, "confirm": "x" * 12}
    )
    assert response.status_code == 400
    assert teacher_signed_in(replay(app, elsewhere, only=SESSION))


def test_cookies_from_before_session_tokens_no_longer_sign_in(app, teacher):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = f"teacher:{teacher.id}"
    assert not teacher_signed_in(browser)


def test_a_wrong_token_or_kind_does_not_sign_in(app, teacher, student):
    for forged in (f"teacher:{teacher.id}:not-the-token", f"student:{teacher.id}:{teacher.session_token}"):
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["_user_id"] = forged
        assert not teacher_signed_in(browser), forged


# --- students ---------------------------------------------------------------------------------


def test_reset_return_code_signs_the_student_out_everywhere(app, teacher_client, school_class, student):
    cookies = captured(student_signs_in(app, student))
    assert set(cookies) == {SESSION, REMEMBER}
    assert student_signed_in(replay(app, cookies, only=SESSION))
    assert student_signed_in(replay(app, cookies, only=REMEMBER))
    response = teacher_client.post(f"/classes/{school_class.id}/students/{student.id}/reset-code")
    assert response.status_code == 302
    assert not student_signed_in(replay(app, cookies, only=SESSION))
    assert not student_signed_in(replay(app, cookies, only=REMEMBER))
    with app.app_context():
        new_code = db.session.get(Student, student.id).return_code
    assert new_code != student.return_code
    assert student_signed_in(student_signs_in(app, db_student(app, student.id)))


def db_student(app, student_id):
    with app.app_context():
        person = db.session.get(Student, student_id)
        db.session.expunge(person)
        return person


@pytest.mark.parametrize("only", [SESSION, REMEMBER])
def test_a_student_can_log_out_everywhere(app, student, only):
    elsewhere = captured(student_signs_in(app, student))
    here = student_signs_in(app, student)
    assert 'action="/student/logout-everywhere"' in here.get("/student").get_data(as_text=True)
    assert here.post("/student/logout-everywhere").status_code == 302
    assert not student_signed_in(here)
    assert not student_signed_in(replay(app, elsewhere, only=only))
    # The return code still brings them back.
    assert student_signed_in(student_signs_in(app, student))


def test_a_teacher_cannot_log_out_a_student_everywhere(app, teacher_client, student):
    cookies = captured(student_signs_in(app, student))
    teacher_client.post("/student/logout-everywhere")
    assert student_signed_in(replay(app, cookies, only=SESSION))


def remember_days(client) -> float:
    expires = client.get_cookie(REMEMBER).expires
    return (expires - datetime.now(UTC)).total_seconds() / 86400


def test_a_student_is_remembered_for_a_school_term_not_a_year(app, student, school_class):
    assert app.config["STUDENT_REMEMBER_DAYS"] == 120
    resumed = student_signs_in(app, student)
    assert 119 < remember_days(resumed) <= 120
    joined = app.test_client()
    joined.post(f"/join/{school_class.join_code}", data={"display_name": "Lena"})
    assert 119 < remember_days(joined) <= 120


def test_the_term_length_is_a_setting(make_app):
    from classroom.classes.logic import create_class
    from classroom.join.logic import join_class

    app = make_app(STUDENT_REMEMBER_DAYS=30)
    with app.app_context():
        person = Teacher(name="T", email="t@school.example", password_hash="x")
        db.session.add(person)
        db.session.commit()
        code = join_class(create_class(person, "History", ""), "Lena").return_code
    assert 29 < remember_days(student_signs_in(app, SimpleNamespace(return_code=code))) <= 30


def test_a_teacher_stays_remembered_as_before(app, teacher):
    assert remember_days(teacher_signs_in(app)) > 300


def test_student_remember_days_from_the_environment(monkeypatch, tmp_path):
    from classroom.config import defaults

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("STUDENT_REMEMBER_DAYS", "90")
    assert defaults(str(tmp_path))["STUDENT_REMEMBER_DAYS"] == 90
    monkeypatch.setenv("STUDENT_REMEMBER_DAYS", "a term")
    with pytest.raises(ValueError, match="STUDENT_REMEMBER_DAYS"):
        defaults(str(tmp_path))


def test_new_people_get_distinct_tokens(app, make_teacher, make_student, school_class):
    people = [make_teacher(), make_teacher(), make_student(school_class), make_student(school_class)]
    tokens = {person.session_token for person in people}
    assert len(tokens) == 4 and all(len(token) >= 20 for token in tokens)
    assert people[0].get_id() == f"teacher:{people[0].id}:{people[0].session_token}"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("teacher:5:abc", ("teacher", 5, "abc")),
        ("student:12:a:b", ("student", 12, "a:b")),
        ("teacher:5", None),
        ("teacher:5:", None),
        ("admin:5:abc", None),
        ("teacher:²:abc", None),
        ("teacher:-1:abc", None),
        ("teacher:" + "9" * 30 + ":abc", None),
        ("", None),
    ],
)
def test_parse_login_id(value, expected):
    assert parse_login_id(value) == expected


def test_login_as_fixture_still_signs_in(app, teacher):
    """The suite's own shortcut goes through the same token check."""
    browser = app.test_client()
    login_as(browser, teacher)
    assert teacher_signed_in(browser)

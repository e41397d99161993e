"""Teacher accounts: sign-up, log-in, log-out, remember me, password change, closed sign-up."""

import os
import uuid

import pytest

from classroom.extensions import db
from classroom.models import Teacher
from classroom.web import safe_next

from .conftest import TEACHER_PASSWORD


def signup(client, name="Ada", email="ada@school.example", password="a long passphrase"):
    return client.post("/auth/signup", data={"name": name, "email": email, "password": password})


def test_signup_creates_teacher_and_logs_in(app, client):
    response = signup(client, email="New.Teacher@School.Example")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.execute(db.select(Teacher)).scalar_one()
        assert stored.email == "new.teacher@school.example"
        assert stored.password_hash.startswith("$argon2id$")
    assert client.get("/lessons/").status_code == 200


def test_signup_rejects_short_password_and_keeps_the_rest(client):
    response = signup(client, name="Keep Me", password="short")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert 'value="Keep Me"' in page
    assert 'aria-describedby="password-hint password-error"' in page


def test_signup_email_unique_ignoring_case(client, teacher):
    response = signup(client, email="ADA@School.Example")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field,value,message", [("name", "", "Please enter your name."), ("email", "nope", "does not look like an email")]
)
def test_signup_field_errors(client, field, value, message):
    data = {"name": "Ada", "email": "ada@school.example", "password": "a long passphrase", field: value}
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_login_and_logout(client, teacher):
    response = client.post("/auth/login", data={"email": "ADA@school.example", "password": TEACHER_PASSWORD})
    assert response.status_code == 302
    assert client.get("/classes/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/classes/").status_code == 302


def test_wrong_password_and_unknown_email_say_the_same(client, teacher):
    wrong = client.post("/auth/login", data={"email": "ada@school.example", "password": "not the password"})
    unknown = client.post("/auth/login", data={"email": "nobody@school.example", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, teacher):
    client.post("/auth/login", data={"email": "ada@school.example", "password": TEACHER_PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_lasting_cookie(client, teacher):
    client.post("/auth/login", data={"email": "ada@school.example", "password": TEACHER_PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_next_redirects_only_on_this_site(client, teacher):
    data = {"email": "ada@school.example", "password": TEACHER_PASSWORD}
    inside = client.post("/auth/login?next=/lessons/", data=data)
    assert inside.headers["Location"] == "/lessons/"
    client.post("/auth/logout")
    outside = client.post("/auth/login?next=https://evil.example/", data=data)
    assert outside.headers["Location"] == "/classes/" or outside.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/lessons/3", "/lessons/3"),
        ("//evil.example/x", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("plans", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_pages_need_login(client):
    response = client.get("/lessons/")
    assert response.status_code == 302
    assert "/auth/login?next=/lessons/" in response.headers["Location"]


def test_change_password(app, teacher_client, teacher):
    bad = teacher_client.post(
        "/auth/password",
        data={
            "current_password": "wrong one here",
            "new_password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert bad.status_code == 400
    assert "not your current password" in bad.get_data(as_text=True)
    mismatch = teacher_client.post(
        "/auth/password",
        data={"current_password": TEACHER_PASSWORD, "new_password": "another passphrase", "confirm": "different one"},
    )
    assert mismatch.status_code == 400
    ok = teacher_client.post(
        "/auth/password",
        data={
            "current_password": TEACHER_PASSWORD,
            "new_password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert ok.status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post("/auth/login", data={"email": "ada@school.example", "password": "another passphrase"}).status_code
        == 302
    )


def test_closed_signup_says_who_to_ask(make_app):
    app = make_app(ALLOW_SIGNUP=False, SIGNUP_CONTACT="Ms Ivanova in room 12")
    client = app.test_client()
    page = client.get("/auth/signup").get_data(as_text=True)
    assert "Ms Ivanova in room 12" in page
    response = client.post(
        "/auth/signup", data={"name": "X", "email": "x@school.example", "password": "a long passphrase"}
    )
    with app.app_context():
        assert db.session.execute(db.select(Teacher)).first() is None
    assert response.status_code == 200


def test_create_teacher_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-teacher", "--name", "Vera", "--email", "Vera@School.example", "--password", "a long passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert "Created teacher Vera" in result.output
    again = runner.invoke(
        args=["create-teacher", "--name", "Vera", "--email", "vera@school.example", "--password", "a long passphrase"]
    )
    assert again.exit_code != 0
    short = runner.invoke(args=["create-teacher", "--name", "V", "--email", "v@school.example", "--password", "short"])
    assert short.exit_code != 0
    assert "10 characters" in short.output


def test_post_without_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/auth/signup", data={"name": "Ada", "email": "ada@school.example", "password": "a long passphrase"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(Teacher)).first() is None


def test_login_rate_limited(make_app, teacher):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [
        client.post("/auth/login", data={"email": "x@school.example", "password": "nope nope nope"}).status_code
        for _ in range(31)
    ]
    assert codes[-1] == 429
    assert set(codes[:30]) == {400}


REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test rate limits kept in Redis")
def test_rate_limits_are_kept_in_redis(make_app, teacher):
    import redis

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    client = app.test_client()
    codes = [
        client.post("/auth/login", data={"email": "x@school.example", "password": "nope nope nope"}).status_code
        for _ in range(31)
    ]
    assert codes[-1] == 429
    store = redis.Redis.from_url(REDIS_URL)
    keys = store.keys(f"*{prefix}*")
    assert keys
    store.delete(*keys)


def test_redis_url_configures_the_rate_limit_store(tmp_path, monkeypatch):
    from classroom.config import defaults

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert defaults(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_password_fields_tell_password_managers_their_purpose(client):
    assert 'autocomplete="new-password"' in client.get("/auth/signup").get_data(as_text=True)
    assert 'autocomplete="current-password"' in client.get("/auth/login").get_data(as_text=True)

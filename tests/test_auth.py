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


def test_signup_creates_teacher_then_asks_to_log_in(app, client):
    response = signup(client, email="New.Teacher@School.Example")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login?next=/lessons/"
    with app.app_context():
        stored = db.session.execute(db.select(Teacher)).scalar_one()
        assert stored.email == "new.teacher@school.example"
        assert stored.password_hash.startswith("$argon2id$")
    # Nobody is logged in yet; the log-in page knows the email and says what to do.
    assert client.get("/lessons/").status_code == 302
    page = client.get("/auth/login?next=/lessons/").get_data(as_text=True)
    assert "Your account is ready" in page and 'value="new.teacher@school.example"' in page
    response = client.post(
        "/auth/login?next=/lessons/", data={"email": "new.teacher@school.example", "password": "a long passphrase"}
    )
    assert response.headers["Location"] == "/lessons/"
    assert client.get("/lessons/").status_code == 200


class CountingHasher:
    """Wraps the app's Argon2 hasher and counts the password work done."""

    def __init__(self, hasher):
        self.hasher, self.calls = hasher, 0

    def hash(self, password):
        self.calls += 1
        return self.hasher.hash(password)

    def verify(self, stored, password):
        self.calls += 1
        return self.hasher.verify(stored, password)


@pytest.fixture
def hasher_calls(monkeypatch):
    """A function giving how many times the app has hashed or verified a password so far."""
    from classroom import passwords

    real, wrappers = passwords._hasher, {}

    def counted():
        hasher = real()
        return wrappers.setdefault(id(hasher), CountingHasher(hasher))

    monkeypatch.setattr(passwords, "_hasher", counted)
    return lambda: sum(wrapper.calls for wrapper in wrappers.values())


def test_the_dummy_hashes_cost_what_real_ones_cost(app):
    from argon2 import extract_parameters

    from classroom import passwords

    assert extract_parameters(passwords._DUMMY_STRONG) == passwords._strong._parameters
    assert extract_parameters(passwords._DUMMY_FAST) == passwords._fast._parameters
    with app.app_context():
        assert passwords.dummy_hash() == passwords._DUMMY_FAST  # the tests' fast hasher


def test_login_does_the_same_password_work_whether_or_not_the_email_has_an_account(client, teacher, hasher_calls):
    before = hasher_calls()
    wrong = client.post("/auth/login", data={"email": "ada@school.example", "password": "not the password"})
    after_wrong = hasher_calls()
    unknown = client.post("/auth/login", data={"email": "nobody@school.example", "password": "not the password"})
    after_unknown = hasher_calls()
    assert wrong.status_code == unknown.status_code == 400
    assert after_wrong - before == after_unknown - after_wrong == 1
    assert wrong.get_data(as_text=True).replace("ada@school.example", "@") == unknown.get_data(as_text=True).replace(
        "nobody@school.example", "@"
    )


def test_signup_with_a_taken_email_answers_like_a_new_one_and_logs_in_nobody(app, client, teacher, hasher_calls):
    before = hasher_calls()
    new = signup(client, email="someone.new@school.example")
    after_new = hasher_calls()
    fresh = app.test_client()
    taken = signup(fresh, name="Impostor", email="ADA@school.example", password="quiet river at dawn")
    after_taken = hasher_calls()
    assert new.status_code == taken.status_code == 302
    assert new.headers["Location"] == taken.headers["Location"] == "/auth/login?next=/lessons/"
    assert after_new - before == after_taken - after_new == 1
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)
    taken_page = fresh.get(taken.headers["Location"]).get_data(as_text=True)
    assert new_page.replace("someone.new@school.example", "@") == taken_page.replace("ada@school.example", "@")
    assert fresh.get("/classes/").status_code == 302
    with app.app_context():
        ada = db.session.execute(db.select(Teacher).filter_by(email="ada@school.example")).scalar_one()
        assert ada.name == teacher.name
    # The real Ada still logs in with her own password; the impostor's does nothing.
    assert (
        fresh.post("/auth/login", data={"email": "ada@school.example", "password": "quiet river at dawn"}).status_code
        == 400
    )
    assert (
        fresh.post("/auth/login", data={"email": "ada@school.example", "password": TEACHER_PASSWORD}).status_code == 302
    )


@pytest.mark.parametrize(
    "password,email,name,says",
    [
        ("password123!", "ada@school.example", "Ada", "most common"),
        ("Qwertyuiop", "ada@school.example", "Ada", "most common"),
        ("1234567890", "ada@school.example", "Ada", "most common"),
        ("p@ssw0rd2024", "ada@school.example", "Ada", "most common"),
        ("ada@school.example", "ada@school.example", "Ada", "your email address or your name"),
        ("adalovelace99", "ada.lovelace@school.example", "Ada Lovelace", "your email address or your name"),
        ("TheRedSoul2017", "ada@school.example", "Ada", "the film"),
        ("stalin1953!!", "ada@school.example", "Ada", "the film"),
    ],
)
def test_signup_refuses_easily_guessed_passwords(app, client, password, email, name, says):
    response = signup(client, name=name, email=email, password=password)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert says in page and f'value="{email}"' in page and f'value="{name}"' in page
    with app.app_context():
        assert db.session.execute(db.select(Teacher)).first() is None


def test_changing_to_a_common_password_is_refused(teacher_client):
    response = teacher_client.post(
        "/auth/password",
        data={"current_password": TEACHER_PASSWORD, "new_password": "Password2024", "confirm": "Password2024"},
    )
    assert response.status_code == 400 and "most common" in response.get_data(as_text=True)


def test_create_teacher_command_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-teacher", "--name", "Vera", "--email", "vera@school.example", "--password", "iloveyou123"]
    )
    assert result.exit_code != 0 and "most common" in result.output


def test_login_failures_are_limited_per_account_as_well_as_per_address(make_app, teacher):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from classroom.auth.accounts import create_teacher

        create_teacher("Boris", "boris@school.example", TEACHER_PASSWORD)
    client = app.test_client()

    def log_in(email, password, address):
        return client.post(
            "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
        ).status_code

    for n in range(10):
        assert log_in("ada@school.example", f"guess number {n}", f"10.9.0.{n}") == 400
    # Ada's account waits (from any address); Boris, on the same address, carries on.
    assert log_in("ADA@school.example", TEACHER_PASSWORD, "10.9.1.1") == 429
    assert log_in("boris@school.example", TEACHER_PASSWORD, "10.9.1.1") == 302


def test_signup_rejects_short_password_and_keeps_the_rest(client):
    response = signup(client, name="Keep Me", password="short")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert 'value="Keep Me"' in page
    assert 'aria-describedby="password-hint password-error"' in page


def test_signup_email_unique_ignoring_case(app, client, teacher):
    response = signup(client, email="ADA@School.Example")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Teacher)) == 1


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
        client.post("/auth/login", data={"email": f"x{n}@school.example", "password": "nope nope nope"}).status_code
        for n in range(31)
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

"""Trust headers (issue 8 items 3, 5, 10): no-store on every page that is not public, HSTS behind HTTPS,
and the client's address and scheme from a trusted proxy."""

import pytest
from flask import jsonify, request, url_for

from classroom.extensions import db, limiter
from classroom.headers import is_public
from classroom.models import LessonPlan
from tests.conftest import login_as

STATIC_FILE = "css/app.css"


@pytest.fixture
def every_id(app, teacher, school_class, assignment, student, make_reflection):
    reflection = make_reflection(student, assignment.prompts[0])
    with app.app_context():
        plan = db.session.get(LessonPlan, assignment.plan_id)
        plan_prompt_id = plan.prompts[0].id
    return {
        "class_id": school_class.id,
        "assignment_id": assignment.id,
        "student_id": student.id,
        "reflection_id": reflection.id,
        "plan_id": assignment.plan_id,
        "platform_id": 1,
        "code": school_class.join_code,
        "token": assignment.link_token,
        "phase": "pre",
        "filename": STATIC_FILE,
        # Student routes take the assignment's prompt; lesson routes the plan's (set per rule below).
        "student_prompt_id": assignment.prompts[0].id,
        "plan_prompt_id": plan_prompt_id,
    }


def path_for(rule, ids):
    values = {}
    for name in rule.arguments:
        if name == "prompt_id":
            values[name] = ids["plan_prompt_id" if rule.endpoint.startswith("lessons.") else "student_prompt_id"]
        else:
            values[name] = ids.get(name, 1)
    return rule.build(values)[1]


def test_every_page_that_is_not_public_says_no_store(app, teacher, student, every_id):
    """Over the whole url_map, as a visitor, the class's teacher and a student of the class."""
    visitor = app.test_client()
    teacher_browser = app.test_client()
    login_as(teacher_browser, teacher)
    student_browser = app.test_client()
    login_as(student_browser, student)
    pages_seen = 0
    checked = 0
    for role, browser in (("visitor", visitor), ("teacher", teacher_browser), ("student", student_browser)):
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            path = path_for(rule, every_id)
            response = browser.get(path)
            cache_control = response.headers.get("Cache-Control", "")
            if is_public(rule.endpoint, signed_in=role != "visitor"):
                assert "no-store" not in cache_control, (role, path)
            else:
                assert cache_control == "no-store", (role, path, response.status_code)
            checked += 1
            pages_seen += response.status_code == 200
    # Real pages were rendered (not only redirects and 404s): the roster, dashboards, the student's pages...
    assert checked > 200 and pages_seen > 60


@pytest.mark.parametrize(
    "path_name",
    ["roster", "print_codes", "welcome", "student_home", "dashboard", "csv", "login", "resume"],
)
def test_the_pages_with_return_codes_and_minors_work_are_never_stored(
    app, teacher_client, student, school_class, assignment, path_name
):
    browser = teacher_client
    path = {
        "roster": f"/classes/{school_class.id}/students",
        "print_codes": f"/classes/{school_class.id}/students/codes",
        "dashboard": f"/dashboard/assignments/{assignment.id}",
        "csv": f"/dashboard/assignments/{assignment.id}/reflections.csv",
    }.get(path_name)
    if path_name in ("welcome", "student_home"):
        browser = app.test_client()
        response = browser.post(f"/join/{school_class.join_code}", data={"display_name": "Lena"})
        assert response.headers["Cache-Control"] == "no-store"
        path = "/join/welcome" if path_name == "welcome" else "/student"
    elif path_name in ("login", "resume"):
        browser = app.test_client()
        path = "/auth/login" if path_name == "login" else "/join/resume"
    response = browser.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_keep_normal_caching_for_visitors(client, teacher_client):
    for path in ("/", "/film", "/film/glossary", f"/static/{STATIC_FILE}", "/lms/jwks"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    assert client.get("/lms/jwks").headers["Cache-Control"] == "public, max-age=300"
    # The film page names a signed-in teacher in its menu: not kept for them.
    assert teacher_client.get("/film").headers["Cache-Control"] == "no-store"
    assert "no-store" not in teacher_client.get(f"/static/{STATIC_FILE}").headers.get("Cache-Control", "")


# --- HSTS -------------------------------------------------------------------------------------


def test_hsts_only_behind_https(make_app):
    plain = make_app()
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers
    secure = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    for path in ("/", "/auth/login", "/healthz", "/nowhere"):
        assert secure.test_client().get(path).headers["Strict-Transport-Security"] == "max-age=31536000", path


def test_secure_cookies_setting_turns_hsts_on(monkeypatch, tmp_path):
    from classroom.config import defaults

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("SECURE_COOKIES", "1")
    assert defaults(str(tmp_path))["SESSION_COOKIE_SECURE"] is True


# --- the proxy in front -----------------------------------------------------------------------


def app_with_probe(make_app, **config):
    """An app with one extra route that reports what the app believes about the request."""
    app = make_app(RATELIMIT_ENABLED=True, **config)

    @limiter.limit("2/minute")
    def probe():
        return jsonify(
            addr=request.remote_addr,
            secure=request.is_secure,
            external=url_for("join.resume", _external=True),
        )

    app.add_url_rule("/probe", "probe", probe)
    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    app = app_with_probe(make_app)
    assert app.config["TRUSTED_PROXIES"] == 0
    seen = app.test_client().get("/probe", headers=FORWARDED, base_url="http://classroom.school.org").json
    assert seen == {"addr": "127.0.0.1", "secure": False, "external": "http://classroom.school.org/join/resume"}


def test_behind_one_trusted_proxy(make_app):
    app = app_with_probe(make_app, TRUSTED_PROXIES=1)
    browser = app.test_client()
    seen = browser.get("/probe", headers=FORWARDED, base_url="http://classroom.school.org").json
    # The client's address and https from the proxy; the host stays the Host header the proxy passed on.
    assert seen == {"addr": "203.0.113.7", "secure": True, "external": "https://classroom.school.org/join/resume"}


def test_two_hops_take_the_address_the_first_proxy_saw(make_app):
    app = app_with_probe(make_app, TRUSTED_PROXIES=2)
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.2", "X-Forwarded-Proto": "https, http"}
    assert app.test_client().get("/probe", headers=headers).json["addr"] == "203.0.113.7"


def test_rate_limits_count_each_client_behind_the_proxy(make_app):
    behind = app_with_probe(make_app, TRUSTED_PROXIES=1)
    browser = behind.test_client()
    for _ in range(2):
        assert browser.get("/probe", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    assert browser.get("/probe", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    # Another pupil behind the same proxy is not blocked.
    assert browser.get("/probe", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200


def test_without_the_setting_everyone_behind_the_proxy_is_one_client(make_app):
    direct = app_with_probe(make_app)
    browser = direct.test_client()
    for _ in range(2):
        assert browser.get("/probe", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    assert browser.get("/probe", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 429


def test_printed_codes_link_is_https_behind_the_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    from classroom.classes.logic import create_class
    from classroom.models import Teacher

    with app.app_context():
        person = Teacher(name="T", email="t@school.example", password_hash="x")
        db.session.add(person)
        db.session.commit()
        class_id = create_class(person, "History", "").id
        login = person.get_id()
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = login
    page = browser.get(f"/classes/{class_id}/students/codes", headers={"X-Forwarded-Proto": "https"})
    assert "https://localhost/join/resume" in page.get_data(as_text=True)


def test_trusted_proxies_from_the_environment(monkeypatch, tmp_path):
    from classroom.config import defaults

    monkeypatch.setenv("SECRET_KEY", "x")
    assert defaults(str(tmp_path))["TRUSTED_PROXIES"] == 0
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert defaults(str(tmp_path))["TRUSTED_PROXIES"] == 2

"""The map from URL to code: each area's first path segment names its package, teacher areas are
guarded as a whole, and the addresses from before the map keep working as redirects."""

import pytest

from classroom.extensions import db
from classroom.models import Reflection
from tests.conftest import TEACHER_PASSWORD, login_as

# Blueprints whose every page shows a teacher's classes or minors' work.
TEACHER_AREAS = ("lessons", "classes", "moderation", "dashboard", "marks")


def area_rules(app):
    for rule in app.url_map.iter_rules():
        area = rule.endpoint.partition(".")[0]
        if area not in ("main", "moved", "static"):
            yield area, rule


def test_the_first_path_segment_names_the_package(app):
    seen = set()
    for area, rule in area_rules(app):
        seen.add(area)
        assert rule.rule.split("/")[1] == area, rule.rule
        assert app.view_functions[rule.endpoint].__module__.startswith(f"classroom.{area}."), rule.endpoint
    assert seen >= {"auth", "lessons", "classes", "join", "student", "moderation", "dashboard"}


def test_every_teacher_page_sends_visitors_and_students_to_the_login(app, student):
    student_client = app.test_client()
    login_as(student_client, student)
    for area, rule in area_rules(app):
        if area not in TEACHER_AREAS:
            continue
        path = rule.build(dict.fromkeys(rule.arguments, 1))[1]
        for client in (app.test_client(), student_client):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = client.open(path, method=method)
                assert response.status_code == 302, (method, path)
                assert response.headers["Location"].startswith("/auth/login?next="), (method, path)


@pytest.mark.parametrize(
    "old,new",
    [
        ("/login", "/auth/login"),
        ("/login?next=/plans/3", "/auth/login?next=/plans/3"),
        ("/signup", "/auth/signup"),
        ("/account/password", "/auth/password"),
        ("/plans/", "/lessons/"),
        ("/plans/3/prompts/4/edit", "/lessons/3/prompts/4/edit"),
        ("/resume", "/join/resume"),
        ("/resume?next=/me/assignments/2", "/join/resume?next=/me/assignments/2"),
        ("/me", "/student"),
        ("/me/welcome", "/join/welcome"),
        ("/me/assignments/2", "/student/assignments/2"),
        ("/classes/5/moderation?assignment=2&page=3", "/moderation/classes/5?assignment=2&page=3"),
        ("/classes/5/dashboard", "/dashboard/classes/5"),
        ("/classes/assignments/2/dashboard?sort=completed", "/dashboard/assignments/2?sort=completed"),
        ("/classes/assignments/2/report", "/dashboard/assignments/2/report"),
        ("/classes/assignments/2/highlights", "/dashboard/assignments/2/highlights"),
        ("/classes/assignments/2/reflections", "/dashboard/assignments/2/reflections"),
        ("/classes/assignments/2/reflections.csv", "/dashboard/assignments/2/reflections.csv"),
        ("/classes/assignments/2/completion.csv", "/dashboard/assignments/2/completion.csv"),
        ("/classes/assignments/2/captions.vtt", "/student/assignments/2/captions.vtt"),
    ],
)
def test_a_bookmarked_address_moves_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_a_join_link_handed_out_before_still_joins(client, school_class):
    page = client.get(f"/join/{school_class.join_code}")
    assert page.status_code == 200 and school_class.name in page.get_data(as_text=True)


def test_a_form_posted_to_an_old_address_is_sent_on_with_its_text(app, student_client, student, assignment):
    """A tab opened before the upgrade: the student's save reaches the new address with what they wrote."""
    prompt = assignment.prompts[0]
    student_client.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "0"})
    old = f"/me/assignments/{assignment.id}/prompts/{prompt.id}"
    data = {f"p{prompt.id}-body": "Written before the upgrade.", f"p{prompt.id}-send": "1"}
    moved = student_client.post(old, data=data)
    assert moved.status_code == 308
    assert moved.headers["Location"] == f"/student/assignments/{assignment.id}/prompts/{prompt.id}"
    assert student_client.post(old, data=data, follow_redirects=True).status_code == 200
    with app.app_context():
        saved = db.session.scalars(db.select(Reflection).where(Reflection.student_id == student.id)).one()
        assert saved.body == "Written before the upgrade."


def test_an_old_login_form_still_logs_in(client, teacher):
    response = client.post("/login", data={"email": teacher.email, "password": TEACHER_PASSWORD}, follow_redirects=True)
    assert response.history[0].status_code == 308
    assert response.status_code == 200 and response.request.path == "/classes/"


def test_every_view_says_what_it_returns(app):
    """mypy checks route bodies against their annotations, so every view has one (make lint)."""
    import inspect

    unannotated = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and "return" not in inspect.unwrap(view).__annotations__
    ]
    assert unannotated == []

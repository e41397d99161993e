"""Students and teachers are different kinds of session, and a student only ever sees their own class."""

import pytest

from classroom.extensions import db
from classroom.models import Reflection, StanceAnswer
from tests.conftest import login_as


@pytest.fixture
def elsewhere(make_class, make_assignment, other_teacher):
    """Another teacher's class with its own assignment, titled so a leak is easy to spot."""
    return make_assignment(make_class(other_teacher, name="Elsewhere 9Z"), title="Not for Sasha")


def test_a_student_cannot_open_another_classes_assignment(student_client, elsewhere):
    response = student_client.get(f"/student/assignments/{elsewhere.id}")
    assert response.status_code == 404 and "Not for Sasha" not in response.get_data(as_text=True)


def test_a_student_cannot_write_in_another_class(app, student_client, student, elsewhere, assignment):
    prompt = elsewhere.prompts[0]
    data = {f"p{prompt.id}-body": "Sneaky", f"p{prompt.id}-send": "1"}
    assert student_client.post(f"/student/assignments/{elsewhere.id}/prompts/{prompt.id}", data=data).status_code == 404
    # Their prompt under my assignment's address is a 404 too.
    assert (
        student_client.post(f"/student/assignments/{assignment.id}/prompts/{prompt.id}", data=data).status_code == 404
    )
    assert (
        student_client.post(f"/student/assignments/{elsewhere.id}/stance/pre", data={"pre-option": "0"}).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Reflection.id))) == 0
        assert db.session.scalar(db.select(db.func.count(StanceAnswer.id))) == 0


def test_a_student_cannot_fetch_another_classes_captions(
    app, student_client, make_class, make_assignment, other_teacher
):
    theirs = make_assignment(
        make_class(other_teacher, name="Elsewhere"), captions_vtt="WEBVTT\n\n00:00.000 --> 00:01.000\nSecret\n"
    )
    response = student_client.get(f"/student/assignments/{theirs.id}/captions.vtt")
    assert response.status_code == 404 and "Secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/classes/",
        "/lessons/",
        "/classes/{class_id}",
        "/classes/{class_id}/students",
        "/classes/{class_id}/students/codes",
        "/classes/assignments/{assignment_id}",
        "/auth/password",
    ],
)
def test_a_student_never_reaches_a_teacher_page(student_client, school_class, assignment, path):
    response = student_client.get(path.format(class_id=school_class.id, assignment_id=assignment.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "path", ["/classes/{class_id}/students/{student_id}/reset-code", "/classes/{class_id}/students/{student_id}/remove"]
)
def test_a_student_cannot_post_to_teacher_pages(app, student_client, school_class, student, path):
    response = student_client.post(path.format(class_id=school_class.id, student_id=student.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    with app.app_context():
        from classroom.models import Student

        assert db.session.get(Student, student.id).return_code == student.return_code


@pytest.mark.parametrize("path", ["/student", "/student/assignments/{assignment_id}", "/join/welcome"])
def test_a_teacher_gets_no_student_page(teacher_client, assignment, path):
    response = teacher_client.get(path.format(assignment_id=assignment.id))
    assert response.status_code == 302 and "/join/resume" not in response.headers["Location"]
    assert "What do you notice" not in teacher_client.get(response.headers["Location"], follow_redirects=True).get_data(
        as_text=True
    )


def test_a_teacher_cannot_answer_a_stance_question(app, teacher_client, assignment):
    response = teacher_client.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "0"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(StanceAnswer.id))) == 0


@pytest.mark.parametrize("path", ["/student", "/student/assignments/{assignment_id}"])
def test_a_visitor_is_sent_to_resume_and_back(client, assignment, path):
    target = path.format(assignment_id=assignment.id)
    response = client.get(target)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/join/resume?next=")
    assert target.replace("/", "%2F") in response.headers["Location"] or target in response.headers["Location"]


def test_a_student_session_cookie_for_a_missing_student_is_not_a_session(app, assignment):
    client = app.test_client()

    class Ghost:
        def get_id(self):
            return "student:99999"

    login_as(client, Ghost())
    assert client.get("/student").headers["Location"].startswith("/join/resume")


def test_form_addresses_opened_directly_go_back_to_the_page(student_client, assignment):
    prompt = assignment.prompts[0]
    response = student_client.get(f"/student/assignments/{assignment.id}/prompts/{prompt.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/student/assignments/{assignment.id}#prompt-{prompt.id}")
    response = student_client.get(f"/student/assignments/{assignment.id}/stance/pre")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/student/assignments/{assignment.id}"
    )


def test_form_addresses_of_another_class_are_a_404(student_client, elsewhere):
    assert student_client.get(f"/student/assignments/{elsewhere.id}/stance/pre").status_code == 404

"""Names at joining: unkind names refused kindly, and "is this you?" before a second student of the same name."""

import pytest

from classroom.extensions import db
from classroom.models import Student, Teacher


def names_in(app, school_class):
    with app.app_context():
        return sorted(db.session.scalars(db.select(Student.display_name).where(Student.class_id == school_class.id)))


def join(client, school_class, name):
    return client.post(f"/join/{school_class.join_code}", data={"display_name": name})


@pytest.mark.parametrize("name", ["Idiot King", "F.u.c.k", "сука", "Big Loser"])
def test_an_unkind_name_is_refused_kindly(app, school_class, name):
    response = join(app.test_client(), school_class, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please choose another name." in html
    assert 'id="display_name-error"' in html
    assert names_in(app, school_class) == []


def test_the_teachers_own_flag_words_refuse_a_name(app, teacher, school_class):
    client = app.test_client()
    assert join(client, school_class, "Nerd Boss").status_code == 302
    with app.app_context():
        db.session.get(Teacher, teacher.id).flag_words = "boss"
        db.session.commit()
    other = app.test_client()
    response = join(other, school_class, "Big Boss")
    assert response.status_code == 400 and "Please choose another name." in response.get_data(as_text=True)
    assert names_in(app, school_class) == ["Nerd Boss"]


def test_an_unkind_name_is_refused_on_the_assignment_link_too(app, assignment):
    from tests.test_links import link_path

    response = app.test_client().post(link_path(assignment), data={"display_name": "Stupid Idiot"})
    assert response.status_code == 400
    assert "Please choose another name." in response.get_data(as_text=True)


def test_a_name_already_in_the_class_asks_is_this_you(app, school_class, student):
    page = app.test_client().get(f"/join/{school_class.join_code}").get_data(as_text=True)
    assert "Already joined?" in page and 'href="/join/resume' in page and "Use your return code" in page
    response = join(app.test_client(), school_class, "  sasha ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Is this you?" in html
    assert "use your return code" in html and 'href="/join/resume' in html
    assert "No, I’m someone else" in html
    assert "There is already a “sasha” in this class." in html
    # What the student typed stays in the box.
    assert 'value="sasha"' in html
    assert names_in(app, school_class) == ["Sasha"]


def test_someone_else_joins_with_a_distinguishing_name(app, school_class, student):
    client = app.test_client()
    assert join(client, school_class, "Sasha").status_code == 400
    response = join(client, school_class, "Sasha M.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/welcome")
    assert names_in(app, school_class) == ["Sasha", "Sasha M."]


def test_the_same_person_comes_back_with_their_return_code(app, school_class, student):
    client = app.test_client()
    assert join(client, school_class, "Sasha").status_code == 400
    with app.app_context():
        code = db.session.get(Student, student.id).return_code
    back = client.post("/join/resume", data={"return_code": code})
    assert back.status_code == 302
    assert names_in(app, school_class) == ["Sasha"]


def test_the_assignment_link_asks_is_this_you_and_returns_to_the_assignment(app, assignment, student):
    from tests.test_links import link_path

    response = app.test_client().post(link_path(assignment), data={"display_name": "SASHA"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Is this you?" in html
    assert f"/join/resume?next=/student/assignments/{assignment.id}" in html.replace("%2F", "/")

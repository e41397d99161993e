"""The teacher's roster: progress, rename, remove with confirmation, reset a return code, print the codes."""

import pytest

from classroom.classes.students import removal_summary, remove_student, rename_student, reset_return_code
from classroom.extensions import db
from classroom.models import ModerationEvent, Reflection, SchoolClass, StanceAnswer, Student, utcnow


def roster_url(school_class, rest=""):
    return f"/classes/{school_class.id}/students{rest}"


def count(app, model, **where):
    with app.app_context():
        query = db.select(db.func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def test_roster_lists_students_with_progress(
    app, teacher_client, school_class, student, make_student, assignment, write_reflection
):
    make_student(school_class, "Kim")
    write_reflection(student, assignment.prompts[0], "Done")
    write_reflection(student, assignment.prompts[1], "Draft", submit=False)
    page = teacher_client.get(roster_url(school_class)).get_data(as_text=True)
    assert "Students in History 11B" in page
    assert "Kim" in page and "Sasha" in page
    assert "1 / 3" in page and "0 / 3" in page
    assert '<th scope="row">Sasha</th>' in page
    assert student.return_code not in page  # codes are only on the print page, not projected by accident
    assert f"/join/{school_class.join_code}" in page


def test_empty_roster(teacher_client, school_class):
    assert "No students yet" in teacher_client.get(roster_url(school_class)).get_data(as_text=True)


def test_rename(app, teacher_client, school_class, student):
    page = teacher_client.get(roster_url(school_class, f"/{student.id}/rename")).get_data(as_text=True)
    assert 'value="Sasha"' in page
    response = teacher_client.post(
        roster_url(school_class, f"/{student.id}/rename"), data={"display_name": "  Sasha K. "}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Student, student.id).display_name == "Sasha K."
    assert "Sasha is now called Sasha K." in teacher_client.get(roster_url(school_class)).get_data(as_text=True)


@pytest.mark.parametrize("name", ["", "y" * 41])
def test_rename_refuses_bad_names(app, teacher_client, school_class, student, name):
    response = teacher_client.post(roster_url(school_class, f"/{student.id}/rename"), data={"display_name": name})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Student, student.id).display_name == "Sasha"


def test_remove_asks_first_and_says_what_goes(
    app, teacher_client, school_class, student, assignment, write_reflection, answer_stance
):
    write_reflection(student, assignment.prompts[0], "One")
    write_reflection(student, assignment.prompts[1], "Two")
    answer_stance(student, assignment, "post", 1)
    page = teacher_client.get(roster_url(school_class, f"/{student.id}/remove")).get_data(as_text=True)
    assert "Remove Sasha from the class?" in page
    assert "<strong>2</strong> reflections" in page and "<strong>2</strong> stance answers" in page
    assert "cannot be undone" in page
    assert count(app, Student, id=student.id) == 1  # looking at the page deletes nothing


def test_remove_deletes_the_student_and_their_work(
    app, teacher_client, school_class, student, make_student, assignment, write_reflection
):
    kim = make_student(school_class, "Kim")
    write_reflection(student, assignment.prompts[0], "Mine")
    kept = write_reflection(kim, assignment.prompts[0], "Kim's")
    response = teacher_client.post(roster_url(school_class, f"/{student.id}/remove"))
    assert response.status_code == 302
    assert count(app, Student, id=student.id) == 0
    assert count(app, Reflection, student_id=student.id) == 0
    assert count(app, StanceAnswer, student_id=student.id) == 0
    assert count(app, ModerationEvent) == 1  # only Kim's reflection's history is left
    assert count(app, Reflection, id=kept.id) == 1
    assert "Sasha and all of their work have been removed" in teacher_client.get(roster_url(school_class)).get_data(
        as_text=True
    )


def test_reset_code_shows_the_new_one_and_the_old_stops_working(app, client, teacher_client, school_class, student):
    response = teacher_client.post(roster_url(school_class, f"/{student.id}/reset-code"))
    assert response.status_code == 302
    with app.app_context():
        new_code = db.session.get(Student, student.id).return_code
    assert new_code != student.return_code
    assert new_code in teacher_client.get(roster_url(school_class)).get_data(as_text=True)
    assert client.post("/join/resume", data={"return_code": student.return_code}).status_code == 400
    assert client.post("/join/resume", data={"return_code": new_code}).status_code == 302


def test_print_codes_lists_every_code(teacher_client, school_class, student, make_student):
    kim = make_student(school_class, "Kim")
    response = teacher_client.get(roster_url(school_class, "/codes"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert student.return_code in page and kim.return_code in page
    assert page.index("Kim") < page.index("Sasha")
    assert "http://localhost/join/resume" in page and "print-button.js" in page
    assert 'media="print"' in page


def test_the_roster_says_when_an_upgrade_reissued_the_codes_until_the_teacher_has_handed_them_out(
    app, teacher_client, school_class, student
):
    plain = teacher_client.get(roster_url(school_class)).get_data(as_text=True)
    assert "new return code" not in plain and "codes-handed-out" not in plain
    with app.app_context():
        db.session.get(SchoolClass, school_class.id).return_codes_reissued_at = utcnow()
        db.session.commit()
    for rest in ("", "/codes"):
        page = teacher_client.get(roster_url(school_class, rest)).get_data(as_text=True)
        assert "Every student in this class has a new return code" in page
        assert "old three-word codes no longer work" in page and f"{school_class.id}-otter-quill" in page
    response = teacher_client.post(roster_url(school_class, "/codes-handed-out"))
    assert response.status_code == 302 and response.headers["Location"].endswith(roster_url(school_class))
    assert "new return code" not in teacher_client.get(roster_url(school_class)).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SchoolClass, school_class.id).return_codes_reissued_at is None


def test_removing_a_student_is_one_statement_and_the_database_cascades(
    app, school_class, student, assignment, write_reflection, count_queries
):
    write_reflection(student, assignment.prompts[0], "One")
    with count_queries(app) as seen, app.app_context():
        remove_student(db.session.get(Student, student.id))
    assert len([s for s in seen if s.lstrip().upper().startswith("DELETE")]) == 1
    for model in (Student, Reflection, ModerationEvent, StanceAnswer):
        assert count(app, model) == 0, model


def test_plain_functions(app, school_class, student, assignment, write_reflection):
    write_reflection(student, assignment.prompts[0], "One")
    with app.app_context():
        person = db.session.get(Student, student.id)
        assert removal_summary(person) == {"reflections": 1, "stance_answers": 1}
        rename_student(person, " New  name ")
        assert person.display_name == "New name"
        old = person.return_code
        assert reset_return_code(person) != old
        remove_student(person)
    assert count(app, Student) == 0


@pytest.mark.parametrize(
    "method,rest",
    [
        ("get", ""),
        ("get", "/codes"),
        ("get", "/{sid}/rename"),
        ("post", "/{sid}/rename"),
        ("get", "/{sid}/remove"),
        ("post", "/{sid}/remove"),
        ("post", "/{sid}/reset-code"),
        ("post", "/codes-handed-out"),
    ],
)
def test_another_teachers_roster_is_a_404(app, make_class, make_student, other_teacher, teacher_client, method, rest):
    theirs = make_class(other_teacher, name="Not yours")
    pupil = make_student(theirs, "Pupil")
    response = getattr(teacher_client, method)(
        roster_url(theirs, rest.format(sid=pupil.id)), data={"display_name": "Hacked"}
    )
    assert response.status_code == 404
    assert "Pupil" not in response.get_data(as_text=True) and pupil.return_code not in response.get_data(as_text=True)
    assert count(app, Student, display_name="Pupil") == 1


@pytest.mark.parametrize(
    "method,rest", [("get", "/{sid}/rename"), ("post", "/{sid}/remove"), ("post", "/{sid}/reset-code")]
)
def test_a_student_of_another_class_through_my_class_url_is_a_404(
    app, make_class, make_student, other_teacher, teacher_client, school_class, method, rest
):
    pupil = make_student(make_class(other_teacher, name="Not yours"), "Pupil")
    response = getattr(teacher_client, method)(roster_url(school_class, rest.format(sid=pupil.id)))
    assert response.status_code == 404
    assert count(app, Student, display_name="Pupil") == 1


@pytest.mark.parametrize("rest", ["", "/codes", "/{sid}/rename", "/{sid}/remove"])
def test_students_and_visitors_are_sent_to_the_teachers_login(client, student_client, school_class, student, rest):
    for person in (client, student_client):
        response = person.get(roster_url(school_class, rest.format(sid=student.id)))
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    response = student_client.post(roster_url(school_class, f"/{student.id}/remove"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]

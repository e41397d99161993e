"""Students joining with only a display name, their return code, coming back with it, and logging out."""

import re

import pytest

from classroom.extensions import db
from classroom.join.logic import (
    BadDisplayName,
    clean_display_name,
    find_student_by_return_code,
    join_class,
    open_class_for_code,
)
from classroom.models import SchoolClass, Student
from classroom.web import MAX_ID


def students_in(app, school_class):
    with app.app_context():
        return db.session.scalars(db.select(Student).where(Student.class_id == school_class.id)).all()


def dashed(code: str) -> str:
    return f"{code[:4].lower()}-{code[4:]}"


# --- plain functions ---


@pytest.mark.parametrize(
    "typed,kept", [("  Sasha ", "Sasha"), ("Anna   Maria", "Anna Maria"), ("x" * 40, "x" * 40), ("Ёлка 🙂", "Ёлка 🙂")]
)
def test_clean_display_name(typed, kept):
    assert clean_display_name(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", None, "x" * 41])
def test_clean_display_name_refuses(typed):
    with pytest.raises(BadDisplayName):
        clean_display_name(typed)


def test_open_class_for_code(app, school_class):
    with app.app_context():
        assert open_class_for_code(school_class.join_code).id == school_class.id
        assert open_class_for_code(dashed(school_class.join_code)).id == school_class.id
        assert open_class_for_code("NOPE2345") is None
        assert open_class_for_code("") is None
        db.session.get(SchoolClass, school_class.id).join_enabled = False
        db.session.commit()
        assert open_class_for_code(school_class.join_code) is None


def test_join_class_and_find_by_return_code(app, school_class):
    with app.app_context():
        first = join_class(db.session.get(SchoolClass, school_class.id), " Sasha ")
        second = join_class(db.session.get(SchoolClass, school_class.id), "Sasha")
        assert first.display_name == second.display_name == "Sasha"
        assert first.return_code != second.return_code
        assert re.fullmatch(rf"{school_class.id}-[a-z]+-[a-z]+-[a-z]+-[a-z]+", first.return_code)
        assert find_student_by_return_code(first.return_code.upper().replace("-", " ")).id == first.id
        # The words alone, or under another class's number, sign nobody in.
        words = first.return_code.split("-", 1)[1]
        assert find_student_by_return_code(words) is None
        assert find_student_by_return_code(f"{school_class.id + 1}-{words}") is None
        assert find_student_by_return_code("no-such-code") is None
        assert find_student_by_return_code("") is None


# --- joining through the pages ---


def test_join_box_sends_to_the_class_page(client, school_class):
    page = client.get("/join")
    assert page.status_code == 200 and "Class code" in page.get_data(as_text=True)
    response = client.post("/join", data={"code": dashed(school_class.join_code)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/join/{school_class.join_code}")


def test_join_box_needs_a_code(client):
    response = client.post("/join", data={"code": " -- "})
    assert response.status_code == 400
    assert "letters and numbers" in response.get_data(as_text=True)
    assert client.post("/join", data={"code": ""}).status_code == 400


def test_join_asks_only_for_a_display_name(client, school_class, teacher):
    page = client.get(f"/join/{school_class.join_code}").get_data(as_text=True)
    assert "Join History 11B" in page and teacher.name in page
    inputs = set(re.findall(r'<input[^>]*name="([^"]+)"', page))
    assert inputs <= {"display_name", "csrf_token"}
    assert "email" not in page.lower() or "no email" in page.lower()
    assert "password" not in re.sub(r"no email, no password", "", page.lower())


def test_join_creates_a_student_shows_the_code_once_and_signs_in(app, client, school_class):
    response = client.post(f"/join/{school_class.join_code}", data={"display_name": "  Sasha  "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/welcome")
    [student] = students_in(app, school_class)
    assert student.display_name == "Sasha"
    welcome = client.get("/join/welcome").get_data(as_text=True)
    assert student.return_code in welcome and "Write down your return code" in welcome
    # Shown until the student says it is written down, then never again.
    assert client.post("/join/welcome").status_code == 302
    assert client.get("/join/welcome").status_code == 302
    home = client.get("/student").get_data(as_text=True)
    assert "My assignments" in home and student.return_code not in home


def test_join_sets_a_lasting_cookie(client, school_class):
    response = client.post(f"/join/{school_class.join_code}", data={"display_name": "Sasha"})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "Expires=" in c for c in cookies)


def test_join_with_lower_case_dashed_code_redirects_to_the_real_one(client, school_class):
    response = client.get(f"/join/{dashed(school_class.join_code)}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{school_class.join_code}")


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_join_refuses_a_bad_name_and_keeps_it(app, client, school_class, name):
    response = client.post(f"/join/{school_class.join_code}", data={"display_name": name})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    if name.strip():
        assert name in page and "40 characters" in page
    assert students_in(app, school_class) == []


def test_unknown_code_is_a_plain_404_with_a_box(client):
    response = client.get("/join/ZZZZ9999")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No class with that code" in page and 'name="code"' in page and "ZZZZ9999" in page
    assert client.post("/join/ZZZZ9999", data={"display_name": "Sasha"}).status_code == 404


def test_switched_off_code_is_a_404_and_creates_nobody(app, client, school_class):
    with app.app_context():
        db.session.get(SchoolClass, school_class.id).join_enabled = False
        db.session.commit()
    assert client.get(f"/join/{school_class.join_code}").status_code == 404
    response = client.post(f"/join/{school_class.join_code}", data={"display_name": "Sasha"})
    assert response.status_code == 404 and "switched joining off" in response.get_data(as_text=True)
    assert students_in(app, school_class) == []


def test_joining_twice_from_the_same_browser_makes_one_student(app, client, school_class):
    client.post(f"/join/{school_class.join_code}", data={"display_name": "Sasha"})
    again = client.get(f"/join/{school_class.join_code}")
    assert again.status_code == 302 and again.headers["Location"].endswith("/student")
    repost = client.post(f"/join/{school_class.join_code}", data={"display_name": "Sasha"})
    assert repost.status_code == 302 and repost.headers["Location"].endswith("/student")
    assert len(students_in(app, school_class)) == 1
    assert "already in History 11B as Sasha" in client.get("/student").get_data(as_text=True)


def test_a_student_of_another_class_is_warned_then_moved(app, make_class, teacher, school_class, student_client):
    other = make_class(teacher, name="History 11C")
    page = student_client.get(f"/join/{other.join_code}").get_data(as_text=True)
    assert "signed in as" in page and "Sasha" in page
    response = student_client.post(f"/join/{other.join_code}", data={"display_name": "Kim"})
    assert response.status_code == 302
    [kim] = students_in(app, other)
    assert kim.display_name == "Kim"
    assert "History 11C" in student_client.get("/student").get_data(as_text=True)


def test_a_teacher_opening_a_join_link_is_told_and_nothing_is_made(app, teacher_client, school_class):
    page = teacher_client.get(f"/join/{school_class.join_code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "You are logged in as a teacher" in text and "Continue to your classes" in text
    teacher_client.post(f"/join/{school_class.join_code}", data={"display_name": "Sneaky"})
    assert students_in(app, school_class) == []
    assert "logged in as a teacher" in teacher_client.get("/join/resume").get_data(as_text=True)


# --- coming back ---


def test_resume_signs_back_in_with_any_spelling(client, student):
    words = student.return_code.split("-")
    response = client.post("/join/resume", data={"return_code": "  " + " ".join(w.upper() for w in words)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/student")
    assert "Sasha" in client.get("/student").get_data(as_text=True)


def test_resume_follows_next_but_only_on_this_site(client, student, assignment):
    target = f"/student/assignments/{assignment.id}"
    response = client.post(f"/join/resume?next={target}", data={"return_code": student.return_code})
    assert response.headers["Location"].endswith(target)
    client.post("/student/logout")
    response = client.post("/join/resume?next=https://evil.example/", data={"return_code": student.return_code})
    assert response.headers["Location"].endswith("/student")


def test_resume_with_a_wrong_code_says_so(client, student):
    wrong = f"{student.class_id}-wrong-words-here-too"
    response = client.post("/join/resume", data={"return_code": wrong})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "does not match anyone" in page and wrong in page
    assert client.get("/student").status_code == 302
    assert client.post("/join/resume", data={"return_code": ""}).status_code == 400


def limited_school(make_app, classes=2, students=2):
    """An app with rate limits on, and return codes of `students` students in each of `classes` classes."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from classroom.auth.accounts import create_teacher
        from classroom.classes.logic import create_class

        teacher = create_teacher("T", "t@school.example", "x" * 12)
        codes = []
        for number in range(classes):
            school_class = create_class(teacher, f"Class {number}")
            codes.append([join_class(school_class, f"Kim {n}").return_code for n in range(students)])
    return app, codes


def resume_from(client, code, address="10.0.0.1"):
    return client.post("/join/resume", data={"return_code": code}, environ_base={"REMOTE_ADDR": address}).status_code


def wrong_code_for(code, n):
    """A code of the same class as `code` that nobody has."""
    return f"{code.split('-', 1)[0]}-zzz-{n}-wrong-code"


def test_wrong_codes_from_a_school_address_do_not_lock_out_right_codes(make_app):
    """Students of three classes behind one school address mistype 60 codes: every right code still works."""
    app, codes = limited_school(make_app, classes=3)
    client = app.test_client()
    for n in range(20):
        for class_codes in codes:
            assert resume_from(client, wrong_code_for(class_codes[0], n)) == 400
    for class_codes in codes:
        assert resume_from(client, class_codes[0]) == 302


def test_guessing_many_codes_of_one_class_is_slowed_wherever_the_guesses_come_from(make_app):
    app, (guessed, other) = limited_school(make_app)
    client = app.test_client()
    for n in range(100):
        assert resume_from(client, wrong_code_for(guessed[0], n), address=f"10.1.{n // 250}.{n % 250}") == 400
    assert resume_from(client, wrong_code_for(guessed[0], 999), address="10.2.0.1") == 429
    # The guessed class waits, right codes included; the school's other classes carry on from the same address.
    assert resume_from(client, guessed[1], address="10.2.0.1") == 429
    assert resume_from(client, other[0], address="10.2.0.1") == 302


def test_one_machine_trying_codes_of_many_classes_is_slowed(make_app):
    app, codes = limited_school(make_app, classes=1)
    client = app.test_client()
    for n in range(200):
        assert resume_from(client, f"{1000 + n}-no-such-code-here") == 400
    assert resume_from(client, codes[0][0]) == 429
    assert resume_from(client, codes[0][0], address="10.0.0.2") == 302


def test_hammering_one_code_is_slowed(make_app):
    app, (class_codes, _other) = limited_school(make_app)
    client = app.test_client()
    hammered = class_codes[0]
    for n in range(20):
        assert resume_from(client, hammered, address=f"10.3.0.{n}") == 302
    assert resume_from(client, hammered.upper().replace("-", " "), address="10.3.1.1") == 429
    assert resume_from(client, class_codes[1], address="10.3.1.1") == 302


def test_successful_resumes_do_not_use_up_the_address_or_class_limit(make_app):
    app, codes = limited_school(make_app, classes=1, students=12)
    client = app.test_client()
    for _round in range(19):
        for code in codes[0]:
            assert resume_from(client, code) == 302


def test_old_three_word_codes_from_a_whole_district_are_told_what_changed_not_to_slow_down(make_app):
    """After the upgrade many students type their old codes at once: they share no class, so they are never
    pooled into one limit; each is told to ask for the new code."""
    app, _codes = limited_school(make_app, classes=1)
    client = app.test_client()
    for n in range(150):
        response = client.post(
            "/join/resume",
            data={"return_code": f"maple-otter-{n}"},
            environ_base={"REMOTE_ADDR": f"10.4.{n // 100}.{n % 100}"},
        )
        assert response.status_code == 400
    assert "ask your teacher for your new one" in response.get_data(as_text=True)


def test_an_old_three_word_code_is_told_what_changed(client, student):
    response = client.post("/join/resume", data={"return_code": "maple-otter-quill"})
    assert response.status_code == 400
    assert "start with your class&#39;s number" in response.get_data(as_text=True)


def test_unknown_join_codes_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for number in range(60):
        assert client.get(f"/join/NOPE{number:04d}").status_code == 404
    assert client.get("/join/NOPE9999").status_code == 429


def test_logout_ends_the_student_session(student_client):
    response = student_client.post("/student/logout")
    assert response.status_code == 302
    assert student_client.get("/student").headers["Location"].startswith("/join/resume")


def test_student_nav_has_my_assignments_and_logout(student_client):
    page = student_client.get("/student").get_data(as_text=True)
    assert 'href="/student"' in page and 'action="/student/logout"' in page


def test_home_page_links_to_join_and_resume(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/join"' in page and 'href="/join/resume"' in page


def test_login_page_links_to_resume(client):
    assert 'href="/join/resume"' in client.get("/auth/login").get_data(as_text=True)


def test_resume_page_for_a_signed_in_student_lets_another_sign_in(app, make_student, school_class, student_client):
    kim = make_student(school_class, "Kim")
    assert student_client.get("/join/resume").status_code == 200
    student_client.post("/join/resume", data={"return_code": kim.return_code})
    assert "Kim" in student_client.get("/student").get_data(as_text=True)


def test_removed_student_is_signed_out(app, student, student_client):
    from classroom.classes.students import remove_student

    with app.app_context():
        remove_student(db.session.get(Student, student.id))
    assert student_client.get("/student").status_code == 302


def test_return_codes_always_fit_the_column(monkeypatch):
    from classroom import joincodes
    from classroom.models import Student as StudentModel

    # The longest words for the largest class id a database integer holds.
    longest = max(joincodes.RETURN_WORDS, key=len)
    monkeypatch.setattr(joincodes.secrets, "choice", lambda words: longest)
    code = joincodes.new_return_code(MAX_ID)
    assert len(code) <= joincodes.RETURN_CODE_MAX == StudentModel.__table__.c.return_code.type.length
    assert joincodes.class_number_of(code) == MAX_ID
    # A number past any class id is no class at all (looking it up would fail on PostgreSQL).
    assert joincodes.class_number_of(joincodes.new_return_code(MAX_ID + 1)) is None


def test_resume_checks_its_own_csrf_token(make_app, make_teacher, make_class, make_student):
    """/join/resume is exempt from the app-wide CSRF check because its form checks the token itself."""
    app = make_app(WTF_CSRF_ENABLED=True)
    kid = make_student(make_class(make_teacher()))
    client = app.test_client()
    refused = client.post("/join/resume", data={"return_code": kid.return_code})
    assert refused.status_code == 400
    assert client.get("/student").status_code == 302  # still signed out
    page = client.get("/join/resume").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    accepted = client.post("/join/resume", data={"return_code": kid.return_code, "csrf_token": token})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/student")
    assert client.get("/student").status_code == 200

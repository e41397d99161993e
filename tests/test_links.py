"""An assignment's student link (issue 11): joining straight into the assignment, the QR code that
decodes to it, share links, LMS-ready text, the embed snippet, the projector view and a new link."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import resvg_py
import zxingcpp
from PIL import Image

from classroom.classes import sharing
from classroom.extensions import db
from classroom.joincodes import JOIN_ALPHABET, LINK_TOKEN_LENGTH, new_link_token
from classroom.models import Assignment, SchoolClass, Student
from tests.conftest import login_as


def link_path(assignment) -> str:
    return f"/join/a/{assignment.link_token}"


def students_in(app, school_class):
    with app.app_context():
        return db.session.scalars(db.select(Student).where(Student.class_id == school_class.id)).all()


def current_token(app, assignment) -> str:
    with app.app_context():
        return db.session.get(Assignment, assignment.id).link_token


def set_joining(app, school_class, enabled: bool) -> None:
    with app.app_context():
        db.session.get(SchoolClass, school_class.id).join_enabled = enabled
        db.session.commit()


def decode_qr(svg: str) -> list[str]:
    """Draw the SVG as pixels (resvg) and read every QR code in it (zxing-cpp)."""
    if "xmlns=" not in svg:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    png = resvg_py.svg_to_bytes(svg_string=svg, width=600, height=600)
    image = Image.open(io.BytesIO(bytes(png)))
    return [result.text for result in zxingcpp.read_barcodes(image)]


# --- the token ---


def test_link_tokens_are_long_unguessable_and_typable():
    tokens = {new_link_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == LINK_TOKEN_LENGTH and set(token) <= set(JOIN_ALPHABET)


def test_every_assignment_gets_its_own_link(assignment, make_assignment, school_class):
    other = make_assignment(school_class)
    assert assignment.link_token and other.link_token and assignment.link_token != other.link_token


# --- following the link ---


def test_a_new_student_joins_with_a_name_and_lands_in_the_assignment(app, client, school_class, assignment):
    page = client.get(link_path(assignment))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Join {school_class.name}" in text and assignment.title in text
    joined = client.post(link_path(assignment), data={"display_name": " Mira "})
    assert joined.status_code == 302 and joined.headers["Location"] == "/join/welcome"
    (student,) = students_in(app, school_class)
    assert student.display_name == "Mira"
    welcome = client.get("/join/welcome").get_data(as_text=True)
    assert student.return_code in welcome
    onward = client.post("/join/welcome")
    assert onward.headers["Location"] == f"/student/assignments/{assignment.id}"
    assert client.get(onward.headers["Location"]).status_code == 200
    # The welcome goes on to the assignment once; later it is the usual home.
    assert client.post("/join/welcome").headers["Location"] == "/student"


def test_a_refused_name_keeps_the_page_and_says_why(app, client, school_class, assignment):
    response = client.post(link_path(assignment), data={"display_name": "x" * 41})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please keep it to 40 characters." in text and "x" * 41 in text
    assert students_in(app, school_class) == []


def test_a_student_of_the_class_goes_straight_to_the_assignment(app, student_client, school_class, assignment):
    response = student_client.get(link_path(assignment))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/student/assignments/{assignment.id}"
    assert len(students_in(app, school_class)) == 1


def test_a_student_of_another_class_is_told_before_joining(
    app, teacher, make_class, make_student, school_class, assignment
):
    elsewhere = make_class(teacher, name="Geography 9")
    other = make_student(elsewhere, display_name="Tomas")
    client = app.test_client()
    login_as(client, other)
    page = client.get(link_path(assignment)).get_data(as_text=True)
    assert "This device is signed in as" in page and "Tomas" in page
    joined = client.post(link_path(assignment), data={"display_name": "Tomas"})
    assert joined.headers["Location"] == "/join/welcome"
    (new,) = students_in(app, school_class)
    assert new.id != other.id
    assert client.post("/join/welcome").headers["Location"] == f"/student/assignments/{assignment.id}"


def test_its_teacher_lands_on_the_assignments_teacher_page(teacher_client, assignment):
    response = teacher_client.get(link_path(assignment))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/classes/assignments/{assignment.id}"


def test_another_teacher_is_told_and_nothing_is_created(app, make_teacher, school_class, assignment):
    client = app.test_client()
    login_as(client, make_teacher(name="Boris Other"))
    response = client.get(link_path(assignment))
    assert response.status_code == 200 and "You are logged in as a teacher" in response.get_data(as_text=True)
    assert client.post(link_path(assignment), data={"display_name": "Boris"}).status_code == 200
    assert students_in(app, school_class) == []


def test_any_case_works_and_is_tidied(client, assignment):
    response = client.get(f"/join/a/{assignment.link_token.lower()}")
    assert response.status_code == 302 and response.headers["Location"] == link_path(assignment)


def test_an_unknown_link_is_a_kind_404(client):
    response = client.get("/join/a/NOPE234567")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "does not open an assignment" in text and "Join a class with a code" in text


def test_switched_off_joining_switches_the_link_off_for_newcomers(app, client, student, school_class, assignment):
    set_joining(app, school_class, False)
    response = client.get(link_path(assignment))
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "switched joining off" in text
    assert f"/join/resume?next=/join/a/{assignment.link_token}" in text
    assert client.post(link_path(assignment), data={"display_name": "Late"}).status_code == 404
    assert len(students_in(app, school_class)) == 1
    # A student already in the class signs back in and goes on to the assignment.
    with app.app_context():
        code = db.session.get(Student, student.id).return_code
    back = client.post(f"/join/resume?next={link_path(assignment)}", data={"return_code": code})
    assert back.headers["Location"] == link_path(assignment)
    assert client.get(link_path(assignment)).headers["Location"] == f"/student/assignments/{assignment.id}"


def test_a_student_of_the_class_still_gets_in_with_joining_off(app, student_client, school_class, assignment):
    set_joining(app, school_class, False)
    response = student_client.get(link_path(assignment))
    assert response.headers["Location"] == f"/student/assignments/{assignment.id}"


def test_a_new_link_retires_the_old_one(app, client, teacher_client, student_client, assignment):
    old = link_path(assignment)
    response = teacher_client.post(f"/classes/assignments/{assignment.id}/new-link")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/classes/assignments/{assignment.id}#share"
    token = current_token(app, assignment)
    assert token != assignment.link_token
    assert client.get(old).status_code == 404
    assert client.get(f"/join/a/{token}").status_code == 200
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert f"/join/a/{token}" in page and old not in page
    # Students who joined before keep their place.
    assert student_client.get(f"/join/a/{token}").headers["Location"] == f"/student/assignments/{assignment.id}"


def test_only_the_assignments_teacher_makes_a_new_link(app, make_teacher, student_client, assignment):
    other = app.test_client()
    login_as(other, make_teacher(name="Boris Other"))
    assert other.post(f"/classes/assignments/{assignment.id}/new-link").status_code == 404
    assert student_client.post(f"/classes/assignments/{assignment.id}/new-link").status_code == 302
    assert current_token(app, assignment) == assignment.link_token


def test_failed_link_tries_are_rate_limited(make_app, make_class, make_teacher):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = {client.get(f"/join/a/NOPE{n:06d}").status_code for n in range(61)}
    assert statuses == {404, 429}


# --- what the teacher's assignment page offers ---


def test_the_assignment_page_shares_the_link_every_way(app, teacher_client, assignment):
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    link = f"http://localhost/join/a/{assignment.link_token}"
    assert f'<code id="student-link">{link}</code>' in page
    assert "Projector view" in page and f"/classes/assignments/{assignment.id}/projector" in page
    assert "Share to Google Classroom" in page and "Share to Microsoft Teams" in page
    for lms in ("Moodle", "Canvas", "Schoology", "Google Classroom"):
        assert f'data-copy-label="Copy text for {lms}"' in page
    assert "&lt;iframe src=&#34;" in page or "&lt;iframe src=&quot;" in page
    assert "EMBED_ALLOWED_ORIGINS" in page  # none listed yet: the teacher is told why an embed stays empty
    assert " style=" not in page  # the CSP forbids inline styles, the inline QR code included
    (svg,) = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert decode_qr(svg) == [link]


def test_the_page_names_the_allowed_sites(make_app, make_teacher, make_class, make_assignment):
    app = make_app(EMBED_ALLOWED_ORIGINS="https://moodle.school.example")
    teacher = make_teacher()
    assignment = make_assignment(make_class(teacher))
    client = app.test_client()
    login_as(client, teacher)
    page = client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Sites your school allows to show it: https://moodle.school.example" in page


def test_the_qr_file_downloads_and_decodes_to_the_link(teacher_client, assignment):
    response = teacher_client.get(f"/classes/assignments/{assignment.id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    assert decode_qr(response.get_data(as_text=True)) == [f"http://localhost/join/a/{assignment.link_token}"]


def test_the_qr_code_follows_the_sites_address(make_app, make_teacher, make_class, make_assignment):
    app = make_app(SERVER_NAME="classroom.school.example", PREFERRED_URL_SCHEME="https")
    teacher = make_teacher()
    assignment = make_assignment(make_class(teacher))
    client = app.test_client()
    login_as(client, teacher)
    svg = client.get(f"/classes/assignments/{assignment.id}/qr.svg", base_url="https://classroom.school.example")
    assert decode_qr(svg.get_data(as_text=True)) == [f"https://classroom.school.example/join/a/{assignment.link_token}"]


def test_the_projector_view_shows_code_qr_and_short_link(teacher_client, school_class, assignment):
    response = teacher_client.get(f"/classes/assignments/{assignment.id}/projector")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    code = school_class.join_code
    assert f"{code[:4]}<span" in page and f"{code[4:]}</p>" in page
    assert f"localhost/join/a/{assignment.link_token}" in page
    (svg,) = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert decode_qr(svg) == [f"http://localhost/join/a/{assignment.link_token}"]
    # The page's one heading names what is on the board (screen readers list pages by it).
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S) == [f"{school_class.name} · {assignment.title}"]


@pytest.mark.parametrize("path", ["/projector", "/qr.svg"])
def test_sharing_pages_are_the_teachers_own(app, make_teacher, student_client, assignment, path):
    other = app.test_client()
    login_as(other, make_teacher(name="Boris Other"))
    assert other.get(f"/classes/assignments/{assignment.id}{path}").status_code == 404
    assert student_client.get(f"/classes/assignments/{assignment.id}{path}").status_code == 302


# --- the plain functions ---


def test_share_links_carry_the_link_and_no_script(app, assignment):
    with app.test_request_context():
        work = db.session.get(Assignment, assignment.id)
        link = sharing.student_link(work)
        google, teams = sharing.share_links(work, link)
    assert google.url.startswith("https://classroom.google.com/share?")
    assert parse_qs(urlsplit(google.url).query)["url"] == [link]
    assert teams.url.startswith("https://teams.microsoft.com/share?")
    assert parse_qs(urlsplit(teams.url).query)["href"] == [link]


def test_lms_text_has_the_title_instruction_dates_and_link(make_app, make_teacher, make_class, make_assignment):
    from datetime import UTC, datetime

    app = make_app(SCHOOL_TIMEZONE="Europe/Amsterdam")
    teacher = make_teacher()
    assignment = make_assignment(
        make_class(teacher),
        opens_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        closes_at=datetime(2026, 12, 15, 16, 0, tzinfo=UTC),
    )
    with app.test_request_context():
        work = db.session.get(Assignment, assignment.id)
        link = sharing.student_link(work)
        texts = sharing.lms_texts(work, link)
    assert [item.lms for item in texts] == ["Moodle", "Canvas", "Schoology", "Google Classroom"]
    lines = texts[0].text.splitlines()
    assert lines[0] == f"{assignment.title} (History 11B)"
    assert "no email or password" in lines[1]
    assert (
        lines[2]
        == "Open from Tue 1 Dec 2026, 09:00 (Europe/Amsterdam) until Tue 15 Dec 2026, 17:00 (Europe/Amsterdam)."
    )
    assert lines[3] == link


def test_dates_line_without_dates(app, assignment):
    with app.app_context():
        assert sharing.dates_line(db.session.get(Assignment, assignment.id)) == "Open now; no closing date."


def test_embed_snippet_is_an_iframe_of_the_link(app, assignment):
    with app.test_request_context():
        work = db.session.get(Assignment, assignment.id)
        snippet = sharing.embed_snippet(work, sharing.student_link(work))
    assert snippet.startswith(f'<iframe src="http://localhost/join/a/{assignment.link_token}" title="')
    assert 'allow="fullscreen"' in snippet and 'width="100%"' in snippet and 'height="800"' in snippet
    assert "Red Soul Classroom" in snippet and snippet.endswith("></iframe>")


def test_short_link_drops_the_scheme():
    assert (
        sharing.short_link("https://classroom.school.org/join/a/K7PM3QXD9R") == "classroom.school.org/join/a/K7PM3QXD9R"
    )

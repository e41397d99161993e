"""The LTI and marking pages in Chromium: the administrator's platforms page, the marking scheme, marking in
the queue by keyboard, the gradebook, and the student's mark; axe, reflow at 375px and screenshots for each."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.models import Reflection, Student, Teacher
from classroom.statuses import ReflectionStatus

from .helpers import check_page
from .story import TEACHER_EMAIL, endpoint_url, teacher_logs_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def handed_in(seeded_lesson, live_app):
    """An administrator teacher's class where Sasha has handed in the first prompt."""
    from classroom.join.logic import join_class
    from classroom.models import Assignment, Prompt, SchoolClass
    from classroom.student.reflections import save_reflection
    from classroom.student.stance import record_stance

    lesson = seeded_lesson
    with live_app.app_context():
        teacher = db.session.scalars(db.select(Teacher).where(Teacher.email == TEACHER_EMAIL)).one()
        teacher.is_admin = True
        prompt = db.session.get(Prompt, lesson.prompt_id)
        sasha = join_class(db.session.get(SchoolClass, lesson.class_id), "Sasha")
        record_stance(sasha, db.session.get(Assignment, prompt.assignment_id), "pre", 0)
        reflection = save_reflection(sasha, prompt, "The flowers at the statue **surprised** me.", submit=True)
        lesson.pages.update(student_id=sasha.id, reflection_id=reflection.id, return_code=sasha.return_code)
        db.session.commit()
        db.session.remove()
    return lesson


def test_admin_registers_an_lms_and_a_teacher_marks_by_keyboard(new_context, handed_in, live_app, live_server):
    lesson = handed_in
    page = new_context().new_page()
    teacher_logs_in(page)

    # The administrator's page: the tool's addresses, a registration address, the Canvas JSON.
    page.get_by_role("link", name="LMS platforms").click()
    expect(page.get_by_role("heading", name="LMS platforms (LTI 1.3)")).to_be_visible()
    expect(page.get_by_text(f"{live_server.url}/lms/jwks", exact=True)).to_be_visible()
    page.get_by_role("button", name="Make a registration address").click()
    expect(page.locator("#invite-url")).to_contain_text(f"{live_server.url}/lms/register/")
    check_page(page, "lti-admin", tops=True)
    page.get_by_label("Issuer (platform ID)").fill("https://moodle.school.example")
    page.get_by_label("Client ID").fill("abc123")
    page.get_by_label("Deployment IDs").fill("3")
    page.get_by_label("Authentication request URL").fill("https://moodle.school.example/mod/lti/auth.php")
    page.get_by_label("Access token URL").fill("https://moodle.school.example/mod/lti/token.php")
    page.get_by_label("Public keyset URL").fill("https://moodle.school.example/mod/lti/certs.php")
    page.get_by_role("button", name="Add the platform").click()
    expect(page.get_by_text("Teachers can now add this tool")).to_be_visible()
    check_page(page, "lti-admin-platform")

    # The marking scheme: the ready plan's rubric is offered.
    page.goto(endpoint_url(live_app, "marks.scheme", assignment_id=lesson.assignment_id))
    expect(page.get_by_label("Criterion 1", exact=True)).to_have_value("Uses a moment from the film")
    check_page(page, "marks-scheme")

    # Marking from the queue with the keyboard only: a radio, then the button next to it.
    page.goto(endpoint_url(live_app, "moderation.queue", class_id=lesson.class_id))
    two = page.locator(".mark-form input[name=points][value='2']").first
    two.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.locator(".mark-form button[type=submit]").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Marked Sasha’s reflection.")).to_be_visible()
    check_page(page, "marks-queue")

    page.goto(endpoint_url(live_app, "marks.gradebook", class_id=lesson.class_id))
    expect(page.get_by_role("row", name="Sasha")).to_contain_text("2 / ")
    check_page(page, "marks-gradebook", tops=True)

    # The student sees the mark beside the feedback.
    student = new_context().new_page()
    student.goto(endpoint_url(live_app, "join.resume"))
    student.get_by_label("Your return code").fill(lesson.pages["return_code"])
    student.get_by_role("button", name="Sign in").click()
    student.goto(endpoint_url(live_app, "student.assignment", assignment_id=lesson.assignment_id))
    expect(student.get_by_text("Your mark:")).to_be_visible()
    expect(student.locator(".feedback.mark")).to_contain_text("2 of 2 points")
    check_page(student, "marks-student")
    with live_app.app_context():
        assert db.session.get(Reflection, lesson.pages["reflection_id"]).status == ReflectionStatus.AWAITING
        assert db.session.get(Student, lesson.pages["student_id"]) is not None
        db.session.remove()

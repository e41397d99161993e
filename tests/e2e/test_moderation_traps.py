"""Moderation without traps in Chromium: "select all" and approve leave a flagged reflection for its own
decision, and a rejection is taken back from the queue; a second "Sasha" is asked "is this you?"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.models import Reflection, Teacher

from .helpers import check_page
from .story import TEACHER_EMAIL, endpoint_url, teacher_logs_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def three_handed_in(seeded_lesson, live_app):
    """Ivan's plain reflection, Dasha's flagged one (a street address) and Misha's rejected one."""
    from classroom.join.logic import join_class
    from classroom.models import Assignment, Prompt, SchoolClass
    from classroom.moderation.decisions import reject_reflection
    from classroom.student.reflections import save_reflection
    from classroom.student.stance import record_stance

    lesson = seeded_lesson
    with live_app.app_context():
        teacher = db.session.scalars(db.select(Teacher).where(Teacher.email == TEACHER_EMAIL)).one()
        prompt = db.session.get(Prompt, lesson.prompt_id)
        assignment = db.session.get(Assignment, prompt.assignment_id)
        school_class = db.session.get(SchoolClass, lesson.class_id)
        ids = {}
        for name, body in [
            ("Ivan", "The choir at the parade moved me."),
            ("Dasha", "Come to 12 Lenin Street after school."),
            ("Misha", "Boring, I did not watch it."),
        ]:
            student = join_class(school_class, name)
            record_stance(student, assignment, "pre", 0)
            ids[name] = save_reflection(student, prompt, body, submit=True).id
        reject_reflection(db.session.get(Reflection, ids["Misha"]), teacher, "Please write about the film.")
        lesson.pages.update(reflection_ids=ids, join_code=school_class.join_code)
        db.session.commit()
        db.session.remove()
    return lesson


def status_of(app, reflection_id):
    with app.app_context():
        status = db.session.get(Reflection, reflection_id).status
        db.session.remove()
        return status


def test_bulk_approve_skips_the_flagged_and_a_rejection_is_taken_back(new_context, three_handed_in, live_app):
    lesson = three_handed_in
    ids = lesson.pages["reflection_ids"]
    page = new_context().new_page()
    teacher_logs_in(page)
    page.goto(endpoint_url(live_app, "moderation.queue", class_id=lesson.class_id))
    expect(page.get_by_text("Flagged, so not among those approved together")).to_be_visible()
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Approve selected").first.click()
    expect(page.get_by_text("Approved 1 reflection.")).to_be_visible()
    assert status_of(live_app, ids["Ivan"]) == "approved"
    assert status_of(live_app, ids["Dasha"]) == "awaiting"

    rejected = page.locator("#rejected")
    expect(rejected).to_contain_text("Please write about the film.")
    rejected.get_by_text("Reopen for the student to rewrite").click()
    rejected.get_by_label("Message for the student (optional)").fill("Pick one scene and tell me about it.")
    rejected.get_by_role("button", name=re.compile("^Reopen for rewriting")).click()
    expect(page.get_by_text("Reopened Misha’s reflection")).to_be_visible()
    assert status_of(live_app, ids["Misha"]) == "returned"
    check_page(page, "moderation-after-reopen")


def test_a_second_sasha_is_asked_is_this_you(new_context, three_handed_in, live_app):
    lesson = three_handed_in
    page = new_context().new_page()
    page.goto(endpoint_url(live_app, "join.code", code=lesson.pages["join_code"]))
    expect(page.get_by_role("link", name="Use your return code")).to_be_visible()
    page.get_by_label("Your display name").fill("ivan")
    page.get_by_role("button", name="Join the class").click()
    expect(page.get_by_role("heading", name="Is this you?")).to_be_visible()
    expect(page.get_by_label("Your display name")).to_have_value("ivan")
    check_page(page, "join-is-this-you")
    page.get_by_label("Your display name").fill("Ivan S.")
    page.get_by_role("button", name="Join the class").click()
    expect(page).to_have_url(re.compile(r"/join/welcome$"))

"""The whole LTI story in Chromium against an independent platform (lti1p3platform) served for real:
the instructor deep-links an assignment, a learner launches, writes and is marked, and the score arrives
at the platform's AGS endpoint."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.lms.platforms import add_platform
from classroom.models import Assignment, LtiCourse, LtiScoreDelivery, Student

from .lti_test_platform import PlatformServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def platform(live_server, app_db):
    server = PlatformServer(live_server.url)
    server.start()
    app_db(lambda: add_platform(**server.platform_fields()))
    yield server
    server.stop()


def test_deep_link_launch_write_mark_and_the_score_arrives(new_context, live_server, live_app, platform, app_db):
    # The instructor chooses content in the LMS: first launch, so they link (here: create) their account.
    teacher = new_context().new_page()
    teacher.goto(f"{platform.url}/start/deep-link?user=teacher-7")
    expect(teacher.get_by_role("heading", name="Which teacher account is Nina Instructor?")).to_be_visible()
    teacher.get_by_label("Your name").fill("Nina Instructor")
    teacher.get_by_label("School email").fill("nina@school.example")
    teacher.locator("#signup-password").fill("a long enough password")
    teacher.get_by_role("button", name="Create my account and link it").click()
    expect(teacher.get_by_role("heading", name="Choose what this activity opens")).to_be_visible()
    teacher.get_by_role("button", name="Assign the ready plan").click()
    expect(teacher.get_by_role("heading", name="Added 1 item(s)")).to_be_visible()
    (item,) = platform.content_items  # checked by the platform against our JWKS
    assert item["type"] == "ltiResourceLink" and item["url"] == f"{live_server.url}/lms/launch"
    assignment_id = int(item["custom"]["assignment_id"])
    assert item["lineItem"]["scoreMaximum"] == app_db(
        lambda: 2 * len(db.session.get(Assignment, assignment_id).prompts)
    )
    assert app_db(lambda: db.session.scalars(db.select(LtiCourse.title)).one()) == "Civics 9"

    # A learner opens the activity: straight into the assignment under the LMS name, no code.
    learner = new_context().new_page()
    custom = json.dumps({"assignment_id": str(assignment_id)})
    learner.goto(f"{platform.url}/start/resource?user=learner-7&custom={custom}")
    expect(learner).to_have_url(f"{live_server.url}/student/assignments/{assignment_id}")
    expect(learner.get_by_text("return code")).to_have_count(0)
    learner.locator("form[action*='/stance/pre'] input[type=radio]").first.check()
    learner.locator("form[action*='/stance/pre'] button[type=submit]").click()
    form = learner.locator("form.reflection-form").first
    form.locator("textarea").fill("The old woman's pride and her grief sit side by side.")
    form.locator("button.button--primary").click()
    expect(learner.get_by_text("Awaiting approval").first).to_be_visible()
    assert app_db(lambda: db.session.scalars(db.select(Student.display_name)).all()) == ["Lev Learner"]
    # Handing in shows in the gradebook at once, as work waiting for the teacher.
    deadline = time.time() + 20
    while not platform.scores and time.time() < deadline:
        time.sleep(0.2)
    (handed_in,) = platform.scores
    assert handed_in["userId"] == "learner-7" and handed_in["gradingProgress"] == "PendingManual"
    assert handed_in["activityProgress"] == "InProgress"

    # The teacher pulls the roster and marks the reflection; the score reaches the platform.
    class_id = app_db(lambda: db.session.get(Assignment, assignment_id).class_id)
    teacher.goto(f"{live_server.url}/lms/classes/{class_id}/roster")
    teacher.get_by_role("button", name="Pull the roster from the LMS").click()
    expect(teacher.locator("main")).to_contain_text("Mira Member")
    teacher.goto(f"{live_server.url}/moderation/classes/{class_id}")
    teacher.locator(".mark-form input[name=points][value='2']").first.check()
    teacher.locator(".mark-form button[type=submit]").first.click()
    expect(teacher.get_by_text("Marked Lev Learner’s reflection.")).to_be_visible()
    deadline = time.time() + 20
    while len(platform.scores) < 2 and time.time() < deadline:
        time.sleep(0.2)
    (_, score) = platform.scores
    assert score["userId"] == "learner-7" and score["scoreGiven"] == 2
    assert score["activityProgress"] == "InProgress" and score["gradingProgress"] == "FullyGraded"

    # The platform answers before the delivery thread records it as sent, so wait for that commit too.
    def delivery_state() -> str:
        return app_db(lambda: db.session.scalars(db.select(LtiScoreDelivery.state)).one())

    deadline = time.time() + 20
    while delivery_state() != "sent" and time.time() < deadline:
        time.sleep(0.2)
    assert delivery_state() == "sent"

"""The classroom story in a real browser: a teacher and a student, each in their own browser context.

The teacher signs up, adapts the starter plan, opens a class and assigns the plan with a short clip;
the student joins by the link, watches along, writes; the teacher returns it, the student revises,
the teacher approves; the dashboard and the CSV show the work. Every main page on the way gets
axe-core, a reflow check at 375px and screenshots (helpers.check_page).
"""

import re

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.models import ModerationEvent, ReflectionStatus

from .helpers import check_page
from .story import (
    FEEDBACK,
    FIRST_DRAFT,
    REVISED_LINE,
    STUDENT_NAME,
    Lesson,
    assignment_prompt_id,
    checkpoint,
    film_plays_through,
    prompt_block,
    reflection_in_db,
    student_answers_stance,
    student_joins,
    student_opens_assignment,
    student_sees_approved,
    student_sees_feedback_and_revises,
    student_watches_until_prompt,
    student_writes,
    teacher_approves,
    teacher_assigns_plan,
    teacher_copies_join_link,
    teacher_downloads_csv,
    teacher_moves_first_prompt,
    teacher_opens_class,
    teacher_reads_dashboard,
    teacher_returns_with_feedback,
    teacher_signs_up,
    teacher_starts_from_starter_plan,
)

pytestmark = pytest.mark.e2e


def teacher_prepares(teacher, lesson, live_server, checks=True):
    teacher_signs_up(teacher)
    teacher_starts_from_starter_plan(teacher, lesson, checks)
    teacher_moves_first_prompt(teacher, lesson)
    teacher_opens_class(teacher, lesson, checks=checks)
    teacher_assigns_plan(teacher, lesson, live_server.clip_url(), checks=checks)
    teacher_copies_join_link(teacher, lesson)
    lesson.prompt_id = assignment_prompt_id(lesson)


def moderation_trail(lesson):
    with lesson.app.app_context():
        reflection = reflection_in_db(lesson)
        steps = db.session.scalars(
            db.select(ModerationEvent.to_status)
            .where(ModerationEvent.reflection_id == reflection.id)
            .order_by(ModerationEvent.id)
        ).all()
        db.session.remove()
    return reflection, steps


def test_teacher_and_student_go_through_the_whole_lesson(new_context, live_server, live_app):
    lesson = Lesson(app=live_app)
    teacher = new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    student = new_context().new_page()

    teacher_prepares(teacher, lesson, live_server)

    student_joins(student, lesson)
    student_opens_assignment(student, lesson)
    # The prompts wait for the pre-viewing question.
    expect(prompt_block(student, lesson).locator(f"#p{lesson.prompt_id}-body")).to_have_count(0)
    student_answers_stance(student, "pre", lesson=lesson)
    checkpoint(student, "student-assignment", lesson)

    # The school's captions ride along with the clip.
    track = student.locator("video track")
    expect(track).to_have_count(1)
    assert track.get_attribute("kind") in ("captions", "subtitles")
    captions = student.request.get(track.get_attribute("src"))
    assert captions.ok and captions.headers["content-type"].startswith("text/vtt")
    assert captions.text().startswith("WEBVTT")

    student_watches_until_prompt(student, lesson)
    student_writes(student, lesson, FIRST_DRAFT)

    teacher_returns_with_feedback(teacher, lesson)
    student_sees_feedback_and_revises(student, lesson)
    checkpoint(student, "student-assignment-revised", lesson, checks=False)
    teacher_approves(teacher, lesson)
    student_sees_approved(student, lesson)
    film_plays_through(student, lesson)
    student_answers_stance(student, "post", choice=0, lesson=lesson)

    reflection, steps = moderation_trail(lesson)
    assert reflection.status == ReflectionStatus.APPROVED
    assert steps == ["awaiting", "returned", "awaiting", "approved"], steps
    assert "<strong>two</strong>" in reflection.body_html and "<li>" in reflection.body_html

    teacher_reads_dashboard(teacher, lesson)
    rows = teacher_downloads_csv(teacher, lesson)
    mine = [row for row in rows if STUDENT_NAME in row.values()]
    assert len(mine) == 1, rows
    text = " ".join(mine[0].values())
    assert REVISED_LINE in text and "two things from that time" in text
    assert "<strong>" not in text, "the CSV carries the reflection as plain text"


def test_the_story_works_without_javascript_for_the_student(new_context, live_server, live_app):
    lesson = Lesson(app=live_app)
    teacher = new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    student = new_context(java_script_enabled=False).new_page()

    teacher_prepares(teacher, lesson, live_server, checks=False)

    student_joins(student, lesson, checks=False)
    student_opens_assignment(student, lesson)
    student_answers_stance(student, "pre")
    # Without JavaScript every prompt is listed with its time, and each can be answered.
    block = prompt_block(student, lesson)
    expect(block).to_contain_text(lesson.prompt_text)
    expect(block).to_contain_text(re.compile(r"0:02"))
    check_page(student, "student-assignment-no-js")
    student_writes(student, lesson, FIRST_DRAFT)

    teacher_returns_with_feedback(teacher, lesson, checks=False)
    student_sees_feedback_and_revises(student, lesson)
    teacher_approves(teacher, lesson)
    student_sees_approved(student, lesson)

    reflection, steps = moderation_trail(lesson)
    assert reflection.status == ReflectionStatus.APPROVED
    assert steps == ["awaiting", "returned", "awaiting", "approved"], steps
    teacher_reads_dashboard(teacher, lesson, checks=False)
    rows = teacher_downloads_csv(teacher, lesson)
    assert any(REVISED_LINE in " ".join(row.values()) for row in rows)
    assert FEEDBACK

"""Every main page of both roles, filled with a class's work: axe-core finds nothing serious or critical,
the page reflows at 375px, and its screenshots are saved. Failures are gathered, so one run lists them all.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.join.logic import join_class
from classroom.models import Assignment, PlanPrompt, Prompt, Reflection, SchoolClass, Teacher, utcnow
from classroom.moderation.decisions import approve_reflection, reject_reflection, set_star
from classroom.student.reflections import save_reflection
from classroom.student.stance import record_stance

from .helpers import ARTIFACTS, check_page
from .story import (
    STUDENT_NAME,
    TEACHER_EMAIL,
    endpoint_url,
    student_answers_stance,
    student_joins,
    student_writes,
    teacher_logs_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def busy_class(seeded_lesson, live_app):
    """The seeded lesson with classmates' work in every state the pages show."""
    lesson = seeded_lesson
    with live_app.app_context():
        school_class = db.session.get(SchoolClass, lesson.class_id)
        prompt = db.session.get(Prompt, lesson.prompt_id)
        assignment = db.session.get(Assignment, prompt.assignment_id)
        teacher = db.session.scalars(db.select(Teacher).where(Teacher.email == TEACHER_EMAIL)).one()
        alexei = join_class(school_class, "Alexei")
        record_stance(alexei, assignment, "pre", 0)
        approved = save_reflection(
            alexei, prompt, "My family never **talks** about 1937.\n\n- not at dinner\n- not at all", submit=True
        )
        approve_reflection(approved, teacher)
        set_star(approved, True)
        # After the film (the after-viewing question opens once the film can have reached the last prompt).
        record_stance(alexei, assignment, "post", 2, now=utcnow() + timedelta(hours=2))
        dasha = join_class(school_class, "Dasha")
        record_stance(dasha, assignment, "pre", 1)
        # An email address: the flags tell the teacher, they never block the student.
        flagged = save_reflection(dasha, prompt, "Write to me at dasha@example.com about the march.", submit=True)
        # A rejected reflection: the queue and its history page offer to take the rejection back.
        misha = join_class(school_class, "Misha")
        record_stance(misha, assignment, "pre", 0)
        rejected = save_reflection(misha, prompt, "This film is boring and I did not watch it.", submit=True)
        reject_reflection(rejected, teacher, "Please write about a moment in the film.")
        lesson.pages.update(
            rejected_id=rejected.id,
            link_token=assignment.link_token,
            student_id=alexei.id,
            approved_id=approved.id,
            flagged_id=flagged.id,
            plan_prompt_id=db.session.scalars(
                db.select(PlanPrompt.id).where(PlanPrompt.plan_id == lesson.plan_id).order_by(PlanPrompt.time_seconds)
            ).first(),
        )
        assert db.session.get(Reflection, flagged.id).flagged
        # The plan moves on after assigning, so the assignment page offers its changes to the class.
        last = db.session.scalars(
            db.select(PlanPrompt).where(PlanPrompt.plan_id == lesson.plan_id).order_by(PlanPrompt.time_seconds.desc())
        ).first()
        last.text = last.text + " Who decides?"
        db.session.commit()
        db.session.remove()
    return lesson


def visit_all(page, app, pages, problems):
    for name, endpoint, values in pages:
        url = endpoint_url(app, endpoint, **values)
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{name}: {url} answered {response.status if response else 'nothing'}")
            continue
        try:
            check_page(page, name)
        except pytest.fail.Exception as failure:
            problems.append(str(failure))


def test_every_teacher_page(new_context, busy_class, live_app):
    lesson = busy_class
    page = new_context().new_page()
    teacher_logs_in(page)
    ids = lesson.pages
    a, c, p = lesson.assignment_id, lesson.class_id, lesson.plan_id
    pages = [
        ("t-classes", "classes.index", {}),
        ("t-class-new", "classes.new", {}),
        ("t-class-edit", "classes.edit", {"class_id": c}),
        ("t-assign-new", "classes.new_assignment", {"class_id": c}),
        ("t-assignment", "classes.assignment", {"assignment_id": a}),
        ("t-projector", "classes.projector", {"assignment_id": a}),
        ("t-assignment-edit", "classes.edit_assignment", {"assignment_id": a}),
        ("t-assignment-delete", "classes.delete_assignment", {"assignment_id": a}),
        (
            "t-assignment-prompt-edit",
            "classes.edit_assignment_prompt",
            {"assignment_id": a, "prompt_id": lesson.prompt_id},
        ),
        ("t-plans", "lessons.index", {}),
        ("t-plan", "lessons.show", {"plan_id": p}),
        ("t-plan-new", "lessons.new", {}),
        ("t-plan-edit", "lessons.edit", {"plan_id": p}),
        ("t-plan-delete", "lessons.delete", {"plan_id": p}),
        ("t-prompt-new", "lessons.new_prompt", {"plan_id": p}),
        ("t-prompt-edit", "lessons.edit_prompt", {"plan_id": p, "prompt_id": ids["plan_prompt_id"]}),
        ("t-prompt-delete", "lessons.delete_prompt", {"plan_id": p, "prompt_id": ids["plan_prompt_id"]}),
        ("t-stance-edit", "lessons.edit_stance", {"plan_id": p}),
        ("t-roster", "classes.roster", {"class_id": c}),
        ("t-roster-codes", "classes.print_codes", {"class_id": c}),
        ("t-roster-rename", "classes.rename_student", {"class_id": c, "student_id": ids["student_id"]}),
        ("t-roster-remove", "classes.remove_student", {"class_id": c, "student_id": ids["student_id"]}),
        ("t-moderation", "moderation.queue", {"class_id": c}),
        ("t-moderation-history", "moderation.history", {"reflection_id": ids["approved_id"]}),
        ("t-moderation-rejected", "moderation.history", {"reflection_id": ids["rejected_id"]}),
        ("t-roster-merge", "classes.merge_student", {"class_id": c, "student_id": ids["student_id"]}),
        ("t-flag-words", "moderation.flag_words", {}),
        ("t-dashboard-class", "dashboard.class_overview", {"class_id": c}),
        ("t-dashboard", "dashboard.assignment", {"assignment_id": a}),
        ("t-highlights", "dashboard.highlights", {"assignment_id": a}),
        ("t-report", "dashboard.report", {"assignment_id": a}),
        ("t-reflections", "dashboard.reflections", {"assignment_id": a}),
        ("t-account", "auth.change_password", {}),
        ("t-film", "main.film", {}),
    ]
    problems: list[str] = []
    visit_all(page, live_app, pages, problems)

    # A flagged reflection is marked in words, not only colour, and its matched text highlighted.
    page.goto(endpoint_url(live_app, "moderation.queue", class_id=c))
    flagged = page.locator("article").filter(has_text="Dasha")
    expect(flagged.get_by_text("Flagged", exact=True)).to_be_visible()
    expect(flagged.locator("mark").first).to_be_visible()
    assert not problems, "\n\n".join(problems)


def test_every_student_page(new_context, busy_class, live_app):
    lesson = busy_class
    visitor = new_context().new_page()
    problems: list[str] = []
    visit_all(
        visitor,
        live_app,
        [
            ("s-join-box", "join.index", {}),
            ("s-resume", "join.resume", {}),
            ("s-join-assignment-link", "join.assignment_link", {"token": lesson.pages["link_token"]}),
        ],
        problems,
    )
    page = new_context().new_page()
    student_joins(page, lesson, STUDENT_NAME, checks=False)
    visit_all(
        page,
        live_app,
        [("s-assignment-locked", "student.assignment", {"assignment_id": lesson.assignment_id})],
        problems,
    )
    student_answers_stance(page, "pre")
    student_writes(page, lesson, "Both, I think: *pride* and **pain**.")
    visit_all(
        page,
        live_app,
        [
            ("s-home", "student.home", {}),
            ("s-assignment", "student.assignment", {"assignment_id": lesson.assignment_id}),
            (
                "s-classmates",
                "student.classmates",
                {"assignment_id": lesson.assignment_id, "prompt_id": lesson.prompt_id},
            ),
            ("s-film", "main.film", {}),
        ],
        problems,
    )
    # A student never reaches a teacher page.
    response = page.goto(endpoint_url(live_app, "dashboard.assignment", assignment_id=lesson.assignment_id))
    assert response.status in (404, 200) and "Who did what" not in page.content()
    assert not problems, "\n\n".join(problems)


def test_print_stylesheet_keeps_the_content_and_drops_the_controls(new_context, busy_class, live_app):
    page = new_context().new_page()
    teacher_logs_in(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for endpoint in ("dashboard.report", "dashboard.assignment", "dashboard.highlights"):
        page.goto(endpoint_url(live_app, endpoint, assignment_id=busy_class.assignment_id))
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", path=str(ARTIFACTS / f"print-{endpoint.split('.')[1]}.pdf"))
        assert pdf.startswith(b"%PDF")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".site-footer")).to_be_hidden()
        expect(page.locator("main h1")).to_be_visible()
        assert page.locator("main button:visible").count() == 0, f"{endpoint}: buttons would print"
        if endpoint != "dashboard.highlights":
            expect(page.locator("main svg").first).to_be_visible()
        else:
            expect(page.locator("main")).to_contain_text("1937")
        page.emulate_media(media="screen")

"""The classroom story, step by step, as a teacher and a student do it in a browser.

Each step uses what a person sees (labels, button names, headings); ids come from the database
only where a person would simply know them (which prompt they are looking at). The test modules
string the steps together: the whole story, the story without JavaScript, the keyboard story.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask import url_for
from playwright.sync_api import Page, expect

from classroom.extensions import db
from classroom.models import Assignment, Prompt, Reflection

from .helpers import ARTIFACTS, TEST_DATA, check_page

TEACHER_NAME = "Ms Irina Petrova"
TEACHER_EMAIL = "petrova@school.example"
TEACHER_PASSWORD = "a sentence long enough"
STUDENT_NAME = "Sasha K"
PROMPT_AT = "0:02"  # inside the 8-second test clip, so the watch-along reaches it
FIRST_DRAFT = (
    "My grandmother keeps **two** things from that time: a medal and a silence.\n\n"
    "- She is *proud* of the victory\n"
    "- She never talks about her uncle\n\n"
    "> Pride and pain live side by side."
)
REVISED_LINE = "I asked her about the uncle today, and she told me he came back in 1956."
FEEDBACK = "Good start. Say what you think the silence means, in one more sentence."


@dataclass
class Lesson:
    """What the teacher has set up, as the story goes on."""

    app: object = None  # the live app, to name its endpoints and peek at its database
    plan_id: int = 0
    class_id: int = 0
    assignment_id: int = 0
    prompt_id: int = 0  # the assignment's prompt moved to PROMPT_AT
    prompt_text: str = ""
    join_link: str = ""
    stance: dict = field(default_factory=dict)  # phase -> the answer the student chose
    pages: dict = field(default_factory=dict)


def endpoint_url(app, endpoint: str, **values) -> str:
    """The path of a contract endpoint (CONTRACT.md), so tests do not hard-code URLs."""
    with app.test_request_context():
        return url_for(endpoint, **values)


def id_in_url(page: Page, pattern: str) -> int:
    match = re.search(pattern, page.url)
    assert match, f"expected {pattern} in {page.url}"
    return int(match.group(1))


# The pages whose first screenful the README shows (docs/screenshots/).
README_PAGES = {"teacher-plan", "teacher-moderation", "teacher-dashboard", "student-assignment", "student-join"}


def checkpoint(page: Page, name: str, lesson: Lesson | None = None, checks: bool = True) -> None:
    """A main page: axe-core, reflow at 375px and screenshots; remembered for the report."""
    if lesson is not None:
        lesson.pages[name] = page.url
    if checks:
        check_page(page, name, tops=name in README_PAGES)


# --- the teacher -----------------------------------------------------------------------------


def teacher_signs_up(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile("Create a teacher account")).click()
    page.get_by_label("Your name").fill(TEACHER_NAME)
    page.get_by_label("School email").fill(TEACHER_EMAIL)
    page.get_by_label("Password").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # Sign-up answers the same whether or not the email had an account, so the teacher then logs in.
    expect(page.get_by_text("Your account is ready")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(TEACHER_EMAIL)
    page.get_by_label("Password").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson plans")


def teacher_logs_in(page: Page, email: str = TEACHER_EMAIL, password: str = TEACHER_PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")).to_be_visible()


def teacher_starts_from_starter_plan(page: Page, lesson: Lesson, checks: bool = True) -> None:
    checkpoint(page, "teacher-plans", lesson, checks)
    page.get_by_role("button", name="Start from the ready plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Memory and the Stalin legacy")
    lesson.plan_id = id_in_url(page, r"/lessons/(\d+)")
    checkpoint(page, "teacher-plan", lesson, checks)


def teacher_moves_first_prompt(page: Page, lesson: Lesson, to: str = PROMPT_AT) -> None:
    """Edit the earliest prompt: move it to `to` and confirm the time."""
    first = page.locator(".prompt-item").first
    first.get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit prompt")
    lesson.prompt_text = page.get_by_label("Prompt", exact=True).input_value().strip()
    page.get_by_label("Time in the film").fill(to)
    checked = page.get_by_label("I have checked this time against the film")
    if checked.count():
        checked.check()
    page.get_by_role("button", name="Save prompt").click()
    moved = page.locator(".prompt-item").filter(has_text=lesson.prompt_text)
    expect(moved.locator(".time")).to_have_text(re.compile(r"^0?:?0?0:02$"))
    expect(page.locator(".prompt-item").first).to_contain_text(lesson.prompt_text)


def teacher_opens_class(page: Page, lesson: Lesson, name: str = "History 11B", checks: bool = True) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your classes")
    page.get_by_role("link", name="Open a class").first.click()
    page.get_by_label("Class name").fill(name)
    page.get_by_label("Term or year").fill("Autumn 2026")
    page.get_by_role("button", name="Open class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    lesson.class_id = id_in_url(page, r"/classes/(\d+)")
    checkpoint(page, "teacher-class", lesson, checks)


def teacher_assigns_plan(
    page: Page, lesson: Lesson, video_url: str, captions: bool = True, checks: bool = True
) -> None:
    page.get_by_role("link", name="Assign a lesson plan").click()
    page.get_by_label("Lesson plan").select_option(label="Memory and the Stalin legacy")
    page.get_by_label("Link to the film (optional)").fill(video_url)
    if captions:
        page.get_by_label("Captions file (optional)").set_input_files(str(TEST_DATA / "test-captions.vtt"))
    page.get_by_role("button", name=re.compile(r"^Assign to ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Memory and the Stalin legacy")
    lesson.assignment_id = id_in_url(page, r"/classes/assignments/(\d+)")
    checkpoint(page, "teacher-assignment", lesson, checks)


def teacher_copies_join_link(page: Page, lesson: Lesson) -> str:
    """Press the copy button (with JavaScript) and read the link back from the clipboard."""
    # The class's join link (the assignment's own student link is tested in test_embed_cross_site.py).
    holder = page.locator(".join-link:has(code[id^='join-link-'])")
    link_text = holder.locator("code").inner_text().strip()
    holder.get_by_role("button", name=re.compile("^Copy link")).click()
    expect(holder.locator(".copy-status")).to_have_text(re.compile("Copied"))
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.strip() == link_text, (copied, link_text)
    assert re.search(r"/join/[A-Z0-9]{4,}", link_text), link_text
    lesson.join_link = link_text
    return link_text


def assignment_prompt_id(lesson: Lesson) -> int:
    """The assignment's own copy of the moved prompt (the student page anchors it as #prompt-<id>)."""
    with lesson.app.app_context():
        prompt = db.session.scalars(
            db.select(Prompt).where(Prompt.assignment_id == lesson.assignment_id).order_by(Prompt.time_seconds)
        ).first()
        assert prompt is not None and prompt.time_seconds == 2, "the moved prompt did not reach the assignment"
        db.session.remove()
        return prompt.id


def teacher_opens_queue(page: Page, lesson: Lesson, checks: bool = True):
    page.goto(endpoint_url(lesson.app, "moderation.queue", class_id=lesson.class_id))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflections awaiting approval")
    checkpoint(page, "teacher-moderation", lesson, checks)
    item = page.locator("article").filter(has_text=STUDENT_NAME).filter(has_text=lesson.prompt_text)
    expect(item).to_have_count(1)
    return item


def teacher_returns_with_feedback(page: Page, lesson: Lesson, checks: bool = True) -> None:
    item = teacher_opens_queue(page, lesson, checks)
    expect(item).to_contain_text("two")
    expect(item.locator("strong, b").filter(has_text="two")).to_have_count(1)
    item.locator("summary").filter(has_text="Return with feedback").click()
    item.get_by_label("Feedback for the student").fill(FEEDBACK)
    item.get_by_role("button", name=re.compile("^Send back to the student")).click()
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.locator("article").filter(has_text=STUDENT_NAME).filter(has_text=lesson.prompt_text)).to_have_count(0)


def teacher_approves(page: Page, lesson: Lesson) -> None:
    item = teacher_opens_queue(page, lesson, checks=False)
    expect(item).to_contain_text(REVISED_LINE)
    item.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator("article").filter(has_text=STUDENT_NAME).filter(has_text=lesson.prompt_text)).to_have_count(0)


def teacher_reads_dashboard(page: Page, lesson: Lesson, checks: bool = True) -> None:
    page.goto(endpoint_url(lesson.app, "dashboard.assignment", assignment_id=lesson.assignment_id))
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_be_visible()
    # The student and their approved reflection are counted.
    expect(main).to_contain_text(STUDENT_NAME)
    expect(main.locator("#matrix table .status--approved").first).to_be_visible()
    # The counts at a glance: one student, whose one answer is done and approved.
    tiles = main.locator(".stat-tile")
    expect(tiles.filter(has_text="students")).to_have_text(re.compile(r"^\s*1\s+students"))
    expect(tiles.filter(has_text="answers done")).to_have_text(re.compile(r"^\s*1\s+of \d+ answers done"))
    expect(tiles.filter(has_text="awaiting approval")).to_have_text(re.compile(r"^\s*0\s+awaiting approval"))
    # The stance chart: an SVG drawn on the server, with a data table beside it.
    chart = main.locator("#stance svg, .chart-figure svg")
    expect(chart.first).to_be_visible()
    table = main.locator("table").filter(has=page.get_by_role("columnheader", name="Before", exact=True)).first
    expect(table).to_be_visible()
    for phase, column in (("pre", 1), ("post", 2)):
        if phase in lesson.stance:
            row = table.locator("tr").filter(has=page.locator("th", has_text=lesson.stance[phase]))
            expect(row.locator("td").nth(column - 1)).to_have_text("1")
    checkpoint(page, "teacher-dashboard", lesson, checks)


def teacher_downloads_csv(page: Page, lesson: Lesson) -> list[dict]:
    """Click the reflections CSV link on the dashboard; return its rows."""
    path = endpoint_url(lesson.app, "dashboard.reflections_csv", assignment_id=lesson.assignment_id)
    link = page.locator(f'a[href="{path}"]')
    expect(link.first).to_be_visible()
    with page.expect_download() as download_info:
        link.first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the student -----------------------------------------------------------------------------


def student_joins(page: Page, lesson: Lesson, name: str = STUDENT_NAME, checks: bool = True) -> str:
    """Open the join link, give a display name, note the return code; return it."""
    page.goto(lesson.join_link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Join")
    checkpoint(page, "student-join", lesson, checks)
    page.get_by_label("Your display name").fill(name)
    page.get_by_role("button", name="Join the class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write down your return code")
    code = page.locator("#return-code").inner_text().strip()
    assert code
    checkpoint(page, "student-return-code", lesson, checks)
    page.get_by_role("button", name="I have written it down").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My assignments")
    checkpoint(page, "student-home", lesson, checks)
    return code


def student_opens_assignment(page: Page, lesson: Lesson) -> None:
    page.locator("main").get_by_role("link", name=re.compile(r"^(Start|Continue)")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Memory and the Stalin legacy")


def stance_form(page: Page, phase: str):
    return page.locator(f"form:has(input[name='{phase}-option'])")


def film_plays_through(page: Page, lesson: Lesson) -> None:
    """The after-viewing question waits for the film to reach its last prompt; then, as time passes, it opens."""
    from datetime import timedelta

    from classroom.models import StanceAnswer

    expect(stance_form(page, "post")).to_have_count(0)
    expect(page.locator("#after-viewing-wait")).to_contain_text("opens once you have handed in every prompt")
    with lesson.app.app_context():
        # The class watched the whole film since answering the question before viewing.
        for answer in db.session.scalars(
            db.select(StanceAnswer).where(StanceAnswer.assignment_id == lesson.assignment_id)
        ):
            answer.created_at = answer.created_at - timedelta(hours=2)
        db.session.commit()
        db.session.remove()
    page.reload()


def student_answers_stance(page: Page, phase: str = "pre", choice: int = 2, lesson: Lesson | None = None) -> str:
    form = stance_form(page, phase)
    expect(form).to_have_count(1)
    option = form.locator(f"input[name='{phase}-option']").nth(choice)
    label = page.locator(f"label[for='{option.get_attribute('id')}']").inner_text().strip()
    option.check()
    form.locator("button[type=submit], input[type=submit]").first.click()
    expect(page.locator(".flashes")).to_contain_text("your answer is saved")
    if lesson is not None:
        lesson.stance[phase] = label
    return label


def prompt_block(page: Page, lesson: Lesson):
    return page.locator(f"#prompt-{lesson.prompt_id}")


def student_watches_until_prompt(page: Page, lesson: Lesson) -> None:
    """Play the clip; when the playhead passes 0:02 the prompt is announced in a live region."""
    video = page.locator("video")
    expect(video).to_have_count(1)
    expect(video.locator("source, [src]").first if video.locator("source").count() else video).to_be_attached()
    live = page.locator("[aria-live='polite'], [aria-live='assertive'], [role='status'], [role='alert']").filter(
        has_text=lesson.prompt_text
    )
    expect(live).to_have_count(0)
    # Muted, so autoplay rules never block the headless browser; the click is the user's gesture.
    video.evaluate("v => { v.muted = true; }")
    play = page.get_by_role("button", name=re.compile(r"^(Play|Start)", re.I))
    if play.count():
        play.first.click()
    else:
        video.evaluate("v => v.play()")
    expect(live.first).to_be_visible(timeout=15_000)
    current = video.evaluate("v => v.currentTime")
    assert current >= 1.9, f"the prompt was announced at {current:.2f}s, before its time (0:02)"
    video.evaluate("v => v.pause()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-watchalong]").screenshot(path=str(ARTIFACTS / "student-watch-along-1280-top.png"))


def student_writes(page: Page, lesson: Lesson, body: str, submit: bool = True) -> None:
    block = prompt_block(page, lesson)
    box = block.locator(f"#p{lesson.prompt_id}-body")
    show_all = page.get_by_label(re.compile("Show all prompts", re.I))
    page.wait_for_load_state("load")  # the watch-along script decides what is folded
    if not box.is_visible() and show_all.count() and show_all.is_visible():
        # The watch-along keeps prompts for later in the film folded; a student may open them all.
        show_all.check()
    box.fill(body)
    form = page.locator(f"form:has(#p{lesson.prompt_id}-body)")
    form.get_by_role("button", name="Submit" if submit else "Save draft", exact=True).click()
    # The saved message sits beside the prompt, where the student is looking.
    expect(prompt_block(page, lesson).locator("[data-save-state]")).to_contain_text(
        "Submitted." if submit else "Draft saved."
    )
    status = "Awaiting approval" if submit else "Draft"
    expect(prompt_block(page, lesson).locator(".status").filter(has_text=status).first).to_be_visible()


def student_sees_feedback_and_revises(page: Page, lesson: Lesson) -> None:
    page.reload()
    block = prompt_block(page, lesson)
    expect(block.locator(".status").filter(has_text="Returned with feedback").first).to_be_visible()
    expect(block).to_contain_text(FEEDBACK)
    box = block.locator(f"#p{lesson.prompt_id}-body")
    # What they wrote is there to revise, as they wrote it.
    expect(box).to_have_value(re.compile(r"\*\*two\*\*"))
    box.fill(box.input_value() + "\n\n" + REVISED_LINE)
    page.locator(f"form:has(#p{lesson.prompt_id}-body)").get_by_role("button", name="Submit again").click()
    expect(prompt_block(page, lesson).locator(".status").filter(has_text="Awaiting approval").first).to_be_visible()


def student_sees_approved(page: Page, lesson: Lesson) -> None:
    page.reload()
    expect(prompt_block(page, lesson).locator(".status").filter(has_text="Approved").first).to_be_visible()


# --- shared ----------------------------------------------------------------------------------


def reflection_in_db(lesson: Lesson) -> Reflection:
    with lesson.app.app_context():
        reflection = db.session.scalars(db.select(Reflection).where(Reflection.prompt_id == lesson.prompt_id)).one()
        db.session.expunge(reflection)
        db.session.remove()
        return reflection


def assignment_in_db(lesson: Lesson) -> Assignment:
    with lesson.app.app_context():
        assignment = db.session.get(Assignment, lesson.assignment_id)
        db.session.expunge(assignment)
        db.session.remove()
        return assignment


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    for row in rows:
        out.write(" | ".join(f"{k}={v}" for k, v in row.items()) + "\n")
    return out.getvalue()

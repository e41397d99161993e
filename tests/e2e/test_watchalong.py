"""The watch-along in Chromium: saving never moves the film, the timer or any box's text; unsaved
text and the film position survive a reload; the player stays in view on a phone; without
JavaScript a save still comes back to its prompt."""

import re

import pytest
from playwright.sync_api import expect

from classroom.extensions import db
from classroom.models import Prompt, Reflection

from .helpers import PHONE, check_axe, check_reflow
from .story import student_answers_stance, student_joins

pytestmark = pytest.mark.e2e


def prompt_ids(app_db, lesson):
    def ids():
        rows = db.session.scalars(
            db.select(Prompt).where(Prompt.assignment_id == lesson.assignment_id).order_by(Prompt.time_seconds)
        ).all()
        return [p.id for p in rows]

    return app_db(ids)


def pause_first_prompt(app_db, lesson):
    def change():
        db.session.get(Prompt, lesson.prompt_id).pause = True
        db.session.commit()

    app_db(change)


def statuses(app_db, lesson):
    return app_db(lambda: {r.prompt_id: (r.status, r.body) for r in db.session.scalars(db.select(Reflection)).all()})


def open_assignment(page, lesson):
    student_joins(page, lesson, checks=False)
    page.locator("main").get_by_role("link", name=re.compile(r"^Start")).first.click()
    student_answers_stance(page, "pre")
    page.wait_for_load_state("load")


def box(page, prompt_id):
    return page.locator(f"#p{prompt_id}-body")


def form_of(page, prompt_id):
    return page.locator(f"form:has(#p{prompt_id}-body)")


def test_saving_never_moves_the_film_the_timer_or_any_text(new_context, seeded_lesson, app_db):
    lesson = seeded_lesson
    pause_first_prompt(app_db, lesson)
    first, second, third, fourth = prompt_ids(app_db, lesson)[:4]
    page = new_context().new_page()
    open_assignment(page, lesson)
    page.evaluate("() => { window.sameDocument = true; }")

    # Play to the pause prompt: the video stops there by itself.
    video = page.locator("video")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    expect(page.locator("[data-watchalong-live]")).to_contain_text("Paused at", timeout=15_000)
    assert video.evaluate("v => v.paused")
    at_pause = video.evaluate("v => v.currentTime")
    assert 1.9 <= at_pause < 3.5

    page.get_by_label(re.compile("Show all prompts", re.I)).check()
    box(page, first).fill("A draft about the pause.")
    form_of(page, first).get_by_role("button", name="Save draft", exact=True).click()
    expect(page.locator(f"#p{first}-save-state")).to_contain_text("Draft saved.")
    expect(page.locator(f"#prompt-{first} .status")).to_have_text("Draft")

    box(page, second).fill("Words I have not saved yet.")
    box(page, third).fill("My finished thought.")
    form_of(page, third).get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(f"#p{third}-save-state")).to_contain_text("Submitted.")
    expect(page.locator(f"#prompt-{third} .status")).to_have_text("Awaiting approval")
    # The buttons now say what they do to a submitted reflection.
    expect(form_of(page, third).get_by_role("button", name="Move back to drafts")).to_be_visible()

    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"
    assert video.evaluate("v => v.paused") and video.evaluate("v => v.currentTime") == at_pause
    expect(box(page, first)).to_have_value("A draft about the pause.")
    expect(box(page, second)).to_have_value("Words I have not saved yet.")
    expect(box(page, third)).to_have_value("My finished thought.")

    # The projector: the timer takes over, is set in one step, and a save leaves it alone.
    page.get_by_role("button", name="We watch together on the projector").click()
    page.get_by_label("Set to the projector's time").fill("12:34")
    page.get_by_label("Set to the projector's time").press("Enter")
    clock = page.locator("[data-timer-clock]")
    expect(clock).to_have_text("0:12:34")
    # "Cite this moment" takes the time from the player in use.
    form_of(page, fourth).get_by_role("button", name="Cite this moment").click()
    expect(page.locator(f"#p{fourth}-at")).to_have_value("0:12:34")
    box(page, fourth).fill("About the parade.")
    form_of(page, fourth).get_by_role("button", name="Save draft", exact=True).click()
    expect(page.locator(f"#p{fourth}-save-state")).to_contain_text("Draft saved.")
    expect(clock).to_have_text("0:12:34")
    expect(page.locator("[data-watchalong-timer]")).to_be_visible()
    expect(box(page, second)).to_have_value("Words I have not saved yet.")
    assert page.evaluate("() => window.sameDocument === true")

    saved = statuses(app_db, lesson)
    assert saved[first] == ("draft", "A draft about the pause.")
    assert saved[third] == ("awaiting", "My finished thought.")
    assert saved[fourth] == ("draft", "About the parade.")
    assert second not in saved
    check_axe(page, "watch-along after background saves")


def test_refused_background_save_shows_the_message_beside_the_box(new_context, seeded_lesson, app_db):
    lesson = seeded_lesson
    page = new_context().new_page()
    open_assignment(page, lesson)
    first = lesson.prompt_id
    page.locator(f"#p{first}-at").fill("3:00:00")
    box(page, first).fill("Fine words.")
    form_of(page, first).get_by_role("button", name="Submit", exact=True).click()
    error = page.locator(f"#p{first}-at-error")
    expect(error).to_contain_text("The film is only")
    expect(page.locator(f"#p{first}-at")).to_have_attribute("aria-invalid", "true")
    expect(box(page, first)).to_have_value("Fine words.")
    assert statuses(app_db, lesson) == {}


def test_autosave_and_reload_keep_words_and_the_film_position(new_context, seeded_lesson, app_db):
    lesson = seeded_lesson
    first, second = prompt_ids(app_db, lesson)[:2]
    page = new_context().new_page()
    open_assignment(page, lesson)

    # A draft saves itself a few seconds after typing stops.
    box(page, first).fill("Typed and left alone.")
    expect(page.locator(f"#p{first}-save-state")).to_contain_text(re.compile(r"Draft saved at \d{1,2}:\d\d"))
    assert statuses(app_db, lesson)[first] == ("draft", "Typed and left alone.")

    # The video position is remembered for this assignment.
    video = page.locator("video")
    video.evaluate("v => new Promise(done => { v.addEventListener('seeked', done, {once: true}); v.currentTime = 5; })")

    # Words typed just before a reload (no time to autosave) are offered back.
    box(page, second).press_sequentially("Not saved")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Memory and the Stalin legacy")
    page.wait_for_load_state("load")
    assert dialogs == ["beforeunload"], "leaving with unsaved text should ask first"
    expect(box(page, first)).to_have_value("Typed and left alone.")
    page.get_by_label(re.compile("Show all prompts", re.I)).check()
    restore = page.locator(f"#prompt-{second}").get_by_role("button", name="Restore your unsaved text")
    expect(restore).to_be_visible()
    restore.click()
    expect(box(page, second)).to_have_value("Not saved")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert abs(video.evaluate("v => v.currentTime") - 5) < 0.5


@pytest.fixture
def viewport():
    return dict(PHONE)


def test_on_a_phone_the_player_stays_in_view(new_context, seeded_lesson, app_db):
    lesson = seeded_lesson
    ids = prompt_ids(app_db, lesson)
    page = new_context().new_page()
    open_assignment(page, lesson)
    page.get_by_label(re.compile("Show all prompts", re.I)).check()
    box(page, ids[-1]).scroll_into_view_if_needed()
    box(page, ids[-1]).fill("Writing on my phone.")
    player = page.locator(".player")
    top, bottom = player.evaluate("el => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom]")
    assert top >= -1 and bottom <= PHONE["height"] * 0.45, f"player at {top}..{bottom}"
    field = box(page, ids[-1]).evaluate("el => el.getBoundingClientRect().top")
    assert field >= bottom - 1, "the box is hidden under the player"
    check_reflow(page, "student assignment on a phone", width=320)

    # The student home on a phone: cards with the next step on top, reflowing at 320 px.
    page.goto("/student")
    card = page.locator(".assignment-card").first
    expect(card.locator(".next-step")).to_contain_text("Next:")
    expect(page.locator("main table")).to_have_count(0)
    check_reflow(page, "student home on a phone", width=320)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 2500, f"the home page is {height}px tall on a phone"


def test_without_javascript_a_save_comes_back_to_the_prompt(new_context, seeded_lesson, app_db):
    lesson = seeded_lesson
    third = prompt_ids(app_db, lesson)[2]
    page = new_context(java_script_enabled=False).new_page()
    open_assignment(page, lesson)
    box(page, third).fill("Saved without scripts.")
    form_of(page, third).get_by_role("button", name="Save draft", exact=True).click()
    assert page.url.endswith(f"#prompt-{third}")
    expect(page.locator(f"#p{third}-save-state")).to_contain_text("Draft saved.")
    expect(box(page, third)).to_have_value("Saved without scripts.")
    assert statuses(app_db, lesson)[third] == ("draft", "Saved without scripts.")

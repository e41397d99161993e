"""Errors a student meets in a real browser: tied to the field, announced, and nothing typed is lost."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import check_axe, check_reflow
from .story import student_answers_stance, student_joins

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_too_long_reflection_comes_back_with_the_text_and_a_linked_error(new_context, seeded_lesson, scripts):
    lesson = seeded_lesson
    page = new_context(java_script_enabled=scripts).new_page()
    student_joins(page, lesson, checks=False)
    page.locator("main").get_by_role("link", name=re.compile(r"^Start")).first.click()
    student_answers_stance(page, "pre")
    if scripts:
        page.wait_for_load_state("load")
        show_all = page.get_by_label(re.compile("Show all prompts", re.I))
        if show_all.count() and show_all.is_visible():
            show_all.check()

    too_long = "Memory " * 800  # 5,600 characters: over the 5,000 limit
    box = page.locator(f"#p{lesson.prompt_id}-body")
    box.fill(too_long)
    page.locator(f"#p{lesson.prompt_id}-at").fill("1:95:00")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator(f"form:has(#p{lesson.prompt_id}-body)").get_by_role("button", name="Submit", exact=True).click()
    assert posted.value.status == 400

    box = page.locator(f"#p{lesson.prompt_id}-body")
    kept = box.input_value()
    assert kept.strip() == too_long.strip(), f"the text came back changed ({len(kept)} of {len(too_long)} characters)"
    expect(box).to_have_attribute("aria-invalid", "true")
    error_id = f"p{lesson.prompt_id}-body-error"
    assert error_id in box.get_attribute("aria-describedby").split()
    error = page.locator(f"#{error_id}")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("the limit is 5,000")
    at = page.locator(f"#p{lesson.prompt_id}-at")
    expect(at).to_have_value("1:95:00")
    assert f"p{lesson.prompt_id}-at-error" in at.get_attribute("aria-describedby").split()
    check_axe(page, "reflection with errors")
    check_reflow(page, "reflection with errors")

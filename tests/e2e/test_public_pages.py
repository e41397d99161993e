"""The pages anyone sees before logging in, in a real browser: accessible, reflowing, usable by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_axe, check_page, check_reflow, focus_is_visible

pytestmark = pytest.mark.e2e


def test_front_door_film_and_login_pages_pass_axe_and_reflow(teacher_page, live_server):
    page = teacher_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("The Red Soul", re.I))
    check_page(page, "home", tops=True)

    page.goto("/film")
    expect(page.locator("h1.film-title")).to_be_visible()
    expect(page.get_by_text("Jessica Gorter").first).to_be_visible()
    check_page(page, "film", tops=True)

    # The glossary and timeline for students, one click from the film page.
    page.get_by_role("link", name="Glossary and timeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary and timeline")
    expect(page.locator("#memorial [lang=ru]")).to_have_text("Мемориал")
    check_page(page, "glossary", tops=True)

    page.goto("/auth/login")
    check_page(page, "teacher-login")

    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    check_page(page, "not-found")


def test_skip_link_is_first_and_visible_when_focused(teacher_page):
    page = teacher_page
    page.goto("/film")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert focus_is_visible(page), "the focused skip link has no visible focus indicator"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off-screen when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # Landmarks a screen reader user jumps between.
    assert page.locator("header.site-header").count() == 1
    assert page.get_by_role("navigation", name="Main").count() == 1
    assert page.locator("main").count() == 1 and page.locator("footer").count() == 1


def test_signup_errors_are_linked_to_fields_and_announced(teacher_page):
    page = teacher_page
    page.goto("/auth/signup")
    page.get_by_label("Your name").fill("Ms Petrova")
    page.get_by_label("School email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()

    # What she typed is still there, and every error is tied to its field.
    expect(page.get_by_label("Your name")).to_have_value("Ms Petrova")
    email = page.get_by_label("School email")
    expect(email).to_have_value("not-an-email")
    expect(email).to_have_attribute("aria-invalid", "true")
    described = email.get_attribute("aria-describedby").split()
    assert "email-error" in described
    expect(page.locator("#email-error")).to_contain_text("does not look like an email")
    password_described = page.get_by_label("Password").get_attribute("aria-describedby").split()
    assert {"password-hint", "password-error"} <= set(password_described)
    # The summary is announced (role=alert) and links to each field.
    summary = page.get_by_role("alert").filter(has_text="Please check")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name=re.compile("School email")).click()
    expect(email).to_be_focused()
    check_axe(page, "sign-up with errors")
    check_reflow(page, "sign-up with errors")


@pytest.mark.parametrize("viewport", [PHONE])
def test_phone_visitor_can_reach_join_and_login(teacher_page, viewport):
    page = teacher_page
    page.goto("/")
    check_reflow(page, "home on a phone")
    expect(page.get_by_role("link", name=re.compile("join my class", re.I))).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Teacher log in")).to_be_visible()


def test_reduced_motion_is_respected(new_context):
    page = new_context(reduced_motion="reduce").new_page()
    page.goto("/")
    durations = page.evaluate(
        """() => [...document.querySelectorAll('a, button, .button')].map(el => {
            const s = getComputedStyle(el);
            return [s.transitionDuration, s.animationName];
        })"""
    )
    for transition, animation in durations:
        assert all(float(part.rstrip("s")) == 0 for part in transition.split(",")), transition
        assert animation == "none"

"""Checks every browser story uses: axe-core, reflow at 375px, screenshots, visible focus."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = REPO_ROOT / "tests" / "data"
ARTIFACTS = REPO_ROOT / "test-artifacts"
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 780}
SERIOUS = ("serious", "critical")


def check_axe(page, label: str) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    if not getattr(page.context, "scripts_enabled", True):
        check_axe_without_scripts(page, label)
        return
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # page.add_script_tag would add an inline <script>, which our own CSP (rightly) blocks;
        # code evaluated over the DevTools protocol is not subject to the page's CSP.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
            }));
        }"""
    )
    serious = [v for v in result if v["impact"] in SERIOUS]
    if serious:
        lines = [f"  {v['id']} ({v['impact']}): {v['help']}\n      {v['targets']}" for v in serious]
        pytest.fail(f"axe-core found serious/critical problems on {label} ({page.url}):\n" + "\n".join(lines))


def check_axe_without_scripts(page, label: str) -> None:
    """The page as a browser without JavaScript shows it, checked by axe-core.

    axe-core needs timers, which a context with JavaScript off never runs; so the same URL is
    opened in a twin context (same cookies and size) where the page's own scripts are blocked.
    """
    twin = page.context.browser.new_context(
        storage_state=page.context.storage_state(), viewport=page.viewport_size, base_url=None
    )
    try:
        twin.route("**/*.js", lambda route: route.abort())
        twin_page = twin.new_page()
        twin_page.goto(page.url)
        check_axe(twin_page, label + " (as without JavaScript)")
    finally:
        twin.close()


def check_reflow(page, label: str, width: int = 375) -> None:
    """At a phone's width the page scrolls only vertically (WCAG 1.4.10 Reflow)."""
    page.set_viewport_size({"width": width, "height": PHONE["height"]})
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width:
        # The outermost elements that stick out: their parent still fits.
        culprits = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width)
                .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
                .filter(el => !el.parentElement || getComputedStyle(el.parentElement).overflowX === 'visible')
                .slice(0, 6)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                           (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                           ' right=' + Math.round(el.getBoundingClientRect().right))""",
            width,
        )
        pytest.fail(f"{label} is {scroll_width}px wide at {width}px (horizontal scrolling): {culprits}")


def screenshot(page, name: str, tops: bool = False) -> list[Path]:
    """PNGs at 1280px and 375px (full page and first screenful) into test-artifacts/, checking reflow at 375px."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size
    saved = []
    for width, size in ((1280, DESKTOP), (375, PHONE)):
        page.set_viewport_size(size)
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        saved.append(path)
        if tops:  # the first screenful too: what a person sees on arrival (the README's pictures)
            top = ARTIFACTS / f"{name}-{width}-top.png"
            page.screenshot(path=str(top), animations="disabled")
            saved.append(top)
        if width == 375:  # after the picture, so a failure can be looked at
            check_reflow(page, name)
    if original:
        page.set_viewport_size(original)
    return saved


def check_page(page, name: str, axe: bool = True, tops: bool = False) -> None:
    """The checks every main page gets: axe-core, reflow at 375px, and its screenshots."""
    if axe:
        check_axe(page, name)
    screenshot(page, name, tops=tops)


def focus_is_visible(page) -> bool:
    """True when the focused element draws a visible focus indicator (outline or box-shadow)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            const shadow = s.boxShadow && s.boxShadow !== 'none';
            return outline || shadow;
        }"""
    )

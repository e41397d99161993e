"""Flags run on every save of a reflection: each pattern must take time in proportion to the text.

A body of `"ул. " + "A" * 600` once took 24 s to flag (catastrophic backtracking) and held the worker.
Each shape below is as long as a reflection may be; every flag path must finish well under a second.
The bound is generous so the test stays stable on a loaded machine; a backtracking pattern takes
seconds to hours on these inputs, and an alarm stops it after two seconds instead of hanging the run.
"""

import signal
import time
from contextlib import contextmanager

import pytest

from classroom.moderation.flags import flag_details, highlight
from classroom.sanitize import render_reflection
from classroom.student.reflections import BODY_MAX

BOUND = 0.5
ALARM = 2.0

# Repeated units: letters, digits, spaces, punctuation, Cyrillic and mixtures, each repeated to the limit.
UNITS = [
    "A", "a", "Б", "ж", "1", "1 ", " ", "\n", "A ", "Б ", "A'", "A-", "Б-", "A’", "a.", "A.", "1.", "1-", "(1",
    "+1", "1)", "-1", ",1", "A1", "1A", ".-", "a@", "@a.", "a.a@", "a (at) ", "ул. ", "ул.Б", "ул. A", "д.",
    "12 A", "1 A ", "A St ", "Lenin ", "Street ", "No. ", "www.", "http://", "a.com", "ё", "fuck", "f*ck ",
    "!?", "<b>", "&lt;", "é", "ß", "٣", "²",
]  # fmt: skip
# What each flag kind looks for first, so the repeated unit lands where that pattern works hardest.
PREFIXES = ["", "ул. ", "улица ", "проспект ", "12 ", "Lenin Street ", "a@", "a (at) ", "+", "8 (", "http://", "www."]
SUFFIXES = ["", "!", "x", "1", " Street", ".com", "@", "ъ"]
TEACHER_WORDS = "traitor\nenemy of the people\nA A A\nул."


def at_the_limit(unit: str, prefix: str = "", suffix: str = "") -> str:
    body = unit * (BODY_MAX // len(unit) + 1)
    return (prefix + body)[: BODY_MAX - len(suffix)] + suffix


@contextmanager
def alarm(seconds: float):
    """Stop a runaway regex (the engine checks for signals) instead of hanging the test run."""

    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(function, *args) -> float:
    """The best of up to three runs: a busy machine can stall one run, a backtracking pattern stalls all."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with alarm(ALARM):
            function(*args)
        best = min(best, time.perf_counter() - start)
        if best < BOUND:
            break
    return best


def test_the_reported_body_is_flagged_quickly():
    for length in (600, 800, BODY_MAX - 4):
        text = "ул. " + "A" * length
        assert timed(flag_details, text) < BOUND


@pytest.mark.parametrize("unit", UNITS)
def test_every_flag_path_is_linear_at_the_length_limit(unit):
    slow = []
    shapes = [(prefix, "x") for prefix in PREFIXES] + [("", suffix) for suffix in SUFFIXES]
    for prefix, suffix in shapes:
        text = at_the_limit(unit, prefix, suffix)
        assert len(text) == BODY_MAX
        seconds = timed(flag_details, text, TEACHER_WORDS)
        if seconds >= BOUND:
            slow.append((prefix, suffix, round(seconds, 3)))
    assert slow == []


@pytest.mark.parametrize("unit", ["A", "ул. A", "A'", "1 ", "a.", "fuck ", "<b>fuck</b> ", "&lt;"])
def test_highlighting_a_flagged_body_is_linear(unit):
    text = at_the_limit(unit, "ул. ")
    flags = flag_details(text, TEACHER_WORDS)
    html = str(render_reflection(text))
    assert timed(highlight, html, flags) < BOUND


@pytest.mark.parametrize(
    "text,match",
    [
        ("улица 8 Марта, 5", "улица 8 Марта, 5"),
        ("ул.Ленина5", "ул.Ленина5"),
        ("ул. Тверская-Ямская, дом 7", "ул. Тверская-Ямская, дом 7"),
        ("we met at O'Connell Street 5", "O'Connell Street 5"),
        ("12 Old Kent Road", "12 Old Kent Road"),
    ],
)
def test_addresses_still_flag_after_the_rewrite(text, match):
    details = {flag["kind"]: flag["matches"] for flag in flag_details(text)}
    assert details == {"address": [match]}

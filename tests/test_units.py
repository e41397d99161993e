"""Plain functions: film times, join and return codes, sanitising."""

import pytest

from classroom.filmtime import FilmTimeError, format_film_time, parse_film_time
from classroom.joincodes import (
    JOIN_ALPHABET,
    RETURN_CODE_SPACE,
    RETURN_WORDS,
    class_number_of,
    new_join_code,
    new_return_code,
    normalise_join_code,
    normalise_return_code,
)
from classroom.sanitize import plain_text, render_reflection, sanitize_html, word_count


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("0:00", 0),
        ("1:05", 65),
        ("12:30", 750),
        ("0:12:30", 750),
        ("1:00:00", 3600),
        ("1:30:00", 5400),
        (" 45:00 ", 2700),
        ("90:00", 5400),
    ],
)
def test_parse_film_time(text, seconds):
    assert parse_film_time(text) == seconds


@pytest.mark.parametrize(
    "text", ["1:95:00", "-1:00", "abc", "1:30:01", "2:00:00", "91:00", "", "1:60", "5", "1:2", None]
)
def test_parse_film_time_refuses(text):
    with pytest.raises(FilmTimeError) as error:
        parse_film_time(text)
    assert "between 0:00 and 1:30:00" in str(error.value)


def test_format_film_time():
    assert format_film_time(0) == "0:00:00"
    assert format_film_time(750) == "0:12:30"
    assert format_film_time(5400) == "1:30:00"


def test_join_codes_avoid_look_alikes():
    for look_alike in "0O1IL":
        assert look_alike not in JOIN_ALPHABET
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(JOIN_ALPHABET) for code in codes)


def test_normalise_join_code():
    assert normalise_join_code(" abcd-2345 ") == "ABCD2345"


def test_return_codes_are_the_class_number_and_four_words():
    code = new_return_code(12)
    number, *words = code.split("-")
    assert number == "12" and len(words) == 4 and all(word in RETURN_WORDS for word in words)
    assert normalise_return_code(" 12 Otter_QUILL lunar--tulip ") == "12-otter-quill-lunar-tulip"
    assert class_number_of("12-otter-quill-lunar-tulip") == 12
    assert class_number_of("otter-quill-lunar-tulip") is None
    assert class_number_of("²-otter") is None


def test_a_wrong_guess_at_a_class_return_code_is_hopeless():
    """Every class has at least 10^12 return codes, each word easy to say: short, plain letters, no repeats."""
    assert RETURN_CODE_SPACE == len(set(RETURN_WORDS)) ** 4 >= 10**12
    assert all(word.isascii() and word.isalpha() and word.islower() and 3 <= len(word) <= 5 for word in RETURN_WORDS)


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<p style="color:red">x</p>',
        '<b onclick="x()">bold</b>',
    ],
)
def test_render_reflection_strips_danger(dangerous):
    html = str(render_reflection(dangerous))
    for bad in ("<script", "onerror", "onclick", "javascript:", "style=", "<a", "<img", "href"):
        assert bad not in html


def test_render_reflection_keeps_light_formatting():
    html = str(render_reflection("**bold** and *italic*\n\n- one\n- two\n\n> a quote"))
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<li>one</li>" in html and "<blockquote>" in html


def test_sanitize_html_drops_attributes():
    assert str(sanitize_html('<p class="x" id="y">hi</p>')) == "<p>hi</p>"


def test_plain_text_and_word_count():
    assert plain_text("**Pride** & pain") == "Pride & pain"
    assert word_count("one *two*\n\n- three") == 3

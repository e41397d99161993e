"""Flags: built-in and teacher words, personal data patterns, and safe highlighting."""

import json
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from classroom.moderation.flags import (
    apply_flags,
    builtin_words,
    find_matches,
    flag_details,
    highlight,
    parse_word_list,
)
from classroom.sanitize import render_reflection


def kinds(text, extra=""):
    return {flag["kind"]: flag["matches"] for flag in flag_details(text, extra)}


def test_builtin_list_is_short_and_loaded_from_the_package():
    words = builtin_words()
    assert 10 < len(words) < 200
    assert "fuck" in words and "сука" in words
    assert not any(word.startswith("#") for word in words)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("What the fuck was that", ["fuck"]),
        ("FUCK this", ["FUCK"]),
        ("f*ck the regime", ["f*ck"]),
        ("Это пиздец.", ["пиздец"]),
        ("ну и сука", ["сука"]),
        ("Блядь!", ["Блядь"]),
        ("блёдь", None),
    ],
)
def test_builtin_words_flag(text, expected):
    found = kinds(text)
    assert found.get("word") == expected


@pytest.mark.parametrize(
    "innocent",
    [
        "Scunthorpe is a town in England.",
        "The class assessed the assassination.",
        "She read Dickens and ate shiitake mushrooms.",
        "Нельзя оскорблять память погибших.",  # contains "бля" inside a word
        "Застрахуйте дом.",  # contains "хуй" inside a word
        "Cocktail, Sussex, therapist, grape, Essex.",
        "He was accused of retardation of growth? No: of slowness.",
    ],
)
def test_words_inside_innocent_words_never_flag(innocent):
    assert flag_details(innocent) == []


def test_teacher_words_are_whole_words_case_insensitive_and_fold_yo():
    extra = "traitor\n  ёлка  \n\n# a comment\nenemy of the people"
    found = kinds("He called her a TRAITOR. Елка. An enemy  of the people! Traitorous is fine.", extra)
    assert found["teacher_word"] == ["TRAITOR", "Елка", "enemy  of the people"]
    assert "word" not in found


def test_a_teacher_word_already_built_in_is_reported_once():
    found = kinds("fuck", "fuck\nFUCK")
    assert found == {"word": ["fuck"]}


def test_parse_word_list_drops_blanks_comments_and_repeats():
    assert parse_word_list("a\n\n # no\nA\n b  c \nё\nе") == ["a", "b c", "ё"]


@pytest.mark.parametrize(
    "text,match",
    [
        ("write to sasha.k+news@mail.ru today", "sasha.k+news@mail.ru"),
        ("Sasha_K@School.Example.org.", "Sasha_K@School.Example.org"),
        ("sasha (at) gmail.com", "sasha (at) gmail.com"),
    ],
)
def test_emails(text, match):
    assert kinds(text) == {"email": [match]}


@pytest.mark.parametrize(
    "text,match",
    [
        ("call +7 912 345-67-89 later", "+7 912 345-67-89"),
        ("ring +44 20 7946 0958", "+44 20 7946 0958"),
        ("my number is (495) 123-45-67", "(495) 123-45-67"),
        ("8 (912) 345-67-89", "8 (912) 345-67-89"),
        ("text 07700 900123", "07700 900123"),
        ("555-1234.", "555-1234"),
        ("89123456789", "89123456789"),
        ("+491711234567", "+491711234567"),
    ],
)
def test_phone_numbers(text, match):
    assert kinds(text) == {"phone": [match]}


@pytest.mark.parametrize(
    "text",
    [
        "At 1:30:00 the film ends; at 0:45:10 she cries.",
        "Some 20 million people died, or 20 000 000, or 20,000,000, or 1500000.",
        "From 1937-1938 and 1937–1938 and 1937 1938 the terror peaked.",
        "Stalin died on 05.03.1953 (1953-03-05).",
        "In 1941 the war came; 27 million dead by 1945.",
        "Page 123 of 456.",
    ],
)
def test_numbers_that_are_not_phone_numbers(text):
    assert flag_details(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("I live at 12 Lenin Street, come over", "12 Lenin Street"),
        ("221B Baker St. is famous", "221B Baker St"),
        ("we moved to Tverskaya Ulitsa 7 last year", "Tverskaya Ulitsa 7"),
        ("мой адрес: ул. Ленина, д. 5", "ул. Ленина, д. 5"),
        ("улица Мира 12", "улица Мира 12"),
    ],
)
def test_street_addresses(text, match):
    assert kinds(text) == {"address": [match]}


@pytest.mark.parametrize(
    "text",
    [
        "In 1937 Red Square was full.",
        "The parade on Red Square moved me.",
        "She walked down the street in 1953.",
        "He lived 12 years in a camp.",
    ],
)
def test_not_addresses(text):
    assert flag_details(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("see https://example.com/page?x=1.", "https://example.com/page?x=1"),
        ("http://bad.example", "http://bad.example"),
        ("www.vk.com", "www.vk.com"),
        ("follow me on tiktok.com/@sasha", "tiktok.com/@sasha"),
        ("Example.org has it", "Example.org"),
        ("на сайте мой-сайт.рф", "мой-сайт.рф"),
    ],
)
def test_links(text, match):
    assert kinds(text) == {"link": [match]}


@pytest.mark.parametrize("text", ["The end.Me too.", "e.g. this, i.e. that, etc.", "Mr.Smith", "version 1.2.3"])
def test_not_links(text):
    assert flag_details(text) == []


def test_several_kinds_in_one_text_most_serious_first():
    details = flag_details("Shit. Mail me at a@b.com or see b.com, call 555-1234", "")
    assert [d["kind"] for d in details] == ["word", "email", "phone", "link"]
    assert details[1]["matches"] == ["a@b.com"]
    assert all(d["reason"] for d in details)


def test_matches_are_in_reading_order_with_positions():
    matches = find_matches("a fuck b shit")
    assert [(m.text, m.start) for m in matches] == [("fuck", 2), ("shit", 9)]


def test_apply_flags_sets_flagged_and_json_details():
    reflection = SimpleNamespace(body="Email me: kid@example.com", flagged=False, flag_details="")
    apply_flags(reflection, "")
    assert reflection.flagged is True
    assert json.loads(reflection.flag_details) == [
        {"kind": "email", "reason": "Looks like an email address", "matches": ["kid@example.com"]}
    ]
    reflection.body = "A calm, thoughtful answer."
    apply_flags(reflection, "")
    assert reflection.flagged is False and reflection.flag_details == ""


def test_apply_flags_uses_the_teacher_words():
    reflection = SimpleNamespace(body="Он предатель.", flagged=False, flag_details="")
    apply_flags(reflection, "предатель")
    assert reflection.flagged and json.loads(reflection.flag_details)[0]["kind"] == "teacher_word"


def test_highlight_marks_words_inside_sanitised_html_only():
    body = 'I <script>alert("x")</script> say fuck <b onclick="evil()">shit</b> & <img src=x onerror=y> 1 < 2'
    html = str(highlight(str(render_reflection(body)), flag_details(body)))
    assert "<script" not in html and "onclick" not in html and "<img" not in html and "onerror" not in html
    assert "<mark>fuck</mark>" in html
    assert "<b><mark>shit</mark></b>" in html
    assert "1 &lt; 2" in html
    ElementTree.fromstring(f"<div>{html}</div>")  # still well-formed markup


def test_highlight_never_unescapes_text_into_markup():
    # The student typed escaped-looking text; it must stay text after unescaping and re-escaping.
    body = "fuck &lt;script&gt;alert(1)&lt;/script&gt;"
    html = str(highlight(str(render_reflection(body)), flag_details("fuck")))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<mark>") == 1


def test_highlight_a_flagged_word_that_looks_like_a_tag():
    # A teacher word containing markup characters is still only ever text inside <mark>.
    flags = [{"kind": "teacher_word", "reason": "", "matches": ["<b>x</b>"]}]
    html = str(highlight("<p>&lt;b&gt;x&lt;/b&gt; hi</p>", flags))
    assert html == "<p><mark>&lt;b&gt;x&lt;/b&gt;</mark> hi</p>"


def test_highlight_without_flags_is_the_sanitised_html():
    assert str(highlight("<p>hi<script>x</script></p>", [])) == "<p>hix</p>"


def test_highlight_multiword_and_phone_matches():
    body = "call +7 912 345-67-89 now"
    html = str(highlight(str(render_reflection(body)), flag_details(body)))
    assert "<mark>+7 912 345-67-89</mark>" in html

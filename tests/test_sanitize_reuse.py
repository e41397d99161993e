"""The sanitiser keeps one Cleaner and one Markdown converter per thread: the output must be exactly
what fresh ones per call (bleach.clean, markdown.markdown) give, with nothing carried between texts."""

import threading

import bleach
import markdown
import pytest

from classroom.bench.texts import text_pool
from classroom.models import THEMES
from classroom.sanitize import ALLOWED_TAGS, plain_text, render_reflection, sanitize_html

TRICKY = [
    "<script>alert(1)</script>hi",
    "[x]: https://evil.example/\n\nA reference defined here.",
    "Then used here: [the link][x] and [x].",
    "Footnote-like[^1] text.\n\n[^1]: kept as text",
    "**bold** <a href=x onclick=y>a link</a> *it*",
    "> a quote\n\n- one\n- two\n\n1. first\n2. second",
    "<img src=x onerror=alert(1)>picture",
    "&lt;b&gt; & < > \" '",
    "<p style='color:red'>styled</p><!-- a comment -->",
    "Text\n\n    an indented code block\n\n`inline code`",
    "# Heading\n\n---\n\n<table><tr><td>cell</td></tr></table>",
    "<div><p>unclosed <b>bold",
    "Подсолнухи и *память*: **Норильск**.",
    "",
    None,
]


def fresh_render(text):
    html = markdown.markdown(text or "", output_format="html")
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes={}, protocols=[], strip=True)


def fresh_plain(text):
    return (
        bleach.clean(fresh_render(text), tags=[], strip=True)
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .strip()
    )


def corpus():
    texts = [text for _, text in text_pool(120, THEMES, seed=3, personal_share=0.2)]
    # Tricky inputs before and after each other, so any state left by one would show in the next.
    return TRICKY + texts + list(reversed(TRICKY))


@pytest.mark.parametrize("text", corpus())
def test_render_and_plain_text_are_what_fresh_instances_give(text):
    assert str(render_reflection(text)) == fresh_render(text)
    assert plain_text(text) == fresh_plain(text)
    assert str(sanitize_html(text)) == bleach.clean(
        text or "", tags=ALLOWED_TAGS, attributes={}, protocols=[], strip=True
    )


def test_a_link_reference_never_carries_over_to_the_next_text():
    render_reflection("[x]: https://evil.example/\n\nDefined.")
    assert str(render_reflection("Use [it][x].")) == "<p>Use [it][x].</p>"


def test_threads_each_get_the_same_output():
    texts = corpus()
    expected = [str(render_reflection(t)) for t in texts]
    results, errors = {}, []

    def work(number):
        try:
            results[number] = [str(render_reflection(t)) for t in texts]
        except Exception as error:  # pragma: no cover - only when a thread breaks
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(results[n] == expected for n in range(4))

"""Every filter and global the templates use, registered in one place."""

import re

from flask import Flask, url_for

from .classes.media import CAPTION_LANGUAGES
from .filmtime import format_film_time
from .marks.scheme import describe_mark
from .sanitize import user_html
from .statuses import STATUS_LABELS, STATUS_SETS, ReflectionStatus
from .timezones import school_time, zone_name


def join_link(code: str) -> str:
    """The full address students open to join a class."""
    return url_for("join.code", code=code, _external=True)


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 word', '5 words' (or the given plural for irregular words)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


_TAG = re.compile(r"<[^>]*>")


# Everything but Cyrillic letters, everything but Latin ones: what is left after removing them is counted.
_NOT_CYRILLIC = re.compile("[^\u0400-\u04ff]+")
_NOT_LATIN = re.compile("[^A-Za-z]+")
_ANY_CYRILLIC = re.compile("[\u0400-\u04ff]")


def text_lang(text: str | None) -> str:
    """'ru' for text written mostly in Cyrillic (so screen readers read it in Russian), else ''."""
    # Counted by regular expressions (in C), not character by character in Python: the student's page
    # asks this of every classmate's reflection, and the loop was most of that page's time (issue 13).
    if not text or _ANY_CYRILLIC.search(text) is None:
        # No Cyrillic letter at all (most reflections): nothing to count. One scan instead of three passes.
        return ""
    letters = _TAG.sub(" ", text)
    cyrillic = len(_NOT_CYRILLIC.sub("", letters))
    latin = len(_NOT_LATIN.sub("", letters))
    return "ru" if cyrillic > latin else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["text_lang"] = text_lang
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["film_time"] = format_film_time
    app.jinja_env.filters["user_html"] = user_html
    app.jinja_env.filters["school_time"] = school_time
    app.jinja_env.globals["caption_language_names"] = CAPTION_LANGUAGES
    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    app.jinja_env.globals["statuses"] = ReflectionStatus
    app.jinja_env.globals["status_sets"] = STATUS_SETS
    app.jinja_env.globals["school_zone_name"] = zone_name
    app.jinja_env.globals["join_link"] = join_link
    app.jinja_env.globals["describe_mark"] = describe_mark

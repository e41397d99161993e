"""Helpers every blueprint's routes share: where a redirect may go, form pages, numbers from a form, addresses."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, render_template, request, url_for
from werkzeug.routing import IntegerConverter

# The largest id any table can hold on every database we run on (PostgreSQL `integer`); a bigger
# number in a path, query or form can name nothing, and sent to the database it fails the query.
MAX_ID = 2**31 - 1
# Tab, newline and carriage return are ordinary text; every other control character (a NUL byte
# above all, which PostgreSQL refuses in text) has no place in anything a person types.
ALLOWED_CONTROLS = frozenset("\t\n\r")


# Every character of category Cc: checking a whole text with one search instead of a category lookup per
# character made a reflection's save cheaper (its form's fields are checked on every save, issue 13).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(text: str, allowed: frozenset[str] = ALLOWED_CONTROLS) -> bool:
    """True when the text holds a control character (category Cc) other than the allowed ones."""
    return any(ch not in allowed for ch in _CONTROL_CHARACTERS.findall(text))


def safe_next(target: str | None) -> str | None:
    r"""Only a path on this site: never another host, scheme or protocol-relative URL.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil.com" and
    "/\\evil.com" lead off-site: any control character or backslash refuses the target. Every `next`
    the app reads goes through here (tests/test_safe_next.py checks the source).
    """
    if not target or not isinstance(target, str):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    # Other whitespace (a no-break space, a line separator) has no place in a path either, and an
    # unbalanced "[" makes urlsplit raise.
    if any(char.isspace() for char in target) or has_control_characters(target, frozenset()):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def form_page(template: str, **context: object) -> tuple[str, int]:
    """Render a form page: 400 after a refused POST (so clients and tests see the refusal), 200 on a visit."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, **context), status


def int_or_none(value: object) -> int | None:
    """A whole number from a form or query string, or None when it is missing, not a number or too big to be an id.

    Only ASCII digits count: "²" and "١٢" pass str.isdigit() but are not numbers a form sends.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not (digits.isascii() and digits.isdecimal()) or len(digits) > len(str(MAX_ID)):
            return None
        number = int(text)
    else:
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


def id_or_none(value: object) -> int | None:
    """A positive id from a form or query string, or None (see int_or_none)."""
    number = int_or_none(value)
    return number if number is not None and number > 0 else None


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: ASCII digits only, and no bigger than an id can be, so anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def refuse_control_characters_in_the_address() -> None:
    """Before every request: a control character in the path is a 404, in the query string a 400.

    Forms report control characters next to their field (classroom.forms.Form); an address is never
    typed with one, and letting it through would send a NUL byte to the database.
    """
    if has_control_characters(request.path, frozenset()):
        abort(404)
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            abort(400)


def address_for_each(endpoint: str, id_name: str, **values: Any) -> Callable[[int], str]:
    """The endpoint's address as a function of the id named `id_name`, from one url_for: a page linking to many
    rows fills in each row's id instead of calling url_for per row and form (issue 13). The id comes last in
    the address, and MAX_ID (which no row has) stands in for it while url_for builds the pattern."""
    before, found, after = url_for(endpoint, **{**values, id_name: MAX_ID}).rpartition(str(MAX_ID))
    if not found:
        raise ValueError(f"{endpoint} does not take {id_name} in its path")
    return lambda row_id: f"{before}{row_id}{after}"

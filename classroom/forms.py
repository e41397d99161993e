"""The base of every form: what no text field may hold, checked before any other rule runs."""

from collections.abc import Mapping, Sequence
from typing import Any

import wtforms
from flask_wtf import FlaskForm

from .web import has_control_characters

CONTROL_CHARACTER_MESSAGE = (
    "This text holds an invisible control character (such as a NUL byte) that cannot be saved. "
    "Retype it or paste it again as plain text."
)


class RefusesControlCharacters(wtforms.Form):
    """Refuses control characters (all but tab and line breaks) in any text field, next to the field.

    The check comes first, because other rules may look the text up in the database, and PostgreSQL
    refuses a NUL byte in any text. The form keeps what was typed, so nothing is lost.
    """

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        refused = [field for field in self if isinstance(field.data, str) and has_control_characters(field.data)]
        if not refused:
            return super().validate(extra_validators)
        for field in self:
            field.errors = [CONTROL_CHARACTER_MESSAGE] if field in refused else []
        self.form_errors.clear()
        return False


class Form(RefusesControlCharacters, FlaskForm):
    """Every page form: Flask-WTF (CSRF) with control characters refused."""


class PlainForm(RefusesControlCharacters, wtforms.Form):
    """A form without its own CSRF token (the page's one token is checked by the route)."""

"""Students' forms on the assignment page: the stance question and a reflection."""

from typing import Any

from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..filmtime import FilmTimeError, parse_film_time
from ..forms import Form, PlainForm
from ..web import int_or_none
from .reflections import BODY_MAX, BadReflection, clean_body


class StanceAnswerForm(Form):
    option = RadioField(
        "Your answer",
        coerce=int,
        validators=[InputRequired("Please choose one answer.")],
        validate_choice=True,
    )

    def __init__(self, question: str, options: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option.label.text = question
        self.option.choices = list(enumerate(options))


BODY_LABEL = "Your reflection"
BODY_HINT = (
    f"Up to {BODY_MAX:,} characters. Formatting: **bold**, *italic*, a line starting with - for "
    "a list, > for a quote. Links and pictures are removed."
)
AT_LABEL = "A moment you refer to (optional)"
AT_HINT = "A time in the film such as 0:42:10, if your reflection is about a particular moment."


class ReflectionForm(PlainForm):
    """Validates one posted prompt form (prefixed p<prompt id>).

    A plain WTForms form, not a FlaskForm: the page renders its N prompt forms as plain HTML with
    the page's one CSRF token, and the save route checks that token itself (see routes.save).
    """

    body = TextAreaField(BODY_LABEL, description=BODY_HINT)
    at = StringField(AT_LABEL, description=AT_HINT)
    version = HiddenField(default="0")
    owner = HiddenField()
    save_draft = SubmitField("Save draft")
    send = SubmitField("Submit")

    def __init__(self, *args: Any, film_seconds: int, **kwargs: Any) -> None:
        self.film_seconds = film_seconds
        self.cited_seconds: int | None = None
        super().__init__(*args, **kwargs)

    def validate_body(self, field):
        try:
            field.data = clean_body(field.data)
        except BadReflection as problem:
            raise ValidationError(str(problem)) from problem

    def validate_at(self, field):
        text = (field.data or "").strip()
        if text:
            try:
                self.cited_seconds = parse_film_time(text, limit=self.film_seconds)
            except FilmTimeError as problem:
                raise ValidationError(str(problem)) from problem
        else:
            self.cited_seconds = None

    def expected_version(self) -> int:
        """The version of the reflection this form was loaded with (0 for a new one)."""
        version = int_or_none(self.version.data)
        return version if version is not None and version > 0 else 0

    def wants_submit(self) -> bool:
        return bool(self.send.data)

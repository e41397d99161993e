"""Students' forms: joining, coming back, the stance question and a reflection; the roster's rename."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..filmtime import FilmTimeError, parse_film_time
from .joining import NAME_MAX, BadDisplayName, clean_display_name
from .reflections import BODY_MAX, BadReflection, clean_body


class JoinCodeForm(FlaskForm):
    code = StringField(
        "Class code",
        validators=[InputRequired("Please type the code your teacher gave you.")],
        description="8 letters and numbers, e.g. K7PM-3QXD. Capitals, spaces and dashes don't matter.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        "Your display name",
        validators=[InputRequired("Please type the name your teacher will see.")],
        description=f"Up to {NAME_MAX} characters. Your first name or a nickname your teacher will recognise. "
        "Nothing else about you is asked or stored.",
        render_kw={"autocomplete": "off", "maxlength": NAME_MAX * 2},
    )

    def validate_display_name(self, field):
        try:
            field.data = clean_display_name(field.data)
        except BadDisplayName as problem:
            raise ValidationError(str(problem)) from problem


class ResumeForm(FlaskForm):
    return_code = StringField(
        "Your return code",
        validators=[InputRequired("Please type your return code.")],
        description="Three words, e.g. maple-otter-quill. Your teacher can print it for you if it is lost.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    # What a signed-out student had typed, carried through this form so it is never lost.
    stash_assignment = HiddenField()
    stash_prompt = HiddenField()
    stash_owner = HiddenField()
    stash_version = HiddenField()
    stash_at = HiddenField()
    stash_body = TextAreaField("What you wrote (kept safe while you sign back in)")


class StanceForm(FlaskForm):
    option = RadioField(
        "Your answer",
        coerce=int,
        validators=[InputRequired("Please choose one answer.")],
        validate_choice=True,
    )

    def __init__(self, question: str, options: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.option.label.text = question
        self.option.choices = list(enumerate(options))


class ReflectionForm(FlaskForm):
    body = TextAreaField(
        "Your reflection",
        description=f"Up to {BODY_MAX:,} characters. Formatting: **bold**, *italic*, a line starting with - for "
        "a list, > for a quote. Links and pictures are removed.",
    )
    at = StringField(
        "A moment you refer to (optional)",
        description="A time in the film such as 0:42:10, if your reflection is about a particular moment.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    version = HiddenField(default="0")
    owner = HiddenField()
    save_draft = SubmitField("Save draft")
    send = SubmitField("Submit")

    def __init__(self, *args, film_seconds: int, **kwargs):
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
        raw = (self.version.data or "0").strip()
        return int(raw) if raw.isdigit() else 0

    def wants_submit(self) -> bool:
        return bool(self.send.data)


class RenameForm(FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[InputRequired("Please type a name.")],
        description=f"Up to {NAME_MAX} characters; the student sees it too.",
    )

    def validate_display_name(self, field):
        try:
            field.data = clean_display_name(field.data)
        except BadDisplayName as problem:
            raise ValidationError(str(problem)) from problem

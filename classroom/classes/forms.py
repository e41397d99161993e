"""Forms for classes, their assignments and their roster."""

from flask import current_app
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import Form
from ..join.logic import NAME_MAX, BadDisplayName, clean_display_name
from .media import CAPTION_LANGUAGES, MAX_CAPTIONS_BYTES, MediaError, check_video_url, read_captions

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
DATETIME_MESSAGE = "Give a date and time, for example 2026-12-01 09:00."


def checked_video_url(form: Form, field: Field) -> None:
    """The film link's rule (classes/media.check_video_url) for every form that takes one; keeps the cleaned link."""
    try:
        field.data = check_video_url(field.data, current_app.config.get("ALLOW_LOOPBACK_HTTP_MEDIA", False))
    except MediaError as error:
        raise ValidationError(str(error)) from error


# An assignment's film link and a plan's (lessons/forms.py PlanForm), checked alike.
VIDEO_URL_VALIDATORS = (Length(max=2000, message="That link is too long."), checked_video_url)


class ClassForm(Form):
    name = StringField(
        "Class name",
        validators=[
            DataRequired("Please name the class."),
            Length(max=120, message="Keep the name to 120 characters."),
        ],
        description='What you and your students call it, for example "History 11B".',
    )
    term = StringField(
        "Term or year",
        validators=[Length(max=60, message="Keep the term to 60 characters.")],
        description='Optional, for example "Autumn 2026".',
    )


class AssignmentForm(Form):
    """Dates, media and options; the new-assignment page adds the plan choice."""

    title = StringField(
        "Title students see",
        validators=[Length(max=200, message="Keep the title to 200 characters.")],
        description="Leave empty to use the plan's title.",
    )
    opens_at = DateTimeLocalField(
        "Opens",
        format=DATETIME_FORMATS,
        validators=[Optional()],
        render_kw={"step": 60},
        description="Students can start from this moment. Leave empty to open it now.",
    )
    closes_at = DateTimeLocalField(
        "Closes",
        format=DATETIME_FORMATS,
        validators=[Optional()],
        render_kw={"step": 60},
        description="After this the assignment is closed. Leave empty for no end.",
    )
    video_url = URLField(
        "Link to the film (optional)",
        validators=list(VIDEO_URL_VALIDATORS),
        description="Your school's licensed stream or video file, starting with https://. Without it, students watch the film in class and answer at each time.",
    )
    captions = FileField(
        "Captions file (optional)",
        render_kw={"accept": ".vtt,text/vtt"},
        description=f"A WebVTT (.vtt) file of subtitles, up to {MAX_CAPTIONS_BYTES // 1024} KB. "
        "Upload one file per language: students choose the language in the player.",
    )
    captions_language = SelectField(
        "Language of the captions file",
        choices=[SelectChoice(code, name) for code, name in CAPTION_LANGUAGES.items()],
        default="en",
        description="A new file in a language already uploaded replaces that language's file.",
    )
    # Shown as one checkbox per uploaded language (templates/classes/assignment_form.html).
    remove_captions = SelectMultipleField(
        "Remove captions", choices=[SelectChoice(code, name) for code, name in CAPTION_LANGUAGES.items()]
    )
    require_approval = BooleanField("Reflections need my approval before classmates see them", default=True)
    show_classmates = BooleanField("Students see classmates' approved reflections", default=True)
    anonymise = BooleanField("Hide classmates' names from each other", default=True)

    # Filled by the validators so the route does not read the upload twice.
    captions_text: str | None = None

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("The closing time must be after the opening time.")

    def validate_captions(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        # Read one byte past the limit: enough to know it is too big without reading it all.
        data = upload.stream.read(MAX_CAPTIONS_BYTES + 1)
        try:
            self.captions_text = read_captions(data)
        except MediaError as error:
            raise ValidationError(str(error)) from error


class NewAssignmentForm(AssignmentForm):
    plan = SelectField("Lesson plan", coerce=int, validators=[DataRequired("Please choose one of your plans.")])


class RenameForm(Form):
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


def date_error_messages(form: AssignmentForm) -> None:
    """Replace WTForms' terse parse error with one that shows the expected shape."""
    for field in (form.opens_at, form.closes_at):
        field.errors = [DATETIME_MESSAGE if "Not a valid" in message else message for message in field.errors]


class MergeForm(Form):
    """Which student of the class keeps the work; the choices are the class's other students."""

    into = SelectField(
        "Move their work to",
        coerce=int,
        validators=[InputRequired("Choose the student who keeps the work.")],
        description="That student keeps their name and return code.",
    )

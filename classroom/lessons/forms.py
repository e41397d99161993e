"""Forms for lesson plans, their prompts and the stance poll.

PromptForm serves a plan's prompts and an assignment's own copies (`classes/routes.py`) alike.
"""

from typing import Any

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, ValidationError

from ..classes.forms import VIDEO_URL_VALIDATORS
from ..filmtime import FILM_SECONDS, FilmTimeError, format_film_time, parse_film_time
from ..forms import Form
from ..models import THEMES, PromptFields
from .plans import MAX_STANCE_OPTIONS, MIN_STANCE_OPTIONS, TITLE_LENGTH, parse_stance_options

PROMPT_LENGTH = 1000


class PlanForm(Form):
    title = StringField("Title", validators=[DataRequired("Please give the plan a title."), Length(max=TITLE_LENGTH)])
    grade_band = StringField(
        "Grade band",
        validators=[Length(max=60, message="Keep the grade band to 60 characters.")],
        description='Who the plan is for, for example "Ages 15-18 (grades 10-12)".',
    )
    objectives = TextAreaField(
        "Learning objectives",
        validators=[Length(max=4000, message="Keep the objectives to 4,000 characters.")],
        description="One objective a line. Students see these at the top of the assignment.",
    )
    video_url = URLField(
        "Link to the film for checking times (optional)",
        validators=list(VIDEO_URL_VALIDATORS),
        description="Your school's licensed stream or video file, starting with https://. The prompt pages play it "
        "so you can check each time before assigning; new assignments of this plan start with it.",
    )


class PromptForm(Form):
    text = TextAreaField(
        "Prompt",
        validators=[
            DataRequired("Please write the prompt."),
            Length(max=PROMPT_LENGTH, message=f"Keep the prompt to {PROMPT_LENGTH:,} characters."),
        ],
        description="An open question students answer when the film reaches this moment.",
    )
    time = StringField(
        "Time in the film",
        validators=[DataRequired(f"Please give a time between 0:00 and {format_film_time(FILM_SECONDS)}.")],
        description=f"H:MM:SS or M:SS, between 0:00 and {format_film_time(FILM_SECONDS)}, for example 0:12:30.",
    )
    theme = SelectField("Theme", choices=[SelectChoice(theme, theme.capitalize()) for theme in THEMES])
    pause = BooleanField("Pause the film here so students answer before watching on")
    teacher_note = TextAreaField(
        "Note for you",
        validators=[Length(max=2000, message="Keep the note to 2,000 characters.")],
        description="Only teachers see this: how to handle the moment with your class.",
    )
    time_checked = BooleanField("I have checked this time against the film")

    # Set by validate_time so the route does not parse twice (read it only after validate_on_submit).
    seconds: int = 0

    def validate_time(self, field):
        try:
            self.seconds = parse_film_time(field.data)
        except FilmTimeError as error:
            raise ValidationError(str(error)) from error

    def show_saved(self, prompt: PromptFields) -> None:
        """On first showing an edit, give the time as the teacher types it and the check as stored."""
        self.time.data = format_film_time(prompt.time_seconds)
        self.time_checked.data = prompt.time_confirmed

    def typed_fields(self) -> dict[str, Any]:
        """The prompt as typed, as keyword arguments of the prompt rules (read only after validate_on_submit)."""
        return {
            "text": self.text.data,
            "time_seconds": self.seconds,
            "theme": self.theme.data,
            "pause": self.pause.data,
            "teacher_note": self.teacher_note.data,
        }


class StanceQuestionForm(Form):
    question = TextAreaField(
        "Question",
        validators=[
            DataRequired("Please write the question."),
            Length(max=500, message="Keep the question to 500 characters."),
        ],
        description="Students answer it before watching and again afterwards.",
    )
    options = TextAreaField(
        "Options",
        validators=[DataRequired(f"Please give {MIN_STANCE_OPTIONS} to {MAX_STANCE_OPTIONS} options.")],
        description=f"One option a line, {MIN_STANCE_OPTIONS} to {MAX_STANCE_OPTIONS} options.",
    )

    # Set by validate_options (read it only after validate_on_submit).
    parsed_options: list[str] = []  # noqa: RUF012 - replaced, never mutated

    def validate_options(self, field):
        try:
            self.parsed_options = parse_stance_options(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

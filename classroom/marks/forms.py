"""Forms for the marking scheme and for a mark."""

from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..forms import Form
from .scheme import MAX_CRITERIA, MAX_POINTS_PER_PROMPT, SCHEMES


class SchemeForm(Form):
    scheme = RadioField(
        "How is this assignment marked?",
        choices=[SelectChoice(value, label) for value, label in SCHEMES.items()],
        validators=[InputRequired()],
    )
    points_per_prompt = IntegerField(
        "Points for each prompt",
        default=2,
        validators=[Optional(), NumberRange(1, MAX_POINTS_PER_PROMPT, f"Between 1 and {MAX_POINTS_PER_PROMPT}.")],
        description="Each reflection gets 0 up to this many points.",
    )
    # Up to four criteria: a name, and three or four levels (one per line, lowest first).
    criterion_1 = StringField("Criterion 1")
    levels_1 = TextAreaField("Levels of criterion 1", render_kw={"rows": 4})
    criterion_2 = StringField("Criterion 2")
    levels_2 = TextAreaField("Levels of criterion 2", render_kw={"rows": 4})
    criterion_3 = StringField("Criterion 3")
    levels_3 = TextAreaField("Levels of criterion 3", render_kw={"rows": 4})
    criterion_4 = StringField("Criterion 4")
    levels_4 = TextAreaField("Levels of criterion 4", render_kw={"rows": 4})

    def rubric(self) -> list[dict]:
        return [
            {"name": self[f"criterion_{i}"].data or "", "levels": (self[f"levels_{i}"].data or "").splitlines()}
            for i in range(1, MAX_CRITERIA + 1)
        ]

    def fill_rubric(self, rubric: list[dict]) -> None:
        for i, criterion in enumerate(rubric[:MAX_CRITERIA], start=1):
            self[f"criterion_{i}"].data = criterion["name"]
            self[f"levels_{i}"].data = "\n".join(criterion["levels"])


class MarkForm(Form):
    """Points come as `points`, rubric levels as `level-<n>`; where to go back to as in moderation."""

    back = HiddenField()
    next_id = HiddenField()
    assignment = HiddenField()
    page = HiddenField()

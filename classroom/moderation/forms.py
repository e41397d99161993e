"""Forms for the teacher's moderation decisions and flag words."""

from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import Form
from .decisions import FEEDBACK_MISSING, REASON_MISSING

MAX_FLAG_WORDS = 200


class DecisionForm(Form):
    """Approve: only the version the teacher saw, so stale pages are caught.

    The queue shows many of these as plain HTML forms sharing the page's one CSRF token, which
    CSRFProtect checks for every POST; these classes only validate the fields on the way in.
    """

    class Meta:
        csrf = False

    # Where the teacher came from, so the decision returns them to the same place in the queue.
    version = HiddenField()
    next_id = HiddenField()
    assignment = HiddenField()
    page = HiddenField()
    back = HiddenField()


class ReturnForm(DecisionForm):
    feedback = TextAreaField(
        "Feedback for the student",
        description="Say what to improve; the student revises and submits again.",
        validators=[DataRequired(FEEDBACK_MISSING), Length(max=2000)],
        render_kw={"rows": 3},
    )


class RejectForm(DecisionForm):
    feedback = TextAreaField(
        "Reason (the student sees it)",
        description="Classmates never see a rejected reflection.",
        validators=[DataRequired(REASON_MISSING), Length(max=2000)],
        render_kw={"rows": 3},
    )


class ReopenForm(DecisionForm):
    feedback = TextAreaField(
        "Message for the student (optional)",
        description="Left empty, the student sees the reason you gave when rejecting it.",
        validators=[Length(max=2000)],
        render_kw={"rows": 3},
    )


class BulkApproveForm(Form):
    """Only carries the CSRF token; the chosen reflections come as checkboxes named "selected"."""


class FlagWordsForm(Form):
    words = TextAreaField(
        "Your extra words",
        description="One word or short phrase per line. Matched as whole words, upper or lower case alike.",
        validators=[Length(max=10000)],
        render_kw={"rows": 12},
    )

    def validate_words(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > MAX_FLAG_WORDS:
            raise ValidationError(f"Keep the list to {MAX_FLAG_WORDS} lines or fewer.")
        too_long = [line for line in lines if len(line) > 60]
        if too_long:
            raise ValidationError(f"Each line can be at most 60 characters: “{too_long[0][:30]}…” is longer.")

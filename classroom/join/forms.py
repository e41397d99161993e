"""Forms for joining a class and coming back to it."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..forms import Form
from .logic import NAME_MAX, NAME_MISSING, BadDisplayName, clean_display_name


class JoinCodeForm(Form):
    code = StringField(
        "Class code",
        validators=[InputRequired("Please type the code your teacher gave you.")],
        description="8 letters and numbers, e.g. K7PM-3QXD. Capitals, spaces and dashes don't matter.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class DisplayNameForm(Form):
    display_name = StringField(
        "Your display name",
        validators=[InputRequired(NAME_MISSING)],
        description=f"Up to {NAME_MAX} characters. Your first name or a nickname your teacher will recognise. "
        "Nothing else about you is asked or stored.",
        render_kw={"autocomplete": "off", "maxlength": NAME_MAX * 2},
    )

    def validate_display_name(self, field):
        try:
            field.data = clean_display_name(field.data)
        except BadDisplayName as problem:
            raise ValidationError(str(problem)) from problem


class ResumeForm(Form):
    return_code = StringField(
        "Your return code",
        validators=[InputRequired("Please type your return code.")],
        description="Your class's number and four words, e.g. 12-otter-quill-lunar-tulip. "
        "Capitals, spaces and dashes don't matter. Your teacher can print it for you if it is lost.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    # What a signed-out student had typed, carried through this form so it is never lost.
    stash_assignment = HiddenField()
    stash_prompt = HiddenField()
    stash_owner = HiddenField()
    stash_version = HiddenField()
    stash_at = HiddenField()
    stash_body = TextAreaField("What you wrote (kept safe while you sign back in)")

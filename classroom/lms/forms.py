"""Forms of the LMS pages: linking an instructor, choosing content, and the administrator's platforms."""

from wtforms import StringField, URLField
from wtforms.validators import DataRequired, Length, Optional

from ..auth.forms import LoginForm, SignupForm
from ..forms import Form


class ConfirmLinkForm(Form):
    """The logged-in teacher says "yes, that LMS account is me"."""


# The same fields as the teachers' own log-in and sign-up pages.
LinkLoginForm = LoginForm
LinkSignupForm = SignupForm


class PickForm(Form):
    """Only carries the CSRF token: the chosen button sends `choice`, "starter" or an assignment's id."""


class PlatformForm(Form):
    name = StringField("Name", validators=[Optional(), Length(max=120)], description="For you, e.g. “School Moodle”.")
    issuer = StringField(
        "Issuer (platform ID)",
        validators=[DataRequired("Paste the issuer the LMS shows."), Length(max=500)],
        description="Exactly as the LMS gives it, e.g. https://moodle.school.example (no slash at the end).",
    )
    client_id = StringField(
        "Client ID", validators=[DataRequired("Paste the client ID the LMS gave this tool."), Length(max=255)]
    )
    deployment_ids = StringField(
        "Deployment IDs",
        validators=[Optional(), Length(max=1000)],
        description="One or more, separated by spaces or commas.",
    )
    auth_login_url = URLField(
        "Authentication request URL",
        validators=[DataRequired("Paste the LMS's OIDC authentication address."), Length(max=1000)],
    )
    auth_token_url = URLField(
        "Access token URL", validators=[DataRequired("Paste the LMS's access token address."), Length(max=1000)]
    )
    key_set_url = URLField(
        "Public keyset URL", validators=[DataRequired("Paste the LMS's public keyset address."), Length(max=1000)]
    )


class InviteForm(Form):
    label = StringField(
        "Name for the new platform",
        validators=[Optional(), Length(max=120)],
        description="Optional, e.g. “School Moodle”.",
    )


class DeploymentForm(Form):
    deployment_id = StringField("Deployment ID", validators=[DataRequired("Type the deployment ID."), Length(max=255)])


class RemoveForm(Form):
    """Only carries the CSRF token."""

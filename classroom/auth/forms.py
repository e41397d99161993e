"""Teacher account forms."""

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import Form
from ..passwords import password_problem

MIN_PASSWORD = 10


class SignupForm(Form):
    name = StringField("Your name", validators=[DataRequired("Please enter your name."), Length(max=120)])
    email = EmailField(
        "School email",
        validators=[
            DataRequired("Please enter your email."),
            Email("That does not look like an email address."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Please choose a password."),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.",
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data or "", self.name.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired("Please enter your email.")])
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this computer")


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Please enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Please choose a new password."),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("new_password", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

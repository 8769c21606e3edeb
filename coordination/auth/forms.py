from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from coordination.auth.totp import clean_code
from coordination.forms import BaseForm
from coordination.i18n import lazy_gettext as _l


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("The e-mail address may be at most %(max)d characters."))],
        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")),
        Length(max=200, message=_l("The password may be at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LanguageForm(BaseForm):
    lang = SelectField(_l("Language"), choices=[("sv", "Svenska"), ("en", "English")])
    next = HiddenField()


class CodeForm(BaseForm):
    """The second step of a login, and turning two-step verification on or off."""

    code = StringField(_l("Code from the app"), validators=[
        DataRequired(_l("Enter the six-digit code your app shows.")),
        Length(max=20, message=_l("The code is six digits."))],
        description=_l("Six digits; a new code every 30 seconds."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})

    def validate_code(self, field):
        if clean_code(field.data) is None:
            raise ValidationError(_l("The code is six digits."))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")),
        Length(max=200, message=_l("The password may be at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password.")),
        Length(max=200, message=_l("The password may be at most %(max)d characters."))],
        description=_l("At least 10 characters, not a common password and not the first part of your "
                       "e-mail address. A few words that belong together only for you are easy to "
                       "remember and hard to guess."),
        render_kw={"autocomplete": "new-password"})
    new_password_again = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Enter the new password again.")),
        EqualTo("new_password", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


class LogoutEverywhereForm(BaseForm):
    confirm = BooleanField(_l("Yes, log me out on every computer and phone, this one too"), validators=[
        DataRequired(_l("Tick the box to confirm."))])

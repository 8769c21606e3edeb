from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from coordination.forms import BaseForm


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

"""Form fields shared by every feature, with messages in the page's language."""

from datetime import date

from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import Select

from coordination.i18n import lazy_gettext as _l

MAX_ID = 2**31 - 1


def small_int(raw) -> int | None:
    """A plain decimal number of at most 9 digits from untrusted text, or None."""
    raw = str(raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


def optional_int(value):
    """An id from a select: empty means none; anything but a plausible id is refused."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


class Options(Select):
    """WTForms' select, its options written directly: the same HTML (`<option selected
    value="…">label</option>`, value and label escaped), without building each option's
    attributes through `html_params` (sorted keyword arguments, a Markup.format for each): a
    list page's filter form has some 120 options, and they were an eighth of rendering the
    queue. An option with attributes of its own (`render_kw`) goes the way WTForms writes it."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>'


class ChoiceField(SelectField):
    """A select whose wrong values (a guessed id, text where a number belongs) get a clear
    message instead of WTForms' generic one."""

    widget = Options()

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_message = message or _l("Choose a value from the list.")

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except (ValueError, TypeError):
                self.data = None
                raise ValueError(self.choice_message)

    def pre_validate(self, form):
        values = [value for value, *_ in self.iter_choices_values()]
        if self.data in (None, "") and (self.coerce is optional_int or "" in values):
            return  # nothing chosen where "none" is a choice
        if not any(self.data == self.coerce(value) for value in values if value != ""):
            raise ValidationError(self.choice_message)

    def iter_choices_values(self):
        for choice in self.choices or []:
            yield choice if isinstance(choice, tuple) else (choice,)


class MultiChoiceField(SelectMultipleField):
    widget = Options(multiple=True)

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_message = message or _l("Choose values from the list.")

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(v) for v in valuelist]
        except (ValueError, TypeError):
            self.data = []
            raise ValueError(self.choice_message)

    def pre_validate(self, form):
        allowed = {self.coerce(choice[0]) for choice in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(self.choice_message)


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters; you wrote more."))


class WholeNumberField(IntegerField):
    """An integer field whose wrong input ("12,5", "tolv") gets a message in the page's language,
    and only that message (range checks do not run on what is not a number)."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.number_message = message or _l("Enter a whole number, digits only.")

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        raw = str(valuelist[0]).replace(" ", "").replace("\u00a0", "")
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(self.number_message)


EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)


class DayField(DateField):
    """A date field (YYYY-MM-DD) with a message in the page's language, within years 1900–9998."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the date as YYYY-MM-DD, e.g. 2026-11-23."))
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            self.data = None
            raise ValueError(_l("Enter a date between 1900 and 9998."))


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def strip_controls(value):
    """Control characters (NUL and the like) are not text anyone typed; PostgreSQL refuses NUL."""
    return value.translate(_CONTROL) if isinstance(value, str) else value


def _bind_without_controls(form, unbound_field, options):
    if issubclass(unbound_field.field_class, (FieldList, FormField)):
        return unbound_field.bind(form=form, **options)  # their own fields are filtered
    filters = [*unbound_field.kwargs.get("filters", ()), strip_controls]
    return unbound_field.bind(form=form, filters=filters, **options)


class BaseForm(FlaskForm):
    """Every form of the app: text fields drop control characters before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            return _bind_without_controls(form, unbound_field, options)


class SubForm(Form):
    """A form repeated inside another (FieldList of FormField), filtered the same way."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            return _bind_without_controls(form, unbound_field, options)


def apply_errors(form, error, *, fallback=None) -> list[str]:
    """Put a domain error's messages on the form's fields (unknown names on `fallback`); returns
    the messages that belong to no field, for a flash."""
    loose = [] if error.errors else [str(error.message)]
    for name, messages in error.errors.items():
        target = getattr(form, name, None) or fallback
        if target is None:
            loose += [str(m) for m in messages]
            continue
        target.errors = list(target.errors) + [str(m) for m in messages]
    return loose

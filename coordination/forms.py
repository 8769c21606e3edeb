"""Form fields shared by every feature, with messages in the page's language."""

from datetime import date

from babel import support
from flask import current_app, request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import Input, Select, TextArea
from wtforms.widgets.core import clean_key
from wtforms.widgets.core import html_params as wtforms_html_params

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


def attributes(**kwargs) -> str:
    """WTForms' `html_params`, the same text, without its `Markup.format` for each attribute
    (a string formatter's parse of the pattern, every time): sorted names, `class_` and
    `aria_x` written as WTForms writes them, True as a bare name, False left out, values escaped
    and any quote in a value given as markup written as &quot;."""
    parts = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            parts.append(key)
        elif value is not False:
            parts.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(parts)


def _validation_attributes(widget, field, kwargs: dict, *, call: bool) -> None:
    """The attributes the field's validators ask for (required, maxlength …), as WTForms' widgets
    add them: from the flags set on the field. WTForms reads them with `dir()`, which sorts every
    name of the class as well; the flags a validator sets are the instance's own."""
    own = getattr(getattr(field, "flags", None), "__dict__", None)
    for key, value in (own or {}).items():
        if key in widget.validation_attrs and key not in kwargs:
            kwargs[key] = value() if call and callable(value) else value


def render_widget(field, render_kw: dict) -> Markup:
    """The field's widget, as WTForms renders it. Plain inputs (text, e-mail, phone, hidden …),
    text areas and our selects are written here with `attributes`; every other widget (dates,
    checkboxes, passwords, files, numbers: their own rules) renders itself."""
    widget = field.widget
    kind = type(widget)
    if kind.__call__ is Input.__call__ and widget.html_params is wtforms_html_params:
        kwargs = dict(render_kw)
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", widget.input_type)
        if "value" not in kwargs:
            kwargs["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in kwargs:
            kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
        _validation_attributes(widget, field, kwargs, call=True)
        return Markup(f"<input {attributes(name=field.name, **kwargs)}>")
    if kind.__call__ is TextArea.__call__:
        kwargs = dict(render_kw)
        kwargs.setdefault("id", field.id)
        _validation_attributes(widget, field, kwargs, call=False)
        return Markup(f"<textarea {attributes(name=field.name, **kwargs)}>\r\n{escape(field._value())}</textarea>")
    return widget(field, **render_kw)


class FastRendering:
    """Meta of every form: fields render through `render_widget` (WTForms' own hook for it)."""

    def render_field(self, field, render_kw):
        other = getattr(field, "render_kw", None)
        if other is not None:
            render_kw = dict(other, **render_kw)
        return render_widget(field, render_kw)


def form_field(f, hint=None, id=None) -> Markup:
    """A field with its label, hint and error messages, for every form page (the templates'
    `field(...)`). `id`: for a field whose name another form on the same page uses too (ids must
    be unique); pass the same to error_summary(form, ids={name: id}). A required field gets
    WTForms' `required` attribute, which already tells assistive technology; no aria-required."""
    fid = id or f.id
    hint = hint or f.description
    errors = f.errors
    described = []
    if hint:
        described.append(f"{fid}-hint")
    if errors:
        described.append(f"{fid}-error")
    label = f.label
    label_html = f'<label {attributes(**{"for": fid})}>{escape(label.text)}</label>'
    parts = [f'<div class="field{" field-error" if errors else ""}">']
    boolean = f.type == "BooleanField"
    if boolean:
        attrs = {"aria-describedby": " ".join(described)} if described else {}
        parts.append(f"{f(id=fid, **attrs)} {label_html}")
    else:
        parts.append(label_html)
    if hint:
        parts.append(f'<p class="hint" id="{escape(fid)}-hint">{escape(hint)}</p>')
    if errors:
        messages = " ".join(str(escape(m)) for m in errors)
        parts.append(f'<p class="error-message" id="{escape(fid)}-error">{messages}</p>')
    if not boolean:
        attrs = {"id": fid, "aria-describedby": " ".join(described)} if described else {"id": fid}
        if errors:
            attrs["aria-invalid"] = "true"
        parts.append(str(f(value="", **attrs) if f.type == "PasswordField" else f(**attrs)))
    parts.append("</div>")
    return Markup("\n".join(parts))


class Options(Select):
    """WTForms' select, its options written directly: the same HTML (`<option selected
    value="…">label</option>`, value and label escaped), without building each option's
    attributes through `html_params` (sorted keyword arguments, a Markup.format for each): a
    list page's filter form has some 120 options, and they were an eighth of rendering the
    queue. An option with attributes of its own (`render_kw`) goes the way WTForms writes it."""

    def __call__(self, field, **kwargs):
        """Select.__call__ with `attributes` for the select's own attributes."""
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        _validation_attributes(self, field, kwargs, call=False)
        html = [f"<select {attributes(name=field.name, **kwargs)}>"]
        render = self.render_option  # ours takes (choice); WTForms inspects the signature each time
        if field.has_groups():
            for optgroup, choices in field._iter_groups_normalized():
                if optgroup is not None:
                    html.append(f"<optgroup {attributes(label=optgroup)}>")
                html.extend(render(choice) for choice in choices)
                if optgroup is not None:
                    html.append("</optgroup>")
        else:
            html.extend(render(choice) for choice in field._iter_choices_normalized())
        html.append("</select>")
        return Markup("".join(html))

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


class WTFormsTranslations:
    """Flask-WTF's translations of WTForms' own messages ("Not a valid integer value." …), each
    language's catalogue read once a process: Flask-WTF reads and parses the file on every
    request (`flask_wtf.i18n`; a thirtieth of rendering the case page)."""

    def __init__(self):
        self._catalogues = {}

    def _catalogue(self):
        if not request:
            return None
        locale = get_locale()
        key = str(locale)
        found = self._catalogues.get(key)
        if found is None:
            found = self._catalogues[key] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return found

    def gettext(self, string):
        catalogue = self._catalogue()
        return string if catalogue is None else catalogue.ugettext(string)

    def ngettext(self, singular, plural, n):
        catalogue = self._catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = WTFormsTranslations()


class BaseForm(FlaskForm):
    """Every form of the app: text fields drop control characters before validation."""

    class Meta(FastRendering):
        def bind_field(self, form, unbound_field, options):
            return _bind_without_controls(form, unbound_field, options)

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_TRANSLATIONS


class SubForm(Form):
    """A form repeated inside another (FieldList of FormField), filtered the same way."""

    class Meta(FastRendering):
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

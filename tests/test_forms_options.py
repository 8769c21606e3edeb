"""coordination.forms.Options writes the same HTML as WTForms' own select widget."""

import pytest
from wtforms import Form
from wtforms.widgets import Select

from coordination.forms import ChoiceField, MultiChoiceField, Options
from coordination.i18n import lazy_gettext as _l

CHOICES = [("", "– none –"), (1, "Trafikkontoret"), (2, 'Bolag "AB" & <Söner>'), ("x'y", _l("All")),
           (True, "Ja"), (0, ""), (3, None)]


class Filters(Form):
    one = ChoiceField(choices=CHOICES)
    text = ChoiceField(choices=[("sv", "Svenska"), ("en", "English")])
    many = MultiChoiceField(choices=[(1, "A & B"), (2, "<c>"), (3, "d")], coerce=int)


@pytest.mark.parametrize("data", [{}, {"one": "2", "text": "en", "many": [1, 3]},
                                  {"one": None, "many": []}, {"one": "x'y"}, {"one": "True"}])
def test_the_options_are_written_as_wtforms_writes_them(app, data):
    with app.test_request_context():
        form = Filters(data=data)
        for field in form:
            reference = Select(multiple=isinstance(field, MultiChoiceField))
            assert isinstance(field.widget, Options)
            assert str(field()) == str(reference(field)), field.name
            assert str(field(class_="wide", required=True)) == str(reference(field, class_="wide", required=True))
        form.one.choices = [(1, "a", {"disabled": True}), (2, "b")]
        assert str(form.one()) == str(Select()(form.one))

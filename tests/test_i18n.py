"""The request's translations kept once per request (coordination/i18n.py): the same words as
Flask-Babel's own lookup, in the request's language, also when the language changes mid-request."""

import flask_babel
from flask import render_template_string, session

from coordination import i18n
from coordination.labels import STATUS_LABELS


def test_outside_any_context_the_words_are_the_source_words():
    assert i18n.gettext("Cases") == "Cases"
    assert str(i18n.lazy_gettext("Overdue")) == "Overdue"


def test_the_requests_language_is_used_and_agrees_with_flask_babel(app):
    for chosen, expected in (("sv", "Ärenden"), ("en", "Cases")):
        with app.test_request_context("/"):
            session["locale"] = chosen
            assert i18n.gettext("Cases") == flask_babel.gettext("Cases") == expected
            assert render_template_string("{{ _('Cases') }}") == expected
            assert str(STATUS_LABELS["closed"]) == flask_babel.gettext("Closed")
            assert i18n.gettext("page %(page)d of %(pages)d", page=2, pages=5) == \
                flask_babel.gettext("page %(page)d of %(pages)d", page=2, pages=5)


def test_a_lazy_word_is_translated_when_used_in_each_requests_language(app):
    word = i18n.lazy_gettext("Overdue")
    with app.test_request_context("/"):
        assert str(word) == "Försenat"
    with app.test_request_context("/"):
        session["locale"] = "en"
        assert str(word) == "Overdue"


def test_forcing_another_language_mid_request_switches_and_switches_back(app):
    with app.test_request_context("/"):
        assert i18n.gettext("Cases") == "Ärenden"
        with flask_babel.force_locale("en"):
            assert i18n.gettext("Cases") == "Cases"
            assert render_template_string("{{ _('Overdue') }}") == "Overdue"
        assert i18n.gettext("Cases") == "Ärenden"


def test_a_refresh_after_choosing_a_language_takes_the_new_one(app):
    with app.test_request_context("/"):
        assert i18n.gettext("Cases") == "Ärenden"
        session["locale"] = "en"
        flask_babel.refresh()
        assert i18n.gettext("Cases") == "Cases"


def test_wtforms_own_messages_are_in_the_requests_language_and_agree_with_flask_wtf(app):
    """coordination.forms keeps WTForms' catalogue per language for the process (Flask-WTF read it
    on every request): the same words as Flask-WTF's, in each request's language."""
    from flask_wtf.i18n import translations as flask_wtf_translations
    from wtforms import IntegerField

    from coordination.forms import BaseForm

    class Number(BaseForm):
        n = IntegerField("n")

    words = {}
    for chosen in ("sv", "en", "sv"):
        with app.test_request_context("/", method="POST", data={"n": "tre"}):
            session["locale"] = chosen
            form = Number(meta={"csrf": False})
            assert not form.validate()
            words.setdefault(chosen, set()).add(form.errors["n"][0])
            assert form.errors["n"][0] == flask_wtf_translations.gettext("Not a valid integer value.")
    assert words["en"] == {"Not a valid integer value."}
    assert len(words["sv"]) == 1 and words["sv"] != words["en"]

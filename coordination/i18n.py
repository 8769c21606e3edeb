"""The request's translations, looked up once per request.

Flask-Babel finds the translations for every string anew: its domain, its context and the locale,
about nine lookups of Flask's context-local objects a call; a list page translates some 350
strings (labels, options, headings), a tenth of its rendering. Here the translations are kept
in the request's `g` beside Flask-Babel's own state, together with the locale they are for:
Flask-Babel's `force_locale()` or `refresh()` changes that locale object, and the next string
looks them up again. Outside a request or app context it is Flask-Babel's answer (no
translations)."""

from flask import g
from flask_babel import get_translations
from flask_babel.speaklater import LazyString

KEY = "_samordning_translations"


def translations():
    try:
        state = g._get_current_object().__dict__
    except RuntimeError:  # no app context
        return get_translations()
    babel = state.get("_flask_babel")
    kept = state.get(KEY)
    if kept is not None and babel is not None and kept[0] is getattr(babel, "babel_locale", None):
        return kept[1]
    found = get_translations()  # sets Flask-Babel's babel_locale for this request
    babel = state.get("_flask_babel")
    state[KEY] = (getattr(babel, "babel_locale", None), found)
    return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext, translated through `translations()` when used."""
    return LazyString(gettext, string, **variables)


def install(app) -> None:
    """Give the templates' _(), ngettext() … the request's kept translations (after Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

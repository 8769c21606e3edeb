"""Generated values in every form: hypothesis fills the fields of every form a POST route is
offered through and sends them, as each role that sees the form.

The forms are found as test_hostile_input.py finds them (its walk over the data of
test_access.py, every page of the URL map and the links they show), and each one is matched to
its WTForms class by its field names, so a field is filled by what it is, not by how the page
draws it: text fields get any unicode text (control characters and NUL included, surrogates
excluded, up to 20 000 characters); whole-number fields integers of any size and sign, or text;
date and time fields random strings and dates far out of range; selects a value from the list, or
garbage; hidden fields (versions, item ids, the page to return to) what the page put there, or
text or a number. A field may also keep what the page put there, so a value gets past validation
and is stored; checkboxes, radios and files stay as the page has them. Which submit button is
pressed is drawn too.

For every answer: no 5xx (also on the page a redirect leads to, which shows what was stored), and
a 4xx page says what is wrong. The examples are derandomized, so a failure repeats; a failing
form is shrunk to the smallest example and reported with it."""

import os
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FieldList,
    FileField,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SubmitField,
)
from wtforms.fields.choices import SelectFieldBase
from wtforms.fields.core import UnboundField

from coordination.auth import services as auth_services
from coordination.auth.models import User
from coordination.forms import BaseForm
from tests.conftest import TEST_HASHER
from tests.test_access import _ROUTES_APP, ANON
from tests.test_access import world as _access_world  # noqa: F401  (a fixture, used by name below)
from tests.test_hostile_input import (
    NOT_SENT,
    ROLES_IN_ORDER,
    UNREACHED,
    Campaign,
    Crashed,
    _check,
    _defaults,
    _more_data,
    _walk,
)

# Per form and role (about 90 get generated values, so the module stays under two minutes);
# FORM_FUZZ_EXAMPLES=100 digs deeper.
EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

# Every POST route outside the API, from the URL map (so a new one gets a test here too).
POST_ENDPOINTS = sorted({rule.endpoint for rule in _ROUTES_APP.url_map.iter_rules()
                         if "POST" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/")})

# --- what goes in a field -------------------------------------------------------------------------

_ANY_CHAR = st.one_of(st.characters(codec="utf-8"),        # any unicode scalar: no surrogates
                      st.characters(max_codepoint=0x1F),   # control characters, NUL among them
                      st.sampled_from("<>\"'&;%\\/\u202e\u200b\ufeff"))
TEXT = st.one_of(
    st.text(_ANY_CHAR, max_size=60),
    st.text(_ANY_CHAR, min_size=1, max_size=4).flatmap(  # long: past every max_length of the forms
        lambda chunk: st.integers(200, 20_000).map(lambda n: (chunk * (n // len(chunk) + 1))[:n])),
)
NUMBER = st.one_of(
    st.integers(-1000, 100_000).map(str),
    st.integers().map(str),                                            # any size and sign
    st.integers(-(10 ** 40), 10 ** 40).map(lambda n: f"{n:,}".replace(",", " ")),  # "1 000 000"
    TEXT,
)
DAY = st.one_of(
    st.text(_ANY_CHAR, max_size=30),
    st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}([T ][0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?)?", fullmatch=True),
    st.dates().map(str),                                               # years 1 to 9999
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.from_regex(r"[0-9]{1,3}:[0-9]{1,3}", fullmatch=True),           # a time of day, or not
)
GARBAGE = st.one_of(TEXT, st.integers().map(str))
KEEP = None  # "leave what the page put there"


def _kind_of(field_class) -> str:
    """What a WTForms field takes, from its class."""
    if issubclass(field_class, (FileField, SubmitField)):
        return "skip"
    if issubclass(field_class, (BooleanField, RadioField)):
        return "checkbox"
    if issubclass(field_class, SelectFieldBase):
        return "select"
    if issubclass(field_class, (IntegerField, DecimalField, FloatField)):
        return "number"
    if issubclass(field_class, (DateField, DateTimeField)):  # also DateTimeLocalField, TimeField
        return "date"
    if issubclass(field_class, HiddenField):
        return "hidden"
    return "text"  # StringField and its kin: TextAreaField, EmailField, TelField, PasswordField …


HTML_KINDS = {"number": "number", "range": "number", "date": "date", "time": "date", "datetime-local": "date",
              "month": "date", "week": "date", "hidden": "hidden", "select": "select", "checkbox": "checkbox",
              "radio": "checkbox", "file": "skip"}


def _html_kind(f: dict) -> str:
    """What a field takes when no form class names it (forms the view reads by hand)."""
    return HTML_KINDS.get(f["type"], "text")


def _value(kind: str, f: dict):
    if kind == "text":
        return st.one_of(st.just(KEEP), TEXT)
    if kind == "number":
        return st.one_of(st.just(KEEP), NUMBER)
    if kind == "date":
        return st.one_of(st.just(KEEP), DAY)
    if kind == "hidden":
        return st.one_of(st.just(KEEP), TEXT, st.integers().map(str))
    if kind == "select":
        options = [o["value"] for o in f["options"] if o["value"] is not None]
        return st.one_of(st.just(KEEP), *([st.sampled_from(options)] if options else []), GARBAGE)
    return st.just(KEEP)


# --- which form class a page's form is ------------------------------------------------------------

def _form_classes() -> list[type]:
    found, stack = [], [BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return [cls for cls in found if cls.__module__.startswith("coordination.")]


def _fields_of(cls) -> dict[str, UnboundField]:
    return {name: value for name in dir(cls) if isinstance(value := getattr(cls, name, None), UnboundField)
            and not issubclass(value.field_class, SubmitField)}


def _field_class(cls, name: str):
    """The field class behind an input name, also inside a FieldList ("conditions-0-value")."""
    top, *rest = name.split("-")
    unbound = _fields_of(cls).get(top)
    if unbound is None:
        return None
    if not rest:
        return unbound.field_class
    if issubclass(unbound.field_class, FieldList) and rest[0].isdigit():
        inner = unbound.args[0]
        if issubclass(inner.field_class, FormField) and len(rest) == 2:
            sub = _fields_of(inner.args[0]).get(rest[1])
            return sub.field_class if sub else None
        return inner.field_class if len(rest) == 1 else None
    return None


def _resolve(cls, name: str):
    """(top-level field, field class) behind an input name, which may carry the form's prefix
    (the minutes' DecisionForm(prefix="item12"): "item12-actions-0-title"); None if not the class's."""
    for candidate in (name, name.split("-", 1)[1] if "-" in name else None):
        found = _field_class(cls, candidate) if candidate else None
        if found is not None:
            return candidate.split("-")[0], found
    return None


def _form_class(form: dict, classes: list[type]):
    """The form class whose fields the page's form has: every named field of the page belongs to
    it (hidden extras such as `next` aside), and of those, the one with the fewest fields the page
    lacks. None for forms the view reads without a class."""
    names = {f["name"] for f in form["fields"] if f["name"] and f["name"] != "csrf_token"}
    hidden = {f["name"] for f in form["fields"] if f["name"] and f["type"] == "hidden"}
    best = None
    for cls in classes:
        resolved = {name: found for name in names if (found := _resolve(cls, name))}
        if not resolved or (names - set(resolved)) - hidden:
            continue
        score = (len(set(_fields_of(cls)) - {top for top, _class in resolved.values()}), len(names - set(resolved)))
        if best is None or score < best[0]:
            best = (score, cls)
    return best[1] if best else None


def _signature(cls) -> frozenset:
    """Classes with the same fields of the same kinds (CancelForm, CorrectionForm and
    RemoveItemForm: a reason) cannot be told apart by their forms, and need not be."""
    return frozenset((name, unbound.field_class) for name, unbound in _fields_of(cls).items())


# --- sending ------------------------------------------------------------------------------------

@dataclass
class Fuzzed:
    forms: dict = field(default_factory=dict)         # (role, endpoint, field names) -> [form per button]
    classes: dict = field(default_factory=dict)       # (role, endpoint, field names) -> form class or None
    get_classes: set = field(default_factory=set)     # classes only seen in GET forms (filters)
    examples: int = 0
    accepted: int = 0                                 # answered 2xx/3xx: stored, and shown on the next page
    by_endpoint: dict = field(default_factory=lambda: defaultdict(int))


@pytest.fixture(scope="module")
def world(request):
    """The users, cases, meetings, companies and reports of test_access.py, built for this module."""
    return request.getfixturevalue("_access_world")


@pytest.fixture(scope="module")
def fuzzed(world):
    _more_data(world)
    walked = Campaign()
    found = Fuzzed()
    classes = _form_classes()
    for role in ROLES_IN_ORDER:
        for _page, form in _walk(walked, world, role):
            cls = _form_class(form, classes)
            if form["method"] != "post":
                if cls is not None:
                    found.get_classes.add(cls)
                continue
            key = (role, form["endpoint"], tuple(sorted({f["name"] for f in form["fields"] if f["name"]})))
            found.forms.setdefault(key, []).append(form)
            found.classes[key] = cls
    assert walked.server_errors == [], "\n".join(walked.server_errors[:60])
    yield found
    print(f"\nform fuzz: {len(found.forms)} forms (role × form) of {len({k[1] for k in found.forms})} routes, "
          f"{found.examples} examples sent, {found.accepted} accepted")


@pytest.fixture(scope="module", autouse=True)
def cheap_hashing():
    """A form that sets a password hashes it; argon2 at its real cost would take most of the
    module's time. Hashed as the form sets it, with the suite's cheap hasher (tests/conftest.py);
    the hashes stay argon2 (verification reads the cost from the hash)."""
    original = auth_services.hash_password
    auth_services.hash_password = TEST_HASHER.hash
    yield
    auth_services.hash_password = original


def _signed_in(w, role):
    """A client signed in as `role` with the user's current session id: a password set by the
    admin's fuzzing ends the user's earlier sessions, and the next example must still get in."""
    client = w.app.test_client()
    if role != ANON:
        with Session(w.engine) as s:
            session_id = s.get(User, w.users[role].id).get_id()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_id
            sess["_fresh"] = True
    return client


def _post(w, role, form, data):
    client = _signed_in(w, role)
    try:
        response = client.post(form["path"] + (f"?{form['query']}" if form["query"] else ""), data=data,
                               content_type="multipart/form-data" if form["multipart"] else None)
    except Exception as error:  # noqa: BLE001  (any exception is the 500 a user would get)
        response = Crashed(error)
    return client, response


def _fuzz(w, found: Fuzzed, key) -> None:
    role, endpoint, _names = key
    variants = found.forms[key]
    cls = found.classes[key]
    form = variants[0]
    kinds = {}
    for f in form["fields"]:
        name = f["name"]
        if not name or name == "csrf_token":
            continue
        field_class = (_resolve(cls, name) or (None, None))[1] if cls else None
        kinds[name] = _kind_of(field_class) if field_class else _html_kind(f)
    typed = {name: _value(kind, next(f for f in form["fields"] if f["name"] == name))
             for name, kind in kinds.items() if kind in ("text", "number", "date", "hidden", "select")}
    assert any(kinds[name] in ("text", "number", "date") for name in typed), f"{key}: nothing to type in"
    where = f"POST {form['path']} ({endpoint}, from {form['page']}) as {role}"

    @FUZZ
    @given(values=st.fixed_dictionaries(typed), variant=st.sampled_from(variants))
    def send(values, variant):
        data = _defaults(variant, variant["button"])
        for name, value in values.items():
            if value is not KEEP:
                data.setlist(name, [value])
        client, response = _post(w, role, variant, data)
        found.examples += 1
        found.by_endpoint[endpoint] += 1
        c = Campaign()
        _check(c, where, response, client)
        found.accepted += c.accepted
        assert c.server_errors == [], c.server_errors
        assert c.silent_refusals == [], c.silent_refusals
        assert c.open_redirects == [], c.open_redirects

    send()


def _typed(form) -> bool:
    """Has the form anything a person types (the buttons-only forms have nothing to generate)?"""
    return any(f["name"] and f["name"] != "csrf_token" and f["type"] not in ("hidden", "checkbox", "radio", "file",
                                                                               "submit", "select")
               for f in form["fields"])


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_generated_values_in_every_form_give_no_server_error_and_every_refusal_a_message(world, fuzzed, endpoint):
    if endpoint in UNREACHED:
        pytest.skip(UNREACHED[endpoint])
    keys = [key for key in fuzzed.forms if key[1] == endpoint]
    assert keys, f"no page offers a form for {endpoint} (see test_hostile_input.test_every_form_route_was_reached)"
    keys = [key for key in keys if _typed(fuzzed.forms[key][0])]
    if endpoint in NOT_SENT or not keys:
        pytest.skip("buttons only: nothing to type in")
    failures = []
    for key in keys:
        try:
            _fuzz(world, fuzzed, key)
        except AssertionError as error:  # every form of the route is tried; all failures are reported
            failures.append(f"{key[0]}, fields {', '.join(key[2])}:\n{error}")
    assert failures == [], "\n\n".join(failures)
    assert fuzzed.by_endpoint[endpoint] >= len(keys) * min(EXAMPLES, 5)


# Form classes that no walked page offers as a POST form, and why.
UNOFFERED: dict[str, str] = {}


def test_every_post_form_class_is_offered_by_some_page(fuzzed):
    """Each WTForms form class of the app is the class of some form the walk found (and so got
    generated values above), or a GET filter form, or listed in UNOFFERED with a reason."""
    offered = {_signature(cls) for cls in fuzzed.classes.values() if cls is not None}
    missing = sorted(cls.__name__ for cls in _form_classes()
                     if _signature(cls) not in offered and cls not in fuzzed.get_classes)
    assert missing == sorted(UNOFFERED), f"form classes no page offers: {sorted(set(missing) - set(UNOFFERED))}"

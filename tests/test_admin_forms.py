"""The admin forms (users, organisations, committees, business areas, groups) and the login
form, as an administrator meets them: what a wrong entry answers, that the page keeps what was
typed, that nothing half-valid is stored, and that a valid round trip works.

Swedish is the default language, so the messages are asserted in Swedish."""

from html.parser import HTMLParser

import pytest
from sqlmodel import Session, select

from coordination.auth.models import User
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    Group,
    GroupMember,
    Organisation,
)
from tests import factories
from tests.conftest import sign_in, without_csrf_tokens

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
LONG = 10_000
LONG_EMAIL = "a" * (LONG - len("@example.se")) + "@example.se"
GOOD_PASSWORD = "ett-langt-losenord"

TOO_LONG_200 = "Högst 200 tecken; du skrev fler."
ENTER_NAME = "Ange ett namn."
BAD_EMAIL = "Ange en e-postadress i formen namn@exempel.se."
CHOOSE_ORG = "Välj en organisation i listan."
CHOOSE_ROLE = "Välj en av rollerna i listan."
CHOOSE_COMMITTEE = "Välj en nämnd i listan."
CHOOSE_AREA = "Välj ett verksamhetsområde i listan."
CHOOSE_GROUP_KIND = "Välj en typ av grupp i listan."
CHOOSE_MEMBERS = "Välj medlemmar i listan."
CHOOSE_CHAIR = "Välj ordförande i listan."
WRONG_LOGIN = "Fel e-postadress eller lösenord."


# --- helpers -------------------------------------------------------------------------------------

class Page(HTMLParser):
    """What a person sees of a form page: each form's fields with their values, and the
    error message shown under each field (by field id)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict] = {}
        self.errors: dict[str, str] = {}
        self._form = self._textarea = self._select = self._error = None
        self.feed(html)

    def fields(self, action: str = "") -> dict:
        return self.forms[action]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(a.get("action") or "", {})
        elif tag == "input" and a.get("name") and self._form is not None:
            self._form[a["name"]] = {"type": a.get("type", "text"), "value": a.get("value") or ""}
        elif tag == "textarea" and self._form is not None:
            self._textarea = self._form[a["name"]] = {"type": "textarea", "value": ""}
        elif tag == "select" and self._form is not None:
            self._select = self._form[a["name"]] = {"type": "select", "value": [], "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value"))
            if "selected" in a:
                self._select["value"].append(a.get("value"))
        elif tag == "p" and "error-message" in (a.get("class") or ""):
            self._error = a["id"][: -len("-error")]
            self.errors[self._error] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea["value"].startswith("\r\n"):
                self._textarea["value"] = self._textarea["value"][2:]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "p":
            self._error = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._error is not None:
            self.errors[self._error] += data


@pytest.fixture
def admin_client(session, client):
    admin = factories.user(session, "admin", name="Ada Admin")
    session.commit()
    return sign_in(client, admin)


@pytest.fixture
def refs(session):
    """Rows the forms can point at."""
    org = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    committee = factories.committee(session, name="Söderorts nämnd", organisation_id=org.id)
    area = factories.business_area(session, name="Högdalens industriområde", committee_id=committee.id)
    member = factories.user(session, "department", organisation_id=org.id, name="Maja Medlem")
    session.commit()
    return {"org": str(org.id), "committee": str(committee.id), "area": str(area.id), "member": str(member.id)}


def fresh(app) -> Session:
    """A new session, so every read sees what the request committed (SQLite WAL keeps a
    snapshot for the length of a read transaction)."""
    return Session(app.extensions["db_engine"])


MODELS = {"users": User, "organisations": Organisation, "committees": Committee,
          "business_areas": BusinessArea, "groups": Group}
PATHS = {"users": "anvandare", "organisations": "organisationer", "committees": "namnder",
         "business_areas": "verksamhetsomraden", "groups": "grupper"}


def stored(app, resource):
    """Everything stored for a resource: its rows and, for groups, the memberships."""
    model = MODELS[resource]
    with fresh(app) as s:
        rows = sorted((r.model_dump() for r in s.exec(select(model))), key=lambda r: r["id"])
        members = sorted((m.group_id, m.user_id, m.chair) for m in s.exec(select(GroupMember)))
        return rows, members


def existing_row(session, resource, refs):
    """A row to edit, made by the factories."""
    org_id, area_id = int(refs["org"]), int(refs["area"])
    if resource == "users":
        return factories.user(session, "department", organisation_id=org_id, email="redigera@example.se",
                              name="Rut Redigera")
    if resource == "organisations":
        return factories.organisation(session, name="Fastighetskontoret", short_name="FK")
    if resource == "committees":
        return factories.committee(session, name="Farsta nämnd", organisation_id=org_id)
    if resource == "business_areas":
        return factories.business_area(session, name="Årsta partihallar", committee_id=int(refs["committee"]))
    return factories.group(session, "work_group", name="Arbetsgrupp Högdalen", business_area_id=area_id)


def form_url(resource, obj=None):
    return f"/admin/{PATHS[resource]}/" + (str(obj.id) if obj is not None else "ny")


# --- what each bad entry must answer ------------------------------------------------------------
# resource -> case -> (form data given the refs, {field: message shown under it}).
# Every other field must show no error.

def _users(case, refs, mode):
    data = {"email": "ny.person@example.se", "name": "Ny Person", "role": "department",
            "organisation_id": refs["org"], "password": GOOD_PASSWORD}
    if case == "empty":
        errors = {"email": "Ange en e-postadress.", "name": ENTER_NAME, "role": CHOOSE_ROLE}
        if mode == "create":
            errors["password"] = "Ange ett lösenord."
        return {k: "" for k in data}, errors
    if case == "too_long":
        return ({**data, "email": LONG_EMAIL, "name": "n" * LONG, "password": "p" * LONG},
                {"email": "Högst 254 tecken; du skrev fler.", "name": TOO_LONG_200, "password": TOO_LONG_200})
    if case == "wrong_type":
        return {**data, "role": "nonsense", "organisation_id": "abc"}, {"role": CHOOSE_ROLE,
                                                                        "organisation_id": CHOOSE_ORG}
    if case == "unknown_id":
        return {**data, "organisation_id": "987654"}, {"organisation_id": CHOOSE_ORG}
    if case == "script":
        return {**data, "email": SCRIPT, "name": SCRIPT}, {"email": BAD_EMAIL}
    if case == "rule":  # the service's rules, after the form's
        return ({**data, "organisation_id": "", "password": "kort"},
                {"organisation_id": "Användare med den här rollen måste höra till en organisation.",
                 "password": "Lösenordet måste vara minst 10 tecken långt."})
    raise KeyError(case)


def _organisations(case, refs, mode):
    data = {"name": "Miljöförvaltningen", "short_name": "MF", "kind": "department", "email": "miljo@example.se"}
    if case == "empty":
        return ({k: "" for k in data},
                {"name": ENTER_NAME, "short_name": "Ange en förkortning.", "kind": "Välj en typ i listan."})
    if case == "too_long":
        return ({**data, "name": "n" * LONG, "short_name": "s" * LONG, "email": LONG_EMAIL},
                {"name": TOO_LONG_200, "short_name": "Högst 40 tecken; du skrev fler.",
                 "email": "Högst 254 tecken; du skrev fler."})
    if case == "wrong_type":
        return {**data, "kind": "nonsense"}, {"kind": "Välj en typ i listan."}
    if case == "script":
        return {**data, "name": SCRIPT, "short_name": SCRIPT, "email": SCRIPT}, {"email": BAD_EMAIL}
    raise KeyError(case)


def _committees(case, refs, mode):
    data = {"name": "Enskede-Årsta-Vantörs nämnd", "organisation_id": refs["org"]}
    if case == "empty":
        return {k: "" for k in data}, {"name": ENTER_NAME}
    if case == "too_long":
        return {**data, "name": "n" * LONG}, {"name": TOO_LONG_200}
    if case == "wrong_type":
        return {**data, "organisation_id": "abc"}, {"organisation_id": CHOOSE_ORG}
    if case == "unknown_id":
        return {**data, "organisation_id": "987654"}, {"organisation_id": CHOOSE_ORG}
    if case == "script":
        return {"name": SCRIPT, "organisation_id": SCRIPT}, {"organisation_id": CHOOSE_ORG}
    raise KeyError(case)


def _business_areas(case, refs, mode):
    data = {"name": "Västberga industriområde", "description": "Lager och logistik",
            "committee_id": refs["committee"]}
    if case == "empty":
        return {k: "" for k in data}, {"name": ENTER_NAME}
    if case == "too_long":
        return ({**data, "name": "n" * LONG, "description": "d" * LONG},
                {"name": TOO_LONG_200, "description": "Högst 2000 tecken; du skrev fler."})
    if case == "wrong_type":
        return {**data, "committee_id": "abc"}, {"committee_id": CHOOSE_COMMITTEE}
    if case == "unknown_id":
        return {**data, "committee_id": "987654"}, {"committee_id": CHOOSE_COMMITTEE}
    if case == "script":
        return {"name": SCRIPT, "description": SCRIPT, "committee_id": SCRIPT}, {"committee_id": CHOOSE_COMMITTEE}
    raise KeyError(case)


def _groups(case, refs, mode):
    data = {"name": "Arbetsgrupp Västberga", "kind": "work_group", "business_area_id": refs["area"],
            "member_ids": [refs["member"]], "chair_id": refs["member"]}
    if case == "empty":
        return {"name": "", "kind": "", "business_area_id": "", "chair_id": ""}, {"name": ENTER_NAME,
                                                                                   "kind": CHOOSE_GROUP_KIND}
    if case == "too_long":
        return {**data, "name": "n" * LONG}, {"name": TOO_LONG_200}
    if case == "wrong_type":
        return ({**data, "kind": "nonsense", "business_area_id": "abc", "member_ids": "x", "chair_id": "abc"},
                {"kind": CHOOSE_GROUP_KIND, "business_area_id": CHOOSE_AREA, "member_ids": CHOOSE_MEMBERS,
                 "chair_id": CHOOSE_CHAIR})
    if case == "unknown_id":
        return ({**data, "business_area_id": "987654", "member_ids": ["987654"], "chair_id": "987654"},
                {"business_area_id": CHOOSE_AREA, "member_ids": CHOOSE_MEMBERS, "chair_id": CHOOSE_CHAIR})
    if case == "script":
        return {**data, "name": SCRIPT, "kind": SCRIPT}, {"kind": CHOOSE_GROUP_KIND}
    if case == "rule":  # the service's rules, after the form's
        return ({**data, "kind": "coordination_group", "member_ids": [], "chair_id": refs["member"]},
                {"business_area_id": "Bara arbetsgrupper hör till ett verksamhetsområde.",
                 "chair_id": "Ordföranden måste vara en av medlemmarna."})
    if case == "rule_work_group":
        return ({**data, "business_area_id": ""},
                {"business_area_id": "En arbetsgrupp hör till ett verksamhetsområde: välj ett."})
    raise KeyError(case)


BAD_INPUT = {"users": _users, "organisations": _organisations, "committees": _committees,
             "business_areas": _business_areas, "groups": _groups}
CASES = ["empty", "too_long", "wrong_type", "unknown_id", "script", "rule", "rule_work_group"]


def _bad_input_params():
    for resource, build in BAD_INPUT.items():
        for case in CASES:
            try:
                build(case, {"org": "1", "committee": "1", "area": "1", "member": "1"}, "create")
            except KeyError:
                continue
            for mode in ("create", "edit"):
                yield pytest.param(resource, case, mode, id=f"{resource}-{case}-{mode}")


def assert_form_kept(page: Page, body: str, data: dict, errors: dict):
    fields = page.fields("")
    for name, value in data.items():
        field = fields[name]
        if field["type"] == "password":
            assert field["value"] == "", "a password is never sent back"
            if len(value) > 3:
                assert value not in body
        elif field["type"] == "select":
            if name not in errors:  # a wrong choice cannot be shown selected; a right one stays
                expected = value if isinstance(value, list) else [value]
                assert field["value"] == expected, name
        else:
            assert field["value"] == value, f"{name} did not keep what was typed"


@pytest.mark.parametrize(("resource", "case", "mode"), list(_bad_input_params()))
def test_a_bad_entry_is_explained_kept_and_not_stored(app, session, admin_client, refs, resource, case, mode):
    obj = existing_row(session, resource, refs) if mode == "edit" else None
    session.commit()
    data, errors = BAD_INPUT[resource](case, refs, mode)
    before = stored(app, resource)

    response = admin_client.post(form_url(resource, obj), data=data)

    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    page = Page(body)
    assert set(page.errors) == set(errors), page.errors
    for name, message in errors.items():
        assert message in page.errors[name], (name, page.errors[name])
    assert "Rätta följande" in body  # the summary at the top links to each error
    assert_form_kept(page, body, data, errors)
    assert "<script>alert" not in body
    if case == "script":
        assert ESCAPED_SCRIPT in body
    assert stored(app, resource) == before


# --- duplicates ----------------------------------------------------------------------------------

DUPLICATES = {
    # resource: (how the existing row is made, the form that repeats it in other letter case, errors)
    "users": (lambda s, refs: factories.user(s, "department", organisation_id=int(refs["org"]),
                                             email="befintlig@example.se"),
              lambda refs: {"email": "Befintlig@EXAMPLE.se", "name": "Någon Annan", "role": "department",
                            "organisation_id": refs["org"], "password": GOOD_PASSWORD},
              {"email": "Det finns redan en användare med den e-postadressen."}),
    "organisations": (lambda s, refs: factories.organisation(s, name="Stadsbyggnadskontoret", short_name="SBK"),
                      lambda refs: {"name": "  STADSBYGGNADSKONTORET ", "short_name": "sbk", "kind": "department",
                                    "email": ""},
                      {"name": "Det finns redan en organisation med det namnet.",
                       "short_name": "Det finns redan en organisation med den förkortningen."}),
    "committees": (lambda s, refs: factories.committee(s, name="Hagsätra nämnd"),
                   lambda refs: {"name": "HAGSÄTRA NÄMND", "organisation_id": ""},
                   {"name": "Det finns redan en nämnd med det namnet."}),
    "business_areas": (lambda s, refs: factories.business_area(s, name="Slakthusområdet"),
                       lambda refs: {"name": "slakthusområdet", "description": "", "committee_id": ""},
                       {"name": "Det finns redan ett verksamhetsområde med det namnet."}),
    "groups": (lambda s, refs: factories.group(s, name="Samordningsgruppen"),
               lambda refs: {"name": "SAMORDNINGSGRUPPEN", "kind": "coordination_group", "business_area_id": "",
                             "chair_id": ""},
               {"name": "Det finns redan en grupp med det namnet."}),
}


@pytest.mark.parametrize("mode", ["create", "edit"])
@pytest.mark.parametrize("resource", list(DUPLICATES))
def test_a_duplicate_in_other_letter_case_is_refused(app, session, admin_client, refs, resource, mode):
    make, form, errors = DUPLICATES[resource]
    make(session, refs)
    obj = existing_row(session, resource, refs) if mode == "edit" else None
    session.commit()
    before = stored(app, resource)

    response = admin_client.post(form_url(resource, obj), data=form(refs))

    assert response.status_code in (200, 400)
    page = Page(response.get_data(as_text=True))
    assert page.errors == errors
    assert stored(app, resource) == before


SWEDISH_CAPITALS = {
    "organisations": (lambda s: factories.organisation(s, name="Östermalms stadsdelsförvaltning", short_name="ÖSF"),
                      {"name": "östermalms stadsdelsförvaltning", "short_name": "ösf", "kind": "district",
                       "email": ""}),
    "committees": (lambda s: factories.committee(s, name="Älvsjö stadsdelsnämnd"),
                   {"name": "älvsjö stadsdelsnämnd", "organisation_id": ""}),
    "business_areas": (lambda s: factories.business_area(s, name="Årsta Partihallar"),
                       {"name": "årsta partihallar", "description": "", "committee_id": ""}),
    "groups": (lambda s: factories.group(s, name="Östberga samordningsgrupp"),
               {"name": "östberga samordningsgrupp", "kind": "coordination_group", "business_area_id": "",
                "chair_id": ""}),
}


@pytest.mark.parametrize("resource", list(SWEDISH_CAPITALS))
def test_a_duplicate_differing_only_in_a_swedish_capital_is_refused(app, session, admin_client, resource):
    make, form = SWEDISH_CAPITALS[resource]
    make(session)
    session.commit()
    before = stored(app, resource)

    response = admin_client.post(form_url(resource), data=form)

    assert response.status_code in (200, 400)
    assert "Det finns redan" in Page(response.get_data(as_text=True)).errors.get("name", "")
    assert stored(app, resource) == before


# --- a valid round trip -------------------------------------------------------------------------

def _valid(resource, refs, name):
    return {
        "users": {"email": "ny.person@example.se", "name": name, "role": "department",
                  "organisation_id": refs["org"], "password": GOOD_PASSWORD},
        "organisations": {"name": name, "short_name": name[:3].upper(), "kind": "company",
                          "email": "kontakt@example.se"},
        "committees": {"name": name, "organisation_id": refs["org"]},
        "business_areas": {"name": name, "description": "Ett område", "committee_id": refs["committee"]},
        "groups": {"name": name, "kind": "work_group", "business_area_id": refs["area"],
                   "member_ids": [refs["member"]], "chair_id": refs["member"]},
    }[resource]


def _list_row(body: str, name: str) -> str:
    """The list's table row whose first cell links `name`."""
    rows = [row for row in body.split("<tr")[1:] if f">{name}</a>" in row]
    assert len(rows) == 1, f"{name} is not listed once"
    return rows[0].split("</tr>")[0]


@pytest.mark.parametrize("resource", list(MODELS))
def test_create_edit_deactivate_and_activate_round_trip(app, session, admin_client, refs, resource):
    client, list_url = admin_client, f"/admin/{PATHS[resource]}"
    assert client.get(form_url(resource)).status_code == 200

    response = client.post(form_url(resource), data=_valid(resource, refs, "Gamla namnet"))
    assert (response.status_code, response.location) == (302, list_url)
    body = client.get(list_url).get_data(as_text=True)
    assert "Gamla namnet sparades." in body
    assert "Aktiv" in _list_row(body, "Gamla namnet")
    with fresh(app) as s:
        row = s.exec(select(MODELS[resource]).where(MODELS[resource].name == "Gamla namnet")).one()
    edit_url = f"{list_url}/{row.id}"
    page = Page(client.get(edit_url).get_data(as_text=True))
    if resource == "groups":  # the edit form shows who is in the group
        assert page.fields("")["member_ids"]["value"] == [refs["member"]]
        assert page.fields("")["chair_id"]["value"] == [refs["member"]]

    edited = {**_valid(resource, refs, "Nya namnet"), **({"password": ""} if resource == "users" else {})}
    response = client.post(edit_url, data=edited)
    assert (response.status_code, response.location) == (302, list_url)
    body = client.get(list_url).get_data(as_text=True)
    assert "Nya namnet sparades." in body
    _list_row(body, "Nya namnet")
    assert "Gamla namnet" not in body

    response = client.post(f"{edit_url}/aktiv")
    assert (response.status_code, response.location) == (302, edit_url)
    body = client.get(edit_url).get_data(as_text=True)
    assert "Nya namnet är inaktiverad." in body
    assert "Inaktiverad: sparas med sin historik men erbjuds inte i listor." in body
    row_html = _list_row(client.get(list_url).get_data(as_text=True), "Nya namnet")
    assert 'class="inactive"' in row_html and "Inaktiverad" in row_html

    client.post(f"{edit_url}/aktiv")
    body = client.get(edit_url).get_data(as_text=True)
    assert "Nya namnet är aktiv igen." in body
    assert "Aktiv: används och visas i listor." in body
    with fresh(app) as s:
        row = s.get(MODELS[resource], row.id)
        assert (row.name, row.active) == ("Nya namnet", True)
        if resource == "groups":
            members = list(s.exec(select(GroupMember).where(GroupMember.group_id == row.id)))
            assert [(m.user_id, m.chair) for m in members] == [(int(refs["member"]), True)]
    if resource == "users":  # the new account works, with the password it was created with
        other = app.test_client()
        response = other.post("/logga-in", data={"email": "ny.person@example.se", "password": GOOD_PASSWORD})
        assert response.status_code == 302


def test_a_script_in_a_saved_name_is_shown_as_text(app, admin_client):
    response = admin_client.post("/admin/organisationer/ny", data={"name": SCRIPT, "short_name": "XSS",
                                                                    "kind": "external", "email": ""})
    assert response.status_code == 302
    body = admin_client.get("/admin/organisationer").get_data(as_text=True)
    assert ESCAPED_SCRIPT in body
    assert "<script>alert" not in body


@pytest.mark.parametrize(("resource", "field"), [("users", "organisation_id"), ("committees", "organisation_id"),
                                                 ("business_areas", "committee_id"),
                                                 ("groups", "business_area_id")])
def test_a_deactivated_row_is_not_offered_in_new_forms(app, session, admin_client, resource, field):
    active = {"organisation_id": factories.organisation, "committee_id": factories.committee,
              "business_area_id": factories.business_area}[field](session)
    retired = {"organisation_id": factories.organisation, "committee_id": factories.committee,
               "business_area_id": factories.business_area}[field](session, active=False)
    session.commit()

    options = Page(admin_client.get(form_url(resource)).get_data(as_text=True)).fields("")[field]["options"]

    assert str(active.id) in options
    assert str(retired.id) not in options


# --- logging in ---------------------------------------------------------------------------------

def test_a_deactivated_user_can_no_longer_log_in(app, session, admin_client):
    official = factories.user(session, "department", email="slutat@example.se")
    session.commit()
    theirs = app.test_client()
    assert theirs.post("/logga-in", data={"email": official.email, "password": factories.PASSWORD}
                       ).status_code == 302
    assert theirs.get("/").status_code == 200

    assert admin_client.post(f"/admin/anvandare/{official.id}/aktiv").status_code == 302

    # The open session ends at once ...
    response = theirs.get("/")
    assert (response.status_code, response.location.split("?")[0]) == (302, "/logga-in")
    # ... and the right password no longer lets them in.
    response = app.test_client().post("/logga-in", data={"email": official.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert WRONG_LOGIN in Page(response.get_data(as_text=True)).errors["password"]
    # Activated again, they can.
    admin_client.post(f"/admin/anvandare/{official.id}/aktiv")
    assert app.test_client().post("/logga-in", data={"email": official.email, "password": factories.PASSWORD}
                                  ).status_code == 302


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app, session):
    official = factories.user(session, "coordinator", email="samordnare@example.se")
    session.commit()

    wrong_password = app.test_client().post("/logga-in", data={"email": official.email, "password": "fel-losenord"})
    unknown = app.test_client().post("/logga-in", data={"email": "ingen@example.se", "password": "fel-losenord"})

    for response, email in ((wrong_password, official.email), (unknown, "ingen@example.se")):
        assert response.status_code == 400
        page = Page(response.get_data(as_text=True))
        assert page.errors == {"password": WRONG_LOGIN}
        login_form = page.fields("/logga-in")
        assert login_form["email"]["value"] == email
        assert login_form["password"]["value"] == ""
    # The same page but for each visitor's own CSRF token (of the header's language form).
    assert without_csrf_tokens(wrong_password.get_data(as_text=True).replace(official.email, "E")) == \
        without_csrf_tokens(unknown.get_data(as_text=True).replace("ingen@example.se", "E"))
    with fresh(app) as s:
        assert s.get(User, official.id).last_login_at is None


def test_an_empty_login_form_says_what_is_missing(client):
    response = client.post("/logga-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert Page(response.get_data(as_text=True)).errors == {"email": "Ange din e-postadress.",
                                                           "password": "Ange ditt lösenord."}


@pytest.mark.parametrize(("next_", "expected"), [
    ("/organisationer/{org}", "/organisationer/{org}"),
    ("/admin/?x=1", "/admin/?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example", "/"),
    ("///evil.example", "/"),
    ("/\\evil.example", "/"),
    ("http:/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_login_only_follows_next_to_a_local_path(app, session, client, next_, expected):
    official = factories.user(session, "coordinator")
    session.commit()
    org = official.organisation_id

    response = client.post("/logga-in", data={"email": official.email, "password": factories.PASSWORD,
                                              "next": next_.format(org=org)})

    assert (response.status_code, response.location) == (302, expected.format(org=org))


def test_the_login_page_brings_the_user_back_where_they_were_going(app, session, client):
    official = factories.user(session, "department")
    session.commit()
    target = f"/organisationer/{official.organisation_id}"

    to_login = client.get(target)
    assert to_login.status_code == 302
    login_page = Page(client.get(to_login.location).get_data(as_text=True)).fields("/logga-in")
    assert login_page["next"]["value"] == target

    response = client.post("/logga-in", data={"email": official.email.upper(), "password": factories.PASSWORD,
                                              "next": login_page["next"]["value"]})
    assert (response.status_code, response.location) == (302, target)
    assert client.get(target).status_code == 200

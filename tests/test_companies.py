"""The register of companies and property owners as the coordinator and the departments meet it:
organisation numbers (10 digits with a Luhn check digit; the 12-digit personnummer form only for
a sole trader), property designations, duplicates, search and filters, cases from the public form
linked to the register (or added unconfirmed), the company page and who may see it, the contact
log, and the CSV import with its per-row preview.

Swedish is the default language, so messages are asserted in Swedish."""

import io
import re
import time
from html import unescape

import pytest
from sqlalchemy import func, select

from coordination.auth.models import Role
from coordination.cases.models import Case, CaseOrganisation
from coordination.cases.orgnr import luhn_ok
from coordination.companies import importer
from coordination.companies.models import (
    Company,
    CompanyArea,
    ContactLogCase,
    ContactLogCompany,
    ContactLogEntry,
    ContactPerson,
)
from coordination.companies.services import (
    CompanyInput,
    company_number,
    list_companies,
    log_contact,
    property_designations,
    save_company,
    save_contact,
)
from coordination.errors import ValidationFailed
from tests import factories
from tests.conftest import fresh, sign_in

ORGNR_FORM = "Kontrollera organisationsnumret: det har 10 siffror och skrivs NNNNNN-NNNN eller utan bindestreck."
ORGNR_CHECK = "Kontrollera organisationsnumret: sista siffran stämmer inte med de andra."
PERSONNUMMER = ("Det är ett personnummer (12 siffror). Bara en enskild firma registreras med ett sådant; kryssa i "
                "rutan eller ange företagets organisationsnummer.")
TAKEN = "Det finns redan ett företag med det organisationsnumret."
ENTER_NAME = "Ange ett namn."
NOTHING_SAVED = "Inget sparades."
UNCONFIRMED_NOTICE = "Tillagd från det öppna formuläret och inte bekräftad ännu."
NO_SUCH_CASE = "Det finns inget ärende med det diarienumret."
FIX_AND_UPLOAD = "Rätta raderna med fel i filen och ladda upp den igen. Inget sparades."
IMPORT_BUTTON = "Läs in alla rader"


def wrong_properties(items: str) -> str:
    return ("Skriv varje fastighetsbeteckning som traktens namn följt av block och enhet, t.ex. Högdalen 3:14 "
            f"(inte: {items}).")


def with_check_digit(nine: str) -> str:
    """Nine digits and the Luhn digit that makes them a valid organisation number."""
    return next(nine + str(d) for d in range(10) if luhn_ok(nine + str(d)))


# --- helpers ------------------------------------------------------------------------------------

@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "bilagor"))
    app.instance_path = str(tmp_path / "instance")  # uploaded import files stay out of the repository
    return app


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory):
    """An app for the checks that need only the translations, not a database."""
    from coordination import create_app

    return create_app({"ENV_NAME": "testing",
                       "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('plain') / 'unused.db'}"})


@pytest.fixture
def areas(session):
    högdalen = factories.business_area(session, name="Högdalens industriområde")
    årsta = factories.business_area(session, name="Årsta Partihallar")
    session.commit()
    return högdalen, årsta


@pytest.fixture
def coordinator(session):
    row = factories.user(session, Role.coordinator, name="Sara Samordnare")
    session.commit()
    return row


def page_text(response) -> str:
    """The page as a reader sees its text: tags and runs of white space collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def html_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def company(session, clock, name, number="", *, kind="company", areas=(), properties="", address="",
            sole_trader=False) -> Company:
    row = save_company(session, None, CompanyInput(
        name=name, organisation_number=number, kind=kind, sole_trader=sole_trader, address=address,
        properties_text=properties, business_area_ids=[a.id for a in areas]), clock=clock)
    session.commit()
    return row


def companies_in_db(app) -> list[tuple[str, str | None, bool]]:
    with fresh(app) as s:
        return [(c.name, c.organisation_number, c.confirmed)
                for c in s.execute(select(Company).order_by(Company.name)).scalars()]


def listed(response) -> list[str]:
    """The company names in the register's table, in order."""
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [unescape(n) for n in re.findall(r'<a href="/foretag/\d+">([^<]+)</a>', body)]


def input_value(response, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.get_data(as_text=True))
    assert match, f"no input #{field_id}"
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else None


def is_checked(response, field_id: str) -> bool:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.get_data(as_text=True))
    assert match, f"no input #{field_id}"
    return re.search(r"\bchecked\b", match.group(0)) is not None


def selected_values(response, field_id: str) -> list[str]:
    html = response.get_data(as_text=True)
    match = re.search(rf'<select[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', html, flags=re.S)
    assert match, f"no select #{field_id}"
    options = re.findall(r"<option[^>]*>", match.group(1))
    return [unescape(re.search(r'value="([^"]*)"', o).group(1)) for o in options if re.search(r"\bselected\b", o)]


def textarea_value(response, field_id: str) -> str:
    match = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True),
                      flags=re.S)
    assert match, f"no textarea #{field_id}"
    return unescape(match.group(1)).strip("\r\n")


def company_form(**overrides) -> dict:
    data = {"name": "Högdalens Bageri AB", "organisation_number": "556677-8899", "kind": "company",
            "address": "Magasinsgatan 7, 124 53 Bandhagen", "properties": "Högdalen 3:14"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- organisation numbers ---------------------------------------------------------------------------

# (typed, sole trader ticked, stored as, message when refused)
ORGNR_TABLE = [
    ("556677-8899", False, "556677-8899", None),
    ("5566778899", False, "556677-8899", None),
    (" 556677 8899 ", False, "556677-8899", None),
    ("212000-0142", False, "212000-0142", None),            # Stockholms stad
    ("5566778899", True, "556677-8899", None),               # a sole trader may give a 10-digit number too
    ("556677-8898", False, None, ORGNR_CHECK),               # wrong check digit
    ("5566778890", False, None, ORGNR_CHECK),                # wrong check digit, no dash
    ("556677-889", False, None, ORGNR_FORM),                 # 9 digits
    ("55667788990", False, None, ORGNR_FORM),                # 11 digits
    ("5566-778899", False, None, ORGNR_FORM),                # dash in the wrong place
    ("556677-88A9", False, None, ORGNR_FORM),                # a letter
    ("19850101-1236", False, None, PERSONNUMMER),            # personnummer form, not a sole trader
    ("198501011236", False, None, PERSONNUMMER),             # same without the dash
    ("19850101-1236", True, "850101-1236", None),            # enskild firma: accepted, stored as 10 digits
    ("198501011236", True, "850101-1236", None),
    ("19850101-1237", True, None, ORGNR_CHECK),              # enskild firma, but a wrong check digit
]
ORGNR_IDS = [f"{typed.strip() or 'blank'}{'-sole' if sole else ''}" for typed, sole, _s, _m in ORGNR_TABLE]


@pytest.mark.parametrize("typed, sole_trader, stored, message", ORGNR_TABLE, ids=ORGNR_IDS)
def test_company_number_is_normalised_or_refused_with_the_reason(plain_app, typed, sole_trader, stored, message):
    with plain_app.test_request_context():
        if stored:
            assert company_number(typed, sole_trader=sole_trader) == stored
        else:
            with pytest.raises(ValidationFailed) as refused:
                company_number(typed, sole_trader=sole_trader)
            assert [str(m) for m in refused.value.errors["organisation_number"]] == [message]


@pytest.mark.parametrize("typed, sole_trader, stored, message", ORGNR_TABLE, ids=ORGNR_IDS)
def test_the_company_form_checks_the_organisation_number(app, client, session, coordinator, areas, typed, sole_trader,
                                                         stored, message):
    sign_in(client, coordinator)
    data = company_form(organisation_number=typed, sole_trader="y" if sole_trader else None,
                        business_area_ids=[str(areas[0].id)])
    response = client.post("/foretag/ny", data=data)
    if stored:
        assert response.status_code == 302
        assert re.fullmatch(r"/foretag/\d+", response.headers["Location"])
        assert companies_in_db(app) == [("Högdalens Bageri AB", stored, True)]
        shown = page_text(client.get(response.headers["Location"]))
        assert stored in shown
        assert ("(enskild firma)" in shown) == sole_trader
    else:
        assert response.status_code == 400
        text = page_text(response)
        assert "Rätta följande" in text
        assert f"Organisationsnummer: {message}" in text
        # What was typed is kept, so the user corrects it instead of starting over.
        assert input_value(response, "organisation_number") == typed
        assert input_value(response, "name") == "Högdalens Bageri AB"
        assert is_checked(response, "sole_trader") == sole_trader
        assert companies_in_db(app) == []


def test_a_company_may_be_registered_without_a_number_several_times(app, client, coordinator):
    sign_in(client, coordinator)
    for name in ("Kiosken vid bussen", "Gatuköket i Högdalen"):
        assert client.post("/foretag/ny", data=company_form(name=name, organisation_number="")).status_code == 302
    assert companies_in_db(app) == [("Gatuköket i Högdalen", None, True), ("Kiosken vid bussen", None, True)]


# --- property designations ------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kept", [
    ("Högdalen 3:14", ["Högdalen 3:14"]),
    ("Högdalen 3:14\nÅrsta 1:1, Västberga Gård 2:3; Örby 12:104", ["Högdalen 3:14", "Årsta 1:1",
                                                                   "Västberga Gård 2:3", "Örby 12:104"]),
    ("  Högdalen 3:14  \n\nHögdalen 3:14\n", ["Högdalen 3:14"]),
    ("", []),
])
def test_property_designations_are_split_trimmed_and_deduplicated(plain_app, typed, kept):
    with plain_app.test_request_context():
        assert property_designations(typed) == kept


@pytest.mark.parametrize("typed, wrong", [
    ("Högdalen 3-14", "Högdalen 3-14"),
    ("3:14", "3:14"),
    ("högdalen 3:14", "högdalen 3:14"),
    ("Högdalen", "Högdalen"),
    ("Högdalen 3:14:2", "Högdalen 3:14:2"),
    ("Högdalen 3:14\nHögdalen 3 14\nÅrsta 1:1", "Högdalen 3 14"),
])
def test_property_designations_of_the_wrong_shape_are_named_in_the_message(plain_app, typed, wrong):
    with plain_app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            property_designations(typed)
        assert [str(m) for m in refused.value.errors["properties"]] == [wrong_properties(wrong)]


def test_a_kvarter_designation_without_a_block_is_accepted(plain_app):
    """Lantmäteriet: a designation built on a kvarter name has no block number."""
    with plain_app.test_request_context():
        assert property_designations("Stockholm Spektern 13\nSländan 1") == ["Stockholm Spektern 13", "Sländan 1"]


def test_the_form_refuses_a_wrong_designation_and_keeps_the_text(app, client, coordinator):
    sign_in(client, coordinator)
    typed = "Högdalen 3:14\nHögdalen 3-14"
    response = client.post("/foretag/ny", data=company_form(properties=typed))
    assert response.status_code == 400
    assert f"Fastighetsbeteckningar: {wrong_properties('Högdalen 3-14')}" in page_text(response)
    assert textarea_value(response, "properties") == typed
    assert companies_in_db(app) == []

    response = client.post("/foretag/ny", data=company_form(properties="Högdalen 3:14\nÅrsta 1:1"))
    assert response.status_code == 302
    assert "Fastighetsbeteckningar Högdalen 3:14, Årsta 1:1" in page_text(client.get(response.headers["Location"]))


# --- duplicates -----------------------------------------------------------------------------------------

def test_a_second_company_with_the_same_number_is_refused_in_any_written_form(app, client, session, clock,
                                                                               coordinator):
    first = company(session, clock, "Högdalens Bageri AB", "556677-8899")
    sign_in(client, coordinator)
    for typed in ("556677-8899", "5566778899", " 556677 8899"):
        response = client.post("/foretag/ny", data=company_form(name="Bageriet AB", organisation_number=typed))
        assert response.status_code == 400
        assert f"Organisationsnummer: {TAKEN}" in page_text(response)
    # Editing another company to that number is refused too; saving the company itself is not.
    other = company(session, clock, "Lager Syd AB", "559000-1235")
    response = client.post(f"/foretag/{other.id}/redigera", data=company_form(name="Lager Syd AB",
                                                                              organisation_number="5566778899"))
    assert response.status_code == 400 and TAKEN in page_text(response)
    response = client.post(f"/foretag/{first.id}/redigera", data=company_form(name="Högdalens Bageri AB",
                                                                              organisation_number="5566778899"))
    assert response.status_code == 302
    assert companies_in_db(app) == [("Högdalens Bageri AB", "556677-8899", True), ("Lager Syd AB", "559000-1235", True)]


def test_a_sole_trader_number_is_the_same_number_in_both_forms(app, client, session, clock, coordinator):
    company(session, clock, "Åsas Hantverk", "19850101-1236", sole_trader=True)
    sign_in(client, coordinator)
    response = client.post("/foretag/ny", data=company_form(name="Hantverkaren", organisation_number="8501011236"))
    assert response.status_code == 400 and TAKEN in page_text(response)
    assert len(companies_in_db(app)) == 1


# --- the register: create, edit, search, filter -------------------------------------------------------

def test_the_coordinator_registers_and_edits_a_company(app, client, session, coordinator, areas):
    högdalen, årsta = areas
    sign_in(client, coordinator)
    assert "Nytt företag eller ny fastighetsägare" in page_text(client.get("/foretag/ny"))
    response = client.post("/foretag/ny", data=company_form(
        kind="both", properties="Högdalen 3:14\nHögdalen 3:15", business_area_ids=[str(högdalen.id), str(årsta.id)]))
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    text = page_text(shown)
    assert "Högdalens Bageri AB sparades." in text
    assert "Organisationsnummer 556677-8899" in text
    assert "Typ Företag och fastighetsägare" in text
    assert "Adress Magasinsgatan 7, 124 53 Bandhagen" in text
    assert "Fastighetsbeteckningar Högdalen 3:14, Högdalen 3:15" in text
    assert "Verksamhetsområden Högdalens industriområde, Årsta Partihallar" in text
    company_id = int(response.headers["Location"].rsplit("/", 1)[1])

    form = client.get(f"/foretag/{company_id}/redigera")
    assert form.status_code == 200
    assert input_value(form, "name") == "Högdalens Bageri AB"
    assert textarea_value(form, "properties") == "Högdalen 3:14\nHögdalen 3:15"
    assert sorted(selected_values(form, "business_area_ids")) == sorted([str(högdalen.id), str(årsta.id)])

    response = client.post(f"/foretag/{company_id}/redigera", data=company_form(
        name="Högdalens Stenugnsbageri AB", kind="property_owner", properties="Högdalen 3:15",
        business_area_ids=[str(högdalen.id)]))
    assert response.status_code == 302
    text = page_text(client.get(response.headers["Location"]))
    assert "Högdalens Stenugnsbageri AB sparades." in text
    assert "Typ Fastighetsägare" in text
    assert "Fastighetsbeteckningar Högdalen 3:15" in text
    assert "Verksamhetsområden Högdalens industriområde" in text and "Årsta Partihallar" not in text
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(CompanyArea)).scalar_one() == 1


def test_a_company_without_a_name_is_refused_and_nothing_is_saved(app, client, coordinator):
    sign_in(client, coordinator)
    response = client.post("/foretag/ny", data=company_form(name="", kind="elephant"))
    assert response.status_code == 400
    text = page_text(response)
    assert f"Namn: {ENTER_NAME}" in text
    assert "Typ: Välj en typ i listan." in text
    assert input_value(response, "organisation_number") == "556677-8899"
    assert companies_in_db(app) == []


def test_editing_a_company_that_does_not_exist_is_a_404(client, coordinator):
    sign_in(client, coordinator)
    assert client.get("/foretag/999999").status_code == 404
    assert client.get("/foretag/999999/redigera").status_code == 404
    assert client.post("/foretag/999999/bekrafta").status_code == 404


@pytest.fixture
def register(session, clock, areas):
    högdalen, årsta = areas
    company(session, clock, "Högdalens Bageri AB", "556677-8899", areas=[högdalen],
            address="Magasinsgatan 7, Bandhagen")
    company(session, clock, "Årsta Fastigheter AB", "556016-0748", kind="property_owner", areas=[årsta],
            address="Sorterargatan 2")
    company(session, clock, "Lager Syd AB", "559000-1235", kind="both", areas=[högdalen, årsta],
            address="Ågesta Broväg 1")
    unconfirmed = company(session, clock, "Nya Åkeriet", "556123-4567", areas=[högdalen])
    unconfirmed.confirmed = False
    session.add(unconfirmed)
    session.commit()
    return areas


SEARCHES = [
    ({}, ["Högdalens Bageri AB", "Lager Syd AB", "Nya Åkeriet", "Årsta Fastigheter AB"]),
    ({"q": "bageri"}, ["Högdalens Bageri AB"]),
    ({"q": "LAGER"}, ["Lager Syd AB"]),
    ({"q": "556016-0748"}, ["Årsta Fastigheter AB"]),
    ({"q": "Magasinsgatan"}, ["Högdalens Bageri AB"]),
    ({"kind": "property_owner"}, ["Årsta Fastigheter AB"]),
    ({"kind": "both"}, ["Lager Syd AB"]),
    ({"area": "Högdalens industriområde"}, ["Högdalens Bageri AB", "Lager Syd AB", "Nya Åkeriet"]),
    ({"area": "Årsta Partihallar", "kind": "both"}, ["Lager Syd AB"]),
    ({"unconfirmed": "y"}, ["Nya Åkeriet"]),
    ({"q": "ingen sådan"}, []),
]


def test_the_register_is_searched_and_filtered(client, coordinator, register):
    by_name = {a.name: a.id for a in register}
    sign_in(client, coordinator)
    for query, names in SEARCHES:
        args = {k: v for k, v in query.items() if k != "area"}
        if "area" in query:
            args["business_area_id"] = str(by_name[query["area"]])
        response = client.get("/foretag", query_string=args)
        assert response.status_code == 200, query
        assert listed(response) == names, query
        count = ("1 företag eller fastighetsägare" if len(names) == 1 else f"{len(names)} företag och fastighetsägare")
        assert count in page_text(response), query
        if "Nya Åkeriet" in names:
            assert "Nya Åkeriet inte bekräftad" in page_text(response)


def test_a_search_in_lower_case_finds_names_with_swedish_capitals(client, coordinator, register):
    sign_in(client, coordinator)
    assert listed(client.get("/foretag", query_string={"q": "årsta"})) == ["Årsta Fastigheter AB"]
    assert listed(client.get("/foretag", query_string={"q": "åkeriet"})) == ["Nya Åkeriet"]


def test_a_search_for_the_number_without_the_dash_finds_the_company(client, coordinator, register):
    """The form accepts the number with or without the dash; so does the search."""
    sign_in(client, coordinator)
    assert listed(client.get("/foretag", query_string={"q": "5560160748"})) == ["Årsta Fastigheter AB"]
    assert listed(client.get("/foretag", query_string={"q": "55601607"})) == ["Årsta Fastigheter AB"]
    assert listed(client.get("/foretag", query_string={"q": "556016"})) == ["Årsta Fastigheter AB"]
    assert listed(client.get("/foretag", query_string={"q": "5560160749"})) == []


def test_a_wrong_filter_is_a_400_that_says_so_not_a_500(client, coordinator, register):
    sign_in(client, coordinator)
    response = client.get("/foretag", query_string={"business_area_id": "abc"})
    assert response.status_code == 400
    assert "Välj ett verksamhetsområde i listan." in page_text(response)
    assert client.get("/foretag", query_string={"kind": "elephant"}).status_code == 400


def test_the_register_pages_by_fifty(session, clock, client, coordinator, areas):
    for i in range(51):
        session.add(Company(name=f"Företag {i:03d}", organisation_number=with_check_digit(f"55{i:07d}"),
                            kind="company", properties=[], created_at=clock.now(), updated_at=clock.now()))
    session.commit()
    sign_in(client, coordinator)
    first = client.get("/foretag")
    assert len(listed(first)) == 50 and "51 företag och fastighetsägare" in page_text(first)
    assert "sida 1 av 2" in page_text(first)
    assert listed(client.get("/foretag", query_string={"page": "2"})) == ["Företag 050"]


# --- the public form links cases to the register --------------------------------------------------------

def intake(client, area, **overrides):
    data = {
        "company_name": "Högdalens Bageri AB", "organisation_number": "5566778899", "contact_name": "Åsa Öberg",
        "contact_email": "asa.oberg@bageri.example.se", "contact_phone": "08-123 45 67",
        "business_area_id": str(area.id), "location": "Magasinsgatan 7, Högdalen",
        "title": "Snöröjning saknas på Magasinsgatan",
        "description": "Lastbilar kommer inte fram till lastkajen sedan tre dagar.", "consent": "y", "website": "",
    }
    data.update(overrides)
    response = client.post("/lamna-arende", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:800]
    return response


def cases_in_db(app) -> list[tuple[str, int | None]]:
    with fresh(app) as s:
        return [(c.title, c.company_id) for c in s.execute(select(Case).order_by(Case.id)).scalars()]


def test_a_case_from_the_public_form_is_linked_to_the_company_with_its_number(app, session, clock, areas):
    högdalen, årsta = areas
    known = company(session, clock, "Bageriet i Högdalen AB", "556677-8899", areas=[årsta])
    client = app.test_client()
    intake(client, högdalen, organisation_number="556677-8899")
    intake(client, högdalen, organisation_number="5566778899", title="Belysningen är trasig")
    assert cases_in_db(app) == [("Snöröjning saknas på Magasinsgatan", known.id),
                                ("Belysningen är trasig", known.id)]
    # Nothing new in the register; the known company keeps its name and is still confirmed, and now
    # also counts as being in the area of its cases.
    assert companies_in_db(app) == [("Bageriet i Högdalen AB", "556677-8899", True)]
    with fresh(app) as s:
        assert sorted(s.execute(select(CompanyArea.business_area_id)
                                .where(CompanyArea.company_id == known.id)).scalars()) == sorted([högdalen.id, årsta.id])


def test_an_unknown_company_from_the_public_form_is_added_unconfirmed_and_the_coordinator_confirms_it(
        app, client, session, clock, areas, coordinator):
    högdalen, _årsta = areas
    public = app.test_client()
    intake(public, högdalen, company_name="Nya Lager AB", organisation_number="559000-1235")
    intake(public, högdalen, company_name="Nya Lager Aktiebolag", organisation_number="5590001235",
           title="Skyltning saknas")
    intake(public, högdalen, company_name="Utan nummer HB", organisation_number="", title="Utan nummer")
    assert companies_in_db(app) == [("Nya Lager AB", "559000-1235", False)]
    with fresh(app) as s:
        new = s.execute(select(Company)).scalars().one()
        cases = s.execute(select(Case).order_by(Case.id)).scalars().all()
    assert [c.company_id for c in cases] == [new.id, new.id, None]

    sign_in(client, coordinator)
    waiting = client.get("/foretag", query_string={"unconfirmed": "y"})
    assert listed(waiting) == ["Nya Lager AB"]
    page = client.get(f"/foretag/{new.id}")
    text = page_text(page)
    assert UNCONFIRMED_NOTICE in text
    assert f"{cases[0].reference} Snöröjning saknas på Magasinsgatan" in text
    assert f"{cases[1].reference} Skyltning saknas" in text
    assert "Verksamhetsområden Högdalens industriområde" in text

    response = client.post(f"/foretag/{new.id}/bekrafta")
    assert response.status_code == 302
    text = page_text(client.get(response.headers["Location"]))
    assert "Nya Lager AB är bekräftad i registret." in text
    assert UNCONFIRMED_NOTICE not in text
    assert listed(client.get("/foretag", query_string={"unconfirmed": "y"})) == []
    assert companies_in_db(app) == [("Nya Lager AB", "559000-1235", True)]


# --- the company page and who may see it ----------------------------------------------------------------

@pytest.fixture
def company_page(app, session, clock, areas, coordinator):
    """A company with a contact person, two cases (one concerning Trafikkontoret, one only
    Stadsbyggnadskontoret), a contact log entry, and a second company with a case of SBK only."""
    högdalen, _årsta = areas
    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    bakery = company(session, clock, "Högdalens Bageri AB", "556677-8899", areas=[högdalen])
    save_contact(session, bakery, None, name="Åsa Öberg", role="VD", email="asa.oberg@bageri.example.se",
                 phone="08-123 45 67", clock=clock)
    snow = factories.case(session, clock=clock, title="Snöröjning saknas", organisations=[tk], level=1)
    snow.company_id = bakery.id
    permit = factories.case(session, clock=clock, title="Bygglov för lastkaj", organisations=[sbk], level=1)
    permit.company_id = bakery.id
    other = company(session, clock, "Lager Syd AB", "559000-1235", areas=[högdalen])
    stored = factories.case(session, clock=clock, title="Stängsel", organisations=[sbk], level=1)
    stored.company_id = other.id
    lonely = company(session, clock, "Kiosken AB", "556123-4567")
    session.add_all([snow, permit, stored])
    log_contact(session, user_id=coordinator.id, kind="visit", at=clock.now(), note="Besök på bageriet om lastkajen.",
                company_ids=[bakery.id], case_ids=[snow.id])
    department = factories.user(session, Role.department, organisation_id=tk.id)
    steering = factories.user(session, Role.steering)
    admin = factories.user(session, Role.admin)
    session.commit()
    return {"bakery": bakery, "other": other, "lonely": lonely, "snow": snow, "permit": permit,
            "department": department, "steering": steering, "admin": admin, "tk": tk}


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_the_coordinator_and_admin_see_cases_contacts_and_the_contact_log(app, client, coordinator, company_page,
                                                                         who):
    user = coordinator if who == "coordinator" else company_page["admin"]
    sign_in(client, user)
    response = client.get(f"/foretag/{company_page['bakery'].id}")
    assert response.status_code == 200
    text = page_text(response)
    if who == "coordinator":  # admins keep the register but do not read cases (see access.can_view_case)
        assert f"{company_page['snow'].reference} Snöröjning saknas" in text
        assert f"{company_page['permit'].reference} Bygglov för lastkaj" in text
    assert "Kontaktpersoner Åsa Öberg, VD · asa.oberg@bageri.example.se · 08-123 45 67" in text
    assert "Kontaktlogg Besök" in text and "Besök på bageriet om lastkajen." in text
    assert "Sara Samordnare" in text
    assert "Redigera" in text


def test_a_department_sees_a_company_only_through_its_own_cases_and_never_its_contact_persons(
        app, client, company_page):
    sign_in(client, company_page["department"])
    response = client.get(f"/foretag/{company_page['bakery'].id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Högdalens Bageri AB" in text
    assert f"{company_page['snow'].reference} Snöröjning saknas" in text
    # Not the case that concerns only another organisation.
    assert company_page["permit"].reference not in text and "Bygglov" not in text
    # Never the contact persons, the contact log, or the register's tools.
    for hidden in ("Åsa Öberg", "asa.oberg@bageri.example.se", "08-123 45 67", "Kontaktpersoner", "Kontaktlogg",
                   "Besök på bageriet", "Redigera", "Bekräfta", "Anonymisera"):
        assert hidden not in text, hidden
    # A company whose cases concern other organisations only, and one without cases: refused.
    assert client.get(f"/foretag/{company_page['other'].id}").status_code == 403
    assert client.get(f"/foretag/{company_page['lonely'].id}").status_code == 403
    # And none of the register's pages or actions.
    bakery = company_page["bakery"].id
    for method, url in [("get", "/foretag"), ("get", "/foretag/ny"), ("get", f"/foretag/{bakery}/redigera"),
                        ("post", f"/foretag/{bakery}/bekrafta"), ("post", f"/foretag/{bakery}/kontakter"),
                        ("get", "/kontaktlogg"), ("get", "/foretag/import")]:
        assert getattr(client, method)(url).status_code == 403, url


def test_a_department_loses_the_company_page_when_its_case_no_longer_concerns_it(app, client, session,
                                                                                 company_page):
    session.execute(CaseOrganisation.__table__.delete().where(
        CaseOrganisation.case_id == company_page["snow"].id))
    session.commit()
    sign_in(client, company_page["department"])
    assert client.get(f"/foretag/{company_page['bakery'].id}").status_code == 403


def test_steering_and_anonymous_visitors_are_refused(app, client, company_page):
    bakery = company_page["bakery"].id
    urls = ["/foretag", f"/foretag/{bakery}", "/foretag/ny", "/kontaktlogg", "/foretag/import"]
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"], url
    response = anonymous.post(f"/foretag/{bakery}/kontakter", data={"name": "Inkräktare"})
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    sign_in(client, company_page["steering"])
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/foretag/{bakery}/bekrafta").status_code == 403
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(ContactPerson)).scalar_one() == 1


def test_the_coordinator_adds_a_contact_person(app, client, coordinator, company_page):
    bakery = company_page["bakery"].id
    sign_in(client, coordinator)
    response = client.post(f"/foretag/{bakery}/kontakter", data={
        "name": "Per Persson", "role": "Fastighetschef", "email": "per@bageri.example.se", "phone": "070-123 45 67"})
    assert response.status_code == 302
    text = page_text(client.get(response.headers["Location"]))
    assert "Kontaktpersonen lades till." in text
    assert "Per Persson, Fastighetschef · per@bageri.example.se · 070-123 45 67" in text

    response = client.post(f"/foretag/{bakery}/kontakter", data={"name": "", "email": "inte-en-adress"},
                           follow_redirects=True)
    text = page_text(response)
    assert "Ange ett namn." in text and "Ange en e-postadress i formen namn@exempel.se." in text
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(ContactPerson)).scalar_one() == 2


def test_a_failed_contact_form_keeps_what_was_typed(app, client, coordinator, company_page):
    sign_in(client, coordinator)
    response = client.post(f"/foretag/{company_page['bakery'].id}/kontakter", data={
        "name": "Per Persson", "role": "Fastighetschef", "email": "per@bageri", "phone": "070-123 45 67"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Rätta följande" in text and "Ange en e-postadress i formen namn@exempel.se." in text
    assert input_value(response, "email") == "per@bageri"
    assert input_value(response, "name") == "Per Persson"
    assert input_value(response, "role") == "Fastighetschef"
    assert input_value(response, "phone") == "070-123 45 67"
    assert re.search(r"<details open>\s*<summary>Lägg till en kontaktperson</summary>", response.get_data(as_text=True))
    # Still the whole company page around it, and nothing saved.
    assert "Kontaktpersoner Åsa Öberg, VD" in text
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(ContactPerson)).scalar_one() == 1


# --- the contact log ------------------------------------------------------------------------------

def test_the_coordinator_logs_a_contact_with_companies_and_cases(app, client, coordinator, company_page):
    bakery, other = company_page["bakery"], company_page["other"]
    snow, permit = company_page["snow"], company_page["permit"]
    sign_in(client, coordinator)
    form = client.get("/kontaktlogg")
    assert form.status_code == 200
    assert input_value(form, "at") == "2026-11-23T10:00"  # now, in Stockholm time
    response = client.post("/kontaktlogg", data={
        "at": "2026-11-20T14:30", "kind": "meeting", "company_ids": [str(bakery.id), str(other.id)],
        "cases": f"{snow.reference}, {permit.reference.replace(' ', '-').replace('/', '-')}",
        "note": "Möte om snöröjning och lastkajer i Högdalen."})
    assert response.status_code == 302
    log = client.get(response.headers["Location"])
    text = page_text(log)
    assert "Kontakten loggades." in text
    row = re.search(r"2026-11-20 14:30 Möte (.*?) Sara Samordnare", text)
    assert row, text
    assert "Högdalens Bageri AB" in row.group(1) and "Lager Syd AB" in row.group(1)
    assert re.search(rf"{re.escape(snow.reference)} ?, {re.escape(permit.reference)}", row.group(1))
    assert "Möte om snöröjning och lastkajer i Högdalen." in row.group(1)
    # The entry is on both companies' pages; the case links are stored.
    for company_id in (bakery.id, other.id):
        assert "Möte om snöröjning och lastkajer i Högdalen." in page_text(client.get(f"/foretag/{company_id}"))
    with fresh(app) as s:
        entry = s.execute(select(ContactLogEntry).where(ContactLogEntry.kind == "meeting")).scalars().one()
        assert sorted(s.execute(select(ContactLogCase.case_id).where(ContactLogCase.entry_id == entry.id))
                      .scalars()) == sorted([snow.id, permit.id])
        assert sorted(s.execute(select(ContactLogCompany.company_id).where(ContactLogCompany.entry_id == entry.id))
                      .scalars()) == sorted([bakery.id, other.id])


def test_an_unknown_case_reference_is_refused_and_the_input_kept(app, client, coordinator, company_page):
    bakery, snow = company_page["bakery"], company_page["snow"]
    sign_in(client, coordinator)
    sent = {"at": "2026-11-20T14:30", "kind": "call", "company_ids": [str(bakery.id)],
            "cases": f"{snow.reference}, SBR 2026/9999", "note": "Samtal med Åsa om lastkajen."}
    response = client.post("/kontaktlogg", data=sent)
    assert response.status_code == 400
    text = page_text(response)
    assert f"{NO_SUCH_CASE} SBR 2026/9999" in text
    assert input_value(response, "cases") == sent["cases"]
    assert input_value(response, "at") == "2026-11-20T14:30"
    assert textarea_value(response, "note") == sent["note"]
    assert selected_values(response, "company_ids") == [str(bakery.id)]
    assert selected_values(response, "kind") == ["call"]
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(ContactLogEntry)).scalar_one() == 1  # the fixture's only


def test_a_contact_without_a_company_is_refused(app, client, coordinator, company_page):
    sign_in(client, coordinator)
    response = client.post("/kontaktlogg", data={"at": "2026-11-20T14:30", "kind": "call",
                                                 "note": "Vem ringde?"})
    assert response.status_code == 400
    assert "Välj minst ett företag." in page_text(response)
    assert textarea_value(response, "note") == "Vem ringde?"


def test_log_contact_refuses_unknown_companies_and_cases(app, session, coordinator, company_page, clock):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            log_contact(session, user_id=coordinator.id, kind="smoke-signal", at=clock.now(), note="",
                        company_ids=[company_page["bakery"].id, 999999], case_ids=[999999])
        errors = {k: [str(m) for m in v] for k, v in refused.value.errors.items()}
    assert errors == {"kind": ["Välj ett slags kontakt i listan."], "company_ids": ["Välj företag i listan."],
                      "case_ids": [NO_SUCH_CASE]}


# --- CSV import -----------------------------------------------------------------------------------------

HEADER = "namn;organisationsnummer;typ;adress;fastighetsbeteckningar;verksamhetsområden"


def csv_file(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def upload(client, content: bytes | str, name="foretag.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/foretag/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def preview_rows(response) -> list[tuple[str, str, str, str]]:
    """(row, name, number, result) of the preview's table."""
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        rows.append(tuple(cells))
    return rows


def token_of(response) -> str | None:
    match = re.search(r'name="token" value="([0-9a-f]+)"', response.get_data(as_text=True))
    return match.group(1) if match else None


GOOD = csv_file(
    "Högdalens Bageri AB;556677-8899;företag;Magasinsgatan 7;Högdalen 3:14|Högdalen 3:15;Högdalens industriområde",
    "Årsta Fastigheter AB;5560160748;fastighetsägare;Sorterargatan 2;Årsta 1:1;Årsta Partihallar",
    "Lager Syd AB;559000-1235;båda;;;Högdalens industriområde|Årsta Partihallar",
)


def test_the_preview_lists_every_row_with_its_verdict_and_saves_nothing(app, client, session, clock, coordinator,
                                                                        areas):
    company(session, clock, "Bageriet (gammalt namn)", "556677-8899")
    sign_in(client, coordinator)
    response = upload(client, GOOD)
    assert response.status_code == 200
    text = page_text(response)
    assert "2 nya, 1 uppdateras, 0 med fel." in text
    assert preview_rows(response) == [
        ("2", "Högdalens Bageri AB", "556677-8899", "uppdateras"),
        ("3", "Årsta Fastigheter AB", "556016-0748", "ny"),
        ("4", "Lager Syd AB", "559000-1235", "ny"),
    ]
    assert IMPORT_BUTTON in text and token_of(response)
    assert companies_in_db(app) == [("Bageriet (gammalt namn)", "556677-8899", True)]


BAD_ROWS = [
    ("Högdalens Bageri AB;556677-8899;företag;;;Högdalens industriområde", "ny"),
    ("Fel Siffra AB;556677-8898;företag;;;", ORGNR_CHECK),
    ("Fel Område AB;556016-0748;företag;;;Högdalens industriområde|Månbasen", "Okänt verksamhetsområde: Månbasen."),
    ("Fel Typ AB;559000-1235;hyresgäst;;;", "Typen ska vara företag, fastighetsägare eller båda."),
    ("Dubbletten AB;5566778899;företag;;;", "Samma organisationsnummer som rad 2."),
    (";556123-4567;företag;;;", "Namnet saknas."),
    ("Kort Nummer AB;55612345;företag;;;", ORGNR_FORM),
    ("Fel Fastighet AB;916789-0129;företag;;Högdalen 3-14;", wrong_properties("Högdalen 3-14")),
    ("Personnummer AB;19850101-1236;företag;;;", PERSONNUMMER),
]


def test_bad_rows_block_the_import_with_each_rows_message(app, client, coordinator, areas):
    sign_in(client, coordinator)
    response = upload(client, csv_file(*[row for row, _verdict in BAD_ROWS]))
    assert response.status_code == 400
    text = page_text(response)
    assert f"1 nya, 0 uppdateras, {len(BAD_ROWS) - 1} med fel." in text
    assert FIX_AND_UPLOAD in text
    assert IMPORT_BUTTON not in text and token_of(response) is None
    rows = preview_rows(response)
    assert [(r[0], r[3]) for r in rows] == [(str(line), verdict) for line, (_row, verdict) in enumerate(BAD_ROWS, 2)]
    assert companies_in_db(app) == []


def test_a_file_with_bad_rows_cannot_be_applied_at_all(app, session, clock, areas):
    with app.test_request_context():
        result = importer.preview(session, csv_file(BAD_ROWS[0][0], BAD_ROWS[1][0]))
        assert not result.ok
        with pytest.raises(ValidationFailed) as refused:
            importer.apply(session, result, clock=clock)
        assert str(refused.value.message) == "Filen har rader med fel; inget sparades."
    session.rollback()
    assert companies_in_db(app) == []


def test_a_valid_file_imports_and_the_same_file_again_updates_and_adds_nothing(app, client, coordinator, areas):
    högdalen, årsta = areas
    sign_in(client, coordinator)
    response = client.post("/foretag/import", data={"token": token_of(upload(client, GOOD))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/foretag")
    register = client.get("/foretag")
    assert "Inläst: 3 nya, 0 uppdaterade." in page_text(register)
    assert listed(register) == ["Högdalens Bageri AB", "Lager Syd AB", "Årsta Fastigheter AB"]

    def snapshot():
        with fresh(app) as s:
            companies = {c.id: (c.name, c.organisation_number, c.kind, c.address, c.properties, c.confirmed)
                         for c in s.execute(select(Company)).scalars()}
            links = sorted(s.execute(select(CompanyArea.company_id, CompanyArea.business_area_id)).all())
        return companies, links

    companies, links = snapshot()
    by_name = {v[0]: (k, v) for k, v in companies.items()}
    assert by_name["Högdalens Bageri AB"][1] == ("Högdalens Bageri AB", "556677-8899", "company", "Magasinsgatan 7",
                                                 ["Högdalen 3:14", "Högdalen 3:15"], True)
    assert by_name["Årsta Fastigheter AB"][1][2] == "property_owner"
    assert by_name["Lager Syd AB"][1][2] == "both"
    lager = by_name["Lager Syd AB"][0]
    assert sorted(a for c, a in links if c == lager) == sorted([högdalen.id, årsta.id])

    again = upload(client, GOOD)
    assert "0 nya, 3 uppdateras, 0 med fel." in page_text(again)
    assert {r[3] for r in preview_rows(again)} == {"uppdateras"}
    response = client.post("/foretag/import", data={"token": token_of(again)})
    assert response.status_code == 302
    assert "Inläst: 0 nya, 3 uppdaterade." in page_text(client.get("/foretag"))
    assert snapshot() == (companies, links)
    # A used upload cannot be imported a second time.
    response = client.post("/foretag/import", data={"token": token_of(again)})
    assert response.status_code == 400
    assert "Den uppladdade filen har gått ut; ladda upp den igen." in page_text(response)


def test_an_import_updates_a_known_company_without_losing_what_the_file_leaves_out(app, client, session, clock,
                                                                                 coordinator, areas):
    högdalen, årsta = areas
    known = company(session, clock, "Bageriet", "556677-8899", areas=[årsta], address="Gamla vägen 1",
                    properties="Högdalen 1:1")
    sign_in(client, coordinator)
    preview = upload(client, csv_file("Högdalens Bageri AB;5566778899;båda;;Högdalen 3:14;Högdalens industriområde"))
    assert client.post("/foretag/import", data={"token": token_of(preview)}).status_code == 302
    text = page_text(client.get(f"/foretag/{known.id}"))
    assert "Högdalens Bageri AB" in text and "Typ Företag och fastighetsägare" in text
    assert "Adress Gamla vägen 1" in text
    assert "Fastighetsbeteckningar Högdalen 1:1, Högdalen 3:14" in text
    assert "Verksamhetsområden Högdalens industriområde, Årsta Partihallar" in text
    assert len(companies_in_db(app)) == 1


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_windows_1252_bom_and_comma_files_are_read(app, client, coordinator, areas, encoding, delimiter):
    content = csv_file(
        "Årsta Fastigheter AB;556016-0748;fastighetsägare;Sorterargatan 2;Årsta 1:1;Årsta Partihallar",
        "Högdalens Åkeri AB;5566778899;båda;Ågesta 3;Högdalen 3:14;Högdalens industriområde").replace(";", delimiter)
    sign_in(client, coordinator)
    response = upload(client, content.encode(encoding))
    assert response.status_code == 200, page_text(response)[:1000]
    assert preview_rows(response) == [("2", "Årsta Fastigheter AB", "556016-0748", "ny"),
                                      ("3", "Högdalens Åkeri AB", "556677-8899", "ny")]
    assert client.post("/foretag/import", data={"token": token_of(response)}).status_code == 302
    assert companies_in_db(app) == [("Högdalens Åkeri AB", "556677-8899", True),
                                    ("Årsta Fastigheter AB", "556016-0748", True)]
    assert "Verksamhetsområden Högdalens industriområde" in page_text(client.get(f"/foretag/{_id_of(app, '556677-8899')}"))


def _id_of(app, number: str) -> int:
    with fresh(app) as s:
        return s.execute(select(Company.id).where(Company.organisation_number == number)).scalar_one()


@pytest.mark.parametrize("content, message, status", [
    ("", "Filen är tom.", 400),
    ("namn;adress\nBageriet;Gatan 1\n", "Filen behöver kolumnerna namn och organisationsnummer på första raden.", 400),
    (HEADER + "\n\n;;;;;\n", "Filen har inga rader att läsa in.", 400),
])
def test_a_file_without_rows_or_columns_says_what_is_wrong(app, client, coordinator, content, message, status):
    sign_in(client, coordinator)
    response = upload(client, content)
    assert response.status_code == status
    assert message in page_text(response)
    assert IMPORT_BUTTON not in page_text(response)


def test_an_upload_without_a_file_or_with_a_binary_file_is_refused(client, coordinator):
    sign_in(client, coordinator)
    response = client.post("/foretag/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Välj en CSV-fil." in page_text(response)
    response = upload(client, b"\x81\x8d\x8f\x90\x9d" * 10, name="bild.csv")
    assert response.status_code == 400 and "Filen är inte en textfil (CSV)." in page_text(response)
    response = client.post("/foretag/import", data={"token": "../../etc/passwd"})
    assert response.status_code == 400 and "Den uppladdade filen har gått ut" in page_text(response)


def test_five_thousand_rows_preview_and_import_in_seconds(app, client, coordinator, areas):
    rows = [f"Företag {i:04d} AB;{with_check_digit(f'55{i:07d}')};{('företag', 'fastighetsägare', 'båda')[i % 3]};"
            f"Industrivägen {i % 90 + 1};Högdalen {i % 40 + 1}:{i % 97 + 1};"
            f"{('Högdalens industriområde', 'Årsta Partihallar', 'Högdalens industriområde|Årsta Partihallar')[i % 3]}"
            for i in range(5000)]
    content = csv_file(*rows)
    sign_in(client, coordinator)

    started = time.perf_counter()
    preview = upload(client, content)
    previewed = time.perf_counter() - started
    assert preview.status_code == 200
    assert "5000 nya, 0 uppdateras, 0 med fel." in page_text(preview)
    assert "De första 500 raderna visas." in page_text(preview)

    started = time.perf_counter()
    response = client.post("/foretag/import", data={"token": token_of(preview)})
    imported = time.perf_counter() - started
    assert response.status_code == 302
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(Company)).scalar_one() == 5000
        assert s.execute(select(func.count()).select_from(CompanyArea)).scalar_one() == 5000 + sum(1 for i in range(5000) if i % 3 == 2)
    assert previewed < 10, f"the preview of 5 000 rows took {previewed:.1f} s"
    assert imported < 10, f"the import of 5 000 rows took {imported:.1f} s"

    # The same file again: all updates, nothing added, also in seconds.
    started = time.perf_counter()
    again = upload(client, content)
    assert "0 nya, 5000 uppdateras, 0 med fel." in page_text(again)
    assert client.post("/foretag/import", data={"token": token_of(again)}).status_code == 302
    assert time.perf_counter() - started < 20
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(Company)).scalar_one() == 5000


def test_list_companies_counts_open_cases(app, session, clock, areas):
    bakery = company(session, clock, "Högdalens Bageri AB", "556677-8899", areas=[areas[0]])
    for status in ("new", "closed", "triaged"):
        row = factories.case(session, clock=clock, status=status)
        row.company_id = bakery.id
        session.add(row)
    session.commit()
    rows, total = list_companies(session)
    assert total == 1
    assert (rows[0].company.name, rows[0].areas, rows[0].open_cases) == ("Högdalens Bageri AB",
                                                                         ["Högdalens industriområde"], 2)

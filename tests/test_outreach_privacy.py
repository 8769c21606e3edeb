"""Outreach for development projects (who in the affected areas has been told, when, how and
what they answered; bulk marking; a mail merge through the outbox; projects from planned
changes) and the contact persons' personal data: anonymisation everywhere, the registerutdrag,
and the retention job for closed cases. Swedish messages, as the coordinator sees them."""

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from coordination.actions.models import PlannedChange
from coordination.auth.models import Role
from coordination.cases.models import Case, CaseEvent
from coordination.companies.models import (
    Company,
    ContactPerson,
    DevelopmentProject,
    OutreachEntry,
    ProjectArea,
)
from coordination.companies.outreach import outreach_list
from coordination.companies.privacy import apply_retention, person_extract
from coordination.companies.services import (
    CompanyInput,
    log_contact,
    save_company,
    save_contact,
)
from coordination.outbox.models import OutboxMessage
from coordination.scheduler import retention_job, run_job, send_mail_job
from tests import factories
from tests.conftest import PG_URL, fresh, sign_in

ANONYMISED = "Anonymiserad"


# --- helpers ------------------------------------------------------------------------------------

@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "bilagor"))
    app.instance_path = str(tmp_path / "instance")
    return app


def page_text(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def company(session, clock, name, number="", *, areas=(), kind="company") -> Company:
    row = save_company(session, None, CompanyInput(name=name, organisation_number=number, kind=kind,
                                                   sole_trader=False, address="", properties_text="",
                                                   business_area_ids=[a.id for a in areas]), clock=clock)
    session.flush()
    return row


def contact(session, clock, company_, name, email="", role="", phone="") -> ContactPerson:
    return save_contact(session, company_, None, name=name, role=role, email=email, phone=phone, clock=clock)


def outreach_rows(response) -> dict[str, list[str]]:
    """The outreach table: company name → [informed, how, answer]."""
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        name = re.sub(r" \(\d+ kontakte?r? med e-post\)$", "", cells[1])
        rows[name] = cells[2:]
    return rows


def contacts_column(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = re.findall(r'<a href="/foretag/\d+">([^<]+)</a>\s*<span class="muted">\(([^)]+)\)</span>', body)
    return {unescape(n): c for n, c in found}


def outbox(app) -> list[OutboxMessage]:
    with fresh(app) as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.recipient)).scalars())


# --- the world: three areas, companies in and out of them ----------------------------------------

@pytest.fixture
def world(session, clock):
    högdalen = factories.business_area(session, name="Högdalens industriområde")
    årsta = factories.business_area(session, name="Årsta Partihallar")
    västberga = factories.business_area(session, name="Västberga industriområde")
    bakery = company(session, clock, "Högdalens Bageri AB", "556677-8899", areas=[högdalen])
    asa = contact(session, clock, bakery, "Åsa Öberg", "asa.oberg@bageri.example.se", "VD", "08-123 45 67")
    per = contact(session, clock, bakery, "Per Persson", "per@bageri.example.se", "Fastighetschef")
    contact(session, clock, bakery, "Kalle Utan E-post", "", "Chaufför", "070-111 22 33")
    gone = contact(session, clock, bakery, "Borttagen Person", "borta@bageri.example.se")
    gone.name, gone.email, gone.anonymised_at = ANONYMISED, "", clock.now()
    session.add(gone)
    owner = company(session, clock, "Årsta Fastigheter AB", "556016-0748", areas=[årsta], kind="property_owner")
    lisa = contact(session, clock, owner, "Lisa Lind", "lisa.lind@fastigheter.example.se")
    both = company(session, clock, "Lager Syd AB", "559000-1235", areas=[högdalen, årsta], kind="both")
    outside = company(session, clock, "Västberga Verkstad AB", "556123-4567", areas=[västberga])
    contact(session, clock, outside, "Vera Verkstad", "vera@verkstad.example.se")
    company(session, clock, "Utan Område AB", "916789-0129")
    coordinator = factories.user(session, Role.coordinator, name="Sara Samordnare")
    session.commit()
    return {"högdalen": högdalen, "årsta": årsta, "västberga": västberga, "bakery": bakery, "owner": owner,
            "both": both, "outside": outside, "asa": asa, "per": per, "lisa": lisa, "coordinator": coordinator}


@pytest.fixture
def project(app, client, world):
    """The coordinator creates a project over Högdalen and Årsta through the form."""
    sign_in(client, world["coordinator"])
    response = client.post("/projekt/ny", data={
        "name": "Ombyggnad av Magasinsgatan", "kind": "road_works", "description": "Gatan byggs om i etapper.",
        "starts_on": "2027-03-01", "ends_on": "2027-10-31",
        "business_area_ids": [str(world["högdalen"].id), str(world["årsta"].id)]})
    assert response.status_code == 302, page_text(response)[:800]
    assert re.fullmatch(r"/projekt/\d+", response.headers["Location"])
    with fresh(app) as s:
        return s.execute(select(DevelopmentProject)).scalars().one()


AFFECTED = ["Högdalens Bageri AB", "Lager Syd AB", "Årsta Fastigheter AB"]


# --- the outreach list ----------------------------------------------------------------------------------

def test_a_project_over_two_areas_lists_exactly_their_companies(app, client, session, world, project):
    response = client.get(f"/projekt/{project.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Ombyggnad av Magasinsgatan sparades." in text
    assert "Typ Vägarbete" in text and "När 2027-03-01 – 2027-10-31" in text
    assert "Berörda verksamhetsområden Högdalens industriområde, Årsta Partihallar" in text
    assert "0 av 3 informerade" in text
    rows = outreach_rows(response)
    assert list(rows) == AFFECTED  # once each, in name order; not Västberga's, not the one without an area
    assert all(cells == ["Inte ännu", "", ""] for cells in rows.values())
    # Contacts that can be mailed: not the one without e-mail, not the anonymised one.
    assert contacts_column(response) == {"Högdalens Bageri AB": "2 kontakter med e-post",
                                         "Lager Syd AB": "0 kontakter med e-post",
                                         "Årsta Fastigheter AB": "1 kontakt med e-post"}
    with fresh(app) as s:
        listed = outreach_list(s, s.get(DevelopmentProject, project.id))
    assert [r.company.name for r in listed.rows] == AFFECTED and (listed.informed, listed.total) == (0, 3)
    # The project list shows the progress too.
    projects = page_text(client.get("/projekt"))
    assert "Ombyggnad av Magasinsgatan Vägarbete 2027-03-01 – 2027-10-31 0 av 3" in projects


def test_the_list_follows_the_register(app, client, session, clock, world, project):
    company(session, clock, "Nykomlingen AB", "", areas=[world["årsta"]])
    session.commit()
    assert list(outreach_rows(client.get(f"/projekt/{project.id}"))) == AFFECTED[:2] + ["Nykomlingen AB",
                                                                                         "Årsta Fastigheter AB"]
    assert "0 av 4 informerade" in page_text(client.get(f"/projekt/{project.id}"))


@pytest.mark.parametrize("data, message", [
    ({"business_area_ids": []}, "Berörda verksamhetsområden: Välj de verksamhetsområden som projektet berör."),
    ({"starts_on": "2027-10-01", "ends_on": "2027-03-01"}, "Till: Slutet kan inte vara före början."),
    ({"name": ""}, "Namn: Ange ett namn."),
    ({"starts_on": "1 mars"}, "Från: Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
])
def test_a_wrong_project_form_says_what_to_correct_and_keeps_the_input(app, client, world, data, message):
    sign_in(client, world["coordinator"])
    sent = {"name": "Ny detaljplan", "kind": "detailed_plan", "description": "Planen för kvarteret.",
            "starts_on": "2027-03-01", "ends_on": "2027-10-31", "business_area_ids": [str(world["högdalen"].id)]}
    sent.update(data)
    response = client.post("/projekt/ny", data=sent)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert "Planen för kvarteret." in text
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(DevelopmentProject)).scalar_one() == 0


def test_editing_a_project_changes_its_areas_and_so_its_list(app, client, world, project):
    response = client.post(f"/projekt/{project.id}/redigera", data={
        "name": "Ombyggnad av Magasinsgatan", "kind": "road_works", "business_area_ids": [str(world["västberga"].id)]})
    assert response.status_code == 302
    page = client.get(f"/projekt/{project.id}")
    assert list(outreach_rows(page)) == ["Västberga Verkstad AB"]
    assert "0 av 1 informerade" in page_text(page)


# --- marking informed -----------------------------------------------------------------------------

def test_the_coordinator_marks_companies_informed_in_bulk_with_how_and_the_answer(app, client, world, project,
                                                                                   clock):
    url = f"/projekt/{project.id}"
    response = client.post(url, data={"action": "mark", "company_ids": [str(world["bakery"].id), str(world["both"].id)],
                                      "how": "call", "answer": "Positiva, vill veta när etapp 2 börjar."})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url)
    text = page_text(page)
    assert "2 markerade som informerade." in text
    assert "2 av 3 informerade" in text
    assert outreach_rows(page) == {
        "Högdalens Bageri AB": ["2026-11-23", "Samtal", "Positiva, vill veta när etapp 2 börjar."],
        "Lager Syd AB": ["2026-11-23", "Samtal", "Positiva, vill veta när etapp 2 börjar."],
        "Årsta Fastigheter AB": ["Inte ännu", "", ""],
    }

    # Later, by letter, without an answer yet; and the bakery again at a meeting: the latest time and
    # way count, the answer already given stays.
    clock.advance(timedelta(days=3))
    client.post(url, data={"action": "mark", "company_ids": [str(world["owner"].id)], "how": "letter", "answer": ""})
    client.post(url, data={"action": "mark", "company_ids": [str(world["bakery"].id)], "how": "meeting"})
    page = client.get(url)
    assert "3 av 3 informerade" in page_text(page)
    assert outreach_rows(page) == {
        "Högdalens Bageri AB": ["2026-11-26", "Möte", "Positiva, vill veta när etapp 2 börjar."],
        "Lager Syd AB": ["2026-11-23", "Samtal", "Positiva, vill veta när etapp 2 börjar."],
        "Årsta Fastigheter AB": ["2026-11-26", "Brev", ""],
    }
    with fresh(app) as s:
        entries = s.execute(select(OutreachEntry)).scalars().all()
    assert len(entries) == 3
    assert {e.informed_by_id for e in entries} == {world["coordinator"].id}
    assert "3 av 3" in page_text(client.get("/projekt"))


@pytest.mark.parametrize("data, message", [
    ({"how": "pigeon"}, "Välj hur de informerades."),
    ({"company_ids": []}, "Välj minst ett företag."),
    ({"company_ids": ["outside"]}, "Välj minst ett företag."),  # a company outside the areas is not on the list
])
def test_marking_without_a_way_or_a_company_is_refused_and_keeps_the_choices(app, client, world, project, data,
                                                                                 message):
    sent = {"action": "mark", "company_ids": [str(world["bakery"].id)], "how": "call", "answer": "Ring igen i maj."}
    sent.update(data)
    sent["company_ids"] = [str(world["outside"].id) if v == "outside" else v for v in sent["company_ids"]]
    response = client.post(f"/projekt/{project.id}", data=sent)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "Inget sparades." in text
    assert "0 av 3 informerade" in text
    assert "Ring igen i maj." in text  # the answer typed is kept
    checked = re.findall(r'<input type="checkbox" name="company_ids" value="(\d+)"[^>]*\bchecked\b',
                         response.get_data(as_text=True))
    assert checked == [v for v in sent["company_ids"] if v != str(world["outside"].id)]
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(OutreachEntry)).scalar_one() == 0


# --- the mail merge -----------------------------------------------------------------------------------

MERGE = {"action": "mail", "subject": "Ombyggnad av Magasinsgatan 2027",
         "body": "Hej {name},\n\n{company} ligger där gatan byggs om från mars 2027.\n\nMed vänliga hälsningar\nSara"}


def test_a_mail_merge_queues_one_mail_per_contact_person_and_marks_them_informed_by_mail(app, client, world,
                                                                                      project):
    ids = [str(world[k].id) for k in ("bakery", "owner", "both")]
    response = client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": ids})
    assert response.status_code == 302
    page = client.get(f"/projekt/{project.id}")
    text = page_text(page)
    assert "e-brev är på väg via utkorgen." in text  # the count: test_a_repeated_mail_merge_says_…
    mails = outbox(app)
    assert [(m.recipient, m.kind, m.status, m.subject) for m in mails] == [
        ("asa.oberg@bageri.example.se", "outreach", "pending", "Ombyggnad av Magasinsgatan 2027"),
        ("lisa.lind@fastigheter.example.se", "outreach", "pending", "Ombyggnad av Magasinsgatan 2027"),
        ("per@bageri.example.se", "outreach", "pending", "Ombyggnad av Magasinsgatan 2027"),
    ]
    by_recipient = {m.recipient: m for m in mails}
    assert by_recipient["asa.oberg@bageri.example.se"].body_text == (
        "Hej Åsa Öberg,\n\nHögdalens Bageri AB ligger där gatan byggs om från mars 2027.\n\n"
        "Med vänliga hälsningar\nSara")
    assert by_recipient["lisa.lind@fastigheter.example.se"].body_text.startswith(
        "Hej Lisa Lind,\n\nÅrsta Fastigheter AB ligger")
    assert "<p>Hej Åsa Öberg,</p>" in by_recipient["asa.oberg@bageri.example.se"].body_html
    # Those with a contact reached by mail count as informed by mail; Lager Syd has nobody to mail.
    assert "2 av 3 informerade" in text
    rows = outreach_rows(page)
    assert rows["Högdalens Bageri AB"] == ["2026-11-23", "E-post", ""]
    assert rows["Årsta Fastigheter AB"] == ["2026-11-23", "E-post", ""]
    assert rows["Lager Syd AB"] == ["Inte ännu", "", ""]

    # The same merge again sends nobody a second mail for this project.
    assert client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": ids}).status_code == 302
    assert len(outbox(app)) == 3


def test_a_second_project_mails_the_same_people_again(app, client, world, project):
    client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": [str(world["bakery"].id)]})
    response = client.post("/projekt/ny", data={"name": "Ny återvinningscentral", "kind": "development",
                                                "business_area_ids": [str(world["högdalen"].id)]})
    second = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/projekt/{second}", data={**MERGE, "company_ids": [str(world["bakery"].id)]})
    assert sorted(m.recipient for m in outbox(app)) == ["asa.oberg@bageri.example.se", "asa.oberg@bageri.example.se",
                                                        "per@bageri.example.se", "per@bageri.example.se"]


def test_a_repeated_mail_merge_says_how_many_mails_it_really_queued(app, client, session, clock, world, project):
    ids = [str(world[k].id) for k in ("bakery", "owner", "both")]
    first = client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": ids}, follow_redirects=True)
    assert "3 e-brev är på väg via utkorgen." in page_text(first)
    contact(session, clock, session.get(Company, world["both"].id), "Nils Nilsson", "nils@lager.example.se")
    session.commit()
    response = client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": ids}, follow_redirects=True)
    assert len(outbox(app)) == 4  # one new mail: to Nils
    said = re.search(r"(\d+) e-brev är på väg via utkorgen\.", page_text(response))
    assert said and said.group(1) == "1", said and said.group(0)


@pytest.mark.parametrize("data, message", [
    ({"subject": ""}, "Skriv ett ämne."),
    ({"body": "  "}, "Skriv meddelandet."),
    ({"company_ids": ["both"]}, "Inget av de valda företagen har en kontaktperson med e-postadress."),
    ({"company_ids": ["outside"]}, "Inget av de valda företagen har en kontaktperson med e-postadress."),
])
def test_a_mail_merge_that_cannot_be_sent_sends_nothing_and_keeps_the_text(app, client, world, project, data,
                                                                           message):
    sent = {**MERGE, "company_ids": ["bakery"], **data}
    sent["company_ids"] = [str(world[k].id) for k in sent["company_ids"]]
    response = client.post(f"/projekt/{project.id}", data=sent)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "Inget skickades." in text
    if sent["subject"]:
        assert 'value="Ombyggnad av Magasinsgatan 2027"' in response.get_data(as_text=True)
    assert outbox(app) == []
    assert "0 av 3 informerade" in text


# --- projects from planned changes ------------------------------------------------------------------

@pytest.fixture
def planned_change(session, clock, world):
    org = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    change = PlannedChange(organisation_id=org.id, business_area_id=world["högdalen"].id,
                           title="Ledningsarbete på Magasinsgatan", description="Fjärrvärmeledningar byts.",
                           starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30), reported_at=clock.now())
    loose = PlannedChange(organisation_id=org.id, business_area_id=None, title="Ändrad sophämtning i hela staden",
                          reported_at=clock.now())
    session.add_all([change, loose])
    session.commit()
    return change, loose


def test_a_planned_change_becomes_a_project_once(app, client, world, planned_change):
    change, _loose = planned_change
    sign_in(client, world["coordinator"])
    response = client.post(f"/planerade-forandringar/{change.id}/projekt")
    assert response.status_code == 302
    location = response.headers["Location"]
    page = client.get(location)
    text = page_text(page)
    assert "Ledningsarbete på Magasinsgatan sparades." in text
    assert re.search(r"<h1>\s*Ledningsarbete på Magasinsgatan\s*</h1>", page.get_data(as_text=True))
    assert "När 2027-04-01 – 2027-06-30" in text and "Fjärrvärmeledningar byts." in text
    assert "Berörda verksamhetsområden Högdalens industriområde" in text
    assert list(outreach_rows(page)) == ["Högdalens Bageri AB", "Lager Syd AB"]
    assert "0 av 2 informerade" in text
    # Again: the same project, not a second one.
    again = client.post(f"/planerade-forandringar/{change.id}/projekt")
    assert again.status_code == 302 and again.headers["Location"] == location
    with fresh(app) as s:
        projects = s.execute(select(DevelopmentProject)).scalars().all()
        assert [(p.name, p.planned_change_id) for p in projects] == [("Ledningsarbete på Magasinsgatan", change.id)]
        assert s.execute(select(ProjectArea.business_area_id)).scalars().all() == [world["högdalen"].id]


def test_a_planned_change_without_an_area_leads_to_the_project_form(app, client, world, planned_change):
    _change, loose = planned_change
    sign_in(client, world["coordinator"])
    response = client.post(f"/planerade-forandringar/{loose.id}/projekt")
    assert response.status_code == 302 and response.headers["Location"].endswith("/projekt/ny")
    assert ("Den planerade förändringen är inte knuten till ett verksamhetsområde; skapa projektet för hand och "
            "välj områdena.") in page_text(client.get(response.headers["Location"]))
    assert client.post("/planerade-forandringar/999999/projekt").status_code == 404
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(DevelopmentProject)).scalar_one() == 0


# --- anonymising a contact person ---------------------------------------------------------------------

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


@pytest.fixture
def raised(app, session, world):
    """Åsa raised a case on the public form (with a different capitalisation of her address), Per
    another; the coordinator logged a visit with the bakery."""
    public = app.test_client()
    intake(public, world["högdalen"], contact_email="Asa.Oberg@Bageri.example.se")
    intake(public, world["högdalen"], contact_name="Per Persson", contact_email="per@bageri.example.se",
           contact_phone="", title="Belysningen vid lastkajen är trasig")
    log_contact(session, user_id=world["coordinator"].id, kind="visit", at=world["asa"].created_at,
                note="Besök hos bageriet om lastkajen.", company_ids=[world["bakery"].id], case_ids=[])
    session.commit()
    with fresh(app) as s:
        cases = s.execute(select(Case).order_by(Case.id)).scalars().all()
    return cases


def case_url(case) -> str:
    return "/arenden/" + case.reference.replace(" ", "-").replace("/", "-")


def search(client, q) -> tuple[str, str]:
    response = client.get("/arenden", query_string={"q": q, "status": ""})
    assert response.status_code == 200
    text = page_text(response)
    count = re.search(r"(\d+) ärenden?\b", text)
    return count.group(0) if count else "", text


def test_anonymising_a_contact_person_removes_the_name_everywhere_and_keeps_the_events(app, client, world, raised):
    asa_case, per_case = raised
    sign_in(client, world["coordinator"])
    before = page_text(client.get(case_url(asa_case)))
    assert "Kontaktperson Åsa Öberg" in before and "Asa.Oberg@Bageri.example.se" in before
    # The coordinator finds the case by who raised it (so "finds nothing afterwards" below means something).
    count, text = search(client, "Åsa Öberg")
    assert count == "1 ärende" and asa_case.reference in text and per_case.reference not in text
    with fresh(app) as s:
        events_before = s.execute(select(CaseEvent.kind).where(CaseEvent.case_id == asa_case.id)
                                  .order_by(CaseEvent.id)).scalars().all()
    assert events_before

    response = client.post(f"/foretag/{world['bakery'].id}/kontakter/{world['asa'].id}/anonymisera")
    assert response.status_code == 302
    page = page_text(client.get(response.headers["Location"]))
    assert "Kontaktpersonen anonymiserades, även i de ärenden personen har lämnat." in page
    assert "Anonymiserad (anonymiserad 2026-11-23)" in page
    for gone in ("Åsa Öberg", "asa.oberg@bageri.example.se", "08-123 45 67", "VD"):
        assert gone not in page, gone
    assert "Per Persson, Fastighetschef · per@bageri.example.se" in page  # the colleague is untouched
    assert "Besök hos bageriet om lastkajen." in page                       # the contact log stays

    # The register.
    with fresh(app) as s:
        asa = s.get(ContactPerson, world["asa"].id)
        assert (asa.name, asa.role, asa.email, asa.phone) == (ANONYMISED, "", "", "")
        assert asa.anonymised_at is not None
        events_after = s.execute(select(CaseEvent.kind).where(CaseEvent.case_id == asa_case.id)
                                 .order_by(CaseEvent.id)).scalars().all()
        cases = {c.id: c for c in s.execute(select(Case)).scalars()}
    # Her case, found by her e-mail address whatever its capitalisation; not Per's.
    assert (cases[asa_case.id].contact_name, cases[asa_case.id].contact_email,
            cases[asa_case.id].contact_phone) == (ANONYMISED, "", "")
    assert (cases[per_case.id].contact_name, cases[per_case.id].contact_email) == ("Per Persson",
                                                                                  "per@bageri.example.se")
    assert cases[asa_case.id].company_name == "Högdalens Bageri AB"
    # The history keeps that it happened.
    assert events_after == events_before
    shown = page_text(client.get(case_url(asa_case)))
    assert "Kontaktperson Anonymiserad" in shown and "E-postadress Ej angivet" in shown
    assert "Åsa" not in shown and "asa.oberg" not in shown.lower()
    assert "Historik" in shown and "Inkommet" in shown
    # The case search: her name finds nothing; the company's name still finds the case.
    count, text = search(client, "Åsa Öberg")
    assert count == "0 ärenden" and asa_case.reference not in text
    count, text = search(client, "Högdalens Bageri")
    assert count == "2 ärenden" and asa_case.reference in text and "Åsa" not in text
    # The anonymised person has no button any more; the others keep theirs.
    company_page = client.get(f"/foretag/{world['bakery'].id}").get_data(as_text=True)
    buttons = re.findall(r'action="/foretag/\d+/kontakter/(\d+)/anonymisera"', company_page)
    assert str(world["asa"].id) not in buttons and str(world["per"].id) in buttons


def test_anonymising_by_e_mail_on_the_personal_data_page(app, client, world, raised):
    asa_case, per_case = raised
    sign_in(client, world["coordinator"])
    assert client.get("/personuppgifter").status_code == 200
    response = client.post("/personuppgifter", data={"email": " ASA.OBERG@bageri.example.se ",
                                                     "action": "anonymise"})
    assert response.status_code == 302
    # One contact person, one case, and the receipt mail that had not gone yet.
    assert "Anonymiserat: 1 kontaktpersoner, 1 ärenden, 1 ej skickade e-brev." in page_text(
        client.get(response.headers["Location"]))
    with fresh(app) as s:
        assert s.get(ContactPerson, world["asa"].id).name == ANONYMISED
        assert s.get(Case, asa_case.id).contact_name == ANONYMISED
        assert s.get(Case, per_case.id).contact_name == "Per Persson"
        receipts = {m.case_id: m for m in s.execute(select(OutboxMessage)).scalars()}
    assert (receipts[asa_case.id].status, receipts[asa_case.id].recipient) == ("failed", "anonymiserad@invalid")
    assert receipts[per_case.id].status == "pending"

    response = client.post("/personuppgifter", data={"email": "", "action": "anonymise"})
    assert response.status_code == 400 and "Ange personens e-postadress." in page_text(response)


def test_the_registerutdrag_lists_everything_held_about_a_person(app, client, session, clock, world, project,
                                                                 raised):
    asa_case, _per_case = raised
    client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": [str(world["bakery"].id)]})
    response = client.post("/personuppgifter", data={"email": "asa.oberg@bageri.example.se", "action": "extract"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "registerutdrag.json" in disposition
    extract = json.loads(response.get_data(as_text=True))
    assert extract["email"] == "asa.oberg@bageri.example.se"
    assert [(p["company"], p["name"], p["role"], p["email"], p["phone"]) for p in extract["contact_persons"]] == [
        ("Högdalens Bageri AB", "Åsa Öberg", "VD", "asa.oberg@bageri.example.se", "08-123 45 67")]
    assert [(c["reference"], c["title"], c["contact_name"], c["contact_email"], c["company_name"])
            for c in extract["cases"]] == [(asa_case.reference, "Snöröjning saknas på Magasinsgatan", "Åsa Öberg",
                                            "Asa.Oberg@Bageri.example.se", "Högdalens Bageri AB")]
    assert sorted(m["subject"] for m in extract["mails"]) == [
        "Ombyggnad av Magasinsgatan 2027", f"Vi har tagit emot ert ärende {asa_case.reference}"]
    assert [e["note"] for e in extract["contacts_with_their_companies"]] == ["Besök hos bageriet om lastkajen."]
    # Nothing about Per in Åsa's extract.
    assert "Per Persson" not in response.get_data(as_text=True)

    # Someone the system does not know: an empty extract, not an error.
    unknown = json.loads(client.post("/personuppgifter", data={"email": "okand@example.se",
                                                               "action": "extract"}).get_data(as_text=True))
    assert (unknown["contact_persons"], unknown["cases"], unknown["mails"]) == ([], [], [])

    # After anonymisation the extract for the address is empty.
    client.post("/personuppgifter", data={"email": "asa.oberg@bageri.example.se", "action": "anonymise"})
    with fresh(app) as s:
        after = person_extract(s, email="asa.oberg@bageri.example.se")
    assert (after["contact_persons"], after["cases"], after["mails"]) == ([], [], [])


def held_about(app, email: str, name: str) -> list[str]:
    """Where the outbox still has the person: their address or their name in a mail."""
    return [f"{m.kind} to {m.recipient}" for m in outbox(app)
            if email in m.recipient.lower() or any(name in t for t in (m.subject, m.body_text, m.body_html))]


def test_anonymisation_also_removes_the_person_from_mails_already_sent(app, client, session, world, project, raised):
    client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": [str(world["bakery"].id)]})
    run_job(app, "outbox", send_mail_job(app))
    assert {m.status for m in outbox(app)} == {"sent"}
    assert held_about(app, "asa.oberg@bageri.example.se", "Åsa Öberg")  # the receipt and the outreach mail
    client.post(f"/foretag/{world['bakery'].id}/kontakter/{world['asa'].id}/anonymisera")
    with fresh(app) as s:
        assert person_extract(s, email="asa.oberg@bageri.example.se")["mails"] == []
    assert held_about(app, "asa.oberg@bageri.example.se", "Åsa Öberg") == []
    # The mails stay in the history as sent, without her; Per's are untouched.
    assert {m.status for m in outbox(app)} == {"sent"}
    assert any("Per Persson" in m.body_text for m in outbox(app))
    # The admin's outbox page no longer shows her address.
    admin = factories.user(session, Role.admin)
    session.commit()
    page = sign_in(app.test_client(), admin).get("/admin/utkorg")
    assert page.status_code == 200 and "asa.oberg" not in page.get_data(as_text=True).lower()


def test_anonymising_a_contact_who_raised_no_case_removes_them_from_their_mails(app, client, world, project):
    """Lisa got the outreach mail ("Hej Lisa Lind") but never raised a case."""
    client.post(f"/projekt/{project.id}", data={**MERGE, "company_ids": [str(world["owner"].id)]})
    run_job(app, "outbox", send_mail_job(app))
    assert held_about(app, "lisa.lind@fastigheter.example.se", "Lisa Lind") == [
        "outreach to lisa.lind@fastigheter.example.se"]
    response = client.post(f"/foretag/{world['owner'].id}/kontakter/{world['lisa'].id}/anonymisera")
    assert response.status_code == 302
    assert held_about(app, "lisa.lind@fastigheter.example.se", "Lisa Lind") == []


# --- retention ------------------------------------------------------------------------------------------

@pytest.fixture
def old_cases(session, clock):
    now = clock.now()

    def make(title, status, months_ago, **contact_details):
        details = {"contact_name": "Åsa Öberg", "contact_email": "asa@example.se", "contact_phone": "08-1",
                   **contact_details}
        row = factories.case(session, clock=clock, title=title, status=status,
                             received_at=now - timedelta(days=round(months_ago * 30.44) + 30))
        for key, value in details.items():
            setattr(row, key, value)
        row.company_name = "Högdalens Bageri AB"
        row.updated_at = now - timedelta(days=round(months_ago * 30.44))
        session.add(row)
        return row

    rows = {
        "closed_40": make("Stängt för 40 månader sedan", "closed", 40),
        "closed_37": make("Stängt för 37 månader sedan", "closed", 37),
        "closed_30": make("Stängt för 30 månader sedan", "closed", 30),
        "closed_1": make("Stängt förra månaden", "closed", 1),
        "open_60": make("Öppet sedan fem år", "in_progress", 60),
        "new_40": make("Nytt men gammalt", "new", 40),
        "closed_40_no_contact": make("Stängt utan kontakt", "closed", 40, contact_name="", contact_email="",
                                     contact_phone=""),
    }
    session.commit()
    return rows


def contact_details(app) -> dict[str, tuple[str, str, str, str]]:
    with fresh(app) as s:
        return {c.title: (c.contact_name, c.contact_email, c.contact_phone, c.company_name)
                for c in s.execute(select(Case)).scalars()}


def test_retention_anonymises_contact_details_of_cases_closed_before_the_cutoff_only(app, session, clock, old_cases):
    with fresh(app) as s:
        assert apply_retention(s, clock=clock, months=36) == 2
        s.commit()
    details = contact_details(app)
    anonymised = (ANONYMISED, "", "", "Högdalens Bageri AB")
    kept = ("Åsa Öberg", "asa@example.se", "08-1", "Högdalens Bageri AB")
    assert details == {
        "Stängt för 40 månader sedan": anonymised,
        "Stängt för 37 månader sedan": anonymised,
        "Stängt för 30 månader sedan": kept,
        "Stängt förra månaden": kept,
        "Öppet sedan fem år": kept,
        "Nytt men gammalt": kept,
        "Stängt utan kontakt": ("", "", "", "Högdalens Bageri AB"),
    }
    # Running again changes nothing; a shorter time (configurable) reaches further.
    with fresh(app) as s:
        assert apply_retention(s, clock=clock, months=36) == 0
        assert apply_retention(s, clock=clock, months=24) == 1
        s.commit()
    assert contact_details(app)["Stängt för 30 månader sedan"] == anonymised
    assert contact_details(app)["Stängt förra månaden"] == kept


def test_retention_also_takes_the_contact_out_of_the_cases_mails(app, session, clock, world):
    intake(app.test_client(), world["högdalen"])
    run_job(app, "outbox", send_mail_job(app))
    with fresh(app) as s:
        case = s.execute(select(Case)).scalars().one()
        case.status, case.updated_at = "closed", clock.now() - timedelta(days=40 * 31)
        s.add(case)
        s.commit()
        assert apply_retention(s, clock=clock, months=36) == 1
        s.commit()
    assert contact_details(app)["Snöröjning saknas på Magasinsgatan"][0] == ANONYMISED
    assert held_about(app, "asa.oberg@bageri.example.se", "Åsa Öberg") == []


def test_the_retention_job_uses_the_configured_months(make_app, clock, tmp_path, old_cases):
    app = make_app(RETENTION_MONTHS=12)
    run_job(app, "retention", retention_job(app))
    details = contact_details(app)
    assert [t for t, d in sorted(details.items()) if d[0] == ANONYMISED] == sorted([
        "Stängt för 40 månader sedan", "Stängt för 37 månader sedan", "Stängt för 30 månader sedan"])


# --- who reaches these pages ------------------------------------------------------------------------

def test_only_the_coordinator_and_admin_reach_outreach_and_personal_data(app, session, world, project, planned_change):
    change, _loose = planned_change
    department = factories.user(session, Role.department)
    steering = factories.user(session, Role.steering)
    admin = factories.user(session, Role.admin)
    session.commit()
    pages = ["/projekt", "/projekt/ny", f"/projekt/{project.id}", f"/projekt/{project.id}/redigera",
             "/personuppgifter"]
    posts = [(f"/projekt/{project.id}", {"action": "mark", "company_ids": [str(world["bakery"].id)], "how": "call"}),
             (f"/projekt/{project.id}", {**MERGE, "company_ids": [str(world["bakery"].id)]}),
             ("/personuppgifter", {"email": "asa.oberg@bageri.example.se", "action": "extract"}),
             ("/personuppgifter", {"email": "asa.oberg@bageri.example.se", "action": "anonymise"}),
             (f"/foretag/{world['bakery'].id}/kontakter/{world['asa'].id}/anonymisera", {}),
             (f"/planerade-forandringar/{change.id}/projekt", {})]
    for user in (department, steering):
        client = sign_in(app.test_client(), user)
        for url in pages:
            assert client.get(url).status_code == 403, (user.role, url)
        for url, data in posts:
            assert client.post(url, data=data).status_code == 403, (user.role, url)
    anonymous = app.test_client()
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"], url
    for url, data in posts:
        response = anonymous.post(url, data=data)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"], url
    # Nothing happened.
    with fresh(app) as s:
        assert s.execute(select(func.count()).select_from(OutreachEntry)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0
        assert s.get(ContactPerson, world["asa"].id).name == "Åsa Öberg"
        assert s.execute(select(func.count()).select_from(DevelopmentProject)).scalar_one() == 1
    # The admin keeps the register: the pages open.
    client = sign_in(app.test_client(), admin)
    for url in pages:
        assert client.get(url).status_code == 200, url

"""The outreach journey in a real browser: the coordinator registers a company in Högdalens
industriområde with a contact person, creates a development project for the area, sees the
outreach list and its progress, and marks the company informed by phone with its answer.
Debian Chromium driven by Playwright against a live server with CSRF on, with axe-core and the
per-page checks of test_browser.py on every page."""

import os
import re
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlmodel import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coordination import create_app, migrate  # noqa: E402
from coordination.clock import SystemClock  # noqa: E402
from coordination.companies.models import Company, OutreachEntry  # noqa: E402
from coordination.companies.services import CompanyInput, save_company  # noqa: E402
from coordination.demo import load_demo  # noqa: E402
from coordination.organisations.models import BusinessArea  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _truncate, audit, h1, log_in, submit  # noqa: E402

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@demo.stockholm.se"
AREA = "Högdalens industriområde"
OTHER_AREA = "Årsta Partihallar"
NEIGHBOUR = "Högdalens Bageri AB"        # already registered in the area
ELSEWHERE = "Partihallens Frukt AB"      # registered in another area: not on the list
COMPANY = "Magasinets Logistik AB"
ORG_NUMBER = "559000-1235"
CONTACT = "Karin Svensson"
EMAIL = "karin.svensson@logistik.example.se"
PROJECT = "Ny återvinningscentral i Högdalen"
ANSWER = "Positiva; vill ha ett möte om infarten i januari."


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser_outreach') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url,
                      "ATTACHMENTS_DIR": str(tmp_path_factory.mktemp("attachments"))})
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        clock = SystemClock()
        load_demo(session, clock=clock)
        areas = {a.name: a.id for a in session.execute(select(BusinessArea)).scalars()}
        for name, number, area in [(NEIGHBOUR, "556677-8899", AREA), (ELSEWHERE, "556016-0748", OTHER_AREA)]:
            save_company(session, None, CompanyInput(name=name, organisation_number=number, kind="company",
                                                     sole_trader=False, address="", properties_text="",
                                                     business_area_ids=[areas[area]]), clock=clock)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["db_engine"].dispose()
        if PG_URL:
            _truncate(url)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def outreach_row(page, name):
    return page.locator("table.data tbody tr", has=page.get_by_role("link", name=name, exact=True))


def test_the_coordinator_registers_a_company_and_works_through_the_outreach_list(page, live_server):
    base, app = live_server
    log_in(page, base, COORDINATOR, check=True)
    expect(h1(page)).to_have_text("Översikt")

    # The register, from the main navigation.
    submit(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Företag", exact=True))
    expect(h1(page)).to_have_text("Företag och fastighetsägare")
    expect(page.get_by_text("2 företag och fastighetsägare")).to_be_visible()
    audit(page)

    # A new company, first with a wrong organisation number: told what is wrong, input kept.
    submit(page, page.get_by_role("link", name="Nytt företag eller ny fastighetsägare"))
    expect(h1(page)).to_have_text("Nytt företag eller ny fastighetsägare")
    audit(page)
    page.get_by_label("Namn", exact=True).fill(COMPANY)
    page.get_by_label("Organisationsnummer").fill("559000-1234")
    page.get_by_label("Typ", exact=True).select_option("both")
    page.get_by_label("Adress").fill("Magasinsgatan 12, 124 53 Bandhagen")
    page.get_by_label("Fastighetsbeteckningar").fill("Högdalen 3:14\nHögdalen 3:15")
    page.get_by_label("Verksamhetsområden").select_option(label=AREA)
    submit(page, page.get_by_role("button", name="Spara"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Kontrollera organisationsnumret: sista siffran stämmer inte med de andra.")
    expect(page.get_by_label("Namn", exact=True)).to_have_value(COMPANY)
    expect(page.get_by_label("Fastighetsbeteckningar")).to_have_value("Högdalen 3:14\nHögdalen 3:15")
    expect(page.get_by_label("Organisationsnummer")).to_have_attribute("aria-invalid", "true")
    audit(page)
    page.get_by_label("Organisationsnummer").fill(ORG_NUMBER)
    submit(page, page.get_by_role("button", name="Spara"))
    expect(h1(page)).to_have_text(COMPANY)
    expect(page.get_by_text(f"{COMPANY} sparades.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(ORG_NUMBER)
    expect(facts).to_contain_text("Företag och fastighetsägare")
    expect(facts).to_contain_text("Högdalen 3:14, Högdalen 3:15")
    expect(facts).to_contain_text(AREA)
    audit(page)

    # Its contact person.
    page.get_by_text("Lägg till en kontaktperson").click()
    contacts = page.locator("#contacts")
    contacts.get_by_label("Namn", exact=True).fill(CONTACT)
    contacts.get_by_label("Roll").fill("Platschef")
    contacts.get_by_label("E-postadress").fill(EMAIL)
    contacts.get_by_label("Telefon").fill("08-555 123 45")
    submit(page, contacts.get_by_role("button", name="Lägg till"))
    expect(page.get_by_text("Kontaktpersonen lades till.")).to_be_visible()
    expect(page.locator("#contacts li", has_text=CONTACT)).to_contain_text(f"{CONTACT}, Platschef · {EMAIL}")
    audit(page)

    # A development project for the area.
    page.goto(base + "/foretag")
    submit(page, page.get_by_role("link", name="Utvecklingsprojekt och uppsökande arbete"))
    expect(h1(page)).to_have_text("Utvecklingsprojekt och uppsökande arbete")
    audit(page)
    submit(page, page.get_by_role("link", name="Nytt projekt"))
    expect(h1(page)).to_have_text("Nytt projekt")
    audit(page)
    page.get_by_label("Namn", exact=True).fill(PROJECT)
    page.get_by_label("Typ", exact=True).select_option("development")
    page.get_by_label("Beskrivning").fill("Staden bygger en ny återvinningscentral vid Magasinsgatan.")
    page.get_by_label("Från").fill("2027-03-01")
    page.get_by_label("Till", exact=True).fill("2027-12-31")
    page.get_by_label("Berörda verksamhetsområden").select_option(label=AREA)
    submit(page, page.get_by_role("button", name="Spara"))
    expect(h1(page)).to_have_text(PROJECT)
    expect(page.get_by_text(f"{PROJECT} sparades.")).to_be_visible()

    # The outreach list: the companies of the area, nobody told yet.
    progress = page.locator("#outreach-title + p")
    expect(progress).to_have_text("0 av 2 informerade")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(outreach_row(page, COMPANY)).to_contain_text("1 kontakt med e-post")
    expect(outreach_row(page, COMPANY)).to_contain_text("Inte ännu")
    expect(outreach_row(page, NEIGHBOUR)).to_contain_text("Inte ännu")
    expect(page.get_by_role("link", name=ELSEWHERE)).to_have_count(0)
    audit(page)

    # Marking without choosing anyone says so, and nothing changes.
    page.get_by_label("Hur").select_option(label="Samtal")
    submit(page, page.get_by_role("button", name="Markera som informerade"))
    expect(page.get_by_text("Välj minst ett företag.")).to_be_visible()
    expect(progress).to_have_text("0 av 2 informerade")
    audit(page)

    # The company was called and answered.
    page.get_by_label(COMPANY, exact=True).check()
    page.get_by_label("Hur").select_option(label="Samtal")
    page.get_by_label("Svar (valfritt)").fill(ANSWER)
    submit(page, page.get_by_role("button", name="Markera som informerade"))
    expect(h1(page)).to_have_text(PROJECT)
    expect(page.get_by_text("1 markerade som informerade.")).to_be_visible()
    expect(progress).to_have_text("1 av 2 informerade")
    row = outreach_row(page, COMPANY)
    expect(row).to_contain_text("Samtal")
    expect(row).to_contain_text(ANSWER)
    expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(outreach_row(page, NEIGHBOUR)).to_contain_text("Inte ännu")
    audit(page)

    # The project list shows the progress too.
    submit(page, page.get_by_role("link", name="Utvecklingsprojekt och uppsökande arbete"))
    expect(page.locator("table.data tbody tr", has_text=PROJECT)).to_contain_text("1 av 2")
    audit(page)

    with Session(app.extensions["db_engine"]) as session:
        informed = session.execute(select(Company.name, OutreachEntry.how, OutreachEntry.answer)
                                   .join(OutreachEntry, OutreachEntry.company_id == Company.id)).all()
    assert [tuple(r) for r in informed] == [(COMPANY, "call", ANSWER)]

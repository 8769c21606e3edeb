"""Real browser journeys through intake, queue, triage and the case page: a company raises a
matter on the public form (Swedish, English, keyboard only), the coordinator finds and triages
it, and the departments see it or not. Debian Chromium driven by Playwright against a live
server with CSRF on, with axe-core and the per-page checks of test_browser.py on every page."""

import os
import re
import threading
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlmodel import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coordination import create_app, migrate  # noqa: E402
from coordination.clock import SystemClock  # noqa: E402
from coordination.demo import load_demo  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _truncate, audit, h1, log_in, submit  # noqa: E402

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@demo.stockholm.se"
TRAFFIC = "trafikkontoret@demo.stockholm.se"        # Trafikkontoret (TK): chosen at triage
EXPLOITATION = "exploatering@demo.stockholm.se"     # Exploateringskontoret (EXPL): not chosen

# The matter journey 1 submits and journeys 2-3 follow. The subject has a word no demo case has.
SUBJECT = "Trasig bom vid Sockenvägens lastkaj"
SEARCH_WORD = "trasig bom"  # both words: only this subject has them (PostgreSQL stems Sockenvägens)
DESCRIPTION = ("Bommen vid lastkajen på Sockenvägen 12 har stått öppen i tre veckor.\n"
               "Lastbilar kör in kvällstid och det har varit två inbrott.")
COMPANY = "Högdalens Åkeri AB"
ORG_NUMBER = "556677-8899"        # a valid organisation number (Luhn)
WRONG_ORG_NUMBER = "556677-8890"  # right form, wrong check digit
CONTACT = "Karin Svensson"
EMAIL = "karin.svensson@akeri.example.se"
PHONE = "08-123 456 78"
LOCATION = "Sockenvägen 12"
AREA = "Högdalens industriområde"
PDF_NAME = "foton-bommen.pdf"
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
REFERENCE = re.compile(r"SBR \d{4}/\d{4}")
STAGE_RECEIVED = "Mottaget – väntar på att samordnaren går igenom det"
STAGE_WORK_GROUP = "Hos arbetsgruppen för området"
STAGE_COORDINATION = "Hos samordningsgruppen"

# Field ids of the intake form in the order a keyboard user should meet them.
INTAKE_FIELD_ORDER = ["company_name", "organisation_number", "contact_name", "contact_email", "contact_phone",
                      "business_area_id", "location", "title", "description", "attachments", "consent"]


# --- the live server -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser_cases') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url,
                      "ATTACHMENTS_DIR": str(tmp_path_factory.mktemp("attachments"))})
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        load_demo(session, clock=SystemClock())
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
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
def new_page(browser):
    """Pages in fresh browser contexts (no cookies shared): a company, an official, another."""
    contexts = []

    def make():
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="module")
def journey():
    """What journey 1 leaves for the next ones: the reference and the status link."""
    return {}


def needs(journey, key):
    if key not in journey:
        pytest.fail(f"this journey continues the one before it, which did not get as far as {key!r}")
    return journey[key]


# --- helpers ---------------------------------------------------------------------------------

def field(page, label):
    return page.get_by_label(label, exact=True)


def fill_intake(page, *, subject=SUBJECT, with_file=True):
    field(page, "Företag eller fastighetsägare").fill(COMPANY)
    field(page, "Organisationsnummer").fill(ORG_NUMBER)
    field(page, "Kontaktperson").fill(CONTACT)
    field(page, "E-postadress").fill(EMAIL)
    field(page, "Telefon (valfritt)").fill(PHONE)
    field(page, "Verksamhetsområde").select_option(label=AREA)
    field(page, "Adress eller plats").fill(LOCATION)
    field(page, "Ämne").fill(subject)
    field(page, "Beskriv ärendet").fill(DESCRIPTION)
    if with_file:
        field(page, "Bilagor (valfritt)").set_input_files(
            {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF})
    field(page, "Jag har läst hur staden hanterar personuppgifterna i formuläret.").check()


def path(page) -> str:
    return urlsplit(page.url).path


def receipt_reference(page) -> str:
    expect(h1(page)).to_have_text("Tack, vi har tagit emot ditt ärende")
    reference = page.locator("main p.big strong").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    return reference


def search_queue(page, base, word):
    page.goto(base + "/")
    submit(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden"))
    expect(h1(page)).to_have_text("Ärenden")
    audit(page)
    field(page, "Sök").fill(word)
    submit(page, page.get_by_role("button", name="Visa", exact=True))
    expect(h1(page)).to_have_text("Ärenden")
    audit(page)
    return page.locator("table.data tbody tr")


def focused(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className,
                type: e.getAttribute('type'), text: (e.textContent || '').trim()};
    }""")


# --- 1: a company raises a matter -----------------------------------------------------------

def test_1_company_raises_a_matter_and_follows_it(page, live_server, journey):
    page.goto(live_server + "/lamna-arende")
    expect(h1(page)).to_have_text("Lämna ett ärende till staden")
    assert page.locator("html").get_attribute("lang") == "sv"
    audit(page)

    # First try: the required fields left empty, a wrong organisation number, the rest filled
    # (and a file chosen, which the form says it does not keep).
    field(page, "Organisationsnummer").fill(WRONG_ORG_NUMBER)
    field(page, "Bilagor (valfritt)").set_input_files(
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF})
    field(page, "Telefon (valfritt)").fill(PHONE)
    field(page, "Verksamhetsområde").select_option(label=AREA)
    field(page, "Adress eller plats").fill(LOCATION)
    submit(page, page.get_by_role("button", name="Skicka", exact=True))
    expect(h1(page)).to_have_text("Lämna ett ärende till staden")
    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Rätta följande")
    expected = {
        "company_name": "Företag eller fastighetsägare: Ange namnet på företaget eller fastighetsägaren.",
        "organisation_number": "Organisationsnummer: Kontrollera organisationsnumret: sista siffran stämmer "
                               "inte med de andra.",
        "contact_name": "Kontaktperson: Ange kontaktpersonens namn.",
        "contact_email": "E-postadress: Ange en e-postadress så att vi kan svara.",
        "title": "Ämne: Ange ett ämne.",
        "description": "Beskriv ärendet: Beskriv ärendet.",
        "consent": "Bekräfta att du har läst hur staden hanterar personuppgifter.",
    }
    links = summary.get_by_role("link")
    found = {links.nth(i).get_attribute("href"): links.nth(i).inner_text().strip() for i in range(links.count())}
    assert sorted(found) == sorted(f"#{fid}" for fid in expected), found
    for fid, text in expected.items():
        assert text in found[f"#{fid}"], (fid, found[f"#{fid}"])
    # Every link leads to a field that exists and is marked invalid (the checkbox has its message).
    for fid in expected:
        assert page.locator(f"#{fid}").count() == 1, fid
        if fid != "consent":
            expect(page.locator(f"#{fid}")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name=re.compile("^Organisationsnummer")).click()
    assert page.evaluate("document.activeElement.id") == "organisation_number"
    # What was typed is kept.
    expect(field(page, "Organisationsnummer")).to_have_value(WRONG_ORG_NUMBER)
    expect(field(page, "Telefon (valfritt)")).to_have_value(PHONE)
    expect(field(page, "Adress eller plats")).to_have_value(LOCATION)
    expect(field(page, "Verksamhetsområde").locator("option:checked")).to_have_text(AREA)
    expect(page.get_by_role("status")).to_contain_text("välj dina bilagor igen")
    audit(page)

    # Second try: everything right, a PDF attached, consent given.
    fill_intake(page)
    submit(page, page.get_by_role("button", name="Skicka", exact=True))
    assert path(page) == "/lamna-arende/kvitto", page.url
    reference = receipt_reference(page)
    audit(page)
    status_link = page.locator('main a[href*="/status/"]')
    expect(status_link).to_have_count(1)
    status_url = status_link.get_attribute("href")
    assert re.fullmatch(re.escape(live_server) + r"/status/[^/]+", status_url), status_url
    assert status_link.inner_text().strip() == status_url  # the link shows the address to keep
    journey.update(reference=reference, status_url=status_url)

    submit(page, status_link)
    assert page.url == status_url
    expect(h1(page)).to_have_text(SUBJECT)
    expect(page.get_by_text(f"Ärendenummer {reference}")).to_be_visible()
    stage = page.locator("dl.facts dt", has_text="Var ärendet är nu").locator("xpath=following-sibling::dd[1]")
    expect(stage).to_have_text(STAGE_RECEIVED)
    expect(page.locator("dl.facts")).to_contain_text(AREA)
    expect(page.locator("ol.history li")).to_have_count(1)
    # Nothing internal or personal on the public page.
    for private in (EMAIL, CONTACT, PHONE, DESCRIPTION.split("\n")[0]):
        expect(page.locator("main")).not_to_contain_text(private)
    audit(page)


def test_receipt_reload_does_not_make_a_second_case(new_page, live_server):
    subject = "Dubbelkontroll av kvittot vid Ängsullsvägen"
    company = new_page()
    company.goto(live_server + "/lamna-arende")
    fill_intake(company, subject=subject, with_file=False)
    submit(company, company.get_by_role("button", name="Skicka", exact=True))
    reference = receipt_reference(company)
    for _ in range(2):
        company.reload()
        assert path(company) == "/lamna-arende/kvitto", company.url
        assert receipt_reference(company) == reference  # the same receipt, not a new case
    audit(company)

    official = new_page()
    log_in(official, live_server, COORDINATOR)
    rows = search_queue(official, live_server, "ängsullsvägen")
    expect(official.locator("p.result-count")).to_have_text("1 ärende")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text(reference)
    expect(rows.first.locator("td").nth(1)).to_have_text(subject)


# --- 2: the coordinator finds and triages it -------------------------------------------------


def test_2_coordinator_finds_and_triages_the_matter(new_page, live_server, journey):
    reference, status_url = needs(journey, "reference"), needs(journey, "status_url")
    page = new_page()
    log_in(page, live_server, COORDINATOR)
    expect(h1(page)).to_have_text("Översikt")
    rows = search_queue(page, live_server, SEARCH_WORD)
    expect(page.locator("p.result-count")).to_have_text("1 ärende")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("td").nth(1)).to_have_text(SUBJECT)
    expect(row.locator("td").nth(2)).to_have_text(COMPANY)
    expect(row.locator("td").nth(6)).to_have_text("Nytt")

    submit(page, row.get_by_role("link", name=reference))
    assert page.url.endswith("/arenden/" + reference.replace(" ", "-").replace("/", "-")), page.url
    expect(h1(page)).to_have_text(SUBJECT)
    facts = page.locator("main")
    expect(facts).to_contain_text(EMAIL)  # the coordinator sees the contact details
    expect(facts).to_contain_text(ORG_NUMBER)
    attachment = page.get_by_role("link", name=PDF_NAME)
    expect(attachment).to_have_count(1)
    audit(page)
    with page.expect_download() as download:
        attachment.click()
    assert download.value.suggested_filename == PDF_NAME
    assert open(download.value.path(), "rb").read() == PDF

    submit(page, page.get_by_role("link", name="Triage", exact=True))
    expect(h1(page)).to_have_text(f"Triage: {reference} {SUBJECT}")
    audit(page)
    field(page, "Verksamhetsområde").select_option(label=AREA)
    focus = field(page, "Fokusområde")
    focus_label = focus.locator("option").nth(1).inner_text().strip()  # the first real focus area
    focus.select_option(label=focus_label)
    field(page, "Kategori").select_option(label="Trygghet och säkerhet")
    field(page, "Berörda organisationer").select_option(label=["Trafikkontoret", "Stadsbyggnadskontoret"])
    field(page, "Prioritet").select_option(label="Hög")
    submit(page, page.get_by_role("button", name="Spara triage", exact=True))

    expect(h1(page)).to_have_text(SUBJECT)
    expect(page.get_by_role("status")).to_contain_text(f"Triage av {reference} sparades.")
    facts = page.locator("section", has=page.locator("#facts-title"))
    expect(facts).to_contain_text("Triagerat")
    # Two organisations concerned: rule R2 lifts the case to the coordination group at once.
    expect(facts).to_contain_text("Samordningsgruppen")
    why = page.locator("section", has=page.locator("#why-title"))
    expect(why).to_contain_text("Flyttat av regel R2")
    expect(why).to_contain_text("Frågan går över förvaltnings-/bolagsgränser")
    expect(why).to_contain_text("2 organisationer: Stadsbyggnadskontoret, Trafikkontoret")
    expect(facts).to_contain_text(focus_label)
    expect(facts).to_contain_text("Trygghet och säkerhet")
    expect(facts).to_contain_text("Hög")
    expect(facts).to_contain_text("Stadsbyggnadskontoret, Trafikkontoret")
    history = page.locator("section", has=page.locator("#history-title")).locator("li")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("Lyft")
    expect(history.first).to_contain_text("regel R2")
    expect(history.first).to_contain_text("Arbetsgrupp → Samordningsgruppen")
    expect(history.nth(1)).to_contain_text("Triagerat")
    expect(history.nth(1)).to_contain_text("Sara Lind")
    expect(history.nth(1)).to_contain_text("Ej triagerat → Arbetsgrupp")
    expect(page.get_by_role("link", name="Ändra triage", exact=True)).to_have_count(1)
    audit(page)

    company = new_page()  # a fresh, anonymous context
    company.goto(status_url)
    stage = company.locator("dl.facts dt", has_text="Var ärendet är nu").locator("xpath=following-sibling::dd[1]")
    expect(stage).to_have_text(STAGE_COORDINATION)
    expect(company.locator("ol.history li")).to_have_count(3)
    expect(company.locator("ol.history li").nth(1)).to_contain_text(STAGE_WORK_GROUP)
    expect(company.locator("ol.history li").last).to_contain_text(STAGE_COORDINATION)
    expect(company.locator("main")).not_to_contain_text("Sara Lind")
    audit(company)
    journey["triaged"] = True


# --- 3: the departments ------------------------------------------------------------------------

def test_3_only_the_chosen_department_sees_the_case(new_page, live_server, journey):
    reference = needs(journey, "reference")
    needs(journey, "triaged")
    slug = reference.replace(" ", "-").replace("/", "-")

    traffic = new_page()
    log_in(traffic, live_server, TRAFFIC)
    expect(h1(traffic)).to_have_text("Min förvaltning: Trafikkontoret")
    audit(traffic)
    row = traffic.locator("main table.data tbody tr", has=traffic.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(SUBJECT)
    submit(traffic, row.get_by_role("link", name=reference))
    expect(h1(traffic)).to_have_text(SUBJECT)
    expect(traffic.get_by_role("link", name=PDF_NAME)).to_have_count(1)
    expect(traffic.get_by_role("link", name=re.compile("triage", re.I))).to_have_count(0)
    expect(traffic.locator("main")).not_to_contain_text(EMAIL)  # contact details are the coordinator's
    audit(traffic)
    response = traffic.goto(f"{live_server}/arenden/{slug}/triage")
    assert response.status == 403

    exploitation = new_page()
    log_in(exploitation, live_server, EXPLOITATION)
    expect(h1(exploitation)).to_have_text("Min förvaltning: Exploateringskontoret")
    expect(exploitation.get_by_role("link", name=reference)).to_have_count(0)
    response = exploitation.goto(f"{live_server}/arenden/{slug}")
    assert response.status == 403
    expect(h1(exploitation)).to_have_text("Inte tillåtet")
    expect(exploitation.get_by_text("Du har inte behörighet till den här sidan.")).to_be_visible()
    expect(exploitation.locator("main")).not_to_contain_text(SUBJECT)
    audit(exploitation)


# --- 4: keyboard only --------------------------------------------------------------------------

def test_4_intake_form_with_the_keyboard_only(page, live_server):
    page.goto(live_server + "/lamna-arende")
    audit(page)
    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["cls"], first["text"]) == ("skip-link", "Hoppa till huvudinnehållet"), first

    # Tabbing on through the header (brand, menu, language, log-in) reaches the form fields,
    # in the order they are shown, and then the send button; the hidden bot trap is skipped.
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now)
        if now["tag"] == "button" and now["type"] == "submit" and now["text"] == "Skicka":
            break
    order = [s["id"] or re.sub(r"\s+", " ", s["text"]) for s in seen]
    assert order == ["Stockholms stad Samordning", "Lämna ett ärende till staden", "In English",
                     "Logga in (tjänstepersoner)", *INTAKE_FIELD_ORDER, "Skicka"], order

    # Now fill it in and send it, without the mouse: the skip link, then field by field.
    page.goto(live_server + "/lamna-arende")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    subject = "Tangentbordsärende om belysning vid Rampvägen"
    typed = {"company_name": COMPANY, "organisation_number": ORG_NUMBER, "contact_name": CONTACT,
             "contact_email": EMAIL, "contact_phone": PHONE, "location": LOCATION, "title": subject,
             "description": "Belysningen vid Rampvägen är trasig."}
    for fid in INTAKE_FIELD_ORDER:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == fid
        if fid in typed:
            page.keyboard.type(typed[fid])
        elif fid == "business_area_id":
            page.keyboard.press("ArrowDown")  # from "Vet ej" to the first business area
        elif fid == "consent":
            page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()
    expect(page.locator("#business_area_id")).not_to_have_value("")
    for fid, value in typed.items():
        expect(page.locator(f"#{fid}")).to_have_value(value)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skicka"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    receipt_reference(page)
    audit(page)


# --- 5: in English -----------------------------------------------------------------------------

def test_5_intake_form_in_english(page, live_server):
    page.goto(live_server + "/lamna-arende")
    submit(page, page.get_by_role("button", name="In English"))
    assert path(page) == "/lamna-arende", page.url
    assert page.locator("html").get_attribute("lang") == "en"
    expect(h1(page)).to_have_text("Raise a matter with the city")
    for label in ("Company or property owner", "Organisation number", "Contact person", "E-mail address",
                  "Phone (optional)", "Business area", "Address or place", "Subject", "Describe the matter",
                  "Attachments (optional)", "I have read how the city handles the personal data in this form."):
        expect(field(page, label)).to_have_count(1)
    expect(field(page, "Business area").locator("option").first).to_have_text("Don't know")
    expect(page.get_by_role("button", name="På svenska")).to_be_visible()
    audit(page)

    field(page, "Organisation number").fill("12345")
    field(page, "E-mail address").fill("not-an-address")
    submit(page, page.get_by_role("button", name="Send", exact=True))
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Correct the following")
    for message in ("Company or property owner: Enter the name of the company or property owner.",
                    "Organisation number: Check the organisation number: it has 10 digits, written "
                    "NNNNNN-NNNN or without the dash.",
                    "Contact person: Enter the name of the contact person.",
                    "E-mail address: Enter an e-mail address in the form name@example.se.",
                    "Subject: Enter a subject.",
                    "Describe the matter: Describe the matter.",
                    "Confirm that you have read how the city handles personal data."):
        expect(summary.get_by_role("link", name=message)).to_have_count(1)
    expect(page.locator("#company_name-error")).to_have_text("Enter the name of the company or property owner.")
    expect(page.locator("main")).not_to_contain_text("Rätta följande")
    expect(page.locator("main")).not_to_contain_text("Ange")
    expect(field(page, "E-mail address")).to_have_value("not-an-address")
    audit(page)


# --- how the form looks ------------------------------------------------------------------------

def test_the_phone_field_looks_like_the_other_text_fields(page, live_server):
    page.goto(live_server + "/lamna-arende")

    def look(fid):
        return page.evaluate("""fid => { const s = getComputedStyle(document.getElementById(fid));
            return {border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`,
                    padding: s.paddingLeft, width: s.width}; }""", fid)

    reference = look("company_name")
    assert look("contact_email") == reference
    assert look("contact_phone") == reference

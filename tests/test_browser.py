"""Real browser journeys through the demo data: Debian Chromium driven by Playwright against a
live server with CSRF on, with axe-core (WCAG 2.1 AA, DOS-lagen) on every page visited."""

import os
import pathlib
import re
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

import axe_playwright_python  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlmodel import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coordination import create_app, migrate  # noqa: E402
from coordination.clock import SystemClock  # noqa: E402
from coordination.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402

pytestmark = pytest.mark.browser

AXE_JS = pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

COORDINATOR = "samordnare@demo.stockholm.se"
DEPARTMENT = "trafikkontoret@demo.stockholm.se"
STEERING = "styrgrupp@demo.stockholm.se"
ADMIN = "admin@demo.stockholm.se"
# Used only by the language test, because the language choice is stored on the user.
LANGUAGE_USER = "exploatering@demo.stockholm.se"


# --- the live server -------------------------------------------------------------------------

def _truncate(url: str) -> None:
    """Empty the PostgreSQL test database and put back what the migrations seed."""
    from tests.conftest import reset_postgres

    reset_postgres(url)


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url})
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
def page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


# --- what every page must satisfy ------------------------------------------------------------

def audit(page) -> None:
    """A non-empty title, exactly one <main> and one <h1>, and no serious or critical axe-core
    violations."""
    where = page.url
    title = page.title().strip()
    assert title, f"{where}: empty <title>"
    assert not title.startswith("–"), f"{where}: the page-specific part of the title is empty: {title!r}"
    assert page.locator("main").count() == 1, f"{where}: expected exactly one <main>"
    assert page.locator("h1").count() == 1, f"{where}: expected exactly one <h1>"
    assert page.locator("h1").inner_text().strip(), f"{where}: empty <h1>"
    # Evaluated through DevTools, not as an inline <script>, which the page's CSP refuses.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} (first: {v['nodes'][0]['target'] if v['nodes'] else '-'}, "
        f"{len(v['nodes'])} node(s))" for v in serious)
    assert not serious, f"axe-core found serious/critical violations on {where}:\n{report}"


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD, *, check: bool = False) -> None:
    page.goto(base + "/logga-in")
    if check:
        audit(page)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    submit(page, page.get_by_role("button", name="Logga in", exact=True))


def h1(page):
    return page.locator("h1")


# --- journeys --------------------------------------------------------------------------------

@pytest.mark.parametrize("email, heading", [
    (COORDINATOR, "Översikt"),
    (DEPARTMENT, "Min förvaltning: Trafikkontoret"),
    (STEERING, "Styrgruppen FC/BC Näringsliv"),
    (ADMIN, "Administration"),
], ids=["coordinator", "department", "steering", "admin"])
def test_each_role_logs_in_and_reaches_its_start_page(page, live_server, email, heading):
    log_in(page, live_server, email, check=True)
    expect(h1(page)).to_have_text(heading)
    assert page.locator("html").get_attribute("lang") == "sv"
    audit(page)
    # The user's own organisation page, where the role has one.
    my_org = page.get_by_role("link", name="Min organisation")
    if my_org.count():
        submit(page, my_org)
        audit(page)


def test_wrong_password_is_refused_with_a_clear_message(page, live_server):
    log_in(page, live_server, COORDINATOR, "not-the-password")
    assert "/logga-in" in page.url
    expect(page.get_by_text("Fel e-postadress eller lösenord.").first).to_be_visible()
    expect(page.get_by_role("alert")).to_be_visible()
    # The e-mail address is kept, the password is not echoed back.
    expect(page.get_by_label("E-postadress")).to_have_value(COORDINATOR)
    expect(page.get_by_label("Lösenord")).to_have_value("")
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    audit(page)


def test_coordinator_opens_a_case_from_the_start_page(page, live_server):
    log_in(page, live_server, COORDINATOR)
    expect(h1(page)).to_have_text("Översikt")
    first_row = page.locator("table.data tbody tr").first
    reference = first_row.locator("td").nth(0).inner_text().strip()
    title = first_row.locator("td").nth(1).inner_text().strip()
    assert re.fullmatch(r"SBR \d{4}/\d{4}", reference), reference
    submit(page, first_row.get_by_role("link", name=reference))
    assert re.search(r"/arenden/SBR-\d{4}-\d{4}$", page.url), page.url
    expect(h1(page)).to_have_text(title)
    expect(page.get_by_text(reference).first).to_be_visible()
    audit(page)
    # A case that does not exist: a real error page, as accessible as the others.
    response = page.goto(live_server + "/arenden/SBR-2026-9999")
    assert response.status == 404
    audit(page)


def test_admin_lists_forms_and_validation(page, live_server):
    log_in(page, live_server, ADMIN)
    expect(h1(page)).to_have_text("Administration")
    audit(page)
    registers = page.locator("main ul.cards a")
    links = [(registers.nth(i).inner_text().strip(), registers.nth(i).get_attribute("href"))
             for i in range(registers.count())]
    assert [name for name, _href in links] == ["Användare", "Organisationer", "Nämnder", "Verksamhetsområden",
                                                "Grupper", "Mötesserier", "Utkorg", "Rapportmallar", "Granskningslogg"]
    for name, href in links:
        page.goto(live_server + href)
        expect(h1(page)).to_have_text(name)
        audit(page)
        if name in ("Utkorg", "Rapportmallar", "Granskningslogg"):  # no "new" form: read-only, or copied
            continue
        new_link = page.locator("main a.button").first
        submit(page, new_link)
        expect(h1(page)).to_have_text(re.compile(r"^Ny "))
        audit(page)

    # An organisation form with the name left out: the error summary, a link to the field,
    # and what was typed kept.
    page.goto(live_server + dict(links)["Organisationer"] + "/ny")
    expect(h1(page)).to_have_text("Ny organisation")
    page.get_by_label("Förkortning").fill("NYA")
    page.get_by_label("Kontaktadress (e-post)").fill("info@nya.example.se")
    page.get_by_label("Typ").select_option("external")
    submit(page, page.get_by_role("button", name="Spara"))
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Rätta följande")
    to_name = summary.get_by_role("link", name=re.compile("Namn"))
    expect(to_name).to_have_attribute("href", "#name")
    expect(to_name).to_contain_text("Ange ett namn.")
    expect(page.get_by_label("Förkortning")).to_have_value("NYA")
    expect(page.get_by_label("Kontaktadress (e-post)")).to_have_value("info@nya.example.se")
    expect(page.get_by_label("Typ")).to_have_value("external")
    expect(page.get_by_label("Namn", exact=True)).to_have_attribute("aria-invalid", "true")
    audit(page)
    to_name.click()
    assert page.evaluate("document.activeElement.id") == "name"

    page.get_by_label("Namn", exact=True).fill("Nya förvaltningen")
    submit(page, page.get_by_role("button", name="Spara"))
    expect(h1(page)).to_have_text("Organisationer")
    expect(page.get_by_text("Nya förvaltningen sparades.")).to_be_visible()
    row = page.locator("table.data tbody tr", has_text="Nya förvaltningen")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("NYA")
    audit(page)


def test_language_switch_is_remembered_for_the_user(page, live_server):
    log_in(page, live_server, LANGUAGE_USER)
    expect(h1(page)).to_have_text("Min förvaltning: Exploateringskontoret")
    submit(page, page.get_by_role("button", name="In English"))
    expect(h1(page)).to_have_text("My department: Exploateringskontoret")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("button", name="På svenska")).to_be_visible()
    audit(page)

    submit(page, page.get_by_role("button", name="Log out"))
    assert "/logga-in" in page.url
    audit(page)
    log_in(page, live_server, LANGUAGE_USER)
    expect(h1(page)).to_have_text("My department: Exploateringskontoret")
    assert page.locator("html").get_attribute("lang") == "en"

    # And back: Swedish again, also remembered.
    submit(page, page.get_by_role("button", name="På svenska"))
    expect(h1(page)).to_have_text("Min förvaltning: Exploateringskontoret")
    assert page.locator("html").get_attribute("lang") == "sv"


def _first_tab_focuses_the_skip_link(page):
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})")
    assert focused == {"cls": "skip-link", "href": "#main", "text": "Hoppa till huvudinnehållet"}
    # Visible while focused, inside the viewport.
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_first_tab_focuses_the_skip_link(page, live_server):
    page.goto(live_server + "/logga-in")  # anonymous, from the top of a fresh page
    _first_tab_focuses_the_skip_link(page)
    log_in(page, live_server, STEERING)
    expect(h1(page)).to_have_text("Styrgruppen FC/BC Näringsliv")
    page.goto(live_server + "/")
    _first_tab_focuses_the_skip_link(page)


def test_the_accessibility_check_itself_can_fail(page):
    """The harness is live: a page with an unlabelled input and an image without text fails."""
    page.set_content('<!doctype html><html lang="sv"><head><title>Trasig</title></head><body><main>'
                     '<h1>Trasig sida</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<input type="text"></main></body></html>')
    with pytest.raises(AssertionError) as failed:
        audit(page)
    assert "image-alt" in str(failed.value) and "label" in str(failed.value), str(failed.value)

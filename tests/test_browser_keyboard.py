"""Keyboard only, in Chromium: a company sends the public intake form and gets its receipt; the
coordinator logs in, finds that case on the start page, triages it (business area, focus area,
organisations, level) and saves. Tab, Shift+Tab, Enter, Space, arrow keys (with Ctrl in the
list of organisations) and typing: never a click. At every stop the focused element shows it
(the :focus-visible outline), is on screen, and comes after the one before it in the page (no
tabindex jumps), the skip link always first. Against a live server with the demo data and CSRF
on, axe-core on every page reached."""

import pytest
from playwright.sync_api import expect

from coordination.demo import DEMO_PASSWORD
from tests import test_browser_cases as cases
from tests.test_browser import audit, h1
from tests.test_browser_cases import (
    AREA,
    COMPANY,
    CONTACT,
    EMAIL,
    INTAKE_FIELD_ORDER,
    LOCATION,
    ORG_NUMBER,
    PHONE,
    path,
    receipt_reference,
)

pytestmark = pytest.mark.browser

# The fixtures of test_browser_cases.py, for this module: a live server with the demo data and
# attachments, one Chromium, and pages in fresh contexts.
browser, live_server, new_page = cases.browser, cases.live_server, cases.new_page

COORDINATOR = "samordnare@demo.stockholm.se"
SUBJECT = "Tangentbordsresa: skymd skylt vid Cementvägen"
DESCRIPTION = "Skylten vid infarten till Cementvägen skyms av buskar."
# The triage form's fields in the order a keyboard user meets them.
TRIAGE_FIELD_ORDER = ["business_area_id", "focus_area_id", "category", "organisation_ids", "priority",
                      "major_significance", "needs_department_head_decision", "needs_political_decision",
                      "estimated_cost_sek", "level"]

FOCUSED = """() => {
    const e = document.activeElement;
    const before = window.__lastFocused;
    window.__lastFocused = e;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const order = before && before !== e ? before.compareDocumentPosition(e) : 0;
    return {
        tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, type: e.getAttribute('type'),
        href: e.getAttribute('href'),
        text: (e.tagName === 'SELECT' ? '' : (e.innerText || e.value || '')).trim().replace(/\\s+/g, ' '),
        forward: !before || before === e || !!(order & Node.DOCUMENT_POSITION_FOLLOWING),
        backward: !!before && !!(order & Node.DOCUMENT_POSITION_PRECEDING),
        ring: e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
                  && box.top < window.innerHeight && box.left < window.innerWidth,
    };
}"""


def press(page, key: str) -> dict:
    """Press a key that moves the focus, and check where it went: visibly, on screen, onwards
    (or back, for Shift+Tab) in the page."""
    page.keyboard.press(key)
    now = page.evaluate(FOCUSED)
    where = f"{page.url}: {key} to {now}"
    assert now["tag"] != "body", f"{where}: the focus was lost"
    assert now["ring"], f"{where}: no visible focus"
    assert now["onScreen"], f"{where}: the focused element is off screen"
    onwards = now["backward"] if key == "Shift+Tab" else now["forward"]
    assert onwards, f"{where}: the focus jumped against the page order"
    return now


def start_with_the_skip_link(page) -> None:
    """From the top of a freshly loaded page: the first Tab shows the skip link, Enter moves to the
    main content."""
    first = press(page, "Tab")
    assert (first["cls"], first["href"], first["text"]) == ("skip-link", "#main", "Hoppa till huvudinnehållet"), first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def tab_to(page, wanted, limit: int = 60) -> list[dict]:
    """Tab until `wanted(focused)` holds; every stop on the way is checked by press()."""
    seen = []
    for _ in range(limit):
        seen.append(press(page, "Tab"))
        if wanted(seen[-1]):
            return seen
    pytest.fail(f"{page.url}: {limit} Tabs did not reach it; the focus went through {seen}")


def checked_and_reloaded(page) -> None:
    """axe-core on the page, then the page afresh: axe moves the point sequential focus
    navigation starts from, and the journey goes on from the top as a person arriving would."""
    audit(page)
    page.reload()


def activate(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_intake_and_triage_with_the_keyboard_only(new_page, live_server):
    # --- the company: the public form, field by field, and the receipt ---
    company = new_page()
    company.goto(live_server + "/lamna-arende")
    expect(h1(company)).to_have_text("Lämna ett ärende till staden")
    start_with_the_skip_link(company)
    typed = {"company_name": COMPANY, "organisation_number": ORG_NUMBER, "contact_name": CONTACT,
             "contact_email": EMAIL, "contact_phone": PHONE, "location": LOCATION, "title": SUBJECT,
             "description": DESCRIPTION}
    for fid in INTAKE_FIELD_ORDER:
        assert press(company, "Tab")["id"] == fid
        if fid in typed:
            company.keyboard.type(typed[fid])
        elif fid == "business_area_id":
            company.keyboard.type("H")  # type-ahead in the closed list: Högdalens industriområde
        elif fid == "consent":
            company.keyboard.press("Space")
    # Back one step and on again: Shift+Tab goes the other way through the same order.
    assert press(company, "Shift+Tab")["id"] == "attachments"
    assert press(company, "Tab")["id"] == "consent"
    expect(company.locator("#consent")).to_be_checked()
    expect(company.locator("#business_area_id option:checked")).to_have_text(AREA)
    for fid, value in typed.items():
        expect(company.locator(f"#{fid}")).to_have_value(value)
    send = press(company, "Tab")
    assert (send["tag"], send["text"]) == ("button", "Skicka"), send
    activate(company)
    assert path(company) == "/lamna-arende/kvitto", company.url
    reference = receipt_reference(company)
    checked_and_reloaded(company)
    # The status link to keep is reachable from the keyboard too.
    start_with_the_skip_link(company)
    assert "/status/" in press(company, "Tab")["href"]

    # --- the coordinator: log in, open the new case from the start page, triage it ---
    official = new_page()
    official.goto(live_server + "/logga-in")
    start_with_the_skip_link(official)
    assert press(official, "Tab")["id"] == "email"
    official.keyboard.type(COORDINATOR)
    assert press(official, "Tab")["id"] == "password"
    official.keyboard.type(DEMO_PASSWORD)
    assert press(official, "Shift+Tab")["id"] == "email"
    expect(official.locator("#email")).to_have_value(COORDINATOR)
    press(official, "Tab")
    login = press(official, "Tab")
    assert (login["tag"], login["text"]) == ("button", "Logga in"), login
    activate(official)
    expect(h1(official)).to_have_text("Översikt")
    checked_and_reloaded(official)

    # From the top of the start page: the skip link, the header (with the name, a link to one's
    # account), then the page in order down to the new case in "Latest open cases".
    first = press(official, "Tab")
    assert first["cls"] == "skip-link", first
    route = tab_to(official, lambda f: f["tag"] == "a" and f["text"] == reference)
    assert any(f["href"] == "/konto" for f in route), "the signed-in person's name links to the account page"
    activate(official)
    expect(h1(official)).to_have_text(SUBJECT)
    checked_and_reloaded(official)

    start_with_the_skip_link(official)
    tab_to(official, lambda f: f["tag"] == "a" and f["text"] == "Triage")
    activate(official)
    expect(h1(official)).to_have_text(f"Triage: {reference} {SUBJECT}")
    checked_and_reloaded(official)

    start_with_the_skip_link(official)
    route = tab_to(official, lambda f: f["id"] == TRIAGE_FIELD_ORDER[0])
    assert [f["text"] for f in route[:-1]] == ["Ärenden", reference]  # the breadcrumbs first
    official.keyboard.type("H")  # Högdalens industriområde
    for fid in TRIAGE_FIELD_ORDER[1:]:
        assert press(official, "Tab")["id"] == fid
        if fid == "focus_area_id":
            official.keyboard.press("ArrowDown")  # from "Välj" to the first focus area
        elif fid == "organisation_ids":
            # Type-ahead chooses Trafikkontoret; Ctrl+arrows move without choosing, Ctrl+Space
            # adds Stadsbyggnadskontoret (two places up, past Stockholm Business Region).
            official.keyboard.type("Traf")
            official.keyboard.press("Control+ArrowUp")
            official.keyboard.press("Control+ArrowUp")
            official.keyboard.press("Control+Space")
        elif fid == "level":
            official.keyboard.type("Samo")  # Samordningsgruppen
    focus_area = official.locator("#focus_area_id option:checked").inner_text().strip()
    expect(official.locator("#business_area_id option:checked")).to_have_text(AREA)
    assert focus_area and focus_area != "Välj"
    expect(official.locator("#organisation_ids option:checked")).to_have_text(
        ["Stadsbyggnadskontoret", "Trafikkontoret"])
    expect(official.locator("#level option:checked")).to_have_text("Samordningsgruppen")
    save = press(official, "Tab")
    assert (save["tag"], save["text"]) == ("button", "Spara triage"), save
    activate(official, "Space")

    expect(h1(official)).to_have_text(SUBJECT)
    expect(official.get_by_role("status")).to_contain_text(f"Triage av {reference} sparades.")
    facts = official.locator("section", has=official.locator("#facts-title"))
    for shown in (AREA, focus_area, "Trafikkontoret", "Stadsbyggnadskontoret", "Samordningsgruppen"):
        expect(facts).to_contain_text(shown)
    # The page the coordinator lands on starts with the skip link too.
    checked_and_reloaded(official)
    assert press(official, "Tab")["cls"] == "skip-link"

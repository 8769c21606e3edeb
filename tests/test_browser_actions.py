"""Real browser journeys with action items: an official of Trafikkontoret sees only
Trafikkontoret's items on "Min förvaltning", updates one with a status and a progress note in one
step, and the coordinator reads the note in the case's history; a form that someone else beat
gets the conflict page. Debian Chromium driven by Playwright against a live server with CSRF on,
with axe-core and the per-page checks of test_browser.py on every page visited."""

import os
import re
import threading
from datetime import timedelta

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlmodel import Session, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coordination import create_app, migrate  # noqa: E402
from coordination.actions import services as actions  # noqa: E402
from coordination.actions.models import ActionItem, ActionNote  # noqa: E402
from coordination.auth.models import User  # noqa: E402
from coordination.cases.models import Case  # noqa: E402
from coordination.cases.services import reference_slug  # noqa: E402
from coordination.clock import STOCKHOLM, SystemClock  # noqa: E402
from coordination.demo import load_demo  # noqa: E402
from coordination.organisations.models import Organisation  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _truncate, audit, h1, log_in, submit  # noqa: E402

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@demo.stockholm.se"
TRAFFIC = "trafikkontoret@demo.stockholm.se"   # Tomas Berg, Trafikkontoret

TK_TITLE = "Sätt upp tillfälliga skyltar vid infarten"
TK_CASE = "Detaljplan för ny infart"                        # concerns SBK and TK
TK_SECOND_TITLE = "Märk ut ersättningsytor för lastning"
TK_SECOND_CASE = "Tillfälliga markupplåtelser vid vägarbete"  # concerns TK and EXPL
EXPL_TITLE = "Ta fram förslag på markanvisning för kylhallar"
EXPL_CASE = "Utbyggnad av Årsta Partihallar"                 # concerns EXPL, FK and SBK; not TK
NOTE = "Skyltarna är beställda och sätts upp nästa vecka."


# --- the live server, with action items of two organisations ------------------------------------------

@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser_actions') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url})
    world = {}
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        clock = SystemClock()
        load_demo(session, clock=clock)
        session.flush()
        coordinator = session.exec(select(User).where(User.email == COORDINATOR)).one()
        orgs = {o.short_name: o for o in session.exec(select(Organisation))}
        cases = {c.title: c for c in session.exec(select(Case))}
        today = clock.now().astimezone(STOCKHOLM).date()
        for key, case_title, org, title, days in [
            ("tk", TK_CASE, "TK", TK_TITLE, 10),
            ("tk_second", TK_SECOND_CASE, "TK", TK_SECOND_TITLE, 12),
            ("expl", EXPL_CASE, "EXPL", EXPL_TITLE, 5),
        ]:
            case = cases[case_title]
            action = actions.create_action(session, case, actor=coordinator, organisation_id=orgs[org].id,
                                           title=title, due_date=today + timedelta(days=days), clock=clock)
            world[key] = (action.id, case.reference)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_port}", "app": app, **world}
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
    """Pages in fresh browser contexts (no cookies shared): one per person."""
    contexts = []

    def make():
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def item(page, action_id):
    return page.locator(f"#action-{action_id}")


def update_button(title: str):
    """The item's update button, named with the item's title for screen readers (Chromium puts a
    space before the visually hidden part)."""
    return re.compile(rf"^Uppdatera\s*: {re.escape(title)}$")


def case_path(reference: str) -> str:
    return f"/arenden/{reference_slug(reference)}"


# --- journeys ------------------------------------------------------------------------------------------

def test_an_official_updates_an_item_from_the_start_page_and_the_coordinator_reads_the_note(new_page,
                                                                                           live_server):
    base = live_server["base"]
    tk_id, tk_reference = live_server["tk"]
    expl_id, expl_reference = live_server["expl"]
    official = new_page()

    log_in(official, base, TRAFFIC, check=True)
    expect(h1(official)).to_have_text("Min förvaltning: Trafikkontoret")
    audit(official)
    items = official.locator("ul.action-list > li")
    expect(items).to_have_count(2)
    expect(item(official, tk_id)).to_contain_text(TK_TITLE)
    expect(item(official, tk_id)).to_contain_text(tk_reference)
    expect(official.get_by_text(EXPL_TITLE)).to_have_count(0)
    expect(item(official, expl_id)).to_have_count(0)

    # One step: a status and a note, a plain form post.
    row = item(official, tk_id)
    row.get_by_label("Status").select_option(label="Pågår")
    row.get_by_label("Lägesanteckning").fill(NOTE)
    submit(official, row.get_by_role("button", name=update_button(TK_TITLE)))

    expect(h1(official)).to_have_text("Min förvaltning: Trafikkontoret")
    expect(official.get_by_text("Åtgärden uppdaterades.")).to_be_visible()
    row = item(official, tk_id)
    expect(row).to_contain_text("Pågår")
    expect(row.get_by_label("Status")).to_have_value("in_progress")
    expect(row.get_by_label("Lägesanteckning")).to_have_value("")
    audit(official)

    # The other organisation's case is not theirs.
    response = official.goto(base + case_path(expl_reference))
    assert response.status == 403
    audit(official)

    # The coordinator reads the note on the case: on the item and in the history.
    coordinator = new_page()
    log_in(coordinator, base, COORDINATOR)
    expect(h1(coordinator)).to_have_text("Översikt")
    coordinator.goto(base + case_path(tk_reference))
    expect(h1(coordinator)).to_have_text(TK_CASE)
    actions_section = coordinator.locator("section#actions")
    expect(actions_section).to_contain_text(f"{TK_TITLE} (TK) – Pågår")
    expect(actions_section).to_contain_text(re.compile(rf"Tomas Berg · Planerat → Pågår: {re.escape(NOTE)}"))
    history = coordinator.locator("ol.history")
    expect(history.locator("li").first).to_contain_text("Åtgärd uppdaterad")
    expect(history.locator("li").first).to_contain_text("Tomas Berg")
    expect(history.locator("li").first).to_contain_text(NOTE)
    audit(coordinator)


def test_a_form_someone_else_beat_shows_the_newer_values_and_keeps_the_note(new_page, live_server):
    base = live_server["base"]
    action_id, _reference = live_server["tk_second"]
    official = new_page()
    log_in(official, base, TRAFFIC)
    expect(h1(official)).to_have_text("Min förvaltning: Trafikkontoret")
    row = item(official, action_id)
    row.get_by_label("Status").select_option(label="Klar")
    row.get_by_label("Lägesanteckning").fill("Ytorna är utmärkta.")

    # Meanwhile the coordinator marks it blocked.
    app = live_server["app"]
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        coordinator = session.exec(select(User).where(User.email == COORDINATOR)).one()
        action = session.get(ActionItem, action_id)
        actions.update_action(session, action, actions.ActionChange(status="blocked", note="",
                                                                    blocked_reason="Väntar på polistillstånd"),
                              actor=coordinator, clock=SystemClock(), expected_version=action.version)
        session.commit()

    submit(official, row.get_by_role("button", name=update_button(TK_SECOND_TITLE)))

    expect(h1(official)).to_have_text("Någon annan hann ändra först")
    main = official.locator("main")
    expect(main).to_contain_text("Blockerad")
    expect(main).to_contain_text("Väntar på polistillstånd")
    expect(official.get_by_label("Lägesanteckning")).to_have_value("Ytorna är utmärkta.")
    audit(official)
    with Session(app.extensions["db_engine"]) as session:
        assert session.get(ActionItem, action_id).status == "blocked"
        notes = session.exec(select(ActionNote).where(ActionNote.action_id == action_id)).all()
        assert [n.body for n in notes] == [""]

    # Trying again from the conflict page, with the newer version, is saved.
    official.get_by_label("Status").select_option(label="Pågår")
    submit(official, official.get_by_role("button", name="Uppdatera", exact=True))
    expect(h1(official)).to_have_text("Min förvaltning: Trafikkontoret")
    expect(official.get_by_text("Åtgärden uppdaterades.")).to_be_visible()
    expect(item(official, action_id)).to_contain_text("Pågår")


def test_the_officials_other_action_pages_are_accessible(new_page, live_server):
    base = live_server["base"]
    official = new_page()
    log_in(official, base, TRAFFIC)
    for path, heading in [("/planerade-forandringar", "Planerade förändringar"), ("/notiser", "Notiser"),
                          ("/notiser/installningar", None)]:
        official.goto(base + path)
        if heading:
            expect(h1(official)).to_have_text(heading)
        audit(official)
    # Report a planned change with the end before the start: the error is shown and accessible.
    official.goto(base + "/planerade-forandringar")
    official.get_by_text("Rapportera en planerad förändring").click()
    official.get_by_label("Vad som planeras").fill("Vägarbete på Ågesta broväg")
    official.get_by_label("Från").fill("2027-03-15")
    official.get_by_label("Till").fill("2027-03-01")
    submit(official, official.get_by_role("button", name="Rapportera"))
    expect(official.get_by_text("Slutet kan inte vara före början.").first).to_be_visible()
    expect(official.get_by_label("Vad som planeras")).to_have_value("Vägarbete på Ågesta broväg")
    audit(official)

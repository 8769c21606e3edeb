"""Real browser journeys through a coordination-group meeting: the coordinator generates the
agenda, edits it, regenerates it after the data changed, publishes it; the steering group reads
it and never a draft; the coordinator records and approves the minutes and the cases move.
Debian Chromium driven by Playwright against a live server with CSRF on, with axe-core and the
per-page checks of test_browser.py on every page visited."""

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
from coordination.cases.models import Case, CaseEvent, CaseOrganisation, CaseStatus  # noqa: E402
from coordination.cases.services import register_case  # noqa: E402
from coordination.clock import STOCKHOLM, SystemClock  # noqa: E402
from coordination.demo import load_demo  # noqa: E402
from coordination.meetings import services  # noqa: E402
from coordination.meetings.models import Agenda, Meeting, MeetingSeries  # noqa: E402
from coordination.organisations.models import Organisation  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _truncate, audit, h1, log_in, submit  # noqa: E402

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@demo.stockholm.se"
STEERING = "styrgrupp@demo.stockholm.se"

# The coordination group's matters for this journey (placed at level 2 before it starts).
EDITED = "Lastzon vid Trädgårdshallen"          # its text is edited by hand
REMOVED = "Skyltning vid Västberga allé"        # removed with a reason
DELEGATED = "Belysning på Sockenvägen"          # decided: delegate with an action item
CLOSED = "Snöröjning av lastgatan i Årsta"      # decided: closed with an answer
ESCALATED = "Markfråga vid Partihallarna"       # escalated away before the regeneration: stale
ARRIVING = "Trasig bom vid Sockenvägen 12"      # reaches the level before the regeneration: new

EDITED_TITLE = "Lastzonen vid Trädgårdshallen: förslag till beslut"
EDITED_BODY = "Trafikkontoret föreslår tidsbegränsad lastzon kl. 06–10."
REMOVE_REASON = "Löst direkt med fastighetsägaren"
FREE_ITEM = "Lokalhyra för mötena under våren"
DECISION_DELEGATE = "Trafikkontoret ser över belysningen längs Sockenvägen."
ACTION_TITLE = "Inventera belysningen längs Sockenvägen"
DECISION_CLOSE = "Ärendet avslutas; snöröjningen är beställd."
ANSWER = "Trafikkontoret snöröjer lastgatan före kl. 06 från och med december."


# --- the live server -------------------------------------------------------------------------

def _place(session, title: str, orgs: list[str], *, days_ago: int) -> Case:
    clock = SystemClock()
    now = clock.now()
    case = register_case(session, title=title, description=f"{title}: beskrivning.", source="phone",
                         received_at=now - timedelta(days=days_ago + 1), clock=clock)
    entered = now - timedelta(days=days_ago)
    case.level, case.status, case.focus_area_id = 2, CaseStatus.triaged.value, 3
    case.level_seq, case.level_entered_at, case.last_progress_at, case.triaged_at = 1, entered, entered, entered
    session.add(case)
    for short in orgs:
        org = session.exec(select(Organisation).where(Organisation.short_name == short)).one()
        session.add(CaseOrganisation(case_id=case.id, organisation_id=org.id))
    session.add(CaseEvent(case_id=case.id, at=entered, kind="escalated", rule="R2", from_level=1, to_level=2,
                          reason="frågan går över förvaltnings-/bolagsgränser", facts={}))
    session.flush()
    return case


def _coordination_meetings(session) -> list[Meeting]:
    series = session.exec(select(MeetingSeries).where(MeetingSeries.name == "Samordningsgruppen")).one()
    return list(session.exec(select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)))


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser_meetings') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url})
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        load_demo(session, clock=SystemClock())
        for i, (title, orgs) in enumerate([(EDITED, ["TK"]), (REMOVED, ["TK", "EXPL"]), (DELEGATED, ["TK", "EXPL"]),
                                           (CLOSED, ["TK"]), (ESCALATED, ["FK", "EXPL"])]):
            _place(session, title, orgs, days_ago=20 - i)
        # The next meeting's agenda is already generated, as a draft nobody but the coordinator sees.
        second = _coordination_meetings(session)[1]
        services.generate_agenda(session, second, clock=SystemClock(), working_days=app.extensions["working_days"])
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
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


@pytest.fixture(scope="module")
def journey():
    """What the first journey leaves for the next ones."""
    return {}


def _db(live):
    return Session(live["app"].extensions["db_engine"], expire_on_commit=False)


def _case(live, title) -> Case:
    with _db(live) as session:
        return session.exec(select(Case).where(Case.title == title)).one()


def _local(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def _item(page, title):
    """The agenda item whose title contains `title`."""
    return page.locator("li.agenda-item", has=page.locator("p.item-title", has_text=title))


# --- journeys --------------------------------------------------------------------------------

def test_coordinator_prepares_regenerates_and_publishes_the_agenda(page, live, journey):
    base = live["url"]
    with _db(live) as session:
        first, second = _coordination_meetings(session)[:2]
    journey.update(first=first, second=second)

    log_in(page, base, COORDINATOR)
    submit(page, page.get_by_role("link", name="Möten", exact=True))
    expect(h1(page)).to_have_text("Möten")
    audit(page)
    row = page.locator("table.data tbody tr", has_text="Samordningsgruppen").first
    expect(row).to_contain_text("Inte genererad ännu")
    submit(page, row.get_by_role("link", name=_local(first)))
    expect(h1(page)).to_have_text(f"Samordningsgruppen {_local(first)}")
    expect(page.get_by_text("Inte genererad ännu")).to_be_visible()
    audit(page)

    submit(page, page.get_by_role("button", name="Generera dagordning"))
    expect(page.get_by_text(re.compile(r"Dagordningen genererades: \d+ nya, 0 inaktuella"))).to_be_visible()
    headings = page.locator("section.agenda-section h3").all_inner_texts()
    assert headings == ["Mötets öppnande", "Beslutsärenden", "Uppföljning av åtgärder", "Information",
                        "Beredning till nämnd", "Övriga frågor"]
    decisions = page.locator("section[aria-labelledby='section-decisions'] li.agenda-item p.item-title")
    titles = decisions.all_inner_texts()
    # Oldest escalation first: the demo's level-2 case came 34 days ago, ours 20 to 16 days ago.
    order = [next(i for i, t in enumerate(titles) if name in t)
             for name in ("Tillfälliga markupplåtelser", EDITED, REMOVED, DELEGATED, CLOSED, ESCALATED)]
    assert order == sorted(order), titles
    expect(_item(page, DELEGATED)).to_contain_text("Berörda: EXPL, TK")
    expect(_item(page, DELEGATED)).to_contain_text("Varför här: regel R2: frågan går över förvaltnings-/bolagsgränser")
    audit(page)

    # Edit one item's text.
    submit(page, _item(page, EDITED).get_by_role("link", name=re.compile("^Redigera text")))
    expect(h1(page)).to_have_text("Redigera punkt på dagordningen")
    audit(page)
    page.get_by_label("Rubrik").fill(EDITED_TITLE)
    page.get_by_label("Text").fill(EDITED_BODY)
    submit(page, page.get_by_role("button", name="Spara"))
    expect(page.get_by_text("Punkten sparades.")).to_be_visible()
    expect(_item(page, EDITED_TITLE)).to_contain_text("(redigerad)")

    # Remove one with a reason.
    removed = _item(page, REMOVED)
    removed.get_by_label(re.compile("Varför tas den bort")).fill(REMOVE_REASON)
    submit(page, removed.get_by_role("button", name=re.compile("^Ta bort")))
    expect(_item(page, REMOVED)).to_contain_text(f"borttagen: {REMOVE_REASON}")

    # Add a free item under other business.
    form = page.locator("section[aria-labelledby='add-title'] form")
    form.get_by_role("combobox", name="Avsnitt").select_option(label="Övriga frågor")
    form.get_by_role("textbox", name="Rubrik").fill(FREE_ITEM)
    form.get_by_role("textbox", name="Text").fill("Nuvarande lokal sägs upp i mars.")
    submit(page, form.get_by_role("button", name="Lägg till"))
    expect(page.get_by_text("Punkten lades till.")).to_be_visible()
    expect(page.locator("section[aria-labelledby='section-other']")).to_contain_text(FREE_ITEM)
    audit(page)

    # Meanwhile the data changes: one case reaches the level, another is escalated away.
    with _db(live) as session:
        _place(session, ARRIVING, ["TK"], days_ago=1)
        away = session.exec(select(Case).where(Case.title == ESCALATED)).one()
        away.level = 3
        session.add(away)
        session.commit()

    submit(page, page.get_by_role("button", name="Generera om dagordningen"))
    expect(page.get_by_text(re.compile(r"Dagordningen genererades: \d+ nya, 1 inaktuella"))).to_be_visible()
    expect(_item(page, ARRIVING).locator(".badge")).to_have_text("ny")
    expect(_item(page, ESCALATED).locator(".badge")).to_have_text("inaktuell")
    expect(_item(page, EDITED_TITLE)).to_contain_text(EDITED_BODY)
    expect(_item(page, REMOVED)).to_contain_text(f"borttagen: {REMOVE_REASON}")
    expect(page.locator("section[aria-labelledby='section-other']")).to_contain_text(FREE_ITEM)
    audit(page)

    submit(page, page.get_by_role("button", name="Publicera dagordning"))
    expect(page.get_by_text("Dagordningen är publicerad och ledamöterna har meddelats.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Publicerad \d{4}-\d{2}-\d{2}"))).to_be_visible()
    expect(page.get_by_role("button", name="Generera om dagordningen")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Redigera text"))).to_have_count(0)
    # Published: the removed item is no longer shown, the stale one is marked.
    expect(_item(page, REMOVED)).to_have_count(0)
    audit(page)
    journey["published"] = page.url


def test_steering_reads_the_published_agenda_and_no_draft(page, live, journey):
    if "published" not in journey:
        pytest.skip("needs the published agenda of the first journey")
    base = live["url"]
    first, second = journey["first"], journey["second"]
    log_in(page, base, STEERING)
    submit(page, page.get_by_role("link", name="Möten", exact=True))
    expect(h1(page)).to_have_text("Möten")
    audit(page)
    links = page.locator("table.data tbody a").all_inner_texts()
    assert _local(first) in links
    assert _local(second) not in links  # the draft of the next meeting is not listed
    submit(page, page.get_by_role("link", name=_local(first)))
    expect(h1(page)).to_have_text(f"Samordningsgruppen {_local(first)}")
    expect(page.locator("section[aria-labelledby='section-decisions']")).to_contain_text(EDITED_TITLE)
    expect(page.locator("section[aria-labelledby='section-other']")).to_contain_text(FREE_ITEM)
    expect(_item(page, REMOVED)).to_have_count(0)
    expect(page.get_by_text(REMOVE_REASON)).to_have_count(0)
    expect(page.get_by_role("button", name="Publicera dagordning")).to_have_count(0)
    expect(page.get_by_role("button", name="Generera om dagordningen")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Redigera text"))).to_have_count(0)
    audit(page)

    response = page.goto(f"{base}/moten/{second.id}")
    assert response.status == 403
    expect(page.get_by_text("Tillfälliga markupplåtelser")).to_have_count(0)
    audit(page)
    with _db(live) as session:
        assert session.exec(select(Agenda).where(Agenda.meeting_id == second.id)).one().status == "draft"


def test_coordinator_records_and_approves_the_minutes_and_the_cases_move(page, live, journey):
    if "published" not in journey:
        pytest.skip("needs the published agenda of the first journey")
    base = live["url"]
    log_in(page, base, COORDINATOR)
    page.goto(journey["published"])
    submit(page, page.get_by_role("link", name="Protokoll").first)
    expect(h1(page)).to_have_text(re.compile("^Protokoll: Samordningsgruppen"))
    expect(page.get_by_text("Inget protokoll ännu.")).to_be_visible()
    audit(page)
    submit(page, page.get_by_role("button", name="Påbörja protokollet"))
    expect(page.get_by_text("Version 1 · utkast")).to_be_visible()
    audit(page)

    def decision_for(title):
        return page.locator("article.decision", has=page.get_by_role("heading", name=re.compile(re.escape(title))))

    # A decision without text and outcome "delegate" without action items: told what is wrong.
    article = decision_for(DELEGATED)
    article.get_by_label("Utfall", exact=True).select_option(label="Delegera till arbetsgruppen, med åtgärder")
    submit(page, article.get_by_role("button", name=re.compile("^Spara beslutet")))
    article = decision_for(DELEGATED)
    expect(article).to_contain_text("Skriv beslutet.")
    expect(article).to_contain_text("Att delegera kräver minst en åtgärd")
    audit(page)

    article.get_by_label("Beslut", exact=True).fill(DECISION_DELEGATE)
    article.get_by_label("Utfall", exact=True).select_option(label="Delegera till arbetsgruppen, med åtgärder")
    action = article.locator(".action-row").first
    action.get_by_label("Organisation", exact=True).select_option(label="Trafikkontoret")
    action.get_by_label("Vad", exact=True).fill(ACTION_TITLE)
    action.get_by_label("Senast", exact=True).fill("2027-02-15")
    submit(page, article.get_by_role("button", name=re.compile("^Spara beslutet")))
    expect(page.get_by_text("Beslutet sparades.")).to_be_visible()

    article = decision_for(CLOSED)
    article.get_by_label("Beslut", exact=True).fill(DECISION_CLOSE)
    article.get_by_label("Utfall", exact=True).select_option(label="Avsluta, med svar till företaget")
    article.get_by_label("Svar till företaget", exact=True).fill(ANSWER)
    submit(page, article.get_by_role("button", name=re.compile("^Spara beslutet")))
    expect(page.get_by_text("Beslutet sparades.")).to_be_visible()
    expect(decision_for(CLOSED).get_by_label("Svar till företaget", exact=True)).to_have_value(ANSWER)
    audit(page)

    submit(page, page.get_by_role("button", name="Justera protokollet"))
    expect(page.get_by_text("Protokollet är justerat och besluten är införda i ärendena.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Version 1 · justerat \d{4}-\d{2}-\d{2}"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Spara beslutet"))).to_have_count(0)
    expect(decision_for(DELEGATED)).to_contain_text(DECISION_DELEGATE)
    audit(page)

    # The cases moved: the delegated one is with the work group in progress, the other closed.
    delegated, closed = _case(live, DELEGATED), _case(live, CLOSED)
    page.goto(f"{base}/arenden/{delegated.reference.replace(' ', '-').replace('/', '-')}")
    expect(h1(page)).to_have_text(DELEGATED)
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("Pågår")
    expect(facts).to_contain_text("Arbetsgrupp")
    expect(page.locator("#routing")).to_contain_text(DECISION_DELEGATE)
    audit(page)
    page.goto(f"{base}/arenden/{closed.reference.replace(' ', '-').replace('/', '-')}")
    expect(h1(page)).to_have_text(CLOSED)
    expect(page.locator("dl.facts").first).to_contain_text("Avslutat")
    audit(page)
    with _db(live) as session:
        from coordination.actions.models import ActionItem

        actions = session.exec(select(ActionItem).where(ActionItem.case_id == delegated.id)).all()
        assert [(a.title, a.due_date.isoformat()) for a in actions] == [(ACTION_TITLE, "2027-02-15")]
        assert session.get(Case, delegated.id).level == 1

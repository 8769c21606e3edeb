"""Real browser journeys with follow-up reports and the start-page dashboard: an official of
Enskede-Årsta-Vantörs stadsdelsförvaltning writes, saves and submits the committee's T2 report
with the facts beside each focus area; the coordinator reads the city-wide compilation, returns
the report for completion and approves it, and downloads it as PDF and Word; the coordinator's and
the steering group's start pages show the figures as charts with text alternatives and data
tables whose numbers open the queue filtered. Debian Chromium driven by Playwright against a live
server with CSRF on, with axe-core and the per-page checks of test_browser.py on every page
visited."""

import io
import os
import re
import threading
from datetime import datetime, time, timedelta

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlmodel import Session, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coordination import create_app, migrate  # noqa: E402
from coordination.actions.models import ActionItem  # noqa: E402
from coordination.auth.models import User  # noqa: E402
from coordination.auth.services import create_user  # noqa: E402
from coordination.cases.models import Case, CaseEvent, CaseStatus  # noqa: E402
from coordination.cases.services import register_case  # noqa: E402
from coordination.clock import STOCKHOLM, FixedClock, SystemClock  # noqa: E402
from coordination.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from coordination.organisations.models import BusinessArea, Committee, Organisation  # noqa: E402
from coordination.reports import services as reports  # noqa: E402
from coordination.reports.models import Report, ReportStatus  # noqa: E402
from tests.conftest import PG_URL  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _truncate, audit, h1, log_in, submit  # noqa: E402

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@demo.stockholm.se"
STEERING = "styrgrupp@demo.stockholm.se"
OFFICIAL = "eav.handlaggare@demo.stockholm.se"   # made here: the demo has no user of EÅV
OFFICIAL_NAME = "Elin Åström"

COMMITTEE = "Enskede-Årsta-Vantörs stadsdelsnämnd"
PERIOD = "T2"

# Questions of the 2022 form (migration 0008), as the committee sees them.
Q_LOCAL = "Beskriv samverkan med det lokala näringslivet inom stadsdelsnämndens geografiska område."
Q_VAXLA = 'Beskriv nämndens arbete med "Växla upp Stockholm"'
Q_BLACK = ("Hur sker samverkan med socialnämnden, rättsvårdande myndigheter och skatteverket i arbetet mot den "
           "svarta ekonomin och organiserad brottslighet i näringslivet?")
Q_OTHER = "Övriga upplysningar"
FOCUS_1 = "1. Stimulera tillväxt och företagsamhet"
FOCUS_2 = "2. Förbättra service, tillgänglighet och myndighetsutövning"
FOCUS_3 = "3. Attraktivare miljöer och bättre framkomlighet"

CONTACT = {"Kontaktperson": OFFICIAL_NAME, "Telefon": "08-508 12 345", "E-postadress": "elin.astrom@stockholm.se"}
ANSWERS = {
    Q_LOCAL: "Företagarträffar i Högdalen varje kvartal, tillsammans med Stockholm Business Region.\n"
             "Näringslivsombudet besöker tio företag i månaden.",
    Q_BLACK: "Gemensamma kontroller med polisen och Skatteverket i Högdalens industriområde under juni.",
    Q_OTHER: "Inga övriga upplysningar.",
}
COMPLETION = "Vi deltar i Växla upp Stockholm med två feriearbetsplatser hos lokala företag."
RETURN_REASON = "Frågan om Växla upp Stockholm saknar svar; komplettera den."

# T2 cases about the black economy (focus area 2): two in EÅV's areas, one closed within T2 and
# one after it, and one in Hägersten-Älvsjö's area.
T2_CASE_EAV = "Svartarbete i lokaler i Högdalen"
T2_CASE_EAV_LATE = "Oregistrerad livsmedelshandel vid Årsta Partihallar"
T2_CASE_OTHER = "Serveringstillstånd i Västberga"
NO_AREA_CASE = "Buller från byggarbetsplats, okänt område"   # from the public form, "Vet ej" as area

# --- the live server: demo data, an official of EÅV, and cases that give facts and charts ------------------

def _closed_case(session, *, title, area, received, closed, actor):
    case = register_case(session, title=title, description=f"{title}: underlag till uppföljningen.", source="email",
                         received_at=received, clock=FixedClock(received), actor_user_id=actor.id,
                         business_area_id=area.id)
    case.status, case.level, case.focus_area_id = CaseStatus.closed.value, 1, 2
    case.triaged_at, case.triaged_by_id = received + timedelta(days=1), actor.id
    session.add(case)
    session.add(CaseEvent(case_id=case.id, at=closed, kind="closed", actor_user_id=actor.id, reason="Avslutat"))


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    if PG_URL:
        url = request.getfixturevalue("database_template")  # migrated once per session
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser_reports') / 'browser.db'}"
        migrate.upgrade(url)
    app = create_app({"ENV_NAME": "testing", "WTF_CSRF_ENABLED": True, "DATABASE_URL": url})
    clock = SystemClock()
    now = clock.now()
    year = now.year  # the reports page opens on this year
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        load_demo(session, clock=clock)
        session.flush()
        orgs = {o.short_name: o for o in session.exec(select(Organisation))}
        areas = {a.name: a for a in session.exec(select(BusinessArea))}
        cases = {c.title: c for c in session.exec(select(Case))}
        coordinator = session.exec(select(User).where(User.email == COORDINATOR)).one()
        committee = session.exec(select(Committee).where(Committee.name == COMMITTEE)).one()
        assert committee.organisation_id == orgs["EÅV"].id
        create_user(session, email=OFFICIAL, name=OFFICIAL_NAME, role="department", organisation_id=orgs["EÅV"].id,
                    password=DEMO_PASSWORD)
        # Facts for T2, focus area 2: in EÅV's areas two cases received, one of them closed
        # within T2; one case in Hägersten-Älvsjö's area, which EÅV's report must not count.
        def at(month, day):
            return datetime.combine(datetime(year, month, day), time(10), tzinfo=STOCKHOLM)

        _closed_case(session, title=T2_CASE_EAV, area=areas["Högdalens industriområde"], received=at(6, 10),
                     closed=at(7, 15), actor=coordinator)
        _closed_case(session, title=T2_CASE_EAV_LATE, area=areas["Årsta Partihallar"], received=at(8, 20),
                     closed=at(9, 10), actor=coordinator)
        _closed_case(session, title=T2_CASE_OTHER, area=areas["Västberga industriområde"], received=at(6, 12),
                     closed=at(7, 16), actor=coordinator)
        # The dashboard: an untriaged case with no business area (the public form allows "don't
        # know"), an overdue action item and an escalation by a rule, so every chart is drawn.
        register_case(session, title=NO_AREA_CASE, description="Byggbuller nattetid stör företagen.", source="web",
                      received_at=now - timedelta(days=2), clock=clock)
        session.add(ActionItem(case_id=cases["Detaljplan för ny infart"].id, organisation_id=orgs["TK"].id,
                               title="Ta fram trafikanordningsplan", due_date=(now - timedelta(days=5)).date(),
                               created_at=now - timedelta(days=15), created_by_id=coordinator.id,
                               updated_at=now - timedelta(days=15)))
        session.add(CaseEvent(case_id=cases["Tillfälliga markupplåtelser vid vägarbete"].id,
                              at=now - timedelta(days=10), kind="escalated", rule="R2", from_level=1, to_level=2,
                              reason="Flera organisationer berörs"))
        session.commit()
        committee_id = committee.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_port}", "app": app, "year": year,
               "committee_id": committee_id}
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


# --- helpers ---------------------------------------------------------------------------------------------------

def report_heading(server) -> str:
    return f"Uppföljningsrapport: {COMMITTEE} {server['year']} {PERIOD}"


def status_of(page):
    """The status as the page shows it: "Status: <strong>…</strong>"."""
    return page.locator("main p", has_text=re.compile(r"^Status:")).locator("strong")


def answer(page, question):
    return page.get_by_label(question, exact=True)


def facts_beside(page, focus_area_heading):
    """The facts box right after a focus area's heading in the form."""
    return page.locator("main form h2", has_text=focus_area_heading).locator("xpath=following-sibling::*[1]")


def open_reports_page(page, server) -> None:
    submit(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter"))
    expect(h1(page)).to_have_text(f"Uppföljningsrapporter {server['year']}")
    audit(page)


def report_link(status: str):
    """The name of the committee's T2 link on the reports page: the status, then (visually
    hidden, a separate box, so the name may get a space before the colon) whose report it is."""
    return re.compile(rf"^{re.escape(status)}\s?: {re.escape(COMMITTEE)} {PERIOD}$")


def open_report(page, server, status: str) -> None:
    """From the reports page, the committee's T2 link, named by the report's status."""
    submit(page, page.get_by_role("link", name=report_link(status)))
    expect(h1(page)).to_have_text(report_heading(server))


def fetch(page, server, link):
    """Follow a link with the page's cookies, as a download would."""
    href = link.get_attribute("href")
    assert href.startswith("/"), href
    return page.request.get(server["base"] + href)


def ensure_submitted(server) -> None:
    """The state journey 1 leaves, also when journey 2 runs on its own (-k)."""
    with Session(server["app"].extensions["db_engine"], expire_on_commit=False) as session:
        report = reports.get_or_create_report(session, committee_id=server["committee_id"], year=server["year"],
                                              period=PERIOD)
        if report.status == ReportStatus.submitted.value:
            return
        assert report.status == ReportStatus.draft.value, report.status
        official = session.exec(select(User).where(User.email == OFFICIAL)).one()
        questions = {q.text: q for q in reports.questions_for(session, report.template_id, report.committee_id)}
        reports.save_answers(session, report, answers=[reports.AnswerInput(questions[q].id, text, None)
                                                       for q, text in ANSWERS.items()],
                             contact={"contact_name": CONTACT["Kontaktperson"], "contact_phone": CONTACT["Telefon"],
                                      "contact_email": CONTACT["E-postadress"]},
                             user_id=official.id, clock=SystemClock())
        report = session.get(Report, report.id)
        reports.submit(session, report, clock=SystemClock(), working_days=server["app"].extensions["working_days"])
        session.commit()


# --- journey 1: the official writes and submits the committee's report -----------------------------------

def test_official_writes_saves_and_submits_the_t2_report(new_page, live_server):
    page = new_page()
    log_in(page, live_server["base"], OFFICIAL, check=True)
    expect(h1(page)).to_have_text("Min förvaltning: Enskede-Årsta-Vantörs stadsdelsförvaltning")
    audit(page)

    open_reports_page(page, live_server)
    # Only the committee the official's organisation serves, nothing started yet.
    rows = page.locator("main table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text(COMMITTEE)
    expect(rows.first.locator("td")).to_have_text([re.compile(r"^Inte påbörjad")] * 3)
    open_report(page, live_server, "Inte påbörjad")
    expect(status_of(page)).to_have_text("Utkast")
    audit(page)

    # The 2022 form: every question, under the focus areas' headings.
    expect(page.locator("main form textarea")).to_have_count(9)
    for question in (Q_LOCAL, Q_VAXLA, Q_BLACK, Q_OTHER):
        expect(answer(page, question)).to_be_editable()
        expect(answer(page, question)).to_have_value("")
    expect(page.locator("main form h2")).to_have_text([FOCUS_1, FOCUS_2, FOCUS_3, "Övriga upplysningar"])

    # The facts beside the focus areas: EÅV's two cases of focus area 2 received in T2, one of
    # them closed in T2; not the one in Hägersten-Älvsjö's area; nothing of focus area 1.
    period = f"{live_server['year']} {PERIOD}"
    box_2 = facts_beside(page, FOCUS_2)
    expect(box_2).to_have_attribute("aria-label", "Fakta för perioden")
    expect(box_2).to_contain_text(f"Ur ärendena ({period})")
    expect(box_2.locator("li")).to_have_text(["Inkomna ärenden: 2", "Avslutade ärenden: 1"])
    expect(facts_beside(page, FOCUS_1).locator("li")).to_have_text(["Inkomna ärenden: 0", "Avslutade ärenden: 0"])
    expect(facts_beside(page, FOCUS_3)).to_contain_text(f"Ur ärendena ({period})")
    summary = page.locator("main section.facts-summary")
    expect(summary).to_contain_text("Högdalens industriområde")
    expect(summary).to_contain_text("Årsta Partihallar")
    expect(summary).not_to_contain_text("Västberga industriområde")

    # Fill in and save; a reload keeps everything.
    for label, value in CONTACT.items():
        page.get_by_label(label, exact=True).fill(value)
    for question, text in ANSWERS.items():
        answer(page, question).fill(text)
    submit(page, page.get_by_role("button", name="Spara", exact=True))
    expect(page.get_by_role("status").filter(has_text="Rapporten sparades.")).to_be_visible()
    expect(status_of(page)).to_have_text("Utkast")
    audit(page)
    page.reload()
    expect(h1(page)).to_have_text(report_heading(live_server))
    for label, value in CONTACT.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    for question, text in ANSWERS.items():
        expect(answer(page, question)).to_have_value(text)
    expect(answer(page, Q_VAXLA)).to_have_value("")

    # Submit: "Inlämnad", the facts frozen, and nothing can be typed any more.
    submit(page, page.get_by_role("button", name="Lämna in rapporten"))
    expect(page.get_by_role("status").filter(has_text="Rapporten lämnades in.")).to_be_visible()
    expect(status_of(page)).to_have_text("Inlämnad")
    expect(page.locator("main p", has_text=re.compile(r"^Status:"))).to_contain_text("inlämnad")
    expect(page.locator("#summary-title")).to_contain_text("låsta vid inlämning")
    expect(facts_beside(page, FOCUS_2).locator("li")).to_have_text(["Inkomna ärenden: 2", "Avslutade ärenden: 1"])
    for question, text in ANSWERS.items():
        expect(answer(page, question)).to_have_value(text)
        expect(answer(page, question)).not_to_be_editable()
    expect(answer(page, Q_VAXLA)).not_to_be_editable()
    for label, value in CONTACT.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
        expect(page.get_by_label(label, exact=True)).not_to_be_editable()
    expect(page.get_by_role("button", name="Spara", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Lämna in rapporten")).to_have_count(0)
    # The official does not review their own report.
    expect(page.get_by_role("button", name="Godkänn")).to_have_count(0)
    audit(page)


# --- journey 2: compilation, return for completion, resubmission, approval, documents -------------------------

def test_coordinator_compiles_returns_and_approves_the_report(new_page, live_server):
    ensure_submitted(live_server)
    base, year = live_server["base"], live_server["year"]

    # The city-wide compilation for the year and T2 shows the committee's answers.
    coordinator = new_page()
    log_in(coordinator, base, COORDINATOR)
    expect(h1(coordinator)).to_have_text("Översikt")
    open_reports_page(coordinator, live_server)
    expect(coordinator.get_by_role("link", name=report_link("Inlämnad"))).to_be_visible()
    submit(coordinator, coordinator.get_by_role("link", name=PERIOD, exact=True))
    expect(h1(coordinator)).to_have_text(f"Sammanställning {year} {PERIOD}")
    expect(coordinator.get_by_text("1 nämnd har lämnat in.")).to_be_visible()
    local = coordinator.get_by_role("region", name=Q_LOCAL, exact=True)
    expect(local).to_contain_text(f"{COMMITTEE}:")
    expect(local.locator("p.prewrap")).to_have_text(ANSWERS[Q_LOCAL])
    expect(coordinator.get_by_role("region", name=Q_BLACK, exact=True).locator("p.prewrap")).to_have_text(
        ANSWERS[Q_BLACK])
    # An unanswered question lists nobody.
    expect(coordinator.get_by_role("region", name=Q_VAXLA, exact=True)).not_to_contain_text(COMMITTEE)
    audit(coordinator)

    # Back to the report: returned for completion, with the reason.
    submit(coordinator, coordinator.get_by_role("navigation", name="Brödsmulor").get_by_role(
        "link", name="Uppföljningsrapporter"))
    expect(h1(coordinator)).to_have_text(f"Uppföljningsrapporter {year}")
    open_report(coordinator, live_server, "Inlämnad")
    expect(status_of(coordinator)).to_have_text("Inlämnad")
    expect(answer(coordinator, Q_LOCAL)).not_to_be_editable()   # the coordinator reads, does not write
    audit(coordinator)
    coordinator.get_by_label("Vad som behöver kompletteras").fill(RETURN_REASON)
    submit(coordinator, coordinator.get_by_role("button", name="Återlämna för komplettering"))
    expect(coordinator.get_by_role("status").filter(has_text="Rapporten återlämnades för komplettering.")
           ).to_be_visible()
    expect(status_of(coordinator)).to_have_text("Återlämnad för komplettering")
    expect(coordinator.get_by_role("button", name="Godkänn")).to_have_count(0)
    audit(coordinator)

    # The official sees why, with the answers kept, completes and submits again.
    official = new_page()
    log_in(official, base, OFFICIAL)
    open_reports_page(official, live_server)
    open_report(official, live_server, "Återlämnad för komplettering")
    expect(status_of(official)).to_have_text("Återlämnad för komplettering")
    notice = official.locator("main p.notice")
    expect(notice).to_have_text(f"Återlämnad för komplettering: {RETURN_REASON}")
    expect(notice).to_have_attribute("role", "status")
    for question, text in ANSWERS.items():
        expect(answer(official, question)).to_have_value(text)
    expect(official.get_by_label("Kontaktperson", exact=True)).to_have_value(CONTACT["Kontaktperson"])
    expect(answer(official, Q_VAXLA)).to_be_editable()
    audit(official)
    answer(official, Q_VAXLA).fill(COMPLETION)
    submit(official, official.get_by_role("button", name="Lämna in rapporten"))
    expect(status_of(official)).to_have_text("Inlämnad")
    expect(official.locator("main p.notice")).to_have_count(0)
    expect(answer(official, Q_VAXLA)).to_have_value(COMPLETION)
    expect(answer(official, Q_VAXLA)).not_to_be_editable()
    audit(official)

    # The coordinator approves.
    coordinator.reload()
    expect(status_of(coordinator)).to_have_text("Inlämnad")
    expect(answer(coordinator, Q_VAXLA)).to_have_value(COMPLETION)
    submit(coordinator, coordinator.get_by_role("button", name="Godkänn"))
    expect(coordinator.get_by_role("status").filter(has_text="Rapporten godkändes.")).to_be_visible()
    expect(status_of(coordinator)).to_have_text("Godkänd")
    expect(coordinator.get_by_role("button", name="Godkänn")).to_have_count(0)
    expect(coordinator.get_by_role("button", name="Återlämna för komplettering")).to_have_count(0)
    audit(coordinator)

    # The documents: a PDF and a Word file with the answers.
    pdf = fetch(coordinator, live_server, coordinator.get_by_role("link", name="PDF", exact=True))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    word = fetch(coordinator, live_server, coordinator.get_by_role("link", name="Word", exact=True))
    assert word.status == 200
    assert word.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert f"uppfoljning-{year}-{PERIOD}.docx" in word.headers["content-disposition"]
    from docx import Document

    document = Document(io.BytesIO(word.body()))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    for expected in (COMMITTEE, CONTACT["Kontaktperson"], CONTACT["Telefon"], CONTACT["E-postadress"], Q_LOCAL,
                     COMPLETION, *ANSWERS[Q_LOCAL].split("\n"), ANSWERS[Q_BLACK]):
        assert expected in text, f"{expected!r} is missing from the Word document"

    # And the official sees the approval.
    official.reload()
    expect(status_of(official)).to_have_text("Godkänd")
    expect(answer(official, Q_LOCAL)).not_to_be_editable()


# --- journey 3: the dashboard on the start pages ------------------------------------------------------------

OPEN_TABLE = "Öppna ärenden per nivå och verksamhetsområde"


def dashboard_checks(page) -> list[tuple[str, str, int, str]]:
    """The figures: charts as images with text alternatives that load, the data tables, and the
    open-cases table as (level, area, number, link)."""
    dash = page.get_by_role("region", name="Siffror")
    expect(dash.get_by_role("heading", name="Siffror", level=2)).to_be_visible()
    images = dash.locator("figure img")
    assert images.count() >= 2, "expected at least the open-cases and the monthly-flow charts"
    for i in range(images.count()):
        image = images.nth(i)
        alt = (image.get_attribute("alt") or "").strip()
        assert alt and not alt.endswith(": "), f"chart {i + 1} has an empty or cut-off text alternative: {alt!r}"
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"chart {i + 1} ({alt}) did not load"
        expect(image.locator("xpath=following-sibling::figcaption")).not_to_be_empty()
    table = dash.locator("table.data", has=page.locator("caption", has_text=OPEN_TABLE))
    expect(table).to_have_count(1)
    expect(table.locator("thead th")).to_have_text(["Nivå", "Verksamhetsområde", "Öppna ärenden"])
    rows = []
    for i in range(table.locator("tbody tr").count()):
        cells = table.locator("tbody tr").nth(i).locator("td")
        link = cells.nth(2).get_by_role("link")
        number = int(re.match(r"\d+", link.inner_text().strip()).group())
        rows.append((cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip(), number,
                     link.get_attribute("href")))
    assert rows, "the open-cases table is empty"
    # The chart's text alternative tells the same total as the table.
    open_alt = images.first.get_attribute("alt")
    total = int(re.match(r"(\d+) öppna ärenden:", open_alt).group(1))
    assert total == sum(n for _l, _a, n, _h in rows), (open_alt, rows)
    expect(dash.locator("table.data caption", has_text="Tid på varje nivå")).to_have_count(1)
    return rows


def expect_queue_count(page, number: int) -> None:
    expect(h1(page)).to_have_text("Ärenden")
    expect(page.locator("main .result-count")).to_have_text(f"{number} ärende" if number == 1 else f"{number} ärenden")
    expect(page.locator("main table.data tbody tr")).to_have_count(number)


def follow_number(page, base, row) -> None:
    level, area, number, href = row
    dash = page.get_by_role("region", name="Siffror")
    link = dash.get_by_role("link", name=re.compile(
        rf"^{number}\s?öppna ärenden: {re.escape(level)}, {re.escape(area)}$"))
    expect(link).to_have_attribute("href", href)
    submit(page, link)
    expect_queue_count(page, number)
    search = page.get_by_role("search", name="Filtrera ärenden")
    expect(search.get_by_label("Status", exact=True)).to_have_value("open")
    if area != "Ej angivet":
        expect(search.get_by_label("Verksamhetsområde", exact=True).locator("option:checked")).to_have_text(area)


@pytest.mark.parametrize("email, heading, at_least", [
    (COORDINATOR, "Översikt", 4),   # charts: open cases, flow, overdue action items, escalations by rule
    (STEERING, "Styrgruppen FC/BC Näringsliv", 2),
], ids=["coordinator", "steering"])
def test_start_page_dashboard_and_its_numbers_open_the_queue(new_page, live_server, email, heading, at_least):
    page = new_page()
    base = live_server["base"]
    log_in(page, base, email)
    expect(h1(page)).to_have_text(heading)
    rows = dashboard_checks(page)
    assert page.get_by_role("region", name="Siffror").locator("figure img").count() >= at_least
    audit(page)  # with the charts on the page
    with_area = [r for r in rows if r[1] != "Ej angivet"]
    assert with_area, rows
    if email == STEERING:
        # The steering group sees the cases at its own level only.
        assert [(level, area) for level, area, _n, _h in rows] == [("Styrgruppen", "Årsta Partihallar")], rows
    else:
        assert {level for level, _a, _n, _h in rows} == {"Ej triagerat", "Arbetsgrupp", "Samordningsgruppen",
                                                         "Styrgruppen"}, rows
    # Click the first number, then check every other one in the same way.
    first, *others = with_area
    follow_number(page, base, first)
    audit(page)
    for row in others:
        page.goto(base + "/")
        follow_number(page, base, row)


def test_number_of_open_cases_without_business_area_opens_only_those(new_page, live_server):
    page = new_page()
    base = live_server["base"]
    log_in(page, base, COORDINATOR)
    rows = dashboard_checks(page)
    no_area = [r for r in rows if r[1] == "Ej angivet"]
    assert [(level, n) for level, _a, n, _h in no_area] == [("Ej triagerat", 1)], rows
    follow_number(page, base, no_area[0])
    expect(page.locator("main table.data tbody tr")).to_contain_text(NO_AREA_CASE)

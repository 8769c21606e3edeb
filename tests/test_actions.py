"""Action items as the förvaltningar and the coordinator meet them: adding one to a case (who may,
and what a wrong entry answers), updating status and a progress note in one step from "Min
förvaltning" (without JavaScript), the note as recorded progress in the case's history, two
people saving at once, what an official of another organisation can neither see nor change, the
order of the list, the same rules through the JSON API, planned changes on the next
coordination-group agenda, and pages whose SQL does not grow with the number of items.

Swedish is the default language, so messages are asserted in Swedish. The clock is Monday
2026-11-23 10:00 in Stockholm."""

import html
import html as html_lib
import re
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from coordination.actions import services
from coordination.actions.models import ActionItem, ActionNote, PlannedChange
from coordination.auth import services as auth_services
from coordination.cases.models import Case, CaseEvent
from coordination.cases.services import reference_slug
from coordination.clock import STOCKHOLM, FixedClock, WorkingDays
from coordination.errors import Conflict
from coordination.meetings import services as meetings
from coordination.meetings.models import Agenda, Meeting, MeetingSeries
from tests import factories
from tests.conftest import fresh, sign_in

# --- helpers ---------------------------------------------------------------------------------------

def sthlm(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader sees it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def field_errors(response) -> list[str]:
    """The messages shown next to the fields of a re-rendered form."""
    return [html.unescape(m).strip() for m in
            re.findall(r'class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)]


def flashes(response) -> list[str]:
    return [html_lib.unescape(m) for m in
            re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', response.get_data(as_text=True))]


def case_url(case, suffix=""):
    return f"/arenden/{reference_slug(case.reference)}{suffix}"


def listed_ids(response) -> list[int]:
    """The action items on a page, in the order shown."""
    return [int(i) for i in re.findall(r'<li id="action-(\d+)"', response.get_data(as_text=True))]


def actions_in_db(app) -> list[ActionItem]:
    with fresh(app) as s:
        return list(s.exec(select(ActionItem).order_by(ActionItem.id)))


def notes_of(app, action_id) -> list[ActionNote]:
    with fresh(app) as s:
        return list(s.exec(select(ActionNote).where(ActionNote.action_id == action_id).order_by(ActionNote.id)))


def reload(app, model, row_id):
    with fresh(app) as s:
        return s.get(model, row_id)


PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(response, status):
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- the world -------------------------------------------------------------------------------------
#   tk_case    SBR 2026/0001  level 1  concerns TK
#   both_case  SBR 2026/0002  level 2  concerns TK and EXPL
#   expl_case  SBR 2026/0003  level 1  concerns EXPL

@pytest.fixture
def w(session, clock):
    w = SimpleNamespace()
    w.sbr = factories.organisation(session, name="Stockholm Business Region", short_name="SBR")
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK", email="tk@example.se")
    w.expl = factories.organisation(session, name="Exploateringskontoret", short_name="EXPL")
    w.area = factories.business_area(session, name="Högdalens industriområde")
    w.coordinator = factories.user(session, "coordinator", organisation_id=w.sbr.id, name="Sara Samordnare",
                                   email="sara@example.se")
    w.tomas = factories.user(session, "department", organisation_id=w.tk.id, name="Tomas Trafik",
                             email="tomas@example.se")
    w.tina = factories.user(session, "department", organisation_id=w.tk.id, name="Tina Trafik",
                            email="tina@example.se")
    w.eva = factories.user(session, "department", organisation_id=w.expl.id, name="Eva Expl",
                           email="eva@example.se")
    w.steering = factories.user(session, "steering", organisation_id=w.sbr.id, name="Stina Styr",
                                email="stina@example.se")
    w.tk_case = factories.case(session, clock=clock, title="Skyltning saknas vid lastkajen", level=1,
                               organisations=[w.tk], business_area_id=w.area.id)
    w.both_case = factories.case(session, clock=clock, title="Vägarbete tar lastytor", level=2,
                                 organisations=[w.tk, w.expl])
    w.expl_case = factories.case(session, clock=clock, title="Markanvisning för kylhall", level=1,
                                 organisations=[w.expl])
    w.tokens = {name: auth_services.issue_token(session, email=getattr(w, name).email)
                for name in ("coordinator", "tomas", "eva", "steering")}
    session.commit()
    return w


def add_action(session, clock, case, org, *, title="Sätt upp skyltar", due=date(2026, 12, 4), by=None,
               **values):
    action = services.create_action(session, case, actor=by, organisation_id=org.id, title=title, due_date=due,
                                    clock=clock, **values)
    session.commit()
    return action


@pytest.fixture
def item(session, clock, w):
    """A TK item on the TK case, due Fri 2026-12-04."""
    return add_action(session, clock, w.tk_case, w.tk, title="Sätt upp skyltar vid lastkajen", by=w.coordinator)


def form_for(action, **values):
    return {"status": action.status, "note": "", "blocked_reason": "", "version": str(action.version),
            "next": "/", **values}


def api(client, w, who, method, url, **kwargs):
    return getattr(client, method)(url, headers={"Authorization": f"Bearer {w.tokens[who]}"}, **kwargs)


# --- creating an action item ------------------------------------------------------------------------

def test_the_coordinator_adds_an_action_item_for_any_organisation(client, app, w, clock):
    sign_in(client, w.coordinator)

    response = client.post(case_url(w.tk_case, "/atgarder"), data={
        "organisation_id": str(w.expl.id), "title": "Utred markbehov", "description": "Ytor för omlastning.",
        "due_date": "2026-12-18", "responsible_user_id": str(w.eva.id)})

    assert response.status_code == 302 and response.location.endswith(case_url(w.tk_case) + "#actions")
    [action] = actions_in_db(app)
    assert (action.case_id, action.organisation_id, action.title, action.description, action.due_date,
            action.status, action.responsible_user_id, action.created_by_id, action.version) == \
        (w.tk_case.id, w.expl.id, "Utred markbehov", "Ytor för omlastning.", date(2026, 12, 18), "planned",
         w.eva.id, w.coordinator.id, 1)
    page = client.get(case_url(w.tk_case))
    assert "Åtgärden lades till." in flashes(page)
    text = text_of(page)
    assert "Utred markbehov (EXPL) – Planerat, senast 2026-12-18" in text
    assert "Åtgärd tillagd" in text  # in the case's history


def test_a_department_official_adds_an_action_item_for_their_own_organisation(client, app, w):
    sign_in(client, w.tomas)

    response = client.post(case_url(w.both_case, "/atgarder"), data={
        "organisation_id": str(w.tk.id), "title": "Märk ut tillfälliga lastytor", "due_date": "2026-12-01",
        "responsible_user_id": str(w.tina.id)})

    assert response.status_code == 302
    [action] = actions_in_db(app)
    assert (action.organisation_id, action.responsible_user_id, action.created_by_id) == \
        (w.tk.id, w.tina.id, w.tomas.id)
    # The add form offers only their own organisation and its people.
    html = client.get(case_url(w.both_case)).get_data(as_text=True)
    org_select = re.search(r'<select[^>]*name="organisation_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Trafikkontoret" in org_select and "Exploateringskontoret" not in org_select
    person_select = re.search(r'<select[^>]*name="responsible_user_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Tina Trafik" in person_select and "Eva Expl" not in person_select


def test_a_department_official_cannot_add_an_action_item_for_another_organisation(client, app, w):
    sign_in(client, w.tomas)

    # A case that does not concern Trafikkontoret: 403, whatever organisation is asked for.
    for org in (w.tk, w.expl):
        response = client.post(case_url(w.expl_case, "/atgarder"), data={
            "organisation_id": str(org.id), "title": "Smyg in en åtgärd", "due_date": "2026-12-01"})
        assert response.status_code == 403
    # A case that concerns both: a forged form for the other organisation is refused.
    refused = client.post(case_url(w.both_case, "/atgarder"), data={
        "organisation_id": str(w.expl.id), "title": "Smyg in en åtgärd", "due_date": "2026-12-01"})
    # The case page again, with the form as it was filled in and the message at the field.
    assert refused.status_code == 400
    assert "Välj en organisation i listan." in field_errors(refused)
    assert actions_in_db(app) == []


BAD_INPUT = [
    ("empty title", {"title": "   "}, "Ange vad som ska göras."),
    ("10 000 characters", {"title": "x" * 10_000}, "Högst 200 tecken; du skrev fler."),
    ("impossible date", {"due_date": "2026-13-45"}, "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
    ("no date", {"due_date": ""}, "Ange när åtgärden ska vara klar."),
    ("unknown organisation", {"organisation_id": "999999"}, "Välj en organisation i listan."),
    ("organisation as text", {"organisation_id": "Trafikkontoret"}, "Välj en organisation i listan."),
    ("a person of another organisation", {"responsible_user_id": "@eva"},
     "Välj en person på organisationen i listan."),
]


@pytest.mark.parametrize("data, message", [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT])
def test_a_wrong_entry_says_what_is_wrong_in_swedish_and_stores_nothing(client, app, w, data, message):
    sign_in(client, w.coordinator)
    form = {"organisation_id": str(w.tk.id), "title": "Sätt upp skyltar", "description": "",
            "due_date": "2026-12-04", "responsible_user_id": "", **data}
    if form["responsible_user_id"] == "@eva":
        form["responsible_user_id"] = str(w.eva.id)

    response = client.post(case_url(w.tk_case, "/atgarder"), data=form)

    assert response.status_code == 400
    assert message in field_errors(response), field_errors(response)
    assert actions_in_db(app) == []
    with fresh(app) as s:
        assert s.exec(select(func.count()).select_from(CaseEvent)
                      .where(CaseEvent.kind == "action_added")).one() == 0


def test_a_failed_add_form_keeps_what_the_user_typed(client, w):
    sign_in(client, w.coordinator)

    response = client.post(case_url(w.tk_case, "/atgarder"), data={
        "organisation_id": str(w.tk.id), "title": "Sätt upp skyltar vid infarten",
        "description": "Tre skyltar, en per infart, med tider för lastning.", "due_date": "2026-13-45",
        "responsible_user_id": ""}, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert 'value="Sätt upp skyltar vid infarten"' in html
    assert "Tre skyltar, en per infart, med tider för lastning." in html
    assert 'value="2026-13-45"' in html


# --- updating in one step from "Min förvaltning" ---------------------------------------------------

def test_min_forvaltning_lists_the_organisations_items_with_a_one_step_form(client, w, item):
    sign_in(client, w.tomas)

    page = client.get("/")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Min förvaltning: Trafikkontoret</h1>" in html
    assert listed_ids(page) == [item.id]
    text = text_of(page)
    assert "Sätt upp skyltar vid lastkajen" in text and "Senast 2026-12-04 · Planerat · SBR 2026/0001" in text
    # A plain HTML form: works without JavaScript.
    form = re.search(rf'<form method="post" action="/atgarder/{item.id}"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert '<input type="hidden" name="version" value="1">' in form
    assert '<input type="hidden" name="next" value="/">' in form
    assert 'name="status"' in form and 'name="note"' in form and 'type="submit"' in form
    # The cases that concern Trafikkontoret are listed, the others not.
    assert "Skyltning saknas vid lastkajen" in text and "Vägarbete tar lastytor" in text
    assert "Markanvisning för kylhall" not in text


def test_a_status_and_a_note_in_one_step_are_recorded_as_progress_on_the_case(client, app, w, item, clock):
    clock.advance(timedelta(days=1, hours=3))  # Tue 2026-11-24 13:00
    sign_in(client, w.tomas)

    response = client.post(f"/atgarder/{item.id}", data=form_for(item, status="in_progress",
                                                                  note="Skyltarna är beställda."))

    assert response.status_code == 302 and response.location.endswith("/")
    assert "Åtgärden uppdaterades." in flashes(client.get("/"))
    action = reload(app, ActionItem, item.id)
    assert (action.status, action.version) == ("in_progress", 2)
    [note] = notes_of(app, item.id)
    assert (note.author_id, note.body, note.status_from, note.status_to, note.at) == \
        (w.tomas.id, "Skyltarna är beställda.", "planned", "in_progress", clock.now())
    # Recorded progress for R3.
    assert reload(app, Case, w.tk_case.id).last_progress_at == clock.now()

    # The coordinator sees it on the case: on the item, and in the history.
    sign_in(client, w.coordinator)
    text = text_of(client.get(case_url(w.tk_case)))
    assert "Sätt upp skyltar vid lastkajen (TK) – Pågår" in text
    assert "2026-11-24 13:00 · Tomas Trafik · Planerat → Pågår: Skyltarna är beställda." in text
    history = text[text.index("Historik"):]
    assert "Åtgärd uppdaterad 2026-11-24 13:00 · Tomas Trafik Skyltarna är beställda." in history


def test_a_note_alone_keeps_the_status_and_counts_as_progress(client, app, w, item, clock):
    sign_in(client, w.tina)

    response = client.post(f"/atgarder/{item.id}", data=form_for(item, note="Leverantören är vald."))

    assert response.status_code == 302
    [note] = notes_of(app, item.id)
    assert (note.author_id, note.status_from, note.status_to) == (w.tina.id, None, None)
    assert reload(app, ActionItem, item.id).status == "planned"
    assert reload(app, Case, w.tk_case.id).last_progress_at == clock.now()


def test_nothing_to_record_is_refused_with_a_message(client, app, w, item):
    sign_in(client, w.tomas)

    response = client.post(f"/atgarder/{item.id}", data=form_for(item), follow_redirects=True)

    assert any("Skriv en lägesanteckning eller välj en ny status." in f for f in flashes(response))
    assert notes_of(app, item.id) == [] and reload(app, ActionItem, item.id).version == 1


def test_blocked_needs_a_reason(client, app, w, item):
    sign_in(client, w.tomas)

    refused = client.post(f"/atgarder/{item.id}", data=form_for(item, status="blocked"), follow_redirects=True)

    assert any("Ange vad som blockerar åtgärden." in f for f in flashes(refused))
    assert reload(app, ActionItem, item.id).status == "planned" and notes_of(app, item.id) == []

    client.post(f"/atgarder/{item.id}", data=form_for(item, status="blocked", blocked_reason="Väntar på bygglov"))

    action = reload(app, ActionItem, item.id)
    assert (action.status, action.blocked_reason) == ("blocked", "Väntar på bygglov")
    assert "Blockerad: Väntar på bygglov" in text_of(client.get("/"))

    # Unblocked: the reason goes.
    client.post(f"/atgarder/{item.id}", data=form_for(action, status="in_progress",
                                                      blocked_reason="Väntar på bygglov"))
    action = reload(app, ActionItem, item.id)
    assert (action.status, action.blocked_reason) == ("in_progress", "")


def test_an_unknown_status_is_refused(client, app, w, item):
    sign_in(client, w.tomas)

    response = client.post(f"/atgarder/{item.id}", data=form_for(item, status="finished", note="Klart!"),
                           follow_redirects=True)

    assert any("Välj en status i listan." in f for f in flashes(response))
    assert reload(app, ActionItem, item.id).status == "planned" and notes_of(app, item.id) == []


def test_a_stale_form_gets_409_with_the_newer_values_and_what_the_user_typed(client, app, w, item, session,
                                                                            clock):
    # Tina saves first (from her own page, version 1 -> 2).
    services.update_action(session, session.get(ActionItem, item.id),
                           services.ActionChange(status="in_progress", note="Tina: beställt."),
                           actor=w.tina, clock=clock, expected_version=1)
    session.commit()
    sign_in(client, w.tomas)

    response = client.post(f"/atgarder/{item.id}", data=form_for(
        item, status="done", note="Tomas: skyltarna sitter uppe.", version="1"))

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "<h1>Någon annan hann ändra först</h1>" in html
    assert "Någon annan uppdaterade åtgärden medan du skrev. Inget skrevs över; åtgärden visar de nyare värdena." \
        in text
    now_part = text[text.index("Åtgärden nu"):text.index("Det du skrev (inte sparat)")]
    assert "Sätt upp skyltar vid lastkajen" in now_part and "Status Pågår" in now_part
    mine = text[text.index("Det du skrev (inte sparat)"):text.index("Uppdatera igen")]
    assert "Status Klar" in mine and "Tomas: skyltarna sitter uppe." in mine
    # The form to try again carries the new version and keeps the note.
    assert '<input type="hidden" name="version" value="2">' in html
    assert re.search(r'<textarea name="note" id="note">Tomas: skyltarna sitter uppe.</textarea>', html)
    # Nothing overwritten.
    action = reload(app, ActionItem, item.id)
    assert (action.status, action.version, action.completed_at) == ("in_progress", 2, None)
    assert [n.body for n in notes_of(app, item.id)] == ["Tina: beställt."]


def test_two_officials_saving_at_the_same_time_one_gets_a_conflict(app, w, item, clock):
    """Two web workers: both load the item at version 1, then both save."""
    first, second = fresh(app), fresh(app)
    try:
        mine = first.get(ActionItem, item.id)
        theirs = second.get(ActionItem, item.id)
        assert mine.version == theirs.version == 1
        services.update_action(first, mine, services.ActionChange(status="done", note="Klart."),
                               actor=w.tomas, clock=clock, expected_version=1)
        first.commit()
        with pytest.raises(Conflict):
            services.update_action(second, theirs, services.ActionChange(status="blocked", note="Stopp."),
                                   actor=w.tina, clock=clock, expected_version=1)
            second.commit()
    finally:
        second.rollback()
        first.close()
        second.close()
    assert reload(app, ActionItem, item.id).status == "done"


def test_an_official_of_another_organisation_can_neither_see_nor_change_the_item(client, app, w, session, clock):
    both_item = add_action(session, clock, w.both_case, w.tk, title="Flytta lastzonen", by=w.coordinator)
    sign_in(client, w.eva)

    home = client.get("/")
    assert listed_ids(home) == [] and "Flytta lastzonen" not in text_of(home)
    response = client.post(f"/atgarder/{both_item.id}", data=form_for(both_item, status="done", note="Klart."))
    assert response.status_code == 403
    # Eva reads the case (it concerns Exploateringskontoret too) but gets no form for TK's item.
    html = client.get(case_url(w.both_case)).get_data(as_text=True)
    assert "Flytta lastzonen" in html and f'action="/atgarder/{both_item.id}"' not in html
    # Steering members do not update action items at all.
    sign_in(client, w.steering)
    assert client.post(f"/atgarder/{both_item.id}", data=form_for(both_item, note="Hej")).status_code == 403
    sign_in(client, w.coordinator)
    assert client.post("/atgarder/999999", data={"note": "x"}).status_code == 404
    action = reload(app, ActionItem, both_item.id)
    assert (action.status, action.version) == ("planned", 1) and notes_of(app, both_item.id) == []


def test_next_only_leads_back_into_the_app(client, w, item):
    sign_in(client, w.tomas)

    response = client.post(f"/atgarder/{item.id}", data=form_for(item, note="Hej", next="https://evil.example/"))

    assert response.status_code == 302 and "evil.example" not in response.location


def test_an_item_on_the_start_page_links_to_a_case_the_official_can_open(client, w, session, clock):
    add_action(session, clock, w.expl_case, w.tk, title="Stäng av gatan vid kylhallen", by=w.coordinator)
    sign_in(client, w.tomas)

    home = client.get("/")
    assert "Stäng av gatan vid kylhallen" in text_of(home)  # shown on the start page …
    assert client.get(case_url(w.expl_case)).status_code == 200  # … with a link that opens the case
    titles = [i["title"] for i in api(client, w, "tomas", "get", "/api/v1/actions").get_json()["items"]]
    assert titles == ["Stäng av gatan vid kylhallen"]


def test_the_list_is_overdue_first_then_by_due_date(client, w, session, clock):
    def add(title, due, case=w.tk_case, org=w.tk):
        return add_action(session, clock, case, org, title=title, due=due, by=w.coordinator)

    later = add("Senare", date(2026, 12, 1))
    today = add("I dag", date(2026, 11, 23))
    long_overdue = add("Länge försenad", date(2026, 11, 10), case=w.both_case)
    soon = add("Snart", date(2026, 11, 25), case=w.both_case)
    overdue = add("Försenad", date(2026, 11, 20))
    done = add("Redan klar", date(2026, 11, 1))
    services.update_action(session, done, services.ActionChange(status="done", note=""), actor=w.coordinator,
                           clock=clock, expected_version=None)
    add("Exploateringens", date(2026, 11, 2), case=w.both_case, org=w.expl)
    session.commit()
    sign_in(client, w.tomas)

    page = client.get("/")

    assert listed_ids(page) == [long_overdue.id, overdue.id, today.id, soon.id, later.id]
    html = page.get_data(as_text=True)
    badges = {int(i): "Försenat" in body for i, body in
              re.findall(r'<li id="action-(\d+)" class="[^"]*">(.*?)</form>', html, re.S)}
    assert badges == {long_overdue.id: True, overdue.id: True, today.id: False, soon.id: False,
                      later.id: False}


# --- the JSON API -----------------------------------------------------------------------------------

@pytest.fixture
def api_items(session, clock, w):
    """TK: one overdue, one blocked; EXPL: one on the shared case, one on its own."""
    s = SimpleNamespace()
    s.tk_overdue = add_action(session, clock, w.tk_case, w.tk, title="TK försenad", due=date(2026, 11, 16),
                              by=w.coordinator)
    s.tk_blocked = add_action(session, clock, w.both_case, w.tk, title="TK blockerad", due=date(2026, 12, 10),
                              by=w.coordinator)
    services.update_action(session, s.tk_blocked, services.ActionChange(status="blocked", note="",
                                                                       blocked_reason="Inget bygglov"),
                           actor=w.tomas, clock=clock, expected_version=1)
    s.expl_shared = add_action(session, clock, w.both_case, w.expl, title="EXPL delad", due=date(2026, 12, 1),
                               by=w.coordinator)
    s.expl_own = add_action(session, clock, w.expl_case, w.expl, title="EXPL egen", due=date(2026, 11, 20),
                            by=w.coordinator)
    session.commit()
    return s


def titles(response) -> list[str]:
    assert response.status_code == 200, response.data[:500]
    return [i["title"] for i in response.get_json()["items"]]


def test_api_list_follows_the_same_rules_as_the_pages(client, w, api_items):
    assert titles(api(client, w, "coordinator", "get", "/api/v1/actions")) == \
        ["TK försenad", "EXPL egen", "EXPL delad", "TK blockerad"]
    assert titles(api(client, w, "tomas", "get", "/api/v1/actions")) == ["TK försenad", "TK blockerad"]
    assert titles(api(client, w, "eva", "get", "/api/v1/actions")) == ["EXPL egen", "EXPL delad"]
    # Asking for another organisation's items gives nothing, not their items.
    assert titles(api(client, w, "tomas", "get", f"/api/v1/actions?organisation={w.expl.id}")) == []
    assert titles(api(client, w, "coordinator", "get", f"/api/v1/actions?organisation={w.expl.id}")) == \
        ["EXPL egen", "EXPL delad"]
    assert titles(api(client, w, "coordinator", "get", "/api/v1/actions?status=blocked")) == ["TK blockerad"]
    assert titles(api(client, w, "coordinator", "get", "/api/v1/actions?overdue=true")) == \
        ["TK försenad", "EXPL egen"]
    assert titles(api(client, w, "tomas", "get", "/api/v1/actions?overdue=true")) == ["TK försenad"]

    [one] = api(client, w, "tomas", "get", "/api/v1/actions?status=blocked").get_json()["items"]
    assert one == {"id": api_items.tk_blocked.id, "case": "SBR 2026/0002", "organisation": w.tk.id,
                   "title": "TK blockerad", "description": "", "due_date": "2026-12-10", "status": "blocked",
                   "blocked_reason": "Inget bygglov", "overdue": False, "responsible_user": None, "version": 2}
    assert client.get("/api/v1/actions").status_code == 401
    assert_problem(api(client, w, "coordinator", "get", "/api/v1/actions?status=finished"), 422)
    assert_problem(api(client, w, "coordinator", "get", "/api/v1/actions?organisation=TK"), 422)


def test_api_create_for_any_organisation_by_the_coordinator_and_own_by_a_department(client, app, w):
    made = api(client, w, "coordinator", "post", "/api/v1/cases/SBR-2026-0001/actions",
               json={"organisation": w.expl.id, "title": "Utred markbehov", "due_date": "2026-12-18",
                     "responsible_user": w.eva.id})
    assert made.status_code == 201, made.data
    body = made.get_json()
    assert (body["case"], body["organisation"], body["status"], body["version"], body["responsible_user"]) == \
        ("SBR 2026/0001", w.expl.id, "planned", 1, w.eva.id)

    own = api(client, w, "tomas", "post", "/api/v1/cases/SBR-2026-0002/actions",
              json={"organisation": w.tk.id, "title": "Märk ut ytor", "due_date": "2026-12-01"})
    assert own.status_code == 201

    other = api(client, w, "tomas", "post", "/api/v1/cases/SBR-2026-0002/actions",
                json={"organisation": w.expl.id, "title": "Smyg in", "due_date": "2026-12-01"})
    assert_problem(other, 403)
    not_theirs = api(client, w, "tomas", "post", "/api/v1/cases/SBR-2026-0003/actions",
                     json={"organisation": w.tk.id, "title": "Smyg in", "due_date": "2026-12-01"})
    assert_problem(not_theirs, 404)  # a case they may not see is as if it did not exist
    assert_problem(api(client, w, "steering", "post", "/api/v1/cases/SBR-2026-0002/actions",
                       json={"organisation": w.tk.id, "title": "Smyg in", "due_date": "2026-12-01"}), 403)
    assert [a.title for a in actions_in_db(app)] == ["Utred markbehov", "Märk ut ytor"]


API_BAD = [
    ("empty title", {"title": ""}, "title"),
    ("10 000 characters", {"title": "x" * 10_000}, "title"),
    ("impossible date", {"due_date": "2026-13-45"}, "due_date"),
    ("date as a number", {"due_date": 20261204}, "due_date"),
    ("organisation as text", {"organisation": "TK"}, "organisation"),
    ("unknown organisation", {"organisation": 999999}, "organisation_id"),
    ("a person of another organisation", {"responsible_user": "@eva"}, "responsible_user_id"),
    ("unknown field", {"priority": "high"}, "priority"),
]


@pytest.mark.parametrize("change, field", [b[1:] for b in API_BAD], ids=[b[0] for b in API_BAD])
def test_api_create_with_wrong_input_is_a_422_problem_and_stores_nothing(client, app, w, change, field):
    body = {"organisation": w.tk.id, "title": "Sätt upp skyltar", "due_date": "2026-12-04", **change}
    if body.get("responsible_user") == "@eva":
        body["responsible_user"] = w.eva.id

    problem = assert_problem(api(client, w, "coordinator", "post", "/api/v1/cases/SBR-2026-0001/actions",
                                 json=body), 422)

    assert field in problem["errors"], problem
    assert actions_in_db(app) == []


def test_api_patch_updates_status_and_note_with_the_same_rules(client, app, w, item, clock):
    patched = api(client, w, "tomas", "patch", f"/api/v1/actions/{item.id}",
                  json={"status": "in_progress", "note": "Beställt via API.", "version": 1})

    assert patched.status_code == 200, patched.data
    assert (patched.get_json()["status"], patched.get_json()["version"]) == ("in_progress", 2)
    [note] = notes_of(app, item.id)
    assert (note.author_id, note.body, note.status_to) == (w.tomas.id, "Beställt via API.", "in_progress")
    assert reload(app, Case, w.tk_case.id).last_progress_at == clock.now()

    # Blocked needs a reason here too.
    blocked = assert_problem(api(client, w, "tomas", "patch", f"/api/v1/actions/{item.id}",
                                 json={"status": "blocked", "version": 2}), 422)
    assert "blocked_reason" in blocked["errors"]

    # Someone with the old version: 409 with the current one, nothing overwritten.
    stale = assert_problem(api(client, w, "coordinator", "patch", f"/api/v1/actions/{item.id}",
                               json={"status": "done", "note": "Klart.", "version": 1}), 409)
    assert stale["errors"]["version"] == ["current version: 2"]
    assert "status=in_progress" in stale["errors"]["current"][0]
    action = reload(app, ActionItem, item.id)
    assert (action.status, action.version) == ("in_progress", 2)
    assert [n.body for n in notes_of(app, item.id)] == ["Beställt via API."]


@pytest.mark.parametrize("body, field", [
    ({"version": "1", "note": "x"}, "version"),
    ({"status": "finished"}, "status"),
    ({"status": 3}, "status"),
    ({"note": 5}, "note"),
    ({"note": "x" * 5001}, "note"),
    ({"note": "x", "owner": "me"}, "owner"),
], ids=["version as text", "unknown status", "status as number", "note as number", "note too long",
        "unknown field"])
def test_api_patch_with_wrong_types_is_a_422_problem(client, app, w, item, body, field):
    problem = assert_problem(api(client, w, "tomas", "patch", f"/api/v1/actions/{item.id}", json=body), 422)

    assert field in problem["errors"], problem
    assert reload(app, ActionItem, item.id).version == 1 and notes_of(app, item.id) == []


def test_api_patch_by_another_organisation_is_refused(client, app, w, session, clock, item):
    shared = add_action(session, clock, w.both_case, w.tk, title="Flytta lastzonen", by=w.coordinator)

    # Eva can read the shared case but the item is Trafikkontoret's.
    assert_problem(api(client, w, "eva", "patch", f"/api/v1/actions/{shared.id}", json={"note": "Hej"}), 403)
    # The TK case is not hers at all: as if it did not exist.
    assert_problem(api(client, w, "eva", "patch", f"/api/v1/actions/{item.id}", json={"note": "Hej"}), 404)
    assert_problem(api(client, w, "eva", "patch", "/api/v1/actions/999999", json={"note": "Hej"}), 404)
    assert_problem(api(client, w, "steering", "patch", f"/api/v1/actions/{item.id}", json={"note": "Hej"}), 403)
    assert notes_of(app, item.id) == [] and notes_of(app, shared.id) == []


# --- planned changes ----------------------------------------------------------------------------------

def change_form(w, **values):
    return {"organisation_id": str(w.tk.id), "business_area_id": str(w.area.id),
            "title": "Vägarbete på Ågesta broväg", "description": "Ett körfält stängs.",
            "starts_on": "2026-12-01", "ends_on": "2026-12-15", "contact": "Tomas Trafik, 08-508 000 00",
            **values}


def changes_in_db(app) -> list[PlannedChange]:
    with fresh(app) as s:
        return list(s.exec(select(PlannedChange).order_by(PlannedChange.id)))


def test_a_department_official_reports_a_planned_change_for_their_organisation(client, app, w, clock):
    sign_in(client, w.tomas)
    form_page = client.get("/planerade-forandringar")
    assert form_page.status_code == 200
    org_select = re.search(r'<select[^>]*name="organisation_id"[^>]*>(.*?)</select>',
                           form_page.get_data(as_text=True), re.S).group(1)
    assert "Trafikkontoret" in org_select and "Exploateringskontoret" not in org_select

    response = client.post("/planerade-forandringar", data=change_form(w))

    assert response.status_code == 302
    [change] = changes_in_db(app)
    assert (change.organisation_id, change.business_area_id, change.title, change.starts_on, change.ends_on,
            change.reported_by_id, change.reported_at) == \
        (w.tk.id, w.area.id, "Vägarbete på Ågesta broväg", date(2026, 12, 1), date(2026, 12, 15), w.tomas.id,
         clock.now())
    page = client.get("/planerade-forandringar")
    assert "Den planerade förändringen är rapporterad; den kommer med på nästa dagordning för " \
           "samordningsgruppen." in flashes(page)
    assert "Vägarbete på Ågesta broväg Ett körfält stängs. Trafikkontoret Högdalens industriområde " \
           "2026-12-01 – 2026-12-15" in text_of(page)


def test_a_planned_change_for_another_organisation_or_ending_before_it_starts_is_refused(client, app, w):
    sign_in(client, w.tomas)

    # A forged form for another organisation: that organisation is not among the choices.
    other = client.post("/planerade-forandringar", data=change_form(w, organisation_id=str(w.expl.id)))
    assert other.status_code == 400 and "Välj en organisation i listan." in text_of(other)

    backwards = client.post("/planerade-forandringar", data=change_form(w, starts_on="2026-12-15",
                                                                        ends_on="2026-12-01"))
    assert backwards.status_code == 400
    text = text_of(backwards)
    assert "Slutet kan inte vara före början." in text
    html = backwards.get_data(as_text=True)
    assert 'value="Vägarbete på Ågesta broväg"' in html and 'value="2026-12-15"' in html  # kept

    no_title = client.post("/planerade-forandringar", data=change_form(w, title=""))
    assert no_title.status_code == 400 and "Ange vad som planeras." in text_of(no_title)
    bad_date = client.post("/planerade-forandringar", data=change_form(w, starts_on="2026-13-45"))
    assert bad_date.status_code == 400 and "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23." in text_of(bad_date)

    # Steering members read the list but do not report.
    sign_in(client, w.steering)
    assert client.get("/planerade-forandringar").status_code == 200
    assert client.post("/planerade-forandringar", data=change_form(w)).status_code == 403
    assert changes_in_db(app) == []


def test_a_coordinator_reports_for_any_organisation(client, app, w):
    sign_in(client, w.coordinator)

    response = client.post("/planerade-forandringar", data=change_form(w, organisation_id=str(w.expl.id),
                                                                       business_area_id=""))

    assert response.status_code == 302
    [change] = changes_in_db(app)
    assert (change.organisation_id, change.business_area_id, change.reported_by_id) == \
        (w.expl.id, None, w.coordinator.id)


WD = WorkingDays()


def coordination_series(session, w, clock, dates) -> list[Meeting]:
    group = factories.group(session, "coordination_group", members=[w.coordinator, w.tomas],
                            name="Samordningsgruppen")
    series = MeetingSeries(name="Samordningsgruppen", group_id=group.id, rrule="", dates=dates,
                           start_time=time(9), end_time=time(11), place="Drottninggatan 33", lead_time_days=5)
    session.add(series)
    session.flush()
    meetings.plan_meetings(session, series, clock=FixedClock(sthlm(2026, 10, 1)))
    session.commit()
    return list(session.exec(select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)))


def information(session, meeting) -> list[tuple[str, str]]:
    session.expire_all()
    agenda = session.exec(select(Agenda).where(Agenda.meeting_id == meeting.id)).one()
    return [(i.title, i.body) for i in meetings.agenda_items(session, agenda)["information"]
            if i.state not in ("removed", "stale")]


def test_a_reported_change_is_under_information_on_the_next_coordination_group_agenda(client, w, session,
                                                                                      clock):
    m0, m1 = coordination_series(session, w, clock, ["2026-11-04", "2026-12-02"])
    sign_in(client, w.tomas)
    assert client.post("/planerade-forandringar", data=change_form(w)).status_code == 302

    meetings.generate_agenda(session, m1, clock=FixedClock(sthlm(2026, 11, 25, 7)), working_days=WD)
    session.commit()

    info = information(session, m1)
    assert ("Trafikkontoret: Vägarbete på Ågesta broväg",
            "Ett körfält stängs.\nNär: 2026-12-01 – 2026-12-15\nKontakt: Tomas Trafik, 08-508 000 00") in info
    # The agenda page shows it under the information heading.
    sign_in(client, w.coordinator)
    text = text_of(client.get(f"/moten/{m1.id}"))
    assert "Trafikkontoret: Vägarbete på Ågesta broväg" in text
    info_at = text.index("Information")
    assert text.index("Trafikkontoret: Vägarbete på Ågesta broväg") > info_at


def test_a_change_reported_after_the_next_agenda_was_published_is_on_the_one_after(client, w, session, clock):
    m1, m2 = coordination_series(session, w, clock, ["2026-12-02", "2026-12-30"])
    meetings.generate_agenda(session, m1, clock=FixedClock(sthlm(2026, 11, 24, 7)), working_days=WD)
    session.commit()
    agenda = session.exec(select(Agenda).where(Agenda.meeting_id == m1.id)).one()
    meetings.publish_agenda(session, agenda, user_id=w.coordinator.id, clock=FixedClock(sthlm(2026, 11, 24, 8)),
                            base_url="http://test")
    session.commit()
    # Reported on Friday 2026-11-27, after m1's agenda was frozen.
    clock.at = sthlm(2026, 11, 27, 14)
    sign_in(client, w.tomas)
    assert client.post("/planerade-forandringar", data=change_form(w)).status_code == 302

    meetings.generate_agenda(session, m2, clock=FixedClock(sthlm(2026, 12, 21, 7)), working_days=WD)
    session.commit()

    assert "Trafikkontoret: Vägarbete på Ågesta broväg" in [t for t, _b in information(session, m2)]


# --- bounded SQL ----------------------------------------------------------------------------------------

class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _fill(session, clock, w, n):
    """n TK items spread over the two TK cases, every third with a note, some overdue."""
    for i in range(n):
        case = w.tk_case if i % 2 else w.both_case
        action = services.create_action(session, case, actor=w.coordinator, organisation_id=w.tk.id,
                                        title=f"Åtgärd {i}", due_date=date(2026, 11, 10) + timedelta(days=i % 40),
                                        responsible_user_id=w.tina.id if i % 2 else None, clock=clock)
        if i % 3 == 0:
            services.update_action(session, action, services.ActionChange(status="in_progress", note=f"Not {i}"),
                                   actor=w.tomas, clock=clock, expected_version=None)
    session.commit()


def _queries(app, client, url) -> tuple[int, str]:
    client.get(url)  # warm-up: first-request work is not the page's cost
    with QueryCounter(app.extensions["db_engine"]) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_min_forvaltning_and_the_case_page_cost_the_same_sql_with_5_and_100_items(make_app, session, clock,
                                                                                  w):
    counts = {}
    for n, extra in ((5, 5), (100, 95)):
        _fill(session, clock, w, extra)
        app = make_app()
        client = app.test_client()
        sign_in(client, w.tomas)
        home, html = _queries(app, client, "/")
        # 25 a page, overdue first; the pages together list every one once.
        assert len(listed_ids_html(html)) == min(n, 25)
        listed = [i for page in range(1, -(-n // 25) + 1)
                  for i in listed_ids_html(client.get(f"/?atgarder={page}").get_data(as_text=True))]
        assert len(listed) == len(set(listed)) == n
        sign_in(client, w.coordinator)
        case_page, html = _queries(app, client, case_url(w.tk_case))
        on_case = session.exec(select(func.count()).select_from(ActionItem)
                               .where(ActionItem.case_id == w.tk_case.id)).one()
        assert html.count('class="action-item') == on_case > n // 3
        counts[n] = (home, case_page)
    assert counts[5][0] > 3 and counts[5][1] > 3, counts  # the counter counts
    assert counts[5] == counts[100], counts


def listed_ids_html(html: str) -> list[str]:
    return re.findall(r'<li id="action-(\d+)"', html)

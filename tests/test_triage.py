"""Triage, as the coordinator meets it: the form and the service behind it, what a wrong entry
answers, two people saving at once, similar cases, link and merge, internal comments, registering
a case that came by phone, and who may do none of this.

Swedish is the default language, so messages are asserted in Swedish. The case most tests triage
has only short words ("Ny bro vid väg 73"), so its similar-cases panel stays empty; the panel is
tested on its own below."""

import html as html_lib
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from coordination.cases import services
from coordination.cases.models import (
    Case,
    CaseComment,
    CaseEvent,
    CaseLink,
    CaseOrganisation,
)
from coordination.cases.services import (
    Submitter,
    TriageInput,
    reference_slug,
    triage_case,
)
from coordination.cases.similar import similar_cases
from coordination.clock import STOCKHOLM
from coordination.errors import Conflict, ValidationFailed
from tests import factories
from tests.conftest import fresh, sign_in

def sthlm(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def url(case, suffix=""):
    return f"/arenden/{reference_slug(case.reference)}{suffix}"


def errors_shown(html: str) -> dict[str, str]:
    """The message under each field (field id -> text)."""
    return dict(re.findall(r'<p class="error-message" id="([\w-]+)-error">([^<]*)</p>', html))


def selected(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option selected value="([^"]*)"', select_html)


def input_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    match = re.search(r'value="([^"]*)"', tag)
    return html_lib.unescape(match.group(1)) if match else ""


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', html)


def history(app, case) -> list[CaseEvent]:
    with fresh(app) as s:
        return list(s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def stored(app, case) -> Case:
    with fresh(app) as s:
        return s.get(Case, case.id)


def organisations_of(app, case) -> set[int]:
    with fresh(app) as s:
        return set(s.exec(select(CaseOrganisation.organisation_id).where(CaseOrganisation.case_id == case.id)))


@pytest.fixture
def w(session, clock, client):
    w = SimpleNamespace()
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.closed_org = factories.organisation(session, name="Nedlagda kontoret", short_name="NK", active=False)
    w.hogdalen = factories.business_area(session, name="Högdalens industriområde")
    w.arsta = factories.business_area(session, name="Årsta partihallar")
    w.old_area = factories.business_area(session, name="Gamla området", active=False)
    w.coordinator = factories.user(session, "coordinator", name="Saga Samordnare")
    w.colleague = factories.user(session, "coordinator", name="Kim Kollega")
    w.department = factories.user(session, "department", organisation_id=w.tk.id, name="Tore Trafik")
    w.other_department = factories.user(session, "department", organisation_id=w.sbk.id, name="Sara Stadsbyggnad")
    w.steering = factories.user(session, "steering", name="Stina Styrgrupp")
    w.case = factories.case(session, clock=clock, received_at=sthlm(2026, 11, 23, 9), title="Ny bro vid väg 73",
                            description="Det är en bro.", source="web",
                            submitter=Submitter(company_name="Högdalens Bageri AB", contact_name="Bo Bagare"))
    session.commit()
    sign_in(client, w.coordinator)
    return w


# The default entry triggers no routing rule (level 2, no flags, a cost within the coordination
# group's mandate), so what is asserted is triage alone.
def form_data(w, **changes) -> dict:
    data = {"business_area_id": str(w.hogdalen.id), "focus_area_id": "3", "category": "maintenance",
            "organisation_ids": [str(w.tk.id), str(w.sbk.id)], "priority": "high",
            "estimated_cost_sek": "250 000", "level": "2", "version": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def unchanged(app, w):
    case = stored(app, w.case)
    assert (case.status, case.level, case.business_area_id, case.focus_area_id, case.category, case.priority,
            case.estimated_cost_sek, case.major_significance, case.version, case.triaged_at) == \
        ("new", None, None, None, None, "normal", None, False, 1, None)
    assert organisations_of(app, w.case) == set()
    assert [e.kind for e in history(app, w.case)] == ["received"]


# --- triage through the form -------------------------------------------------------------------------

def test_the_triage_form_starts_at_the_work_group(client, w):
    html = client.get(url(w.case, "/triage")).data.decode()

    assert selected(html, "level") == ["1"]
    assert selected(html, "priority") == ["normal"]
    assert input_value(html, "version") == "1"
    assert "Inga liknande ärenden hittades." in html


def test_triage_saves_every_field_in_one_step_with_its_history(app, client, clock, w):
    response = client.post(url(w.case, "/triage"), data=form_data(w))

    assert response.status_code == 302
    assert response.headers["Location"] == url(w.case)
    case = stored(app, w.case)
    assert (case.status, case.level, case.business_area_id, case.focus_area_id, case.category, case.priority) == \
        ("triaged", 2, w.hogdalen.id, 3, "maintenance", "high")
    assert (case.major_significance, case.needs_department_head_decision, case.needs_political_decision) == \
        (False, False, False)
    assert case.estimated_cost_sek == 250_000
    assert (case.triaged_by_id, case.triaged_at, case.version) == (w.coordinator.id, clock.now(), 2)
    assert organisations_of(app, w.case) == {w.tk.id, w.sbk.id}
    events = history(app, w.case)
    assert [e.kind for e in events] == ["received", "triaged"]
    triaged = events[-1]
    assert (triaged.actor_user_id, triaged.at, triaged.from_level, triaged.to_level) == \
        (w.coordinator.id, clock.now(), None, 2)
    changes = triaged.facts["changes"]
    assert changes["business_area_id"] == [None, w.hogdalen.id]
    assert changes["level"] == [None, 2]
    assert changes["priority"] == ["normal", "high"]
    assert changes["organisation_ids"] == [[], sorted([w.tk.id, w.sbk.id])]
    assert sorted(triaged.facts["organisations"]) == ["SBK", "TK"]

    page = client.get(url(w.case)).data.decode()
    assert flashes(page) == [f"Triage av {w.case.reference} sparades."]
    for shown in ["Högdalens industriområde", "3. Attraktivare miljöer och bättre framkomlighet",
                  "Drift, renhållning, snöröjning", "Hög", "Stadsbyggnadskontoret, Trafikkontoret", "250 000 kr",
                  "Samordningsgruppen", "Triagerat", "Saga Samordnare", "Ändra triage"]:
        assert shown in page, shown
    assert re.search(r"Ej triagerat → Samordningsgruppen", page)


def test_the_flags_and_the_cost_are_saved(app, client, w):
    response = client.post(url(w.case, "/triage"), data=form_data(
        w, major_significance="y", needs_department_head_decision="y", needs_political_decision="y",
        estimated_cost_sek="6000000"))

    assert response.status_code == 302
    case = stored(app, w.case)
    assert (case.major_significance, case.needs_department_head_decision, case.needs_political_decision,
            case.estimated_cost_sek) == (True, True, True, 6_000_000)
    events = history(app, w.case)
    assert [e.kind for e in events][:2] == ["received", "triaged"]
    assert events[1].facts["changes"]["major_significance"] == [False, True]
    page = client.get(url(w.case)).data.decode()
    assert "Större dignitet, Kräver beslut på förvaltningschefsnivå, Kräver politiskt beslut" in page
    assert "6 000 000 kr" in page


def test_a_triage_without_a_level_places_the_case_in_the_work_group(app, client, w):
    response = client.post(url(w.case, "/triage"), data=form_data(w, level=None, organisation_ids=[str(w.tk.id)]))

    assert response.status_code == 302
    assert stored(app, w.case).level == 1
    assert history(app, w.case)[-1].to_level == 1


def test_triage_through_the_service(app, session, clock, w):
    data = TriageInput(business_area_id=w.arsta.id, focus_area_id=2, category="traffic",
                       organisation_ids=[w.sbk.id, w.tk.id, w.tk.id], priority="urgent", major_significance=False,
                       needs_department_head_decision=True, needs_political_decision=True,
                       estimated_cost_sek=0, level=3)

    event = triage_case(session, w.case, data, actor_user_id=w.coordinator.id, clock=clock, expected_version=1)
    session.commit()

    case = stored(app, w.case)
    assert (case.status, case.level, case.business_area_id, case.priority, case.estimated_cost_sek) == \
        ("triaged", 3, w.arsta.id, "urgent", 0)
    assert (case.needs_department_head_decision, case.needs_political_decision) == (True, True)
    assert organisations_of(app, w.case) == {w.tk.id, w.sbk.id}
    assert (event.kind, event.actor_user_id, event.to_level) == ("triaged", w.coordinator.id, 3)
    assert [e.kind for e in history(app, w.case)] == ["received", "triaged"]


def test_correcting_a_triage_records_what_changed(app, client, clock, w):
    client.post(url(w.case, "/triage"), data=form_data(w))
    clock.advance(timedelta(hours=2))

    response = client.post(url(w.case, "/triage"), data=form_data(
        w, priority="urgent", organisation_ids=[str(w.tk.id)], level="3", version="2"))

    assert response.status_code == 302
    case = stored(app, w.case)
    assert (case.status, case.priority, case.level, case.version) == ("triaged", "urgent", 3, 3)
    assert case.triaged_at == clock.now() - timedelta(hours=2)   # the first triage stays the triage
    assert organisations_of(app, w.case) == {w.tk.id}
    events = history(app, w.case)
    assert [e.kind for e in events] == ["received", "triaged", "updated"]
    updated = events[-1]
    assert (updated.actor_user_id, updated.at, updated.from_level, updated.to_level) == \
        (w.coordinator.id, clock.now(), 2, 3)
    assert updated.facts["changes"] == {"priority": ["high", "urgent"], "level": [2, 3],
                                        "organisation_ids": [sorted([w.tk.id, w.sbk.id]), [w.tk.id]]}
    page = client.get(url(w.case)).data.decode().split('id="history-title"', 1)[1]
    assert page.index("<strong>Uppdaterat</strong>") < page.index("<strong>Triagerat</strong>") \
        < page.index("<strong>Inkommet</strong>")


def test_saving_a_triage_unchanged_records_no_changes(app, client, w):
    client.post(url(w.case, "/triage"), data=form_data(w))

    client.post(url(w.case, "/triage"), data=form_data(w, version="2"))

    updated = history(app, w.case)[-1]
    assert (updated.kind, updated.facts["changes"], updated.to_level) == ("updated", {}, None)


# --- wrong entries -----------------------------------------------------------------------------------

COST = "Ange kostnaden i hela kronor, mellan 0 och 1 000 000 000 000."
WRONG = [
    ("no-area", {"business_area_id": ""}, "business_area_id", "Välj ett verksamhetsområde."),
    ("unknown-area", {"business_area_id": "999999"}, "business_area_id", "Välj ett verksamhetsområde i listan."),
    ("inactive-area", {"business_area_id": "@old_area"}, "business_area_id", "Välj ett verksamhetsområde i listan."),
    ("area-not-a-number", {"business_area_id": "Högdalen"}, "business_area_id",
     "Välj ett verksamhetsområde i listan."),
    ("no-focus-area", {"focus_area_id": ""}, "focus_area_id", "Välj ett av de fyra fokusområdena."),
    ("focus-area-5", {"focus_area_id": "5"}, "focus_area_id", "Välj ett av de fyra fokusområdena."),
    ("unknown-category", {"category": "väder"}, "category", "Välj en kategori i listan."),
    ("unknown-priority", {"priority": "asap"}, "priority", "Välj en prioritet i listan."),
    ("negative-cost", {"estimated_cost_sek": "-1"}, "estimated_cost_sek", COST),
    ("cost-in-words", {"estimated_cost_sek": "tolv"}, "estimated_cost_sek", "Ange ett heltal, bara siffror."),
    ("cost-with-decimals", {"estimated_cost_sek": "12,5"}, "estimated_cost_sek", "Ange ett heltal, bara siffror."),
    ("cost-too-large", {"estimated_cost_sek": str(10 ** 13)}, "estimated_cost_sek", COST),
    ("unknown-organisation", {"organisation_ids": ["999999"]}, "organisation_ids", "Välj organisationer i listan."),
    ("inactive-organisation", {"organisation_ids": ["@closed_org"]}, "organisation_ids",
     "Välj organisationer i listan."),
    ("organisation-not-a-number", {"organisation_ids": ["TK"]}, "organisation_ids",
     "Välj organisationer i listan."),
    ("level-4", {"level": "4"}, "level", "Välj en nivå: arbetsgrupp, samordningsgrupp eller styrgrupp."),
    ("level-0", {"level": "0"}, "level", "Välj en nivå: arbetsgrupp, samordningsgrupp eller styrgrupp."),
    ("level-not-a-number", {"level": "styrgrupp"}, "level",
     "Välj en nivå: arbetsgrupp, samordningsgrupp eller styrgrupp."),
]


def _resolve(w, value):
    if isinstance(value, list):
        return [_resolve(w, v) for v in value]
    return str(getattr(w, value[1:]).id) if isinstance(value, str) and value.startswith("@") else value


@pytest.mark.parametrize("name, changes, field, message", WRONG, ids=[x[0] for x in WRONG])
def test_a_wrong_entry_is_refused_with_a_message_under_the_field(app, client, w, name, changes, field, message):
    changes = {k: _resolve(w, v) for k, v in changes.items()}

    response = client.post(url(w.case, "/triage"), data=form_data(w, needs_political_decision="y", **changes))

    assert response.status_code == 400
    html = response.data.decode()
    shown = errors_shown(html)
    assert list(shown) == [field]
    assert shown[field].startswith(message)
    assert "Rätta följande" in html
    unchanged(app, w)
    # What was typed elsewhere is still there.
    if field != "priority":
        assert selected(html, "priority") == ["high"]
    if field != "category":
        assert selected(html, "category") == ["maintenance"]
    if field != "estimated_cost_sek":
        assert input_value(html, "estimated_cost_sek") == "250 000"
    assert "checked" in re.search(r'<input[^>]*name="needs_political_decision"[^>]*>', html).group(0)
    assert "checked" not in re.search(r'<input[^>]*name="major_significance"[^>]*>', html).group(0)


@pytest.mark.parametrize("changes, field", [
    ({"business_area_id": None}, "business_area_id"),
    ({"business_area_id": "@old_area"}, "business_area_id"),
    ({"focus_area_id": 5}, "focus_area_id"),
    ({"focus_area_id": None}, "focus_area_id"),
    ({"category": "väder"}, "category"),
    ({"priority": "asap"}, "priority"),
    ({"estimated_cost_sek": -1}, "estimated_cost_sek"),
    ({"estimated_cost_sek": 10 ** 13}, "estimated_cost_sek"),
    ({"organisation_ids": [999999]}, "organisation_ids"),
    ({"organisation_ids": ["@closed_org"]}, "organisation_ids"),
    ({"level": 4}, "level"),
    ({"level": 0}, "level"),
])
def test_the_service_refuses_wrong_triage_data_and_changes_nothing(app, session, clock, w, changes, field):
    values = dict(business_area_id=w.hogdalen.id, focus_area_id=3, category="maintenance", organisation_ids=[],
                  priority="normal", major_significance=False, needs_department_head_decision=False,
                  needs_political_decision=False, estimated_cost_sek=None, level=1)
    for key, value in changes.items():
        resolved = _resolve(w, value)
        values[key] = [int(v) for v in resolved] if isinstance(resolved, list) else \
            (int(resolved) if isinstance(resolved, str) and resolved.isdigit() else resolved)

    with pytest.raises(ValidationFailed) as refused:
        triage_case(session, w.case, TriageInput(**values), actor_user_id=w.coordinator.id, clock=clock)
    session.rollback()

    assert list(refused.value.errors) == [field]
    unchanged(app, w)


# --- two people at once ------------------------------------------------------------------------------

def test_the_second_to_save_gets_409_and_nothing_is_overwritten(app, client, w):
    colleague = sign_in(app.test_client(), w.colleague)
    mine = client.get(url(w.case, "/triage")).data.decode()
    assert input_value(mine, "version") == "1"

    first = colleague.post(url(w.case, "/triage"), data=form_data(w, priority="low", level="1",
                                                                   organisation_ids=[str(w.sbk.id)]))
    second = client.post(url(w.case, "/triage"), data=form_data(w, priority="urgent", level="3"))

    assert first.status_code == 302
    assert second.status_code == 409
    html = second.data.decode()
    assert "Någon annan ändrade ärendet medan du redigerade. Dina ändringar sparades inte" in html
    case = stored(app, w.case)
    assert (case.priority, case.level, case.version, case.triaged_by_id) == ("low", 1, 2, w.colleague.id)
    assert organisations_of(app, w.case) == {w.sbk.id}
    assert [e.kind for e in history(app, w.case)] == ["received", "triaged"]


def test_after_a_conflict_the_form_shows_the_current_values_and_saving_again_works(app, client, w):
    colleague = sign_in(app.test_client(), w.colleague)
    colleague.post(url(w.case, "/triage"), data=form_data(w, priority="low", level="1",
                                                          organisation_ids=[str(w.sbk.id)]))
    conflict = client.post(url(w.case, "/triage"), data=form_data(w, priority="urgent", level="3"))
    assert conflict.status_code == 409
    html = conflict.data.decode()

    assert input_value(html, "version") == "2"
    assert selected(html, "priority") == ["low"]
    assert selected(html, "level") == ["1"]
    again = client.post(url(w.case, "/triage"), data=form_data(w, priority="urgent", level="3",
                                                                version=input_value(html, "version")))
    assert again.status_code == 302


def test_the_service_refuses_a_stale_version(app, session, clock, w):
    data = TriageInput(business_area_id=w.hogdalen.id, focus_area_id=1, category="other", organisation_ids=[],
                       priority="normal", major_significance=False, needs_department_head_decision=False,
                       needs_political_decision=False, estimated_cost_sek=None, level=1)

    with pytest.raises(Conflict):
        triage_case(session, w.case, data, actor_user_id=w.coordinator.id, clock=clock, expected_version=7)
    session.rollback()

    unchanged(app, w)


# --- closed and merged cases -------------------------------------------------------------------------

@pytest.fixture
def closed(session, w):
    w.case.status = "closed"
    session.add(w.case)
    session.commit()
    return w.case


def test_a_closed_case_cannot_be_triaged(app, session, client, clock, w, closed):
    response = client.post(url(closed, "/triage"), data=form_data(w))

    assert response.status_code == 400
    case = stored(app, closed)
    assert (case.status, case.level, case.business_area_id, case.version) == ("closed", None, None, 1)
    assert [e.kind for e in history(app, closed)] == ["received"]
    with pytest.raises(ValidationFailed, match="closed and cannot be triaged"):
        triage_case(session, closed, TriageInput(
            business_area_id=w.hogdalen.id, focus_area_id=1, category="other", organisation_ids=[],
            priority="normal", major_significance=False, needs_department_head_decision=False,
            needs_political_decision=False, estimated_cost_sek=None, level=1),
            actor_user_id=w.coordinator.id, clock=clock)
    session.rollback()
    assert "Ändra triage" not in client.get(url(closed)).data.decode()


def test_the_refusal_to_triage_a_closed_case_says_why(client, w, closed):
    response = client.post(url(closed, "/triage"), data=form_data(w))

    assert "Ärendet är avslutat och kan inte triageras." in response.data.decode()


# --- similar cases -----------------------------------------------------------------------------------

@pytest.fixture
def alike(session, clock, w):
    def add(title, description, area, **values):
        return factories.case(session, clock=clock, title=title, description=description,
                              business_area_id=area.id, received_at=sthlm(2026, 11, 20), **values)

    x = add("Snöröjning saknas på Ågesta broväg", "Plogbilen har inte kommit sedan i fredags.", w.hogdalen)
    y = add("Snöröjningen uteblev på Ågesta broväg", "Ingen plogbil har synts på hela veckan.", w.hogdalen)
    z = add("Snöröjning saknas på Ågesta broväg", "Plogbilen har inte kommit sedan i fredags.", w.arsta)
    unrelated = add("Klotter på fasaden", "Fasaden behöver saneras snarast.", w.hogdalen)
    merged = add("Snöröjning saknas vid Ågesta broväg", "Plogbilen har inte kommit.", w.hogdalen)
    merged.merged_into_id, merged.status = y.id, "closed"
    session.add(merged)
    session.commit()
    return SimpleNamespace(x=x, y=y, z=z, unrelated=unrelated, merged=merged)


def test_similar_cases_are_those_with_like_words_in_the_same_business_area(session, clock, w, alike):
    found = [s.case.reference for s in similar_cases(session, alike.x, clock=clock)]

    assert found == [alike.y.reference]


def test_the_triage_page_lists_similar_cases_with_a_link_button(client, w, alike):
    response = client.get(url(alike.x, "/triage"))

    assert response.status_code == 200
    html = response.data.decode()
    panel = html.split('id="similar-title"', 1)[1].split("</aside>", 1)[0]
    assert alike.y.reference in panel
    assert f"Länka {alike.y.reference}" in panel
    for other in (alike.z, alike.unrelated, alike.merged):
        assert other.reference not in panel


# --- link --------------------------------------------------------------------------------------------

@pytest.fixture
def other(session, clock, w):
    case = factories.case(session, clock=clock, received_at=sthlm(2026, 11, 20), title="Samma bro igen",
                          description="Det är en bro till.", organisations=[w.sbk])
    session.commit()
    return case


def test_linking_two_cases_shows_in_both_and_in_both_histories(app, client, w, other):
    response = client.post(url(w.case, "/lankar"), data={"other": other.reference})

    assert response.status_code == 302
    assert response.headers["Location"] == url(w.case)
    page = client.get(url(w.case)).data.decode()
    assert flashes(page) == [f"{w.case.reference} och {other.reference} är länkade."]
    assert re.search(rf'Länkat: <a href="{url(other)}">{other.reference}</a>', page)
    assert re.search(rf'Länkat: <a href="{url(w.case)}">{w.case.reference}</a>',
                     client.get(url(other)).data.decode())
    for this, that in ((w.case, other), (other, w.case)):
        linked = [e for e in history(app, this) if e.kind == "linked"]
        assert [(e.actor_user_id, e.facts) for e in linked] == [(w.coordinator.id, {"other": that.reference})]


def test_linking_twice_is_harmless(app, client, w, other):
    client.post(url(w.case, "/lankar"), data={"other": other.reference})
    client.get(url(w.case))  # the first link's message

    again = client.post(url(w.case, "/lankar"), data={"other": other.reference})
    reverse = client.post(url(other, "/lankar"), data={"other": w.case.reference.replace("SBR ", "")})

    assert again.status_code == reverse.status_code == 302
    assert flashes(client.get(url(other)).data.decode()) == ["Ärendena var redan länkade.",
                                                             "Ärendena var redan länkade."]
    with fresh(app) as s:
        assert len(s.exec(select(CaseLink)).all()) == 1
    assert [e.kind for e in history(app, w.case)].count("linked") == 1
    assert [e.kind for e in history(app, other)].count("linked") == 1


@pytest.mark.parametrize("target, message", [
    ("self", "Ett ärende kan inte länkas till sig självt."),
    ("SBR 2026/9999", "Det finns inget ärende med det diarienumret."),
    ("inte ett nummer", "Det finns inget ärende med det diarienumret."),
    ("", "Ange ett diarienummer."),
])
def test_a_link_that_cannot_be_made_is_refused(app, client, w, other, target, message):
    response = client.post(url(w.case, "/lankar"), data={"other": w.case.reference if target == "self" else target})

    assert response.status_code == 400
    assert errors_shown(response.data.decode()) == {"other": message}
    with fresh(app) as s:
        assert s.exec(select(CaseLink)).all() == []
    assert [e.kind for e in history(app, w.case)] == ["received"]


def test_linking_from_the_triage_page_returns_there(client, w, other):
    response = client.post(url(w.case, "/lankar"), data={"other": other.reference, "back": "triage"})

    assert response.headers["Location"] == url(w.case, "/triage")


# --- merge -------------------------------------------------------------------------------------------

def test_merging_closes_the_case_and_its_reference_leads_to_the_other(app, session, client, clock, w, other):
    session.add(CaseOrganisation(case_id=w.case.id, organisation_id=w.tk.id))
    session.commit()

    response = client.post(url(w.case, "/sammanfoga"), data={"target": other.reference,
                                                             "reason": "Samma fråga om bron"})

    assert response.status_code == 302
    assert response.headers["Location"] == url(other)
    client.get(url(other))  # the flash of the merge itself
    source, target = stored(app, w.case), stored(app, other)
    assert (source.status, source.merged_into_id) == ("closed", other.id)
    assert target.status == "new" and target.merged_into_id is None
    assert organisations_of(app, other) == {w.tk.id, w.sbk.id}
    merged = history(app, w.case)[-1]
    merged_in = history(app, other)[-1]
    assert (merged.kind, merged.actor_user_id, merged.reason, merged.facts) == \
        ("merged", w.coordinator.id, "Samma fråga om bron", {"into": other.reference})
    assert (merged_in.kind, merged_in.reason, merged_in.facts) == \
        ("merged_in", "Samma fråga om bron", {"from": w.case.reference})

    old = client.get(url(w.case))
    assert old.status_code == 302
    assert old.headers["Location"] == url(other)
    page = client.get(old.headers["Location"]).data.decode()
    assert flashes(page) == [f"{w.case.reference} har slagits ihop med {other.reference}."]
    # Both histories, newest first, the merged case's entries marked with its reference.
    history_html = page.split('id="history-title"', 1)[1]
    assert "Sammanslaget med ett annat ärende" in history_html
    assert "Ett annat ärende har slagits ihop hit" in history_html
    assert history_html.count("<strong>Inkommet</strong>") == 2
    assert f"· {w.case.reference}</span>" in history_html
    assert f"Sammanslaget hit: {w.case.reference} Ny bro vid väg 73" in page
    assert history_html.count("Samma fråga om bron") == 2          # the why, on both entries
    assert history_html.count("Saga Samordnare") >= 2               # the who
    assert "Stadsbyggnadskontoret, Trafikkontoret" in page


def test_the_triage_page_of_a_merged_case_leads_to_its_case_page(client, w, other):
    client.post(url(w.case, "/sammanfoga"), data={"target": other.reference, "reason": "Dubblett"})

    response = client.get(url(w.case, "/triage"))

    assert response.status_code == 302
    assert response.headers["Location"] == url(w.case)


@pytest.mark.parametrize("situation, field, message", [
    ("target-closed", "target", "Slå ihop med ett öppet ärende."),
    ("into-itself", "target", "Ett ärende kan inte slås ihop med sig självt."),
    # The merge form's reason has its own id: the move form's reason may be on the same page.
    ("no-reason", "merge-reason", "Ange ett skäl."),
    ("unknown-target", "target", "Det finns inget ärende med det diarienumret."),
    ("target-already-merged", "target", "Ett av ärendena är redan sammanslaget med ett annat."),
])
def test_a_merge_that_cannot_be_made_is_refused_and_changes_nothing(app, session, client, clock, w, other,
                                                                   situation, field, message):
    target, reason = other.reference, "Samma fråga"
    if situation == "target-closed":
        other.status = "closed"
        session.add(other)
    elif situation == "into-itself":
        target = w.case.reference
    elif situation == "no-reason":
        reason = ""
    elif situation == "unknown-target":
        target = "SBR 2026/9999"
    elif situation == "target-already-merged":
        third = factories.case(session, clock=clock, title="Tredje")
        other.merged_into_id, other.status = third.id, "closed"
        session.add(other)
    session.commit()

    response = client.post(url(w.case, "/sammanfoga"), data={"target": target, "reason": reason})

    assert response.status_code == 400
    assert errors_shown(response.data.decode()) == {f"{field}": message}
    case = stored(app, w.case)
    assert (case.status, case.merged_into_id, case.version) == ("new", None, 1)
    assert [e.kind for e in history(app, w.case)] == ["received"]


# --- comments ----------------------------------------------------------------------------------------

def test_a_comment_is_saved_and_shown_with_its_author(app, client, clock, w):
    response = client.post(url(w.case, "/kommentarer"), data={"body": "Ringde Bo, han återkommer på fredag."})

    assert response.status_code == 302
    assert response.headers["Location"] == url(w.case) + "#comments"
    with fresh(app) as s:
        comments = s.exec(select(CaseComment)).all()
    assert [(c.case_id, c.author_id, c.at, c.body) for c in comments] == \
        [(w.case.id, w.coordinator.id, clock.now(), "Ringde Bo, han återkommer på fredag.")]
    page = client.get(url(w.case)).data.decode()
    assert flashes(page) == ["Kommentaren sparades."]
    section = page.split('id="comments-title"', 1)[1].split("</section>", 1)[0]
    assert "Ringde Bo, han återkommer på fredag." in section
    assert "Saga Samordnare" in section


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_an_empty_comment_is_refused(app, client, w, body):
    response = client.post(url(w.case, "/kommentarer"), data={"body": body})

    assert response.status_code == 400
    assert errors_shown(response.data.decode()) == {"body": "Skriv en kommentar."}
    with fresh(app) as s:
        assert s.exec(select(CaseComment)).all() == []


def test_a_comment_is_never_on_the_companys_status_link(app, session, client, w):
    token = services.new_status_token(session, w.case)
    session.commit()
    client.post(url(w.case, "/kommentarer"), data={"body": "Internt: företaget har tidigare fått avslag."})

    status = app.test_client().get(f"/status/{token}")

    assert status.status_code == 200
    html = status.data.decode()
    assert w.case.reference in html
    assert "avslag" not in html and "Internt" not in html and "Saga Samordnare" not in html


def test_a_department_official_comments_on_a_case_of_their_organisation_only(app, session, client, w, other):
    session.add(CaseOrganisation(case_id=w.case.id, organisation_id=w.tk.id))
    session.commit()
    sign_in(client, w.department)

    own = client.post(url(w.case, "/kommentarer"), data={"body": "Vi tittar på det."})
    not_own = client.post(url(other, "/kommentarer"), data={"body": "Inte vår."})
    steering = sign_in(app.test_client(), w.steering).post(url(w.case, "/kommentarer"), data={"body": "Hej."})

    assert own.status_code == 302
    assert not_own.status_code == 403
    assert steering.status_code == 403
    with fresh(app) as s:
        assert [c.body for c in s.exec(select(CaseComment))] == ["Vi tittar på det."]


# --- registration by the coordinator ----------------------------------------------------------------------

def registration(w, **changes) -> dict:
    data = {"source": "phone", "received_at": "2026-11-18T10:00", "business_area_id": str(w.hogdalen.id),
            "title": "Trasig belysning vid infarten", "description": "Ringde in och berättade om mörkret.",
            "company_name": "Lager & Logistik AB", "contact_name": "Lena Lager", "contact_phone": "08-123 45 67",
            "contact_email": ""}
    data.update(changes)
    return data


def test_the_registration_form_starts_at_now(client, w):
    html = client.get("/arenden/ny").data.decode()

    assert input_value(html, "received_at") == "2026-11-23T10:00"
    assert "web" not in re.findall(r'<option[^>]*value="([^"]*)"', html.split('name="source"', 1)[1]
                                   .split("</select>", 1)[0])


def test_a_phone_case_received_three_working_days_ago_is_overdue_at_once(app, client, w):
    response = client.post("/arenden/ny", data=registration(w))

    assert response.status_code == 302
    with fresh(app) as s:
        case = s.exec(select(Case).where(Case.title == "Trasig belysning vid infarten")).one()
    assert response.headers["Location"] == url(case)
    assert (case.source, case.received_at, case.status, case.business_area_id) == \
        ("phone", sthlm(2026, 11, 18, 10), "new", w.hogdalen.id)
    assert (case.company_name, case.contact_name, case.contact_phone) == \
        ("Lager & Logistik AB", "Lena Lager", "08-123 45 67")
    received = history(app, case)
    assert [(e.kind, e.at, e.actor_user_id, e.facts["source"]) for e in received] == \
        [("received", sthlm(2026, 11, 18, 10), w.coordinator.id, "phone")]

    page = client.get(url(case)).data.decode()
    assert flashes(page) == [f"Ärende {case.reference} registrerades."]
    assert "Försenat" in page and "inte triagerat inom 2 arbetsdagar (senast 2026-11-20)" in page
    assert "Telefon" in page
    queue = client.get("/arenden").data.decode()
    assert re.search(rf'<tr class="overdue">\s*<td><a href="{url(case)}">{case.reference}</a>', queue)
    assert re.search(r'<span class="stat-value">1</span> <span class="stat-label">otriagerade i mer än 2',
                     client.get("/").data.decode())


@pytest.mark.parametrize("changes, field, message", [
    ({"received_at": "2026-11-24T09:00"}, "received_at", "Inkommet kan inte ligga i framtiden."),
    ({"received_at": "2026-11-23T10:01"}, "received_at", "Inkommet kan inte ligga i framtiden."),
    ({"received_at": ""}, "received_at", "Ange när ärendet kom in."),
    ({"source": "web"}, "source", "Välj hur ärendet kom in."),
    ({"title": ""}, "title", "Ange ett ämne."),
    ({"business_area_id": "999999"}, "business_area_id", "Välj ett verksamhetsområde i listan."),
])
def test_a_wrong_registration_is_refused_and_the_form_keeps_what_was_typed(app, client, w, changes, field,
                                                                          message):
    response = client.post("/arenden/ny", data=registration(w, **changes))

    assert response.status_code == 400
    html = response.data.decode()
    shown = errors_shown(html)
    assert list(shown) == [field] and shown[field].startswith(message)
    with fresh(app) as s:
        assert s.exec(select(Case.id)).all() == [w.case.id]
    if field != "title":
        assert input_value(html, "title") == "Trasig belysning vid infarten"
    assert "Ringde in och berättade om mörkret." in html
    assert input_value(html, "company_name") == "Lager & Logistik AB"
    assert input_value(html, "contact_phone") == "08-123 45 67"
    if field != "source":
        assert selected(html, "source") == ["phone"]
    if field != "received_at" or changes["received_at"]:
        assert input_value(html, "received_at") == (changes.get("received_at") or "2026-11-18T10:00")


def test_a_received_time_in_year_1_is_refused_not_a_server_error(client, w):
    response = client.post("/arenden/ny", data=registration(w, received_at="0001-01-01T00:00"))

    assert response.status_code == 400


@pytest.mark.parametrize("where", ["registration", "comment", "merge-reason"])
def test_control_characters_in_text_are_dropped(app, client, w, other, where):
    if where == "registration":
        response = client.post("/arenden/ny", data=registration(w, title="Trasig\x00belysning\x07"))
    elif where == "comment":
        response = client.post(url(w.case, "/kommentarer"), data={"body": "Hej\x00då"})
    else:
        response = client.post(url(w.case, "/sammanfoga"), data={"target": other.reference,
                                                                 "reason": "Samma\x00fråga"})

    assert response.status_code == 302
    with fresh(app) as s:
        if where == "registration":
            assert s.exec(select(Case.title).where(Case.id != w.case.id, Case.id != other.id)).all() == \
                ["Trasigbelysning"]
        elif where == "comment":
            assert s.exec(select(CaseComment.body)).all() == ["Hejdå"]
        else:
            assert history(app, w.case)[-1].reason == "Sammafråga"


# --- who may not triage ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["department", "other_department", "steering"])
@pytest.mark.parametrize("action", ["get-triage", "post-triage", "link", "merge"])
def test_only_the_coordinator_triages_links_and_merges(app, session, client, w, other, who, action):
    session.add(CaseOrganisation(case_id=w.case.id, organisation_id=w.tk.id))
    w.case.level, w.case.status = 3, "triaged"   # visible to the steering group and to TK
    session.add(w.case)
    session.commit()
    sign_in(client, getattr(w, who))

    if action == "get-triage":
        response = client.get(url(w.case, "/triage"))
    elif action == "post-triage":
        response = client.post(url(w.case, "/triage"), data=form_data(w, version="2"))
    elif action == "link":
        response = client.post(url(w.case, "/lankar"), data={"other": other.reference})
    else:
        response = client.post(url(w.case, "/sammanfoga"), data={"target": other.reference, "reason": "x"})

    assert response.status_code == 403
    case = stored(app, w.case)
    assert (case.version, case.merged_into_id, case.business_area_id) == (1, None, None)
    assert [e.kind for e in history(app, w.case)] == ["received"]
    assert "Ändra triage" not in client.get(url(w.case)).data.decode()


# --- no input makes the triage form fail -------------------------------------------------------------

_wild = st.one_of(st.text(max_size=30), st.integers(-(10 ** 20), 10 ** 20).map(str),
                  st.sampled_from(["", "0", "1", "2", "3", "4", "-1", "y", "on", "None", "maintenance", "urgent"]))


@settings(max_examples=80, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional={
    "business_area_id": _wild, "focus_area_id": _wild, "category": _wild, "priority": _wild,
    "organisation_ids": st.lists(_wild, max_size=4), "major_significance": _wild,
    "needs_department_head_decision": _wild, "needs_political_decision": _wild,
    "estimated_cost_sek": _wild, "level": _wild,
    "version": st.one_of(_wild, st.just("1"), st.sampled_from(["²", "١", "1" * 5000])), "extra": _wild}))
def test_no_input_makes_the_triage_form_fail(client, w, data):
    response = client.post(url(w.case, "/triage"), data=data)

    assert response.status_code in (302, 400, 409), response.data[:300]
    if response.status_code == 400:
        assert "Rätta följande" in response.data.decode()


@pytest.mark.parametrize("version", ["²", "1" * 5000])
def test_a_strange_version_in_the_triage_form_is_not_a_server_error(client, w, version):
    response = client.post(url(w.case, "/triage"), data=form_data(w, version=version))

    assert response.status_code in (302, 400, 409)

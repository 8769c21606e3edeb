"""Meetings and agendas (DESIGN.md, "Meetings and agendas"): planning a series' meetings, the
agenda lead time in working days, generating agendas from the data (sections, order, what is on
them), regenerating without losing manual edits, publishing, cancelled meetings, carry-over,
minutes whose outcomes flow back into the cases, the printable PDF, the iCalendar feeds, the
meetings API, bounded SQL and exactly-once generation with several processes."""

import importlib.util
import re
import subprocess
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from coordination.actions.models import ActionItem, PlannedChange
from coordination.auth import services as auth_services
from coordination.cases.models import Case, CaseEvent, CaseOrganisation
from coordination.cases.services import new_status_token
from coordination.clock import STOCKHOLM, FixedClock, WorkingDays
from coordination.errors import ValidationFailed
from coordination.meetings import minutes as minutes_service
from coordination.meetings import services
from coordination.meetings.calendar import new_calendar_token
from coordination.meetings.models import (
    Agenda,
    AgendaItem,
    AgendaVersion,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesItem,
)
from coordination.organisations.models import GroupMember
from coordination.outbox.models import OutboxMessage
from coordination.routing.models import RoutingRule
from tests import factories
from tests.conftest import PG_URL, login

ROOT = Path(__file__).resolve().parent.parent
WD = WorkingDays()

# --- speed: argon2 is slow by design; a password hashed once is reused ----------------------------

def _default_rules() -> list[dict]:
    """R1-R7 as the migration seeds them (PostgreSQL test runs empty every table after a test)."""
    path = next((ROOT / "migrations" / "versions").glob("*0003_routing_rules*.py"))
    spec = importlib.util.spec_from_file_location("_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DEFAULT_RULES


DEFAULT_RULES = _default_rules()


@pytest.fixture(autouse=True)
def routing_rules(session):
    """The shipped routing policy is in place, on SQLite and PostgreSQL alike."""
    if session.exec(select(RoutingRule)).first() is None:
        for rule in DEFAULT_RULES:
            session.add(RoutingRule(**rule, enabled=True, version=1))
        session.commit()


# --- the world: organisations, people, groups, a series -------------------------------------------

def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@dataclass
class World:
    coordinator: object
    member: object        # department official, member of the coordination group
    outsider: object      # department official, member of no group
    steering: object
    tk: object
    expl: object
    sbk: object
    area: object
    coordination: object  # the coordination group
    steering_group: object
    series: MeetingSeries
    m0: Meeting           # Wed 2026-11-04, already held
    m1: Meeting           # Wed 2026-12-02
    m2: Meeting           # Wed 2026-12-30


def _meetings(session, series) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)))


@pytest.fixture
def world(session, clock) -> World:
    tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    expl = factories.organisation(session, name="Exploateringskontoret", short_name="EXPL")
    sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    coordinator = factories.user(session, "coordinator", organisation_id=tk.id, email="samordnare@example.se",
                                 name="Sara Samordnare")
    member = factories.user(session, "department", organisation_id=tk.id, email="tk@example.se", name="Tomas TK")
    outsider = factories.user(session, "department", organisation_id=expl.id, email="expl@example.se",
                              name="Eva Expl")
    steering = factories.user(session, "steering", organisation_id=sbk.id, email="styr@example.se",
                              name="Stefan Styr")
    area = factories.business_area(session, name="Högdalens industriområde")
    coordination = factories.group(session, "coordination_group", members=[coordinator, member],
                                   name="Samordningsgruppen")
    steering_group = factories.group(session, "steering_group", members=[steering, coordinator],
                                     name="FC/BC Näringsliv")
    series = MeetingSeries(name="Samordningsgruppen", group_id=coordination.id, rrule="",
                           dates=["2026-11-04", "2026-12-02", "2026-12-30"], start_time=time(9), end_time=time(11),
                           place="Drottninggatan 33", lead_time_days=5)
    session.add(series)
    session.flush()
    services.plan_meetings(session, series, clock=clock)
    session.commit()
    m0, m1, m2 = _meetings(session, series)
    return World(coordinator, member, outsider, steering, tk, expl, sbk, area, coordination, steering_group,
                 series, m0, m1, m2)


def case_at(session, clock, level: int, *, entered: datetime, title: str | None = None, orgs=(), area=None,
            rule: str | None = "R2", reason: str = "frågan går över förvaltnings-/bolagsgränser",
            received: datetime | None = None, **values) -> Case:
    """A case placed at `level` at `entered`, with the history event that says why."""
    kwargs = {"title": title} if title else {}
    case = factories.case(session, clock=clock, level=level, organisations=orgs,
                          received_at=received or entered - timedelta(days=1),
                          business_area_id=area.id if area else None, **kwargs)
    case.level_entered_at, case.level_seq, case.last_progress_at = entered, 1, entered
    for key, value in values.items():
        setattr(case, key, value)
    session.add(case)
    session.add(CaseEvent(case_id=case.id, at=entered, kind="escalated" if rule else "moved", rule=rule,
                          from_level=level - 1 or None, to_level=level, reason=reason, facts={}))
    session.flush()
    return case


def generate(session, meeting, clock, **kwargs):
    result = services.generate_agenda(session, meeting, clock=clock, working_days=WD, **kwargs)
    session.commit()
    return result


def agenda_of(session, meeting) -> Agenda | None:
    session.expire_all()
    return session.exec(select(Agenda).where(Agenda.meeting_id == meeting.id)).first()


def sections(session, meeting) -> dict[str, list[AgendaItem]]:
    return services.agenda_items(session, agenda_of(session, meeting))


def item_for(session, meeting, key: str) -> AgendaItem:
    agenda = agenda_of(session, meeting)
    return session.exec(select(AgendaItem).where(AgendaItem.agenda_id == agenda.id,
                                                 AgendaItem.source_key == key)).one()


def snapshot(session, meeting) -> list[dict]:
    agenda = agenda_of(session, meeting)
    rows = session.exec(select(AgendaItem).where(AgendaItem.agenda_id == agenda.id).order_by(AgendaItem.id)).all()
    return [row.model_dump() for row in rows]


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader sees it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ").strip()


def publish(session, meeting, user, clock):
    agenda = agenda_of(session, meeting)
    version = services.publish_agenda(session, agenda, user_id=user.id, clock=clock, base_url="http://test")
    session.commit()
    return version


def decide(session, meeting, item: AgendaItem, outcome: str, decision: str = "Beslut enligt förslag.", **params):
    minutes = minutes_service.start_minutes(session, meeting)
    row = minutes_service.save_item(session, minutes, item, decision=decision, outcome=outcome, params=params)
    session.commit()
    return row


def approve(session, meeting, user, clock):
    minutes = minutes_service.current_minutes(session, meeting)
    events = minutes_service.approve_minutes(session, minutes, user_id=user.id, clock=clock, working_days=WD,
                                             base_url="http://test")
    session.commit()
    session.expire_all()
    return events


# --- planning a series ------------------------------------------------------------------------------

def test_every_fourth_wednesday_gives_wednesdays_four_weeks_apart():
    series = MeetingSeries(name="S", group_id=1, rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", first_date="2027-01-13",
                           dates=[], start_time=time(9), end_time=time(11))
    days = services.occurrences(series, start=date(2027, 1, 1), until=date(2027, 6, 30))
    assert days == [date(2027, 1, 13), date(2027, 2, 10), date(2027, 3, 10), date(2027, 4, 7), date(2027, 5, 5),
                    date(2027, 6, 2), date(2027, 6, 30)]
    # A window that starts later gives the same rhythm, not a new one from the window's start.
    later = services.occurrences(series, start=date(2027, 3, 1), until=date(2027, 4, 30))
    assert later == [date(2027, 3, 10), date(2027, 4, 7)]


def test_a_list_of_dates_gives_exactly_those_dates_in_order():
    series = MeetingSeries(name="S", group_id=1, rrule="", dates=["2027-03-31", "2027-01-20", "2027-02-17",
                                                                   "2028-01-19"],
                           start_time=time(9), end_time=time(11))
    assert services.occurrences(series, start=date(2027, 1, 1), until=date(2027, 12, 31)) == [
        date(2027, 1, 20), date(2027, 2, 17), date(2027, 3, 31)]


def test_planning_twice_adds_nothing_and_keeps_moved_and_cancelled_meetings(session, clock, world):
    assert [m.occurrence for m in _meetings(session, world.series)] == ["2026-11-04", "2026-12-02", "2026-12-30"]
    # 09:00–11:00 Stockholm time, whatever the offset to UTC.
    assert world.m1.starts_at.astimezone(STOCKHOLM).time() == time(9)
    assert world.m1.ends_at.astimezone(STOCKHOLM).time() == time(11)
    assert world.m1.place == "Drottninggatan 33"

    services.move_meeting(session, world.m1, starts_at=local("2026-12-03T13:00"), ends_at=local("2026-12-03T15:00"),
                          place="Stadshuset")
    services.cancel_meeting(session, world.m2, reason="Jullov")
    session.commit()
    assert services.plan_meetings(session, world.series, clock=clock) == 0
    session.commit()
    session.expire_all()
    meetings = _meetings(session, world.series)
    assert len(meetings) == 3
    moved, cancelled = meetings[1], meetings[2]
    assert moved.starts_at == local("2026-12-03T13:00") and moved.place == "Stadshuset"
    assert moved.occurrence == "2026-12-02"
    assert cancelled.status == "cancelled" and cancelled.note == "Jullov"


def test_a_moved_meeting_ending_before_it_starts_is_refused(session, world):
    with pytest.raises(ValidationFailed) as refused:
        services.move_meeting(session, world.m1, starts_at=local("2026-12-03T13:00"),
                              ends_at=local("2026-12-03T12:00"), place="")
    assert "ends_at" in refused.value.errors


# --- the lead time in working days --------------------------------------------------------------------

def _series_on(session, group, day: str, lead: int, name: str) -> Meeting:
    series = MeetingSeries(name=name, group_id=group.id, rrule="", dates=[day], start_time=time(9),
                           end_time=time(11), lead_time_days=lead)
    session.add(series)
    session.flush()
    services.plan_meetings(session, series, clock=FixedClock(local("2026-12-01T10:00")))
    session.commit()
    return _meetings(session, series)[0]


def _due_ids(session, now: str) -> set[int]:
    return {m.id for m in services.due_meetings(session, clock=FixedClock(local(now)), working_days=WD)}


def test_agenda_is_due_lead_time_working_days_before_across_christmas_and_new_year(session, world):
    """Wed 2027-01-13 with 5 working days' lead: Tue 12, Mon 11, Fri 8, Thu 7 (Wed 6 is
    trettondedag jul), Tue 5 → due on Tue 2027-01-05. With 10 days it goes back past Jan 1,
    nyårsafton, juldagen and julafton to Wed 2026-12-23."""
    five = _series_on(session, world.coordination, "2027-01-13", 5, "Fem dagar")
    ten = _series_on(session, world.coordination, "2027-01-13", 10, "Tio dagar")
    assert WD.subtract(date(2027, 1, 13), 5) == date(2027, 1, 5)
    assert WD.subtract(date(2027, 1, 13), 10) == date(2026, 12, 23)
    counted = [d for d in (date(2026, 12, 23) + timedelta(days=i) for i in range(21)) if WD.is_working_day(d)]
    assert counted == [date(2026, 12, 23), date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30),
                       date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 11),
                       date(2027, 1, 12)]

    assert ten.id not in _due_ids(session, "2026-12-22T16:00")
    assert ten.id in _due_ids(session, "2026-12-23T07:00")
    assert five.id not in _due_ids(session, "2027-01-04T23:30")
    # Just after midnight in Stockholm it is already the 5th, although it is still the 4th in UTC.
    assert five.id in _due_ids(session, "2027-01-05T00:30")
    assert five.id in _due_ids(session, "2027-01-12T16:00")
    # Once the meeting has started it is no longer due.
    assert five.id not in _due_ids(session, "2027-01-13T09:30")


def test_agendas_generate_command_twice_makes_one_agenda_generation_one(app, session, world, clock):
    a = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), orgs=[world.tk, world.expl])
    session.commit()
    runner = app.test_cli_runner()
    early = runner.invoke(args=["agendas", "generate", "--now", "2026-11-24T12:00"])  # Dec 2 is due on Nov 25
    assert early.exit_code == 0, early.output
    assert "agendas generated: 0" in early.output
    assert agenda_of(session, world.m1) is None

    first = runner.invoke(args=["agendas", "generate", "--now", "2026-11-25T06:00"])
    assert first.exit_code == 0, first.output
    assert "agendas generated: 1" in first.output
    assert f"meeting {world.m1.id}:" in first.output
    items_before = snapshot(session, world.m1)
    assert any(i["case_id"] == a.id for i in items_before)

    second = runner.invoke(args=["agendas", "generate", "--now", "2026-11-26T06:00"])
    assert second.exit_code == 0, second.output
    assert "agendas generated: 0" in second.output
    agendas = session.exec(select(Agenda)).all()
    assert len(agendas) == 1
    assert agendas[0].meeting_id == world.m1.id and agendas[0].generation == 1
    assert snapshot(session, world.m1) == items_before


# --- what the agenda holds ----------------------------------------------------------------------------

SECTION_HEADINGS = ["Mötets öppnande", "Beslutsärenden", "Uppföljning av åtgärder", "Information",
                    "Beredning till nämnd", "Övriga frågor"]


def test_sections_come_in_the_agreed_order_with_the_standing_items(session, client, world, clock):
    case_at(session, clock, 2, entered=local("2026-11-10T10:00"), orgs=[world.tk])
    session.commit()
    generate(session, world.m1, clock)
    grouped = sections(session, world.m1)
    assert list(grouped) == ["opening", "decisions", "follow_up", "information", "committee", "other"]
    assert [i.title for i in grouped["opening"]] == ["Mötets öppnande", "Godkännande av föregående protokoll"]
    assert grouped["opening"][1].body == "Protokoll från mötet 2026-11-04"
    assert [i.title for i in grouped["other"]] == ["Övriga frågor"]

    login(client, world.coordinator)
    page = client.get(f"/moten/{world.m1.id}")
    assert page.status_code == 200
    headings = re.findall(r'<h3 id="section-\w+">([^<]+)</h3>', page.get_data(as_text=True))
    assert headings == SECTION_HEADINGS


def test_decisions_are_the_cases_at_the_level_oldest_escalation_first_with_why(session, world, clock):
    newest = case_at(session, clock, 2, entered=local("2026-11-20T10:00"), title="Lastzon vid Sockenvägen",
                     orgs=[world.tk])
    oldest = case_at(session, clock, 2, entered=local("2026-10-01T10:00"), title="Ny infart Högdalen",
                     orgs=[world.tk, world.expl], area=world.area,
                     received=local("2026-11-18T10:00"))  # received late, escalated early: the escalation counts
    middle = case_at(session, clock, 2, entered=local("2026-11-02T10:00"), title="Belysning vid lastkajen",
                     orgs=[world.sbk], rule=None, reason="Samordnaren bedömer att frågan behöver samordnas")
    case_at(session, clock, 1, entered=local("2026-09-01T10:00"), title="Hos arbetsgruppen")
    case_at(session, clock, 3, entered=local("2026-09-01T10:00"), title="Hos styrgruppen")
    case_at(session, clock, 2, entered=local("2026-09-01T10:00"), title="Redan avslutat", status="closed")
    session.commit()

    generate(session, world.m1, clock)
    decisions = sections(session, world.m1)["decisions"]
    assert [i.case_id for i in decisions] == [oldest.id, middle.id, newest.id]
    first = decisions[0]
    assert first.title == f"{oldest.reference} Ny infart Högdalen"
    assert first.state == "current" and first.carried_from is None
    lines = first.body.splitlines()
    assert "Verksamhetsområde: Högdalens industriområde" in lines
    assert "Berörda: EXPL, TK" in lines
    assert "Varför här: regel R2: frågan går över förvaltnings-/bolagsgränser" in lines
    assert any(line.startswith("Frågan:") for line in lines)
    assert "Varför här: Samordnaren bedömer att frågan behöver samordnas" in decisions[1].body.splitlines()


def test_follow_up_lists_overdue_and_at_risk_action_items_of_cases_at_the_level_only(session, world, clock):
    today = clock.now().date()  # Mon 2026-11-23
    here = case_at(session, clock, 2, entered=local("2026-11-02T10:00"), orgs=[world.tk])
    below = case_at(session, clock, 1, entered=local("2026-11-02T10:00"), orgs=[world.tk])
    now = clock.now()

    def action(case, title, due, status="planned"):
        row = ActionItem(case_id=case.id, organisation_id=world.tk.id, title=title, due_date=due, status=status,
                         created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        return row

    overdue = action(here, "Skylta om lastzonen", today - timedelta(days=3))
    at_risk = action(here, "Beställ ny belysning", WD.add(today, 3), status="in_progress")
    blocked = action(here, "Flytta containrar", today - timedelta(days=1), status="blocked")
    action(here, "Långt fram", WD.add(today, 20))
    action(here, "Redan klar", today - timedelta(days=10), status="done")
    action(below, "Arbetsgruppens försenade åtgärd", today - timedelta(days=10))
    session.commit()

    generate(session, world.m1, clock)
    follow_up = sections(session, world.m1)["follow_up"]
    assert [i.action_id for i in follow_up] == [overdue.id, blocked.id, at_risk.id]
    assert follow_up[0].title == f"{here.reference}: Skylta om lastzonen (TK)"
    assert "försenad" in follow_up[0].body and "riskerar" not in follow_up[0].body
    assert "riskerar att bli försenad" in follow_up[2].body
    assert WD.add(today, 3).isoformat() in follow_up[2].body
    assert all(i.case_id == here.id for i in follow_up)


def test_information_lists_planned_changes_and_new_cases_since_the_previous_meeting(session, world, clock):
    def change(title, reported, org):
        session.add(PlannedChange(organisation_id=org.id, title=title, description="Påverkar lastbilstrafiken.",
                                  starts_on=date(2027, 1, 11), ends_on=date(2027, 3, 5), contact="Kim, 08-50800000",
                                  reported_at=reported))

    change("Gammalt vägarbete", local("2026-10-30T10:00"), world.tk)  # before the meeting of Nov 4
    change("Vägarbete på Ågesta broväg", local("2026-11-10T10:00"), world.tk)
    change("Ny detaljplan för Högdalen", local("2026-11-20T10:00"), world.sbk)
    old = factories.case(session, clock=clock, title="Inkom före förra mötet", received_at=local("2026-10-20T10:00"))
    new = factories.case(session, clock=clock, title="Trasig bom vid lastkajen", received_at=local("2026-11-12T10:00"))
    newer = case_at(session, clock, 2, entered=local("2026-11-21T10:00"), title="Snöröjning Ågesta",
                    received=local("2026-11-20T10:00"))
    session.commit()

    generate(session, world.m1, clock)
    information = sections(session, world.m1)["information"]
    titles = [i.title for i in information]
    assert titles == ["Trafikkontoret: Vägarbete på Ågesta broväg", "Stadsbyggnadskontoret: Ny detaljplan för Högdalen",
                      "Nya ärenden sedan förra mötet"]
    assert "När: 2027-01-11 – 2027-03-05" in information[0].body
    assert "Kontakt: Kim, 08-50800000" in information[0].body
    new_cases = information[2].body.splitlines()
    assert new_cases == [f"{new.reference} Trasig bom vid lastkajen", f"{newer.reference} Snöröjning Ågesta"]
    assert old.reference not in information[2].body


def test_r7_cases_are_prepared_for_committee_on_the_coordination_groups_agenda(session, world, clock):
    at_two = case_at(session, clock, 2, entered=local("2026-11-05T10:00"), title="Detaljplan kräver nämndbeslut",
                     prepared_for_committee=True, needs_political_decision=True)
    at_one = case_at(session, clock, 1, entered=local("2026-11-06T10:00"), title="Parkeringsregler",
                     prepared_for_committee=True, needs_political_decision=True)
    referred = case_at(session, clock, 2, entered=local("2026-11-07T10:00"), title="Redan hänskjutet",
                       prepared_for_committee=True, referred_to_committee=True)
    plain = case_at(session, clock, 2, entered=local("2026-11-08T10:00"), title="Vanligt beslutsärende")
    steering_case = case_at(session, clock, 3, entered=local("2026-11-08T10:00"), title="Styrgruppsärende")
    steering_meeting = _series_on(session, world.steering_group, "2026-12-10", 5, "Styrgruppen")
    session.commit()

    generate(session, world.m1, clock)
    grouped = sections(session, world.m1)
    assert [i.case_id for i in grouped["committee"]] == [at_two.id, at_one.id]
    assert grouped["committee"][0].title == f"{at_two.reference} Detaljplan kräver nämndbeslut"
    assert "Bereds för beslut i nämnd." in grouped["committee"][0].body
    assert [i.case_id for i in grouped["decisions"]] == [plain.id]
    assert referred.id not in {i.case_id for s in grouped.values() for i in s}

    generate(session, steering_meeting, clock)
    steering = sections(session, steering_meeting)
    assert steering["committee"] == []
    assert [i.case_id for i in steering["decisions"]] == [steering_case.id]


# --- regenerating ------------------------------------------------------------------------------------

@pytest.fixture
def busy(session, world, clock):
    """An agenda's worth of data: cases at the level, an action item, a planned change, a new case."""
    now = clock.now()
    cases = [case_at(session, clock, 2, entered=local(f"2026-11-{10 + i}T10:00"), title=f"Ärende {name}",
                     orgs=[world.tk, world.expl], area=world.area)
             for i, name in enumerate(["A", "B", "C", "D"])]
    session.add(ActionItem(case_id=cases[0].id, organisation_id=world.tk.id, title="Skylta om", status="planned",
                           due_date=date(2026, 11, 18), created_at=now, updated_at=now))
    session.add(PlannedChange(organisation_id=world.tk.id, title="Vägarbete", reported_at=local("2026-11-12T10:00")))
    session.add(ActionItem(case_id=cases[1].id, organisation_id=world.expl.id, title="Markanvisning",
                           status="planned", due_date=date(2026, 11, 25), created_at=now, updated_at=now))
    session.commit()
    return cases


def test_regenerating_without_data_change_changes_nothing(session, world, clock, busy):
    first = generate(session, world.m1, clock)
    assert first.added > 6
    agenda = agenda_of(session, world.m1)
    before_agenda = (agenda.generation, agenda.version, agenda.generated_at)
    before = snapshot(session, world.m1)

    clock.advance(timedelta(hours=2))
    again = generate(session, world.m1, clock)
    assert (again.added, again.stale, again.updated) == (0, 0, 0)
    agenda = agenda_of(session, world.m1)
    assert (agenda.generation, agenda.version, agenda.generated_at) == before_agenda
    assert snapshot(session, world.m1) == before

    # The same holds after manual edits: regenerating twice leaves them exactly as they were.
    services.edit_item(session, item_for(session, world.m1, f"case:{busy[0].id}"), title="Egen rubrik", body="Egen")
    services.add_item(session, agenda_of(session, world.m1), section="other", title="Fråga från Polisen", body="")
    session.commit()
    generate(session, world.m1, clock)
    edited = snapshot(session, world.m1)
    generate(session, world.m1, clock)
    assert snapshot(session, world.m1) == edited


def test_regenerating_keeps_manual_edits_and_marks_what_changed(session, client, world, clock, busy):
    a, b, c, d = busy
    generate(session, world.m1, clock)
    # The coordinator edits A's text, removes B with a reason, moves D up above C, adds an item.
    services.edit_item(session, item_for(session, world.m1, f"case:{a.id}"), title="Infarten: beslut om etapp 1",
                       body="Förslag: trafikkontoret tar fram skyltplan.")
    services.remove_item(session, item_for(session, world.m1, f"case:{b.id}"), reason="Tas upp i arbetsgruppen")
    services.move_item(session, item_for(session, world.m1, f"case:{d.id}"), direction=-1)
    manual = services.add_item(session, agenda_of(session, world.m1), section="information",
                               title="Polisen informerar om trygghetsvandring", body="Kvällstid vecka 50.")
    session.commit()
    order_before = [i.case_id for i in sections(session, world.m1)["decisions"]]
    assert order_before == [a.id, b.id, d.id, c.id]

    # The data changes: a new case reaches the level, C is escalated away, A gets another organisation.
    e = case_at(session, clock, 2, entered=local("2026-11-22T10:00"), title="Ärende E", orgs=[world.tk])
    c.level, c.level_entered_at = 3, local("2026-11-23T09:00")
    session.add(c)
    session.add(CaseOrganisation(case_id=a.id, organisation_id=world.sbk.id))
    session.add(CaseOrganisation(case_id=d.id, organisation_id=world.sbk.id))
    session.commit()
    result = generate(session, world.m1, clock)
    assert result.added >= 1 and result.stale == 1

    decisions = sections(session, world.m1)["decisions"]
    by_case = {i.case_id: i for i in decisions}
    assert [i.case_id for i in decisions] == [a.id, b.id, d.id, c.id, e.id]  # the manual order holds, E last
    assert by_case[e.id].state == "new"
    assert by_case[c.id].state == "stale"  # escalated away: marked, not dropped
    assert by_case[a.id].title == "Infarten: beslut om etapp 1"
    assert by_case[a.id].body == "Förslag: trafikkontoret tar fram skyltplan."
    assert by_case[b.id].state == "removed" and by_case[b.id].removed_reason == "Tas upp i arbetsgruppen"
    assert by_case[d.id].state == "current"
    assert "Berörda: EXPL, SBK, TK" in by_case[d.id].body  # a text nobody edited follows the data
    information = sections(session, world.m1)["information"]
    assert manual.id in {i.id for i in information}
    # The new case is also among the new cases since the last meeting.
    assert any(e.reference in i.body for i in information if i.source_key == "info:new_cases")

    login(client, world.coordinator)
    page = text_of(client.get(f"/moten/{world.m1.id}"))
    assert "Ärende E ny" in page
    assert "Ärende C inaktuell" in page
    assert "borttagen: Tas upp i arbetsgruppen" in page
    assert "Infarten: beslut om etapp 1" in page
    assert "Polisen informerar om trygghetsvandring" in page

    # When C comes back to the level it is current again, in its old place.
    c.level = 2
    session.add(c)
    session.commit()
    generate(session, world.m1, clock)
    assert item_for(session, world.m1, f"case:{c.id}").state == "current"


def test_a_removed_item_stays_removed_and_a_restored_one_comes_back(session, world, clock, busy):
    generate(session, world.m1, clock)
    item = item_for(session, world.m1, f"case:{busy[0].id}")
    with pytest.raises(ValidationFailed) as refused:
        services.remove_item(session, item, reason="  ")
    assert "reason" in refused.value.errors
    services.remove_item(session, item, reason="Dubblett")
    session.commit()
    generate(session, world.m1, clock)
    assert item_for(session, world.m1, f"case:{busy[0].id}").state == "removed"
    services.restore_item(session, item_for(session, world.m1, f"case:{busy[0].id}"))
    session.commit()
    generate(session, world.m1, clock)
    restored = item_for(session, world.m1, f"case:{busy[0].id}")
    assert restored.state == "current" and restored.removed_reason == ""


# --- publishing --------------------------------------------------------------------------------------

def test_publishing_freezes_the_agenda_and_tells_each_member_once(session, world, clock, busy):
    inactive = factories.user(session, "department", organisation_id=world.tk.id, email="slutat@example.se")
    inactive.active = False
    factories.group(session, "work_group", members=[world.outsider])  # another group's member: no mail
    session.add(GroupMember(group_id=world.coordination.id, user_id=inactive.id))
    session.commit()
    generate(session, world.m1, clock)

    before = snapshot(session, world.m1)
    version = publish(session, world.m1, world.coordinator, clock)
    agenda = agenda_of(session, world.m1)
    assert agenda.status == "published" and agenda.published_version == 1
    assert version.version == 1
    content = session.exec(select(AgendaVersion).where(AgendaVersion.agenda_id == agenda.id)).one().content
    assert [i["title"] for i in content["sections"]["decisions"]] == [f"{c.reference} {c.title}" for c in busy]

    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "agenda_published")).all()
    assert sorted(m.recipient for m in mails) == ["samordnare@example.se", "tk@example.se"]
    assert all("Samordningsgruppen 2026-12-02 09:00" in m.subject for m in mails)
    assert all(f"http://test/moten/{world.m1.id}" in m.body_text for m in mails)

    # Publishing again is refused and sends nothing more.
    with pytest.raises(ValidationFailed):
        publish(session, world.m1, world.coordinator, clock)
    session.rollback()
    assert session.exec(select(func.count()).select_from(AgendaVersion)).one() == 1
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 2

    # Frozen: new data and a regeneration change nothing; edits are refused.
    case_at(session, clock, 2, entered=local("2026-11-22T10:00"), title="Efter publicering")
    session.commit()
    result = generate(session, world.m1, clock)
    assert result.skipped
    assert snapshot(session, world.m1) == before
    item = item_for(session, world.m1, f"case:{busy[0].id}")
    for attempt in (lambda: services.edit_item(session, item, title="Ändrad", body=""),
                    lambda: services.remove_item(session, item, reason="Nej"),
                    lambda: services.move_item(session, item, direction=1),
                    lambda: services.add_item(session, agenda_of(session, world.m1), section="other", title="Ny",
                                              body="")):
        with pytest.raises(ValidationFailed):
            attempt()
        session.rollback()
    assert snapshot(session, world.m1) == before


def test_publishing_from_the_page_then_generate_and_edit_are_refused(session, client, world, clock, busy):
    login(client, world.coordinator)
    client.post(f"/moten/{world.m1.id}/publicera")
    assert "Generera dagordningen först." in text_of(client.get(f"/moten/{world.m1.id}"))
    assert client.post(f"/moten/{world.m1.id}/generera").status_code == 302
    page = client.get(f"/moten/{world.m1.id}")
    assert "Dagordningen genererades:" in text_of(page)
    assert client.post(f"/moten/{world.m1.id}/publicera").status_code == 302
    assert client.post(f"/moten/{world.m1.id}/publicera").status_code == 302
    shown = text_of(client.get(f"/moten/{world.m1.id}"))
    assert "Dagordningen är redan publicerad." in shown
    assert "Publicerad 2026-11-23" in shown
    assert session.exec(select(func.count()).select_from(AgendaVersion)).one() == 1
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 2
    before = snapshot(session, world.m1)

    client.post(f"/moten/{world.m1.id}/generera")
    assert "Dagordningen är publicerad och ändrades inte." in text_of(client.get(f"/moten/{world.m1.id}"))
    item = item_for(session, world.m1, f"case:{busy[0].id}")
    edit = client.post(f"/moten/{world.m1.id}/punkter/{item.id}", data={"title": "Ändrad", "body": ""})
    assert edit.status_code == 400
    assert "Dagordningen är publicerad och kan inte längre ändras." in text_of(edit)
    client.post(f"/moten/{world.m1.id}/punkter/{item.id}/ta-bort", data={"reason": "Nej"})
    client.post(f"/moten/{world.m1.id}/punkter", data={"section": "other", "title": "Ny punkt", "body": ""})
    assert snapshot(session, world.m1) == before
    # No editing tools on a published agenda.
    page = client.get(f"/moten/{world.m1.id}").get_data(as_text=True)
    assert "Redigera text" not in page and "Generera om dagordningen" not in page


# --- cancelled meetings and carry-over ----------------------------------------------------------------

def test_a_cancelled_meetings_cases_go_to_the_next_meeting(session, client, world, clock):
    x = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Lastzonen", orgs=[world.tk])
    late = factories.case(session, clock=clock, title="Kom in före det inställda mötet",
                          received_at=local("2026-11-20T10:00"))
    session.add(PlannedChange(organisation_id=world.tk.id, title="Vägarbete i december",
                              reported_at=local("2026-11-16T10:00")))
    session.commit()
    generate(session, world.m1, clock)
    login(client, world.coordinator)
    response = client.post(f"/moten/{world.m1.id}/stall-in", data={"reason": "För få deltagare"})
    assert response.status_code == 302
    shown = text_of(client.get(f"/moten/{world.m1.id}"))
    assert "Inställt: För få deltagare" in shown

    clock.advance(timedelta(days=28))  # Mon 2026-12-21, the next meeting's agenda is due
    assert world.m2.id in {m.id for m in services.due_meetings(session, clock=clock, working_days=WD)}
    assert world.m1.id not in {m.id for m in services.due_meetings(session, clock=clock, working_days=WD)}
    generate(session, world.m2, clock)
    grouped = sections(session, world.m2)
    assert [i.case_id for i in grouped["decisions"]] == [x.id]
    info = {i.source_key: i for i in grouped["information"]}
    # Since the last meeting that was held (Nov 4), not since the cancelled one.
    assert late.reference in info["info:new_cases"].body
    assert any(i.title.endswith("Vägarbete i december") for i in grouped["information"])
    assert grouped["opening"][1].body == "Protokoll från mötet 2026-11-04"


def test_a_cancelled_meetings_added_items_go_to_the_next_meeting(session, world, clock):
    generate(session, world.m1, clock)
    services.add_item(session, agenda_of(session, world.m1), section="information",
                      title="Polisen informerar om inbrotten", body="Lokalpolisområdet deltar.")
    services.cancel_meeting(session, world.m1, reason="Sjukdom")
    session.commit()
    clock.advance(timedelta(days=28))
    generate(session, world.m2, clock)
    titles = [i.title for s in sections(session, world.m2).values() for i in s]
    assert "Polisen informerar om inbrotten" in titles


def test_cases_not_decided_carry_over_marked_previously_handled(session, client, world, clock):
    postponed = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Bordlagt ärende",
                        orgs=[world.tk, world.expl])
    undecided = case_at(session, clock, 2, entered=local("2026-11-11T10:00"), title="Ej hunnet",
                        orgs=[world.tk, world.expl])
    delegated = case_at(session, clock, 2, entered=local("2026-11-12T10:00"), title="Delegerat ärende",
                        orgs=[world.tk, world.expl])
    session.commit()
    generate(session, world.m1, clock)
    publish(session, world.m1, world.coordinator, clock)
    clock.advance(timedelta(days=9, hours=2))  # Wed 2026-12-02 12:00, after the meeting
    decide(session, world.m1, item_for(session, world.m1, f"case:{postponed.id}"), "postpone",
           "Bordläggs till nästa möte.")
    decide(session, world.m1, item_for(session, world.m1, f"case:{delegated.id}"), "delegate",
           "Arbetsgruppen tar fram en plan.",
           actions=[{"organisation_id": world.tk.id, "title": "Ta fram plan", "due_date": "2027-01-15"}])
    approve(session, world.m1, world.coordinator, clock)

    clock.advance(timedelta(days=19))  # Mon 2026-12-21
    generate(session, world.m2, clock)
    decisions = {i.case_id: i for i in sections(session, world.m2)["decisions"]}
    assert set(decisions) == {postponed.id, undecided.id}
    assert decisions[postponed.id].carried_from == "2026-12-02"
    assert decisions[undecided.id].carried_from == "2026-12-02"
    assert sections(session, world.m2)["opening"][1].body == "Protokoll från mötet 2026-12-02"

    login(client, world.coordinator)
    page = text_of(client.get(f"/moten/{world.m2.id}"))
    assert re.search(r"Bordlagt ärende .{0,40}tidigare behandlad 2026-12-02", page), page


def test_a_case_only_noted_carries_over_like_a_postponed_one(session, world, clock):
    noted = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Noterat ärende")
    session.commit()
    generate(session, world.m1, clock)
    publish(session, world.m1, world.coordinator, clock)
    decide(session, world.m1, item_for(session, world.m1, f"case:{noted.id}"), "noted", "Informationen noteras.")
    approve(session, world.m1, world.coordinator, clock)
    assert session.get(Case, noted.id).agendas_without_decision == 1  # not a decision, R6 counts it
    clock.advance(timedelta(days=28))
    generate(session, world.m2, clock)
    assert item_for(session, world.m2, f"case:{noted.id}").carried_from == "2026-12-02"


# --- minutes ------------------------------------------------------------------------------------------

@pytest.fixture
def decided(session, world, clock):
    """Meeting 1 with six cases for decision, its agenda published, the meeting held."""
    titles = ["Delegeras", "Till styrgruppen", "Bereds till nämnd", "Hänskjuts", "Avslutas", "Bordläggs"]
    cases = {t: case_at(session, clock, 2, entered=local(f"2026-11-{10 + i}T10:00"), title=t,
                        orgs=[world.tk, world.expl], area=world.area) for i, t in enumerate(titles)}
    token = new_status_token(session, cases["Avslutas"])
    session.commit()
    generate(session, world.m1, clock)
    publish(session, world.m1, world.coordinator, clock)
    return cases, token


def after_the_meeting(clock):
    clock.advance(timedelta(days=9, hours=3))  # Wed 2026-12-02 13:00


def test_approving_the_minutes_applies_every_outcome_with_history_pointing_at_the_meeting(
        session, client, world, clock, decided):
    cases, token = decided
    login(client, world.coordinator)
    status = text_of(client.get(f"/status/{token}"))
    assert "behandlas på mötet 2026-12-02" in status
    after_the_meeting(clock)

    item = {t: item_for(session, world.m1, f"case:{c.id}") for t, c in cases.items()}
    decide(session, world.m1, item["Delegeras"], "delegate", "Arbetsgruppen skyltar om.",
           actions=[{"organisation_id": world.tk.id, "title": "Skylta om lastzonen", "due_date": "2027-01-15"},
                    {"organisation_id": world.expl.id, "title": "Ta fram ytor", "due_date": "2027-02-01"}])
    decide(session, world.m1, item["Till styrgruppen"], "escalate", "Lyfts till styrgruppen.", to="steering")
    decide(session, world.m1, item["Bereds till nämnd"], "escalate", "Bereds för nämndbeslut.", to="committee")
    decide(session, world.m1, item["Hänskjuts"], "refer", "Hänskjuts till stadsdelsnämnden.")
    decide(session, world.m1, item["Avslutas"], "close", "Ärendet avslutas.",
           answer="Trafikkontoret har beslutat att snöröja vägen före kl. 06.")
    decide(session, world.m1, item["Bordläggs"], "postpone", "Bordläggs.")
    before_events = session.exec(select(func.count()).select_from(CaseEvent)).one()
    approve(session, world.m1, world.coordinator, clock)

    case = {t: session.get(Case, c.id) for t, c in cases.items()}
    assert case["Delegeras"].level == 1 and case["Delegeras"].status == "in_progress"
    actions = session.exec(select(ActionItem).where(ActionItem.case_id == case["Delegeras"].id)
                           .order_by(ActionItem.id)).all()
    assert [(a.organisation_id, a.title, a.due_date, a.status) for a in actions] == [
        (world.tk.id, "Skylta om lastzonen", date(2027, 1, 15), "planned"),
        (world.expl.id, "Ta fram ytor", date(2027, 2, 1), "planned")]
    assert case["Till styrgruppen"].level == 3
    assert case["Bereds till nämnd"].prepared_for_committee and case["Bereds till nämnd"].level == 2
    assert case["Hänskjuts"].referred_to_committee and case["Hänskjuts"].status == "decided"
    assert case["Avslutas"].status == "closed"
    assert case["Bordläggs"].agendas_without_decision == 1 and case["Bordläggs"].level == 2
    assert all(case[t].agendas_without_decision == 0 for t in cases if t != "Bordläggs")

    # Every case has a history event from this meeting, with who and the decision text.
    events = session.exec(select(CaseEvent).where(CaseEvent.id > 0).order_by(CaseEvent.id)).all()[before_events:]
    by_case = {}
    for e in events:
        by_case.setdefault(e.case_id, []).append(e)
    for title, c in cases.items():
        meeting_events = [e for e in by_case.get(c.id, []) if (e.facts or {}).get("meeting_id") == world.m1.id]
        assert meeting_events, title
        assert meeting_events[0].actor_user_id == world.coordinator.id
        assert "Samordningsgruppen 2026-12-02" == meeting_events[0].facts["meeting"]
    delegated = [e for e in by_case[cases["Delegeras"].id] if e.to_level == 1]
    assert delegated and delegated[0].from_level == 2 and delegated[0].reason == "Arbetsgruppen skyltar om."
    assert [e.to_level for e in by_case[cases["Till styrgruppen"].id] if e.to_level] == [3]

    # The minutes are read-only now, with the decisions as recorded.
    minutes = minutes_service.current_minutes(session, world.m1)
    assert minutes.status == "approved" and minutes.approved_by_id == world.coordinator.id
    # The company sees the decision and the answer on its status link, and no longer a coming meeting.
    status = text_of(client.get(f"/status/{token}"))
    assert "Ärendet avslutas." in status
    assert "Trafikkontoret har beslutat att snöröja vägen före kl. 06." in status
    assert "behandlas på mötet" not in status
    # The case pages say where the cases are now.
    for title, status_text, level_text in [("Delegeras", "Pågår", "Arbetsgrupp"),
                                           ("Till styrgruppen", "Triagerat", "Styrgruppen"),
                                           ("Hänskjuts", "Beslutat", "Samordningsgruppen"),
                                           ("Avslutas", "Avslutat", "Samordningsgruppen")]:
        page = text_of(client.get("/arenden/" + case[title].reference.replace(" ", "-").replace("/", "-")))
        assert f"Status {status_text} Nivå {level_text}" in page, title

    # The case prepared for committee is on the next coordination-group agenda, under committee.
    clock.advance(timedelta(days=19))
    generate(session, world.m2, clock)
    grouped = sections(session, world.m2)
    assert [i.case_id for i in grouped["committee"]] == [cases["Bereds till nämnd"].id]
    on_agenda = {i.case_id for i in grouped["decisions"]}
    assert cases["Bordläggs"].id in on_agenda
    assert not on_agenda & {cases[t].id for t in ("Delegeras", "Till styrgruppen", "Bereds till nämnd", "Avslutas")}


def test_a_case_referred_to_the_committee_is_not_for_decision_again(session, world, clock, decided):
    cases, _token = decided
    after_the_meeting(clock)
    decide(session, world.m1, item_for(session, world.m1, f"case:{cases['Hänskjuts'].id}"), "refer",
           "Hänskjuts till stadsdelsnämnden.")
    approve(session, world.m1, world.coordinator, clock)
    clock.advance(timedelta(days=19))
    generate(session, world.m2, clock)
    on_agenda = {i.case_id for s in sections(session, world.m2).values() for i in s if i.section != "information"}
    assert cases["Hänskjuts"].id not in on_agenda


def test_two_agendas_without_decision_in_the_coordination_group_lift_the_case_to_the_steering_group(
        session, world, clock):
    case = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Fastnat", orgs=[world.tk])
    session.commit()
    for meeting in (world.m1, world.m2):
        generate(session, meeting, clock)
        publish(session, meeting, world.coordinator, clock)
        decide(session, meeting, item_for(session, meeting, f"case:{case.id}"), "postpone", "Bordläggs.")
        approve(session, meeting, world.coordinator, clock)
        if meeting is world.m1:
            row = session.get(Case, case.id)
            assert (row.level, row.agendas_without_decision) == (2, 1)
            clock.advance(timedelta(days=28))
    row = session.get(Case, case.id)
    # At the steering group the count starts again: agendas there are counted afresh.
    assert row.level == 3 and row.agendas_without_decision == 0
    r6 = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.rule == "R6")).all()
    assert len(r6) == 1 and (r6[0].from_level, r6[0].to_level) == (2, 3)
    assert r6[0].reason == "Ej löst i samordningsgruppen"


def test_an_item_left_without_decision_counts_too(session, world, clock):
    """R6 counts agendas without decision from the minutes: an item nobody decided counts."""
    case = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Hanns inte med")
    session.commit()
    generate(session, world.m1, clock)
    publish(session, world.m1, world.coordinator, clock)
    minutes_service.start_minutes(session, world.m1)
    session.commit()
    approve(session, world.m1, world.coordinator, clock)
    assert session.get(Case, case.id).agendas_without_decision == 1
    assert session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                CaseEvent.kind == "postponed")).first() is not None


def test_approval_is_all_or_nothing(session, client, world, clock, decided, monkeypatch):
    from coordination.routing import engine

    cases, _token = decided
    after_the_meeting(clock)
    decide(session, world.m1, item_for(session, world.m1, f"case:{cases['Delegeras'].id}"), "delegate", "Delegeras.",
           actions=[{"organisation_id": world.tk.id, "title": "Skylta om", "due_date": "2027-01-15"}])
    decide(session, world.m1, item_for(session, world.m1, f"case:{cases['Avslutas'].id}"), "close", "Avslutas.",
           answer="Klart.")

    def failing(*args, **kwargs):
        raise ValidationFailed("Regelmotorn kunde inte köras.")

    monkeypatch.setattr(engine, "run_on_change", failing)
    login(client, world.coordinator)
    response = client.post(f"/moten/{world.m1.id}/protokoll/justera")
    assert response.status_code == 302
    assert "Regelmotorn kunde inte köras." in text_of(client.get(response.headers["Location"]))
    session.expire_all()
    assert minutes_service.current_minutes(session, world.m1).status == "draft"
    assert session.get(Case, cases["Delegeras"].id).level == 2
    assert session.get(Case, cases["Avslutas"].id).status == "triaged"
    assert session.exec(select(func.count()).select_from(ActionItem)).one() == 0
    assert session.get(Case, cases["Bordläggs"].id).agendas_without_decision == 0


def test_approved_minutes_are_read_only_and_a_correction_is_a_new_version_with_a_reason(
        session, client, world, clock, decided):
    cases, _token = decided
    after_the_meeting(clock)
    delegated = item_for(session, world.m1, f"case:{cases['Delegeras'].id}")
    decide(session, world.m1, delegated, "delegate", "Delegeras till arbetsgruppen.",
           actions=[{"organisation_id": world.tk.id, "title": "Skylta om", "due_date": "2027-01-15"}])
    approve(session, world.m1, world.coordinator, clock)
    minutes = minutes_service.current_minutes(session, world.m1)
    with pytest.raises(ValidationFailed):
        minutes_service.save_item(session, minutes, delegated, decision="Ändrat i efterhand", outcome="noted",
                                  params={})
    session.rollback()
    with pytest.raises(ValidationFailed):
        approve(session, world.m1, world.coordinator, clock)
    session.rollback()

    login(client, world.coordinator)
    page = client.get(f"/moten/{world.m1.id}/protokoll")
    shown = text_of(page)
    assert "Version 1 · justerat 2026-12-02" in shown
    assert "Delegeras till arbetsgruppen." in shown
    assert "Spara beslutet" not in shown and "Justera protokollet" not in shown
    posted = client.post(f"/moten/{world.m1.id}/protokoll",
                         data={"item_id": str(delegated.id), f"item{delegated.id}-decision": "Ändrat i efterhand",
                               f"item{delegated.id}-outcome": "noted"})
    assert posted.status_code == 400
    session.expire_all()
    assert session.exec(select(MinutesItem.decision)).all() == ["Delegeras till arbetsgruppen."]

    # A correction needs a reason.
    client.post(f"/moten/{world.m1.id}/protokoll/rattelse", data={"reason": " "})
    assert "Rättelsen påbörjades inte. Ange ett skäl." in text_of(client.get(f"/moten/{world.m1.id}/protokoll"))
    assert session.exec(select(func.count()).select_from(Minutes)).one() == 1
    client.post(f"/moten/{world.m1.id}/protokoll/rattelse", data={"reason": "Fel datum för åtgärden"})
    session.expire_all()
    versions = session.exec(select(Minutes).order_by(Minutes.version)).all()
    assert [(m.version, m.status) for m in versions] == [(1, "approved"), (2, "draft")]
    assert versions[1].correction_reason == "Fel datum för åtgärden"
    shown = text_of(client.get(f"/moten/{world.m1.id}/protokoll"))
    assert "Version 2 · utkast · rättelse: Fel datum för åtgärden" in shown

    # The corrected decision is saved in version 2; approving it applies nothing twice.
    correction = client.post(f"/moten/{world.m1.id}/protokoll", data={
        "item_id": str(delegated.id), f"item{delegated.id}-decision": "Delegeras till arbetsgruppen, klart 31 januari.",
        f"item{delegated.id}-outcome": "delegate",
        f"item{delegated.id}-actions-0-organisation_id": str(world.tk.id),
        f"item{delegated.id}-actions-0-title": "Skylta om", f"item{delegated.id}-actions-0-due_date": "2027-01-31"})
    assert correction.status_code == 302, text_of(correction)
    client.post(f"/moten/{world.m1.id}/protokoll/justera")
    session.expire_all()
    versions = session.exec(select(Minutes).order_by(Minutes.version)).all()
    assert [(m.version, m.status) for m in versions] == [(1, "approved"), (2, "approved")]
    assert session.exec(select(func.count()).select_from(ActionItem)).one() == 1
    assert session.get(Case, cases["Delegeras"].id).level == 1
    corrected = session.exec(select(CaseEvent).where(CaseEvent.case_id == cases["Delegeras"].id,
                                                     CaseEvent.kind == "decision_corrected")).one()
    assert corrected.reason == "Delegeras till arbetsgruppen, klart 31 januari."
    assert corrected.facts["minutes_version"] == 2
    # Version 1 stays as it was approved.
    assert versions[0].content["items"][str(delegated.id)]["decision"] == "Delegeras till arbetsgruppen."


def test_a_decision_sent_to_approved_minutes_says_they_are_read_only(session, client, world, clock, decided):
    cases, _token = decided
    after_the_meeting(clock)
    item = item_for(session, world.m1, f"case:{cases['Bordläggs'].id}")
    decide(session, world.m1, item, "postpone", "Bordläggs.")
    approve(session, world.m1, world.coordinator, clock)
    login(client, world.coordinator)
    posted = client.post(f"/moten/{world.m1.id}/protokoll",
                         data={"item_id": str(item.id), f"item{item.id}-decision": "Avslutas ändå",
                               f"item{item.id}-outcome": "noted"})
    assert posted.status_code == 400
    assert "Ett justerat protokoll kan inte ändras; gör en rättelse för att ändra det." in text_of(posted)


def test_a_decision_form_with_mistakes_says_what_is_wrong_and_keeps_the_text(session, client, world, clock, decided):
    cases, _token = decided
    login(client, world.coordinator)
    assert "Inget protokoll ännu." in text_of(client.get(f"/moten/{world.m1.id}/protokoll"))
    start = client.post(f"/moten/{world.m1.id}/protokoll")
    assert start.status_code == 200 and "Version 1 · utkast" in text_of(start)
    item = item_for(session, world.m1, f"case:{cases['Avslutas'].id}")
    prefix = f"item{item.id}-"

    def post(**fields):
        data = {"item_id": str(item.id)} | {prefix + k: v for k, v in fields.items()}
        return client.post(f"/moten/{world.m1.id}/protokoll", data=data)

    no_text = post(decision="", outcome="refer")
    assert no_text.status_code == 400
    assert "Skriv beslutet." in text_of(no_text)

    no_actions = post(decision="Arbetsgruppen tar det.", outcome="delegate")
    assert no_actions.status_code == 400
    shown = text_of(no_actions)
    assert "Att delegera kräver minst en åtgärd: organisation, vad och datum." in shown
    assert "Arbetsgruppen tar det." in shown  # what was typed is kept

    no_answer = post(decision="Ärendet avslutas.", outcome="close", answer="")
    assert no_answer.status_code == 400
    assert "Skriv svaret till företaget; det visas på deras statuslänk." in text_of(no_answer)

    bad_action = post(decision="Delegeras.", outcome="delegate", **{"actions-0-organisation_id": str(world.tk.id),
                                                                     "actions-0-title": "",
                                                                     "actions-0-due_date": ""})
    assert bad_action.status_code == 400
    assert "Ange vad varje åtgärd är." in text_of(bad_action)
    assert session.exec(select(func.count()).select_from(MinutesItem)).one() == 0

    ok = post(decision="Ärendet avslutas.", outcome="close", answer="Vägen snöröjs före kl. 06.")
    assert ok.status_code == 302
    assert session.exec(select(MinutesItem.outcome)).all() == ["close"]


# --- bounded SQL ---------------------------------------------------------------------------------------

class StatementCounter:
    """Every cursor execution, except that the executions of one bulk INSERT (SQLAlchemy's
    insertmanyvalues: pages of 1000 rows on PostgreSQL) count once: they share one execution
    context. A SELECT or UPDATE per case, a lazy load or a get() per row all count. How many
    round trips the bulk INSERT itself takes is checked separately below."""

    def __init__(self, engine):
        self.engine, self.executions = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.executions.append((context, statement))  # holding the context keeps its id unique

    def raw(self, prefix: str) -> int:
        return sum(1 for _context, statement in self.executions if statement.lstrip().startswith(prefix))

    @property
    def statements(self) -> list[str]:
        seen, result = set(), []
        for context, statement in self.executions:
            if statement.lstrip().upper().startswith("INSERT"):
                if id(context) in seen:
                    continue
                seen.add(id(context))
            result.append(statement)
        return result


def _bulk_cases(session, world, *, first: int, count: int, now: datetime) -> None:
    """`count` cases at level 2 with two organisations, an escalation event and, for every other
    case, an overdue action item: the agenda grows with each of them."""
    cases = [Case(reference=f"SBR 2026/{n:04d}", year=2026, number=n, title=f"Massärende {n}", description="-",
                  source="web", received_at=now - timedelta(days=40), status="triaged", level=2,
                  business_area_id=world.area.id, level_entered_at=now - timedelta(days=30, minutes=n), level_seq=1)
             for n in range(first, first + count)]
    session.add_all(cases)
    session.flush()
    for case in cases:
        session.add(CaseOrganisation(case_id=case.id, organisation_id=world.tk.id))
        session.add(CaseOrganisation(case_id=case.id, organisation_id=world.expl.id))
        session.add(CaseEvent(case_id=case.id, at=case.level_entered_at, kind="escalated", rule="R2", from_level=1,
                              to_level=2, reason="frågan går över förvaltnings-/bolagsgränser", facts={}))
        if case.number % 2:
            session.add(ActionItem(case_id=case.id, organisation_id=world.tk.id, title="Åtgärd", status="planned",
                                   due_date=date(2026, 11, 2), created_at=now, updated_at=now))
    session.commit()


def test_generating_costs_the_same_number_of_queries_for_20_and_2000_cases(app, session, world, clock):
    engine = app.extensions["db_engine"]
    now = clock.now()

    def measure():
        session.expire_all()  # the same starting point for both sizes: nothing cached in the session
        with StatementCounter(engine) as first:
            services.generate_agenda(session, world.m1, clock=clock, working_days=WD)
        session.commit()
        session.expire_all()
        with StatementCounter(engine) as again:
            result = services.generate_agenda(session, world.m1, clock=clock, working_days=WD)
        session.commit()
        assert (result.added, result.stale, result.updated) == (0, 0, 0)
        return first.statements, again.statements

    _bulk_cases(session, world, first=1, count=20, now=now)
    small_first, small_again = measure()
    agenda = agenda_of(session, world.m1)
    assert len(sections(session, world.m1)["decisions"]) == 20
    session.execute(AgendaItem.__table__.delete().where(AgendaItem.agenda_id == agenda.id))
    session.execute(Agenda.__table__.delete().where(Agenda.id == agenda.id))
    session.commit()

    _bulk_cases(session, world, first=21, count=1980, now=now)
    big_first, big_again = measure()
    grouped = sections(session, world.m1)
    assert len(grouped["decisions"]) == 2000 and len(grouped["follow_up"]) == 1000

    assert len(big_again) == len(small_again), "\n".join(big_again)
    assert len(big_first) == len(small_first), (
        f"{len(small_first)} statements for 20 cases, {len(big_first)} for 2000:\n" + "\n".join(
            s[:100] for s in big_first[:30]))


# --- exactly once with several processes (PostgreSQL) ------------------------------------------------

@pytest.mark.skipif(not PG_URL, reason="row locks and concurrent transactions need PostgreSQL")
@pytest.mark.parametrize("how", ["generate", "regenerate", "job"])
def test_two_processes_generating_the_same_agenda_at_once_make_one_agenda(app, session, world, clock, how):
    for i in range(5):
        case_at(session, clock, 2, entered=local(f"2026-11-1{i}T10:00"), orgs=[world.tk])
    session.commit()
    if how == "regenerate":  # generated before; new cases came in since
        generate(session, world.m1, clock)
        case_at(session, clock, 2, entered=local("2026-11-20T10:00"), orgs=[world.tk])
        case_at(session, clock, 2, entered=local("2026-11-21T10:00"), orgs=[world.tk])
        session.commit()
    engine = app.extensions["db_engine"]
    barrier = threading.Barrier(2)
    errors, results = [], []
    job_clock = FixedClock(local("2026-11-25T06:00"))

    def worker():
        try:
            with Session(engine, expire_on_commit=False) as own:
                # Widen the window between reading the agenda and writing it: both runs have read
                # before either writes, unless one waits for the other.
                event.listen(own, "before_flush", lambda *args: threading.Event().wait(0.3))
                barrier.wait()
                if how in ("generate", "regenerate"):
                    meeting = own.get(Meeting, world.m1.id)
                    results.append(services.generate_agenda(own, meeting, clock=clock, working_days=WD))
                    own.commit()
                else:
                    results.extend(services.generate_due_agendas(own, clock=job_clock, working_days=WD))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    agendas = session.exec(select(Agenda)).all()
    expected_generation, expected_cases = (2, 7) if how == "regenerate" else (1, 5)
    assert [(a.meeting_id, a.generation) for a in agendas] == [(world.m1.id, expected_generation)]
    keys = session.exec(select(AgendaItem.source_key).where(AgendaItem.agenda_id == agendas[0].id)).all()
    assert len(keys) == len(set(keys)) == expected_cases + 2 + 1 + 1  # cases, two opening items, new cases, other
    added = sorted(r.added for r in results)
    if how == "regenerate":
        assert added == [0, 2]  # one run added the two new cases, the other found nothing to do
    if how == "job":
        assert len(results) == 1  # one of the two job runs generated it, the other found it done


@pytest.mark.skipif(not PG_URL, reason="row locks and concurrent transactions need PostgreSQL")
def test_publishing_twice_at_once_publishes_once_and_tells_the_second_it_is_done(app, session, world, clock):
    """A double click on Publish: two requests at once. One version, one mail per member, and the
    second request is told the agenda is already published (not a server error)."""
    case_at(session, clock, 2, entered=local("2026-11-10T10:00"), orgs=[world.tk])
    session.commit()
    generate(session, world.m1, clock)
    engine = app.extensions["db_engine"]
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            with Session(engine, expire_on_commit=False) as own:
                event.listen(own, "before_flush", lambda *args: threading.Event().wait(0.3))
                barrier.wait()
                agenda = own.exec(select(Agenda).where(Agenda.meeting_id == world.m1.id)).one()
                services.publish_agenda(own, agenda, user_id=world.coordinator.id, clock=clock,
                                        base_url="http://test")
                own.commit()
                outcomes.append("published")
        except ValidationFailed as refused:
            outcomes.append(f"refused: {refused.message}")
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes.append(f"error: {error!r}")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert session.exec(select(func.count()).select_from(AgendaVersion)).one() == 1
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 2
    assert sorted(o.split(":")[0] for o in outcomes) == ["published", "refused"], outcomes


# --- the printable agenda ----------------------------------------------------------------------------

def test_the_agenda_pdf_has_every_item_and_page_numbers(session, client, world, clock, tmp_path):
    cases = [case_at(session, clock, 2, entered=local(f"2026-11-{10 + i}T10:00"),
                     title=f"Lastzon nummer {i} vid Sockenvägen", orgs=[world.tk]) for i in range(12)]
    session.commit()
    generate(session, world.m1, clock)
    services.remove_item(session, item_for(session, world.m1, f"case:{cases[0].id}"), reason="Dubblett")
    services.add_item(session, agenda_of(session, world.m1), section="other", title="Julfika för gruppen", body="")
    session.commit()
    login(client, world.coordinator)
    response = client.get(f"/moten/{world.m1.id}/dagordning.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pdf = tmp_path / "dagordning.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    shown = [i for s in sections(session, world.m1).values() for i in s if i.state not in ("removed", "stale")]
    assert len(shown) == 11 + 2 + 1 + 1 + 1
    for item in shown:
        assert item.title in flat, item.title
    assert not re.search(rf"§ \d+ {re.escape(cases[0].reference)}", flat)  # the removed item is not printed
    assert re.search(rf"§ \d+ {re.escape(cases[1].reference)} Lastzon nummer 1", flat)
    for heading in SECTION_HEADINGS:
        assert heading in flat
    assert "Sida 1 av" in flat
    pages = int(re.search(r"Sida 1 av (\d+)", flat).group(1))
    assert f"Sida {pages} av {pages}" in flat
    subprocess.run(["/usr/bin/pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "sida")], check=True)
    images = sorted(tmp_path.glob("sida*.png"))
    assert len(images) == pages >= 1
    assert all(image.stat().st_size > 1000 for image in images)


# --- the calendar feeds ------------------------------------------------------------------------------

def test_the_calendar_feed_gives_stockholm_times_with_a_vtimezone_and_needs_the_right_token(
        app, session, client, world, clock):
    from icalendar import Calendar

    series = MeetingSeries(name="Samordningsgruppen våren 2027", group_id=world.coordination.id, rrule="",
                           dates=["2027-03-24", "2027-03-31", "2027-04-28"], start_time=time(9), end_time=time(11),
                           place="Drottninggatan 33", lead_time_days=5)
    session.add(series)
    session.flush()
    services.plan_meetings(session, series, clock=clock)
    services.cancel_meeting(session, _meetings(session, series)[2], reason="Påsklov")
    session.commit()

    login(client, world.coordinator)
    page = client.post("/kalender")
    assert page.status_code == 200
    match = re.search(rf"http://[^<\s]+/kalender/([\w-]+)/{series.id}\.ics", page.get_data(as_text=True))
    assert match, text_of(page)
    token = match.group(1)
    anonymous = app.test_client()
    response = anonymous.get(f"/kalender/{token}/{series.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    raw = response.get_data(as_text=True)
    calendar = Calendar.from_ical(response.data)

    zones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Europe/Stockholm"]
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}

    events = sorted(calendar.walk("VEVENT"), key=lambda e: e["DTSTART"].dt)
    assert len(events) == 3
    winter, summer, cancelled = events
    for event_, day, offset in ((winter, date(2027, 3, 24), 1), (summer, date(2027, 3, 31), 2)):
        start = event_["DTSTART"]
        assert start.params["TZID"] == "Europe/Stockholm"
        assert start.dt.date() == day and start.dt.time() == time(9)
        assert start.dt.utcoffset() == timedelta(hours=offset)
        assert event_["DTEND"].dt.time() == time(11)
        assert str(event_["LOCATION"]) == "Drottninggatan 33"
        assert str(event_["STATUS"]) == "CONFIRMED"
    assert "DTSTART;TZID=Europe/Stockholm:20270324T090000" in raw
    assert "DTSTART;TZID=Europe/Stockholm:20270331T090000" in raw
    assert winter["DTSTART"].dt.astimezone(timezone.utc).hour == 8
    assert summer["DTSTART"].dt.astimezone(timezone.utc).hour == 7
    assert str(cancelled["STATUS"]) == "CANCELLED"

    assert anonymous.get(f"/kalender/{token}x/{series.id}.ics").status_code == 404
    assert anonymous.get(f"/kalender/not-a-token/{series.id}.ics").status_code == 404
    assert anonymous.get(f"/kalender/{token}/999999.ics").status_code == 404
    # A department official outside the group gets no feed of its series, a member does.
    outsider = new_calendar_token(session, world.outsider, now=clock.now())
    member = new_calendar_token(session, world.member, now=clock.now())
    session.commit()
    assert anonymous.get(f"/kalender/{outsider}/{series.id}.ics").status_code == 404
    assert anonymous.get(f"/kalender/{member}/{series.id}.ics").status_code == 200
    # New addresses replace the old ones.
    client.post("/kalender")
    assert anonymous.get(f"/kalender/{token}/{series.id}.ics").status_code == 404


# --- who sees which agenda -----------------------------------------------------------------------------

@pytest.fixture
def published_and_draft(session, world, clock):
    """Coordination group: m1 draft, m2 published. Steering group: s1 published, s2 draft."""
    case = case_at(session, clock, 2, entered=local("2026-11-10T10:00"), title="Synligt ärende", orgs=[world.tk])
    case_at(session, clock, 3, entered=local("2026-11-10T10:00"), title="Styrgruppens ärende", orgs=[world.sbk])
    steering_series = MeetingSeries(name="FC/BC Näringsliv", group_id=world.steering_group.id, rrule="",
                                    dates=["2026-12-10", "2027-01-14"], start_time=time(13), end_time=time(15),
                                    lead_time_days=5)
    session.add(steering_series)
    session.flush()
    services.plan_meetings(session, steering_series, clock=clock)
    session.commit()
    s1, s2 = _meetings(session, steering_series)
    for meeting in (world.m1, world.m2, s1, s2):
        generate(session, meeting, clock)
    services.remove_item(session, item_for(session, world.m2, f"case:{case.id}"), reason="Inte klart")
    session.commit()
    for meeting in (world.m2, s1):
        publish(session, meeting, world.coordinator, clock)
    return s1, s2


def _bearer(session, user) -> dict:
    token = auth_services.issue_token(session, email=user.email)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_meetings_api_shows_each_role_what_it_may_see(session, client, world, clock, published_and_draft):
    s1, s2 = published_and_draft
    m0, m1, m2 = world.m0, world.m1, world.m2

    def listed(user):
        response = client.get("/api/v1/meetings", headers=_bearer(session, user))
        assert response.status_code == 200
        return {item["id"]: item["agenda"] for item in response.get_json()["items"]}

    assert listed(world.coordinator) == {m0.id: None, m1.id: "draft", m2.id: "published", s1.id: "published",
                                         s2.id: "draft"}
    assert listed(world.steering) == {m2.id: "published", s1.id: "published"}
    assert listed(world.member) == {m2.id: "published"}
    assert listed(world.outsider) == {}
    item = client.get("/api/v1/meetings", headers=_bearer(session, world.member)).get_json()["items"][0]
    assert item["series"] == "Samordningsgruppen" and item["group"] == "Samordningsgruppen"
    assert item["starts_at"].startswith("2026-12-30T08:00") and item["status"] == "planned"

    def agenda(user, meeting):
        return client.get(f"/api/v1/meetings/{meeting.id}/agenda", headers=_bearer(session, user))

    visible = {(world.coordinator.id, m1.id), (world.coordinator.id, m2.id), (world.coordinator.id, s1.id),
               (world.coordinator.id, s2.id), (world.steering.id, m2.id), (world.steering.id, s1.id),
               (world.member.id, m2.id)}
    for user in (world.coordinator, world.steering, world.member, world.outsider):
        for meeting in (m0, m1, m2, s1, s2):
            response = agenda(user, meeting)
            if (user.id, meeting.id) in visible:
                assert response.status_code == 200, (user.email, meeting.occurrence)
            else:
                assert response.status_code == 404, (user.email, meeting.occurrence)
                assert response.mimetype == "application/problem+json"
                body = response.get_json()
                assert body["status"] == 404 and body["title"] and body["detail"]
    body = agenda(world.member, m2).get_json()
    assert body["status"] == "published" and body["meeting_id"] == m2.id
    assert [s["key"] for s in body["sections"]] == ["opening", "decisions", "follow_up", "information", "committee",
                                                    "other"]
    assert body["sections"][1]["items"] == []  # the removed item is not shown
    assert body["sections"][0]["items"][0]["title"] == "Mötets öppnande"
    draft = agenda(world.coordinator, m1).get_json()
    assert draft["status"] == "draft"
    assert [i["title"].split(" ", 2)[2] for i in draft["sections"][1]["items"]] == ["Synligt ärende"]
    assert agenda(world.coordinator, Meeting(id=999999)).status_code == 404


def test_the_steering_group_reads_published_agendas_and_minutes_never_drafts(session, client, world, clock,
                                                                             published_and_draft):
    s1, s2 = published_and_draft
    login(client, world.steering)
    index = text_of(client.get("/moten"))
    assert "2026-12-30 09:00" in index and "2026-12-10 13:00" in index
    assert "2026-12-02 09:00" not in index and "2027-01-14 13:00" not in index
    page = client.get(f"/moten/{s1.id}")
    assert page.status_code == 200
    assert "Styrgruppens ärende" in text_of(page)
    assert "Generera" not in text_of(page)
    assert client.get(f"/moten/{world.m2.id}").status_code == 200
    assert client.get(f"/moten/{world.m2.id}/dagordning.pdf").status_code == 200
    for meeting in (world.m1, s2):
        assert client.get(f"/moten/{meeting.id}").status_code == 403
        assert client.get(f"/moten/{meeting.id}/dagordning.pdf").status_code == 403
    assert client.post(f"/moten/{s1.id}/generera").status_code == 403
    assert client.post(f"/moten/{s2.id}/publicera").status_code == 403

    # Minutes: not while they are a draft, readable once approved.
    minutes_service.start_minutes(session, s1)
    session.commit()
    assert client.get(f"/moten/{s1.id}/protokoll").status_code == 403
    assert client.get(f"/moten/{s1.id}/protokoll.pdf").status_code == 404
    approve(session, s1, world.coordinator, clock)
    page = client.get(f"/moten/{s1.id}/protokoll")
    assert page.status_code == 200 and "Version 1 · justerat" in text_of(page)
    assert client.get(f"/moten/{s1.id}/protokoll.pdf").mimetype == "application/pdf"

    # A department official: published agendas of their own groups only.
    client.post("/logga-ut")
    login(client, world.outsider)
    assert client.get(f"/moten/{world.m2.id}").status_code == 403
    assert "Inga möten att visa." in text_of(client.get("/moten"))
    client.post("/logga-ut")
    login(client, world.member)
    assert client.get(f"/moten/{world.m2.id}").status_code == 200
    assert client.get(f"/moten/{world.m1.id}").status_code == 403


# --- editing the agenda and the meeting on the page ----------------------------------------------------

def test_the_coordinator_edits_the_agenda_on_the_page_with_clear_messages(session, client, world, clock, busy):
    login(client, world.coordinator)
    client.post(f"/moten/{world.m1.id}/generera")
    a, b = busy[0], busy[1]
    item_a, item_b = item_for(session, world.m1, f"case:{a.id}"), item_for(session, world.m1, f"case:{b.id}")
    base = f"/moten/{world.m1.id}/punkter"

    form = client.get(f"{base}/{item_a.id}")
    assert form.status_code == 200 and item_a.title in form.get_data(as_text=True)
    empty = client.post(f"{base}/{item_a.id}", data={"title": " ", "body": "Kvar"})
    assert empty.status_code == 400 and "Ange en rubrik." in text_of(empty)
    assert client.post(f"{base}/{item_a.id}", data={"title": "Infarten", "body": "Ny text"}).status_code == 302

    client.post(f"{base}/{item_b.id}/ta-bort", data={"reason": ""})
    assert "Punkten togs inte bort. Ange ett skäl." in text_of(client.get(f"/moten/{world.m1.id}"))
    client.post(f"{base}/{item_b.id}/ta-bort", data={"reason": "Klart via mejl"})
    client.post(f"{base}/{item_b.id}/upp")
    client.post(f"{base}", data={"section": "other", "title": "", "body": ""})
    assert "Ange en rubrik." in text_of(client.get(f"/moten/{world.m1.id}"))
    client.post(f"{base}", data={"section": "nonsense", "title": "Något", "body": ""})
    assert "Välj en rubrik i listan." in text_of(client.get(f"/moten/{world.m1.id}"))
    client.post(f"{base}", data={"section": "other", "title": "Lokalhyra", "body": "Kort info"})

    decisions = sections(session, world.m1)["decisions"]
    assert [i.case_id for i in decisions][:2] == [b.id, a.id]
    assert (decisions[1].title, decisions[1].body, decisions[1].edited) == ("Infarten", "Ny text", True)
    assert (decisions[0].state, decisions[0].removed_reason, decisions[0].moved) == ("removed", "Klart via mejl", True)
    assert [i.title for i in sections(session, world.m1)["other"]] == ["Övriga frågor", "Lokalhyra"]
    client.post(f"{base}/{item_b.id}/aterstall")
    assert item_for(session, world.m1, f"case:{b.id}").state == "current"

    # Items are addressed within their own meeting only.
    other = item_for(session, world.m1, "standing:other")
    assert client.post(f"/moten/{world.m2.id}/punkter/{other.id}/ta-bort", data={"reason": "x"}).status_code == 404
    assert client.get(f"/moten/{world.m1.id}/punkter/999999").status_code == 404
    # A department official cannot edit.
    client.post("/logga-ut")
    login(client, world.member)
    assert client.post(f"{base}/{item_a.id}", data={"title": "Kapat", "body": ""}).status_code == 403
    assert item_for(session, world.m1, f"case:{a.id}").title == "Infarten"


def test_moving_a_meeting_on_the_page_keeps_stockholm_time(session, client, world):
    login(client, world.coordinator)
    wrong = client.post(f"/moten/{world.m1.id}/flytta", data={"starts_at": "2026-12-03T13:00",
                                                              "ends_at": "2026-12-03T12:00", "place": "Stadshuset"})
    assert wrong.status_code == 302
    assert "Mötet flyttades inte. Mötet måste sluta efter att det börjar." in text_of(
        client.get(f"/moten/{world.m1.id}"))
    client.post(f"/moten/{world.m1.id}/flytta", data={"starts_at": "2026-12-03T13:00", "ends_at": "2026-12-03T15:00",
                                                      "place": "Stadshuset"})
    session.expire_all()
    moved = session.get(Meeting, world.m1.id)
    assert moved.starts_at == datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    assert moved.place == "Stadshuset"
    page = text_of(client.get(f"/moten/{world.m1.id}"))
    assert "Mötet flyttades." in page and "2026-12-03 13:00–15:00" in page


def test_new_agenda_items_are_written_in_pages_not_one_insert_per_item(app, session, world, clock):
    _bulk_cases(session, world, first=1, count=300, now=clock.now())
    session.expire_all()
    with StatementCounter(app.extensions["db_engine"]) as counter:
        result = services.generate_agenda(session, world.m1, clock=clock, working_days=WD)
    session.commit()
    assert result.added >= 450
    assert counter.raw("INSERT INTO agenda_items") == 1

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
from coordination.cases.models import Case, CaseEvent, CaseOrganisation, CaseStatus
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
from coordination.outbox.models import OutboxMessage
from coordination.routing.models import RoutingRule
from tests import factories
from tests.conftest import PG_URL, login

ROOT = Path(__file__).resolve().parent.parent
WD = WorkingDays()

# --- speed: argon2 is slow by design; a password hashed once is reused ----------------------------

_HASHES: dict[str, str] = {}
_real_hash = auth_services.hash_password


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    def memo(password):
        if password not in _HASHES:
            _HASHES[password] = _real_hash(password)
        return _HASHES[password]

    monkeypatch.setattr(auth_services, "hash_password", memo)


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

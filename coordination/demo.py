"""Demo data: the real organisations of the source documents, a few business areas, the three
levels' groups with members, one user per role, and a few cases. Running it again changes
nothing: every row is looked up by its natural key first."""

from dataclasses import dataclass
from datetime import time, timedelta

from sqlmodel import Session, select

from coordination.auth.models import Role, User
from coordination.auth.services import create_user
from coordination.cases.models import Case, CaseEvent, CaseOrganisation, CaseStatus
from coordination.cases.services import register_case
from coordination.clock import STOCKHOLM, Clock
from coordination.organisations.models import (
    BusinessArea,
    Committee,
    Group,
    GroupKind,
    GroupMember,
    Organisation,
    OrganisationKind,
)

DEMO_PASSWORD = "samordning-demo"

ORGANISATIONS = [
    ("Stockholm Business Region", "SBR", OrganisationKind.company),
    ("Exploateringskontoret", "EXPL", OrganisationKind.department),
    ("Stadsbyggnadskontoret", "SBK", OrganisationKind.department),
    ("Trafikkontoret", "TK", OrganisationKind.department),
    ("Fastighetskontoret", "FK", OrganisationKind.department),
    ("Enskede-Årsta-Vantörs stadsdelsförvaltning", "EÅV", OrganisationKind.district),
    ("Norrmalms stadsdelsförvaltning", "NORR", OrganisationKind.district),
    ("Hägersten-Älvsjö stadsdelsförvaltning", "HÄ", OrganisationKind.district),
    ("Polismyndigheten, lokalpolisområde Norrmalm", "POL", OrganisationKind.external),
]
COMMITTEES = [
    ("Enskede-Årsta-Vantörs stadsdelsnämnd", "EÅV"),
    ("Norrmalms stadsdelsnämnd", "NORR"),
    ("Hägersten-Älvsjö stadsdelsnämnd", "HÄ"),
]
BUSINESS_AREAS = [
    ("Högdalens industriområde", "Industri, logistik och återvinning söder om Högdalens centrum.",
     "Enskede-Årsta-Vantörs stadsdelsnämnd"),
    ("Årsta Partihallar", "Livsmedelsgrossister och partihandel vid Årsta.",
     "Enskede-Årsta-Vantörs stadsdelsnämnd"),
    ("Västberga industriområde", "Verkstäder, lager och kontor kring Västberga allé.",
     "Hägersten-Älvsjö stadsdelsnämnd"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    organisation: str | None


USERS = [
    DemoUser("samordnare@demo.stockholm.se", "Sara Lind", Role.coordinator, "SBR"),
    DemoUser("trafikkontoret@demo.stockholm.se", "Tomas Berg", Role.department, "TK"),
    DemoUser("exploatering@demo.stockholm.se", "Eva Holm", Role.department, "EXPL"),
    DemoUser("styrgrupp@demo.stockholm.se", "Stefan Ek", Role.steering, "SBK"),
    DemoUser("admin@demo.stockholm.se", "Anna Admin", Role.admin, None),
]

CASES = [
    # title, description, source, days ago received, business area, level, organisations
    ("Snöröjning av Ågesta broväg", "Företagen längs Ågesta broväg anger att snöröjningen kommer sent och att "
     "lastbilar inte kommer fram till lastkajerna på morgonen.", "phone", 1, "Högdalens industriområde", None, []),
    ("Otrygg miljö vid Trädgårdshallen", "Fastighetsägaren rapporterar inbrott, nedskräpning och dålig belysning "
     "kvällstid vid lastzonen.", "web", 6, "Årsta Partihallar", None, []),
    ("Detaljplan för ny infart", "Företagen vill veta hur den planerade detaljplanen för ny infart påverkar "
     "tunga transporter under byggtiden.", "meeting", 20, "Högdalens industriområde", 1, ["SBK", "TK"]),
    ("Tillfälliga markupplåtelser vid vägarbete", "Trafikkontorets vägarbete tar lastytor i anspråk; "
     "företagen behöver besked om tillfälliga ytor.", "email", 35, "Västberga industriområde", 2,
     ["TK", "EXPL"]),
    ("Utbyggnad av Årsta Partihallar", "Önskemål om mark för utbyggnad av kylhallar; kräver beslut om "
     "markanvisning på förvaltningschefsnivå.", "outreach", 60, "Årsta Partihallar", 3, ["EXPL", "FK", "SBK"]),
]


def _get_or_create(session: Session, model, lookup: dict, **values):
    row = session.exec(select(model).filter_by(**lookup)).first()
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        session.flush()
        return row, True
    return row, False


def _demo_series(session: Session, *, clock: Clock) -> int:
    """Meetings every fourth Wednesday (coordination group), the second Thursday of each month
    (steering group) and every other Tuesday (the Högdalen work group), from next week on."""
    from coordination.meetings.models import MeetingSeries
    from coordination.meetings.services import plan_meetings

    today = clock.now().astimezone(STOCKHOLM).date()
    next_week = today + timedelta(days=7 - today.weekday())
    plans = [
        ("Samordningsgruppen", "Samordningsgruppen", "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", next_week + timedelta(days=2),
         time(9), time(11), "Stockholm Business Region, Drottninggatan 33", 5),
        ("FC/BC Näringsliv", "FC/BC Näringsliv", "FREQ=MONTHLY;BYDAY=+2TH", next_week + timedelta(days=3),
         time(13), time(15), "Stadshuset, Ragnar Östbergs plan 1", 5),
        ("Arbetsgrupp Högdalens industriområde", "Arbetsgrupp Högdalens industriområde",
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", next_week + timedelta(days=1), time(10), time(11, 30),
         "Teams", 3),
    ]
    added = 0
    for name, group_name, rule, first, start, end, place, lead in plans:
        if session.exec(select(MeetingSeries).where(MeetingSeries.name == name)).first() is not None:
            continue
        group = session.exec(select(Group).where(Group.name == group_name)).one()
        series = MeetingSeries(name=name, group_id=group.id, rrule=rule, first_date=first.isoformat(), dates=[],
                               start_time=start, end_time=end, place=place, lead_time_days=lead)
        session.add(series)
        session.flush()
        plan_meetings(session, series, clock=clock)
        added += 1
    return added


def load_demo(session: Session, *, clock: Clock) -> dict[str, int]:
    """Add whatever of the demo data is missing; return how many rows of each kind were added."""
    added = {"organisations": 0, "committees": 0, "business_areas": 0, "groups": 0, "users": 0, "cases": 0}
    orgs = {}
    for name, short, kind in ORGANISATIONS:
        orgs[short], new = _get_or_create(session, Organisation, {"short_name": short}, name=name, kind=kind.value)
        added["organisations"] += new
    committees = {}
    for name, org_short in COMMITTEES:
        committees[name], new = _get_or_create(session, Committee, {"name": name},
                                               organisation_id=orgs[org_short].id)
        added["committees"] += new
    areas = {}
    for name, description, committee in BUSINESS_AREAS:
        areas[name], new = _get_or_create(session, BusinessArea, {"name": name}, description=description,
                                          committee_id=committees[committee].id)
        added["business_areas"] += new
    users = {}
    for demo in USERS:
        user = session.exec(select(User).where(User.email == demo.email)).first()
        if user is None:
            user = create_user(session, email=demo.email, name=demo.name, role=demo.role.value,
                               organisation_id=orgs[demo.organisation].id if demo.organisation else None,
                               password=DEMO_PASSWORD)
            added["users"] += 1
        users[demo.email] = user
    coordinator, steering = users["samordnare@demo.stockholm.se"], users["styrgrupp@demo.stockholm.se"]
    groups = [
        ("Samordningsgruppen", GroupKind.coordination_group, None,
         [coordinator, users["trafikkontoret@demo.stockholm.se"], users["exploatering@demo.stockholm.se"]]),
        ("FC/BC Näringsliv", GroupKind.steering_group, None, [steering, coordinator]),
    ] + [(f"Arbetsgrupp {name}", GroupKind.work_group, area, [coordinator, users["trafikkontoret@demo.stockholm.se"]])
         for name, area in areas.items()]
    for name, kind, area, members in groups:
        group, new = _get_or_create(session, Group, {"name": name}, kind=kind.value,
                                    business_area_id=area.id if area else None)
        added["groups"] += new
        if new:
            for member in members:
                session.add(GroupMember(group_id=group.id, user_id=member.id, chair=member is members[0]))
    added["meeting_series"] = _demo_series(session, clock=clock)
    now = clock.now()
    for title, description, source, days_ago, area, level, org_shorts in CASES:
        if session.exec(select(Case.id).where(Case.title == title)).first() is not None:
            continue
        received = now - timedelta(days=days_ago)
        case = register_case(session, title=title, description=description, source=source,
                             received_at=received, clock=clock, actor_user_id=coordinator.id,
                             business_area_id=areas[area].id)
        added["cases"] += 1
        if level is None:
            continue
        # Demo history: the coordinator triaged it the day after it came in.
        triaged = received + timedelta(days=1)
        case.level, case.status, case.focus_area_id = level, CaseStatus.triaged.value, 3
        case.level_seq, case.level_entered_at, case.last_progress_at = 1, triaged, triaged
        case.triaged_at, case.triaged_by_id = triaged, coordinator.id
        session.add(case)
        for short in org_shorts:
            session.add(CaseOrganisation(case_id=case.id, organisation_id=orgs[short].id))
        session.add(CaseEvent(case_id=case.id, at=triaged, kind="triaged",
                              actor_user_id=coordinator.id, from_level=None, to_level=level,
                              reason="Demodata: placerat vid triage", facts={"organisations": org_shorts}))
    session.flush()
    return added

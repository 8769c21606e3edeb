"""Realistic data at any size, fast, with the same proportions at every size:

    python -m bench.generate --cases 100000 --database postgresql+psycopg://postgres@127.0.0.1/bench

The database is migrated to head first (it should be empty). The structure comes from the demo
(organisations, users with the demo password, groups, meeting series) plus twenty business areas
with a work group each; then, in bulk, in one transaction (COPY on PostgreSQL, SQLAlchemy Core
executemany INSERTs on SQLite):

- companies: one per five cases;
- cases received evenly over the five years before `--now`, 20 % open (60 % of last year's,
  10 % of older ones); of the open ones 5 % untriaged, 88 % at level 1, 5 % at level 2 and 2 % at
  level 3, placed as the routing rules would have placed them (so a sweep finds next to nothing
  to do); each with its history events (received, triaged, escalations, progress, decision,
  closing), one organisation at level 1 and two or three above, and action items (about 0.8 per case;
  those of open cases due around now, some overdue). Trafikkontoret, whose start page is
  measured, is chosen three times as often as another organisation (streets, lighting and snow
  clearing are in most issues of a business area, as in the city), so that page is full (25
  action items, 50 cases) at every size: at 1 000 cases with equal shares it was not, and its
  time at 1 000 would measure a smaller page. For the same reason the first business area, the
  one the queue's business-area filter is measured with, has as many cases as eight others (a
  large industrial area; about 30 % of the cases with an area): its first page of open cases is
  full (50) at every size; with equal shares it showed about 10 at 1 000 cases;
- one case with 200 history events (the case page's worst case, see `HEAVY_TITLE`);
- one meeting per 40 cases, spread over the work groups, the coordination group and the steering
  group over the five years, each with a published agenda of about twelve items and approved
  minutes with a decision per case item.

Random choices come from a seeded generator: the same size and seed give the same data."""

import argparse
import hashlib
import json
import random
import sys
import time as timer
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

HEAVY_TITLE = "Bench: ärende med lång historik"
YEARS = 5
OPEN_SHARE = 0.2
CASES_PER_MEETING = 40
BATCH = 5000
BUSIEST, BUSIEST_WEIGHT = "TK", 3  # Trafikkontoret: see the module's docstring
BUSIEST_AREA_WEIGHT = 8  # the first business area (the queue's filter measured): see the module's docstring


def weighted_sample(rng: random.Random, population: list, weights: list, k: int) -> list:
    """k distinct elements, each draw in proportion to the weights of those not yet drawn."""
    pool, left = list(population), list(weights)
    chosen = []
    for _ in range(k):
        i = rng.choices(range(len(pool)), weights=left)[0]
        chosen.append(pool.pop(i))
        left.pop(i)
    return chosen

WORDS = {
    "subject": ["Snöröjning", "Belysning", "Detaljplan", "Markupplåtelse", "Infart", "Lastzon", "Klotter",
                "Nedskräpning", "Parkering", "Vägarbete", "Bygglov", "Dagvatten", "Cykelväg", "Skyltning",
                "Trygghet", "Kollektivtrafik", "Fjärrvärme", "Avfallshämtning", "Markanvisning", "Bullerskydd"],
    "place": ["Ågesta broväg", "Västberga allé", "Årsta partihallar", "Högdalens centrum", "Sockenvägen",
              "Drivhjulsvägen", "Elektravägen", "Huddingevägen", "Trädgårdshallen", "Lastkajen vid hall 3",
              "Magelungsvägen", "Byggmästarvägen", "Varuvägen", "Hägerstensvägen", "Bäckvägen"],
    "problem": ["kommer sent", "saknas helt", "är trasig sedan flera veckor", "blockerar lastbilarna",
                "skapar otrygghet kvällstid", "försenar leveranserna", "påverkar kunderna",
                "behöver samordnas mellan förvaltningarna", "kräver beslut om mark", "har inte följts upp"],
    "company": ["Bageri", "Logistik", "Åkeri", "Grossist", "Verkstad", "Fastighets", "Kyl & Frys", "Bygg",
                "Återvinning", "Livsmedel", "El & Tele", "Måleri", "Transport", "Partihandel", "Lager"],
}
AREAS = ["Högdalens industriområde", "Årsta Partihallar", "Västberga industriområde", "Slakthusområdet",
         "Bromma flygfält norra", "Lunda industriområde", "Johannelunds företagsområde", "Kungens kurva norra",
         "Skarpnäcks industriområde", "Larsboda", "Farsta industriområde", "Rönninge gård", "Stora Essingen",
         "Ulvsunda industriområde", "Vinsta företagsområde", "Hammarby hamn", "Frihamnen", "Värtahamnen",
         "Sätra industriområde", "Liljeholmskajen"]


def _chunks(rows, size=BATCH):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _write(conn, table, rows: list[dict]) -> None:
    """Insert the rows: on PostgreSQL with COPY (psycopg's copy, in the load's transaction; each
    value passed through its column type's bind processing as an INSERT would, so timestamps go
    in as UTC and JSON as JSON), elsewhere as executemany INSERTs in chunks."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        for chunk in _chunks(rows):
            conn.execute(table.insert(), chunk)
        return
    columns = list(rows[0])
    # Each column's bind processing, as coordination.db.DriverStatement takes it.
    processors = [(name, table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
                  for name in columns]
    listed = ", ".join(f'"{name}"' for name in columns)
    with conn.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copy:
        for row in rows:
            if len(row) != len(columns):
                raise ValueError(f"{table.name}: a row with other columns than the first: {sorted(row)}")
            copy.write_row([row[name] if process is None or row[name] is None else process(row[name])
                            for name, process in processors])


@dataclass
class Generated:
    cases: int = 0
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    heavy_case_reference: str = ""
    url: str = ""


def migrate(url: str) -> None:
    from coordination.migrate import upgrade

    upgrade(url)


def generate(url: str, cases: int, *, now: datetime, seed: int = 1, append: bool = False, log=print) -> Generated:
    """Fill the migrated database at `url` with `cases` cases and all that goes with them; it
    must have no cases unless `append` (then the new cases come after those already there)."""
    from coordination import models  # noqa: F401  (every table registered)
    from coordination.actions.models import ActionItem
    from coordination.auth.models import Role, User
    from coordination.cases.models import (
        Case,
        CaseEvent,
        CaseOrganisation,
        ReferenceCounter,
    )
    from coordination.cases.services import format_reference
    from coordination.clock import STOCKHOLM, FixedClock
    from coordination.companies.models import Company
    from coordination.demo import load_demo
    from coordination.meetings.models import (
        Agenda,
        AgendaItem,
        Meeting,
        MeetingSeries,
        Minutes,
        MinutesItem,
    )
    from coordination.organisations.models import (
        BusinessArea,
        Committee,
        FocusArea,
        Group,
        GroupKind,
        Organisation,
    )

    started = timer.perf_counter()
    rng = random.Random(seed)
    engine = create_engine(url)
    out = Generated(cases=cases, url=url)
    clock = FixedClock(now)

    # --- the structure: the demo's organisations, users and groups, twenty business areas ----------
    with Session(engine) as session:
        if not append and session.scalar(select(func.count()).select_from(Case)) > 0:
            raise SystemExit("The database already has cases; give an empty database.")
        load_demo(session, clock=clock)
        committees = session.scalars(select(Committee.id)).all()
        known = set(session.scalars(select(BusinessArea.name)).all())
        for i, name in enumerate(AREAS):
            if name not in known:
                area = BusinessArea(name=name, description=f"{name}: företag och fastighetsägare.",
                                    committee_id=committees[i % len(committees)])
                session.add(area)
                session.flush()
                session.add(Group(name=f"Arbetsgrupp {name}", kind=GroupKind.work_group.value,
                                  business_area_id=area.id))
        session.flush()
        areas = session.scalars(select(BusinessArea.id).order_by(BusinessArea.id)).all()
        orgs = session.scalars(select(Organisation.id).where(Organisation.kind != "company")
                               .order_by(Organisation.id)).all()
        busiest = session.scalar(select(Organisation.id).where(Organisation.short_name == BUSIEST))
        org_weights = [BUSIEST_WEIGHT if org == busiest else 1 for org in orgs]
        area_weights = [BUSIEST_AREA_WEIGHT if i == 0 else 1 for i in range(len(areas))]
        focus = session.scalars(select(FocusArea.id)).all()
        coordinator = session.scalar(select(User.id).where(User.role == Role.coordinator.value))
        users = session.scalars(select(User.id).where(User.role == Role.department.value)).all()
        groups = session.execute(select(Group.id, Group.kind, Group.name)).all()
        for gid, kind, name in groups:
            if not session.scalar(select(func.count()).select_from(MeetingSeries).where(MeetingSeries.group_id == gid)):
                session.add(MeetingSeries(name=name, group_id=gid, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
                                          first_date=now.date().isoformat(), dates=[], start_time=time(10),
                                          end_time=time(11, 30), place="Teams", lead_time_days=3))
        session.flush()
        series = session.execute(select(MeetingSeries.id, Group.kind).join(Group, Group.id == MeetingSeries.group_id)
                                 .order_by(MeetingSeries.id)).all()
        counters = dict(session.execute(select(ReferenceCounter.year, ReferenceCounter.last_number)).all())
        taken_days = {(series_id, date.fromisoformat(day))
                      for series_id, day in session.execute(select(Meeting.series_id, Meeting.occurrence))}
        first_id = {name: (session.scalar(select(func.max(model.id))) or 0) + 1
                    for name, model in (("case", Case), ("event", CaseEvent), ("company", Company),
                                        ("action", ActionItem), ("meeting", Meeting), ("agenda", Agenda),
                                        ("item", AgendaItem), ("minutes", Minutes), ("link", CaseOrganisation),
                                        ("mitem", MinutesItem))}
        session.commit()

    # --- companies ---------------------------------------------------------------------------------
    n_companies = max(10, cases // 5)
    company_rows = []
    for i in range(n_companies):
        cid = first_id["company"] + i
        name = f"{rng.choice(WORDS['company'])} {rng.choice(WORDS['place']).split()[0]} {cid} AB"
        number = f"55{cid:04d}"[-6:] + f"-{cid % 10000:04d}"
        company_rows.append({"id": cid, "name": name, "organisation_number": number, "kind": "company",
                                 "sole_trader": False, "address": "", "properties": [], "confirmed": True,
                                 "created_at": now, "updated_at": now})

    # --- cases and their history --------------------------------------------------------------------
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    case_rows, event_rows, link_rows, action_rows = [], [], [], []
    event_id = first_id["event"]
    numbers = dict(counters)
    decided: list = []

    def event(case_id, at, kind, **values):
        nonlocal event_id
        event_rows.append({"id": event_id, "case_id": case_id, "at": at, "kind": kind, "actor_user_id": values.pop("actor", None),
                               "rule": values.pop("rule", None), "from_level": values.pop("from_level", None),
                               "to_level": values.pop("to_level", None), "reason": values.pop("reason", ""),
                               "facts": values.pop("facts", {})})
        event_id += 1

    def ago(days_from: float, days_to: float) -> datetime:
        return now - timedelta(days=rng.uniform(days_from, days_to))

    today = now.astimezone(STOCKHOLM).date()
    for i in range(cases):
        cid = first_id["case"] + i
        received = start + timedelta(seconds=span * (i + rng.random()) / cases)
        heavy = i == cases // 2  # the same shape at every size: level 2, three organisations, three action items
        is_open = heavy or rng.random() < (0.6 if received > now - timedelta(days=365) else 0.1)
        # Where a case is, consistent with the routing rules (a sweep finds next to nothing to do):
        # untriaged only for the last two days (R1), one organisation at level 1 (R2), progress
        # within 20 working days and no action item 10 working days late there (R3), level 2 only
        # since the last two coordination-group meetings (R6), level 3 for major significance (R4).
        if heavy:
            where = "l2"
        elif is_open:
            where = rng.choices(("new", "l1", "l2", "l3"), weights=(5, 88, 5, 2))[0]
        else:
            where = rng.choices(("l1", "l2", "l3"), weights=(80, 15, 5))[0]
        if where == "new":
            received = ago(0, 2)
        year = received.astimezone(STOCKHOLM).year
        numbers[year] = numbers.get(year, 0) + 1
        company = company_rows[rng.randrange(n_companies)]
        subject, place, problem = rng.choice(WORDS["subject"]), rng.choice(WORDS["place"]), rng.choice(WORDS["problem"])
        level = None if where == "new" else int(where[1])
        if not is_open:
            status = "closed"
        elif where == "new":
            status = "new"
        else:
            status = rng.choices(("triaged", "in_progress", "decided"), weights=(40, 55, 5))[0] if level == 1 \
                else "in_progress"
        triaged = min(received + timedelta(days=rng.uniform(0.2, 2)), now - timedelta(minutes=5)) if level else None
        area = rng.choices(areas, weights=area_weights)[0] if rng.random() < 0.92 else None
        row = {"id": cid, "reference": format_reference(year, numbers[year]), "year": year, "number": numbers[year],
                   "title": f"{subject} vid {place}", "description": f"{subject} vid {place} {problem}. "
                   f"Företaget {company['name']} ber staden om besked och en kontaktperson.",
                   "source": rng.choice(("web", "web", "web", "email", "phone", "meeting", "outreach", "internal")),
                   "received_at": received, "status": status, "level": level, "business_area_id": area,
                   "focus_area_id": rng.choice(focus) if level else None, "company_name": company["name"],
                   "organisation_number": company["organisation_number"], "contact_name": f"Kontakt {cid}",
                   "contact_email": f"kontakt{cid}@example.se", "contact_phone": "08-123 456 78", "location": place,
                   "company_id": company["id"], "category": None,
                   "priority": rng.choice(("normal", "normal", "normal", "high", "low", "urgent")),
                   "major_significance": level == 3, "needs_department_head_decision": False,
                   "needs_political_decision": False, "estimated_cost_sek": None, "prepared_for_committee": False,
                   "referred_to_committee": False, "overdue": False, "triaged_at": triaged,
                   "triaged_by_id": coordinator if level else None,
                   "status_token_hash": hashlib.sha256(f"bench-{seed}-{cid}".encode()).hexdigest(),
                   "merged_into_id": None, "level_entered_at": triaged, "level_seq": 1 if level else 0,
                   "last_progress_at": triaged or received, "agendas_without_decision": 0, "version": 1,
                   "created_at": received, "updated_at": triaged or received}
        case_rows.append(row)
        event(cid, received, "received", reason="Inkommet via e-tjänsten")
        if not level:
            continue
        chosen = orgs[:3] if heavy else weighted_sample(rng, orgs, org_weights,
                                                        1 if level == 1 else rng.choice((2, 2, 3)))
        for org in chosen:
            link_rows.append({"case_id": cid, "organisation_id": org})
        event(cid, triaged, "triaged", actor=coordinator, to_level=1, reason="Placerad vid triage",
              facts={"organisations": len(chosen)})
        at = triaged
        if level > 1:
            # Escalated by R2 (several organisations) and, for level 3, by R4 (major significance);
            # an open case got there recently (R6 moves it on after two agendas).
            at = max(triaged, ago(0, 40)) if is_open else triaged + timedelta(days=rng.uniform(1, 20))
            event(cid, at, "escalated", rule="R2", from_level=1, to_level=2, reason="Frågan går över förvaltningsgränser")
            if level == 3:
                at = at + timedelta(hours=1)
                event(cid, at, "escalated", rule="R4", from_level=2, to_level=3, reason="Fråga av betydande vikt")
            row["level_seq"] = level
        row["level_entered_at"] = at
        progress = max(at, ago(0, 15)) if is_open else at + timedelta(days=rng.uniform(1, 30))
        if progress > at:
            event(cid, progress, "action_progress", actor=rng.choice(users), reason="Arbetet pågår")
        row["last_progress_at"] = progress
        for k in range(3 if heavy else rng.choice((0, 0, 1, 1, 1, 2))):
            if is_open:
                due = today + timedelta(days=rng.randint(5, 60) if heavy else rng.randint(-7, 60))
            else:
                due = received.date() + timedelta(days=rng.randint(20, 90))
            done = not is_open or (not heavy and rng.random() < 0.2)
            action_rows.append({"case_id": cid, "organisation_id": chosen[k % len(chosen)], "responsible_user_id": None,
                                    "work_group_id": None, "title": f"Åtgärd {k + 1}: {subject.lower()}",
                                    "description": "", "due_date": due,
                                    "status": "done" if done else rng.choice(("planned", "in_progress", "in_progress",
                                                                           "blocked")),
                                    "blocked_reason": "", "created_at": triaged, "created_by_id": coordinator,
                                    "completed_at": triaged + timedelta(days=10) if done else None,
                                    "updated_at": triaged, "version": 1})
        if not is_open or status == "decided":
            at = progress + timedelta(days=rng.uniform(1, 30)) if not is_open else progress
            event(cid, min(at, now - timedelta(minutes=2)), "decision", actor=coordinator,
                  reason="Beslut i samordningsgruppen")
            decided.append(cid)
        if not is_open:
            closed_at = min(at + timedelta(days=rng.uniform(1, 30)), now - timedelta(minutes=1))
            event(cid, closed_at, "closed", actor=coordinator, reason="Åtgärdat")
            row["updated_at"] = closed_at
    for k, row in enumerate(action_rows):
        row["id"] = first_id["action"] + k
    for k, row in enumerate(link_rows):
        row["id"] = first_id["link"] + k

    # The case page's worst case: an open case at level 2 with 200 history events.
    heavy = case_rows[len(case_rows) // 2] if case_rows else None
    if heavy is not None:
        heavy.update(title=HEAVY_TITLE, business_area_id=areas[0])
        have = sum(1 for e in event_rows if e["case_id"] == heavy["id"])
        kinds = ("updated", "action_progress", "notified", "postponed")
        for k in range(200 - have):
            event(heavy["id"], heavy["received_at"] + timedelta(hours=k + 1), kinds[k % len(kinds)],
                  actor=coordinator, reason=f"Händelse {k + 1}")
        out.heavy_case_reference = heavy["reference"]

    # --- meetings with published agendas and approved minutes -----------------------------------------
    n_meetings = max(4, cases // CASES_PER_MEETING)
    meeting_rows, agenda_rows, item_rows, minutes_rows, mitem_rows = [], [], [], [], []
    pool = decided or [r["id"] for r in case_rows]
    used: set = set(taken_days)
    for m in range(n_meetings):
        mid = first_id["meeting"] + m
        series_id, _kind = series[m % len(series)]
        day = (start + timedelta(seconds=span * (m + 0.5) / n_meetings)).astimezone(STOCKHOLM).date()
        while (series_id, day) in used or day.weekday() >= 5:
            day += timedelta(days=1)
        if day >= now.astimezone(STOCKHOLM).date():
            break
        used.add((series_id, day))
        starts = datetime.combine(day, time(9), tzinfo=STOCKHOLM).astimezone(UTC)
        meeting_rows.append({"id": mid, "series_id": series_id, "occurrence": day.isoformat(), "starts_at": starts,
                                 "ends_at": starts + timedelta(hours=2), "place": "Teams", "status": "planned", "note": ""})
        aid = first_id["agenda"] + m
        agenda_rows.append({"id": aid, "meeting_id": mid, "status": "published", "generated_at": starts - timedelta(days=5),
                                "generation": 1, "published_at": starts - timedelta(days=4), "published_version": 1, "version": 2})
        minutes_id = first_id["minutes"] + m
        minutes_rows.append({"id": minutes_id, "meeting_id": mid, "version": 1, "status": "approved", "correction_reason": "",
                                 "approved_at": starts + timedelta(days=2), "approved_by_id": coordinator, "content": {}})
        item_cases = [pool[rng.randrange(len(pool))] for _ in range(10)]
        position = 0
        for section, case_id, title in ([("opening", None, "Mötets öppnande")] +
                                        [("decisions", c, f"Ärende {c}") for c in dict.fromkeys(item_cases)] +
                                        [("other", None, "Övriga frågor")]):
            position += 10
            iid = first_id["item"] + len(item_rows)
            item_rows.append({"id": iid, "agenda_id": aid, "section": section, "position": position,
                                  "source_key": f"case:{case_id}" if case_id else f"manual:{position}", "case_id": case_id,
                                  "action_id": None, "planned_change_id": None, "title": title, "body": "", "state": "current",
                                  "removed_reason": "", "manual": case_id is None, "edited": False, "moved": False,
                                  "carried_from": None, "changed_in_generation": 1})
            if case_id:
                mitem_rows.append({"id": first_id["mitem"] + len(mitem_rows), "minutes_id": minutes_id,
                                       "agenda_item_id": iid, "case_id": case_id, "decision": "Gruppen noterade läget.",
                                       "outcome": "noted", "params": {}})

    # --- write ------------------------------------------------------------------------------------------
    counter_rows = [{"year": y, "last_number": n} for y, n in numbers.items()]
    with engine.begin() as conn:
        conn.execute(ReferenceCounter.__table__.delete())
        for model, rows in ((ReferenceCounter, counter_rows), (Company, company_rows), (Case, case_rows),
                            (CaseEvent, event_rows), (CaseOrganisation, link_rows), (ActionItem, action_rows),
                            (Meeting, meeting_rows), (Agenda, agenda_rows), (AgendaItem, item_rows),
                            (Minutes, minutes_rows), (MinutesItem, mitem_rows)):
            table = model.__table__
            _write(conn, table, rows)
            out.counts[table.name] = len(rows)
            if engine.dialect.name == "postgresql":
                # Statistics now, inside the transaction (ANALYZE counts its own new rows): the
                # row trigger on case_organisations looks each row's case up, and planned against
                # a `cases` without statistics that lookup read every open case for each of
                # 150 000 rows (over 20 minutes at 100 000 cases instead of seconds).
                conn.execute(text(f"ANALYZE {table.name}"))
            log(f"  {table.name}: {len(rows)} rows ({timer.perf_counter() - started:.1f} s)")
        if engine.dialect.name == "postgresql":
            for table in ("companies", "cases", "case_events", "case_organisations", "action_items", "meetings",
                          "agendas", "agenda_items", "minutes", "minutes_items"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    if engine.dialect.name == "postgresql":
        # Statistics and the visibility map, as autovacuum keeps them in a database in use.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    # Not on SQLite: the app never runs ANALYZE there, and SQLite 3.40.1 (Debian 12) with
    # statistics returns wrong rows for `IN (...)` followed by a range on a three-column index
    # (action_items.case_id, status, due_date): R3 then saw overdue action items that were not.
    engine.dispose()
    out.seconds = timer.perf_counter() - started
    return out


DEFAULT_NOW = "2026-11-23T10:00:00+01:00"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", default=DEFAULT_NOW, help="the generated history ends here (ISO 8601)")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    now = datetime.fromisoformat(args.now)
    if now.tzinfo is None:
        parser.error("--now needs a time zone, e.g. 2026-11-23T10:00:00+01:00")
    migrate(args.database)
    result = generate(args.database, args.cases, now=now, seed=args.seed)
    print(json.dumps({"cases": result.cases, "seconds": round(result.seconds, 1), "rows": result.counts,
                      "heavy_case": result.heavy_case_reference}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

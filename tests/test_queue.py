"""The coordinator's queue (inkorg) and every list of cases: filters alone and combined, full-text
search (FTS5 on SQLite, tsvector on PostgreSQL), sorting, pages, R1's overdue flag, what each role
may see, wrong filter values in the address, and a fixed number of SQL statements per page
whatever the number of cases.

Each behaviour is checked twice where a user meets it twice: in the service (`list_cases` with
the viewer's `case_scope`) and on the page GET /arenden, read the way a person reads it (the
references in the table, in order, and which rows say "Försenat")."""

import re
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from coordination.access import case_scope
from coordination.cases.models import (
    Attachment,
    Case,
    CaseComment,
    CaseEvent,
    CaseLink,
    CaseOrganisation,
)
from coordination.cases.queue import QueueFilters, list_cases
from coordination.cases.services import Submitter, reference_slug
from coordination.clock import STOCKHOLM, WorkingDays
from tests import factories
from tests.conftest import get_counting, sign_in

def sthlm(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


_ROW = re.compile(r'<tr( class="overdue")?>\s*<td><a href="[^"]+">(SBR \d{4}/\d{4,6})</a>')


def rows(html: str) -> list[tuple[str, bool]]:
    """(reference, marked overdue) of each row of the case table, top to bottom."""
    return [(ref, bool(overdue)) for overdue, ref in _ROW.findall(html)]


def references(html: str) -> list[str]:
    return [ref for ref, _overdue in rows(html)]


def field_errors(html: str) -> dict[str, list[str]]:
    """The messages the error summary shows, per field ("Nivå: Välj en nivå i listan.")."""
    summary = html.split('id="error-summary"', 1)
    if len(summary) < 2:
        return {}
    found: dict[str, list[str]] = {}
    for field, message in re.findall(r'<li><a href="#([^"]+)">[^:<]*: ([^<]*)</a></li>',
                                     summary[1].split("</div>", 1)[0]):
        found.setdefault(field, []).append(message)
    return found


# --- the cases every test below looks at ----------------------------------------------------------
#
# Monday 2026-11-23 10:00 in Stockholm (the clock fixture). R1's deadline has passed for untriaged
# cases received on or before Wednesday 18 November, not for Thursday 19 November or later.
#
#   label  ref  received (Stockholm)  status / level       area      focus prio    orgs      source
#   A      1    Mon 02 Nov 09:00      new                  Högdalen  -     normal  -         web       overdue
#   G      2    Mon 23 Nov 08:00      new                  -         -     normal  -         outreach
#   B      3    Tue 10 Nov 23:30      triaged, 1           Högdalen  3     high    TK        phone
#   H      4    Thu 19 Nov 09:00      new                  -         -     normal  -         email
#   C      5    Mon 16 Nov 10:00      in_progress, 2       Årsta     2     urgent  TK, SBK   email     flagged overdue by a rule
#   D      6    Thu 19 Nov 14:00      decided, 3           Årsta     1     low     SBK       meeting
#   E      7    Thu 05 Nov 10:00      closed (1)           Högdalen  -     normal  TK        web
#   F      8    Thu 12 Nov 10:00      merged into B        Högdalen  -     normal  TK        web
#   I      9    Wed 18 Nov 16:00      new                  Årsta     -     normal  -         internal  overdue

SPEC = [
    ("A", sthlm(2026, 11, 2, 9), dict(title="Snöröjning saknas på Ågesta broväg",
                                      description="Plogbilen har inte kommit på tre dagar.",
                                      company="Högdalens Bageri AB", source="web", area="hogdalen")),
    ("G", sthlm(2026, 11, 23, 8), dict(title="Nybyggnation nära lagret", description="Företaget vill veta mer om bygget.",
                                       company="Fiskgrossisten AB", source="outreach")),
    ("B", sthlm(2026, 11, 10, 23, 30), dict(title="Belysning trasig vid lastkajen",
                                            description="Mörkt och otryggt på kvällarna.",
                                            company="Lager & Logistik i Årsta AB", source="phone", area="hogdalen",
                                            level=1, status="triaged", focus=3, priority="high", orgs=["tk"])),
    ("H", sthlm(2026, 11, 19, 9), dict(title="Parkering blockerar infarten", description="Lastbilar kommer inte fram.",
                                       company="Åkeri Öst AB", source="email")),
    ("C", sthlm(2026, 11, 16, 10), dict(title="Detaljplan för partihallarna",
                                        description="Ny detaljplan påverkar grossisterna.",
                                        company="Partihallarnas Förening", source="email", area="arsta", level=2,
                                        status="in_progress", focus=2, priority="urgent", orgs=["tk", "sbk"],
                                        overdue=True)),
    ("D", sthlm(2026, 11, 19, 14), dict(title="Markanvisning för ny terminal", description="Behöver beslut om mark.",
                                        company="Terminalbolaget AB", source="meeting", area="arsta", level=3,
                                        status="decided", focus=1, priority="low", orgs=["sbk"])),
    ("E", sthlm(2026, 11, 5, 10), dict(title="Avslutad fråga om skyltar", description="Skyltarna är uppsatta.",
                                       company="Skylt AB", source="web", area="hogdalen", level=1, status="closed",
                                       orgs=["tk"])),
    ("F", sthlm(2026, 11, 12, 10), dict(title="Belysning saknas vid lastkajen", description="Samma sak som tidigare.",
                                        company="Lager & Logistik i Årsta AB", source="web", area="hogdalen",
                                        orgs=["tk"], merged_into="B")),
    ("I", sthlm(2026, 11, 18, 16), dict(title="Klotter på fasaden", description="Behöver saneras.",
                                        company="Fastighets AB Årstafältet", source="internal", area="arsta")),
]
OPEN = {"A", "B", "C", "D", "G", "H", "I"}


@pytest.fixture
def world(session, clock):
    w = SimpleNamespace()
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.hogdalen = factories.business_area(session, name="Högdalens industriområde")
    w.arsta = factories.business_area(session, name="Årsta partihallar")
    w.coordinator = factories.user(session, "coordinator", name="Saga Samordnare")
    w.department = factories.user(session, "department", organisation_id=w.tk.id, name="Tore Trafik")
    w.sbk_official = factories.user(session, "department", organisation_id=w.sbk.id, name="Sara Stadsbyggnad")
    w.steering = factories.user(session, "steering", name="Stina Styrgrupp")
    w.case = {}
    for label, received, spec in SPEC:
        area = getattr(w, spec["area"]) if spec.get("area") else None
        case = factories.case(session, clock=clock, received_at=received, title=spec["title"],
                              description=spec["description"], source=spec["source"],
                              business_area_id=area.id if area else None,
                              submitter=Submitter(company_name=spec["company"]), level=spec.get("level"),
                              status=spec.get("status"), organisations=[getattr(w, o) for o in spec.get("orgs", [])])
        case.focus_area_id = spec.get("focus")
        case.priority = spec.get("priority", "normal")
        case.overdue = spec.get("overdue", False)
        if spec.get("merged_into"):
            case.merged_into_id = w.case[spec["merged_into"]].id
            case.status = "closed"
        session.add(case)
        w.case[label] = case
    session.commit()
    w.label = {c.reference: label for label, c in w.case.items()}
    return w


def labels(w, page_or_refs) -> list[str]:
    refs = [r.case.reference for r in page_or_refs.rows] if hasattr(page_or_refs, "rows") else page_or_refs
    return [w.label[r] for r in refs]


def service(session, clock, user, **filters):
    session.expire_all()
    return list_cases(session, QueueFilters(**filters), scope=case_scope(user), clock=clock,
                      working_days=WorkingDays())


# --- filters ---------------------------------------------------------------------------------------
# (test id, filters with symbolic values, labels expected). The same table drives the service and
# the page; "@name" is an attribute of the world (an area's or an organisation's id).

FILTERS = [
    ("default-open", {}, OPEN),
    ("status-all", {"status": ""}, OPEN | {"E"}),
    ("status-closed", {"status": "closed"}, {"E"}),
    ("status-new", {"status": "new"}, {"A", "G", "H", "I"}),
    ("status-in-progress", {"status": "in_progress"}, {"C"}),
    ("level-untriaged", {"level": 0}, {"A", "G", "H", "I"}),
    ("level-1", {"level": 1}, {"B"}),
    ("level-2", {"level": 2}, {"C"}),
    ("level-3", {"level": 3}, {"D"}),
    ("area-hogdalen", {"business_area_id": "@hogdalen"}, {"A", "B"}),
    ("area-arsta", {"business_area_id": "@arsta"}, {"C", "D", "I"}),
    ("focus-area-3", {"focus_area_id": 3}, {"B"}),
    ("focus-area-4", {"focus_area_id": 4}, set()),
    ("organisation-tk", {"organisation_id": "@tk"}, {"B", "C"}),
    ("organisation-sbk", {"organisation_id": "@sbk"}, {"C", "D"}),
    ("priority-urgent", {"priority": "urgent"}, {"C"}),
    ("priority-high", {"priority": "high"}, {"B"}),
    ("priority-normal", {"priority": "normal"}, {"A", "G", "H", "I"}),
    ("priority-low", {"priority": "low"}, {"D"}),
    ("overdue", {"overdue": True}, {"A", "C", "I"}),
    ("source-web", {"source": "web"}, {"A"}),
    ("source-phone", {"source": "phone"}, {"B"}),
    ("source-email", {"source": "email"}, {"C", "H"}),
    ("source-meeting", {"source": "meeting"}, {"D"}),
    ("source-outreach", {"source": "outreach"}, {"G"}),
    ("source-internal", {"source": "internal"}, {"I"}),
    # Dates are Stockholm calendar days: B came in at 23:30 on 10 November (22:30 UTC).
    ("received-from", {"received_from": date(2026, 11, 11)}, {"C", "D", "G", "H", "I"}),
    ("received-to", {"received_to": date(2026, 11, 10)}, {"A", "B"}),
    ("received-to-day-before", {"received_to": date(2026, 11, 9)}, {"A"}),
    ("received-one-day", {"received_from": date(2026, 11, 19), "received_to": date(2026, 11, 19)}, {"D", "H"}),
    # combined
    ("area-and-level", {"business_area_id": "@arsta", "level": 2}, {"C"}),
    ("organisation-and-priority", {"organisation_id": "@tk", "priority": "high"}, {"B"}),
    ("new-and-overdue", {"status": "new", "overdue": True}, {"A", "I"}),
    ("untriaged-in-a-date-range", {"level": 0, "received_from": date(2026, 11, 18),
                                   "received_to": date(2026, 11, 19)}, {"H", "I"}),
    ("area-and-source-nothing", {"business_area_id": "@hogdalen", "source": "outreach"}, set()),
    ("all-statuses-in-an-area", {"status": "", "business_area_id": "@hogdalen"}, {"A", "B", "E"}),
    ("search-and-organisation", {"q": "belysning", "organisation_id": "@tk"}, {"B"}),
    ("everything-at-once", {"status": "in_progress", "level": 2, "business_area_id": "@arsta", "focus_area_id": 2,
                            "organisation_id": "@sbk", "priority": "urgent", "overdue": True, "source": "email",
                            "received_from": date(2026, 11, 16), "received_to": date(2026, 11, 16),
                            "q": "detaljplan"}, {"C"}),
]


def resolve(w, filters: dict) -> dict:
    return {k: (getattr(w, v[1:]).id if isinstance(v, str) and v.startswith("@") else v) for k, v in filters.items()}


def as_query(filters: dict) -> dict:
    query = {}
    for key, value in filters.items():
        if value is True:
            query[key] = "y"
        elif isinstance(value, date):
            query[key] = value.isoformat()
        else:
            query[key] = str(value)
    return query


@pytest.mark.parametrize("name, filters, expected", FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_alone_and_combined(session, clock, client, world, name, filters, expected):
    filters = resolve(world, filters)
    service_filters = {**filters, "status": None} if filters.get("status") == "" else filters

    page = service(session, clock, world.coordinator, **service_filters)
    sign_in(client, world.coordinator)
    response = client.get("/arenden", query_string=as_query(filters))

    assert set(labels(world, page)) == expected
    assert page.total == len(expected)
    assert response.status_code == 200
    html = response.data.decode()
    assert set(labels(world, references(html))) == expected
    count = f"{len(expected)} ärende" + ("" if len(expected) == 1 else "n")
    assert f'class="result-count">{count}<' in html
    if not expected:
        assert "Inga ärenden matchar filtren." in html


def test_the_page_keeps_the_chosen_filters_in_the_form(client, world):
    sign_in(client, world.coordinator)

    html = client.get("/arenden", query_string={"q": "belysning", "level": "1", "priority": "high",
                                                "received_from": "2026-11-01"}).data.decode()

    assert 'name="q" type="text" value="belysning"' in html
    assert re.search(r'<select id="level" name="level">.*?<option selected value="1">', html, re.S)
    assert re.search(r'<select id="priority" name="priority">.*?<option selected value="high">', html, re.S)
    assert 'value="2026-11-01"' in html


def test_the_queue_shows_area_organisations_level_and_age(client, world):
    sign_in(client, world.coordinator)

    html = client.get("/arenden", query_string={"q": "detaljplan"}).data.decode()

    row = html.split(world.case["C"].reference + "</a>", 1)[1].split("</tr>", 1)[0]
    assert "Detaljplan för partihallarna" in row
    assert "Partihallarnas Förening" in row
    assert "Årsta partihallar" in row
    assert "SBK, TK" in row
    assert "Samordningsgruppen" in row
    assert "Brådskande" in row
    assert "2026-11-16" in row
    # Tue 17, Wed 18, Thu 19, Fri 20, Mon 23 November
    assert re.search(r"<td>5 <strong[^>]*>Försenat</strong></td>", row)


# --- full-text search ------------------------------------------------------------------------------

SEARCHES = [
    ("title-word", "belysning", {"B"}),
    ("title-word-other-case", "Klotter", {"I"}),
    ("description-word", "plogbilen", {"A"}),
    ("description-word-2", "grossisterna", {"C"}),
    ("company-name", "bageri", {"A"}),
    ("company-name-2", "Logistik", {"B"}),
    ("prefix", "snöröj", {"A"}),
    ("prefix-of-company", "terminalbol", {"D"}),
    ("two-words-both-needed", "snöröjning ågesta", {"A"}),
    ("whole-word-then-a-beginning", "snöröjning ågest", {"A"}),
    ("two-words-in-different-cases", "snöröjning belysning", set()),
    ("swedish-capitals", "ÅGESTA", {"A"}),
    ("swedish-letters", "åkeri öst", {"H"}),
    ("swedish-prefix", "årsta", {"B", "I"}),
    ("swedish-o-umlaut", "Förening", {"C"}),
    ("no-match", "rymdskepp", set()),
]


def test_full_text_search(session, clock, client, world):
    sign_in(client, world.coordinator)
    for name, q, expected in SEARCHES:
        page = service(session, clock, world.coordinator, q=q)
        response = client.get("/arenden", query_string={"q": q})

        assert set(labels(world, page)) == expected, name
        assert response.status_code == 200, name
        assert set(labels(world, references(response.data.decode()))) == expected, name


def test_a_company_form_or_a_stopword_does_not_narrow_a_search(session, clock, client, world):
    """"AB" is in nearly every company's name: as a search word it would match nearly every case
    (and cost the most to look up), so a search drops it, and words like "vid", while it has others."""
    from coordination.cases.search import search_terms

    assert search_terms("Högdalens Bageri AB") == ["högdalens", "bageri"]
    assert search_terms("snöröjning vid skolan") == ["snöröjning", "skolan"]
    assert search_terms("AB") == ["ab"] and search_terms("och") == ["och"]
    assert labels(world, service(session, clock, world.coordinator, q="Åkeri Öst AB")) == \
        labels(world, service(session, clock, world.coordinator, q="åkeri öst")) == ["H"]


def test_a_search_on_postgresql_looks_up_whole_words_and_the_last_also_as_a_beginning(session):
    """Every beginning of a common word ("Åkeri", a street's name) would be read case by case, a
    cost growing with the number of cases (bench/README.md); a whole word is one index entry."""
    from coordination.cases.search import is_postgres, matching_ids

    if not is_postgres(session):
        pytest.skip("SQLite has no stemmer: every word matches as a beginning there")
    subquery = matching_ids(session, "Åkeri Sockenvägen 7362 AB")
    assert "åkeri & sockenvägen & 7362:*" in subquery.compile().params.values()
    assert "snöröj:*" in matching_ids(session, "snöröj").compile().params.values()


@pytest.mark.parametrize("form", ["{ref}", "SBR {ref}", "SBR-{dashed}", "sbr {ref}"])
def test_search_by_reference(session, clock, client, world, form):
    c = world.case["C"]
    number = c.reference.split(" ", 1)[1]        # 2026/0005
    q = form.format(ref=number, dashed=number.replace("/", "-"))

    assert labels(world, service(session, clock, world.coordinator, q=q)) == ["C"]
    sign_in(client, world.coordinator)
    assert references(client.get("/arenden", query_string={"q": q}).data.decode()) == [c.reference]


# (hostile text, what a person would expect: a set of labels, or None for "any subset, no error")
HOSTILE = [
    ('"', OPEN),
    ("'", OPEN),
    ("(", OPEN),
    (")", OPEN),
    ("()", OPEN),
    ("*", OPEN),
    ("%", OPEN),
    ("\\", OPEN),
    ("{}[]^~:+-", OPEN),
    ('"belysning', {"B"}),
    ("belysning)", {"B"}),
    ("(belysning", {"B"}),
    ("belysning*", {"B"}),
    ("-belysning", {"B"}),
    ('"belysning" "lastkajen"', {"B"}),
    ("belysning AND", set()),
    ("AND OR NOT", set()),
    ("NOT belysning", set()),
    ("NEAR(belysning lastkajen)", set()),
    ("title:belysning", set()),
    ("' OR 1=1 --", set()),
    ("'; DROP TABLE cases; --", set()),
    ("1); DELETE FROM cases WHERE (1=1", set()),
    ("belysning' UNION SELECT id FROM users --", set()),
    ("_", None),
    ("a_b", None),
    ("²³", None),
    ("x" * 1000, set()),
    ("ö" * 1000, set()),
    ("belysning " * 100, {"B"}),
    (" ".join(f"ord{i}" for i in range(40)), set()),
]


def test_hostile_search_text_never_fails_and_finds_what_it_should(session, clock, client, world):
    sign_in(client, world.coordinator)
    for q, expected in HOSTILE:
        found = set(labels(world, service(session, clock, world.coordinator, q=q)))
        assert found <= OPEN if expected is None else found == expected, q

        response = client.get("/arenden", query_string={"q": q})
        if len(q) > 200:
            assert response.status_code == 400, q
            assert field_errors(response.data.decode()) == {"q": ["Högst 200 tecken; du skrev fler."]}
        else:
            assert response.status_code == 200, q
            on_page = set(labels(world, references(response.data.decode())))
            assert on_page <= OPEN if expected is None else on_page == expected, q

    # The data is untouched and still searchable.
    assert service(session, clock, world.coordinator).total == len(OPEN)
    assert labels(world, service(session, clock, world.coordinator, q="belysning")) == ["B"]


def test_search_text_is_shown_back_escaped(client, world):
    sign_in(client, world.coordinator)

    response = client.get("/arenden", query_string={"q": '<script>alert("x")</script>'})

    assert response.status_code == 200
    html = response.data.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


# --- sorting ---------------------------------------------------------------------------------------

SORTS = [
    (None, ["A", "B", "C", "I", "H", "D", "G"]),                 # received_asc is the default
    ("received_asc", ["A", "B", "C", "I", "H", "D", "G"]),
    ("received_desc", ["G", "D", "H", "I", "C", "B", "A"]),
    ("reference", ["I", "D", "C", "H", "B", "G", "A"]),          # newest reference first
    ("priority", ["C", "B", "A", "I", "H", "G", "D"]),           # urgent, high, normal (oldest first), low
]


@pytest.mark.parametrize("sort, expected", SORTS, ids=[str(s[0]) for s in SORTS])
def test_sort_orders(session, clock, client, world, sort, expected):
    filters = {"sort": sort} if sort else {}

    assert labels(world, service(session, clock, world.coordinator, **filters)) == expected
    sign_in(client, world.coordinator)
    response = client.get("/arenden", query_string=filters)
    assert response.status_code == 200
    assert labels(world, references(response.data.decode())) == expected


# --- pages -----------------------------------------------------------------------------------------

PAGES = [
    (1, 3, ["A", "B", "C"], 1, 3),
    (2, 3, ["I", "H", "D"], 2, 3),
    (3, 3, ["G"], 3, 3),
    (4, 3, ["G"], 3, 3),                                  # beyond the last page: the last page
    (10 ** 6, 3, ["G"], 3, 3),
    (0, 3, ["A", "B", "C"], 1, 3),                        # before the first: the first
    (-5, 3, ["A", "B", "C"], 1, 3),
    (1, 0, ["A"], 1, 7),                                  # at least one per page
    (1, 10 ** 6, ["A", "B", "C", "I", "H", "D", "G"], 1, 1),   # at most 200 per page
]


def test_pages_in_the_service(session, clock, world):
    for page, page_size, shown, page_no, pages in PAGES:
        result = service(session, clock, world.coordinator, page=page, page_size=page_size)

        assert labels(world, result) == shown, (page, page_size)
        assert (result.page, result.pages, result.total) == (page_no, pages, 7), (page, page_size)


def test_at_most_200_cases_on_a_page(session, clock, world):
    for i in range(205):
        factories.case(session, clock=clock, title=f"Fyllnad {i}")
    session.commit()

    result = service(session, clock, world.coordinator, page_size=500)

    assert len(result.rows) == 200
    assert (result.total, result.pages) == (212, 2)


@pytest.fixture
def many(session, clock):
    coordinator = factories.user(session, "coordinator")
    area = factories.business_area(session, name="Högdalens industriområde")
    cases = [factories.case(session, clock=clock, title=f"Gatubelysning nummer {i}", business_area_id=area.id,
                            received_at=sthlm(2026, 10, 1) + timedelta(hours=i)) for i in range(55)]
    factories.case(session, clock=clock, title="Något annat")
    session.commit()
    return SimpleNamespace(coordinator=coordinator, cases=cases, area=area)


@pytest.mark.parametrize("sort", ["received_asc", "received_desc", "reference", "priority"])
def test_a_search_few_cases_match_is_read_from_its_matches_with_the_same_pages(session, clock, many, monkeypatch,
                                                                                sort):
    """A search that few cases match reads its matches first and sorts them (queue.FEW); the pages
    are the same as when the cases are walked in the page's order."""
    from coordination.cases import queue

    def pages(few):
        monkeypatch.setattr(queue, "FEW", few)
        found = []
        for page in (1, 2, 3, 4):
            result = service(session, clock, many.coordinator, q="gatubelysning", sort=sort, page=page, page_size=20)
            found.append(([row.case.reference for row in result.rows], result.page, result.pages, result.total))
        return found

    walked, from_matches = pages(0), pages(10 ** 6)
    assert from_matches == walked
    assert [len(refs) for refs, *_ in walked] == [20, 20, 15, 15] and walked[0][3] == 55
    assert len({ref for refs, *_ in walked[:3] for ref in refs}) == 55


def test_a_search_that_matches_nothing_reads_no_page(app, session, clock, client, many):
    app.config["PAGE_CACHE_SECONDS"] = 0
    sign_in(client, many.coordinator)
    client.get("/arenden?q=gatubelysning")
    client.get("/arenden?q=rymdskepp")  # both counts now kept (reflists.counted): the rest compared
    found = count_statements(app, client, "/arenden?q=gatubelysning")
    nothing = count_statements(app, client, "/arenden?q=rymdskepp")
    assert len(nothing) == len(found) - 2, (nothing, found)  # neither the page nor its organisations
    assert "Inga ärenden matchar filtren." in client.get("/arenden?q=rymdskepp").data.decode()


def test_the_queue_page_shows_50_cases_a_page_and_the_rest_on_the_next(client, many):
    sign_in(client, many.coordinator)

    first = client.get("/arenden", query_string={"q": "gatubelysning", "sort": "received_desc"}).data.decode()
    second = client.get("/arenden", query_string={"q": "gatubelysning", "sort": "received_desc",
                                                  "page": "2"}).data.decode()

    newest_first = [c.reference for c in reversed(many.cases)]
    assert references(first) == newest_first[:50]
    assert references(second) == newest_first[50:]
    assert 'class="result-count">55 ärenden · sida 1 av 2' in first
    assert "sida 2 av 2" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_the_next_page_link_keeps_the_filters(client, many):
    sign_in(client, many.coordinator)

    html = client.get("/arenden", query_string={"q": "gatubelysning", "sort": "received_desc",
                                                "business_area_id": str(many.area.id)}).data.decode()

    link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query == {"page": ["2"], "q": ["gatubelysning"], "sort": ["received_desc"],
                     "business_area_id": [str(many.area.id)]}
    assert len(references(client.get(link).data.decode())) == 5


@pytest.mark.parametrize("page", ["3", "99", "100000"])
def test_a_page_beyond_the_last_shows_the_last(client, many, page):
    sign_in(client, many.coordinator)

    response = client.get("/arenden", query_string={"q": "gatubelysning", "page": page})

    assert response.status_code == 200
    html = response.data.decode()
    assert references(html) == [c.reference for c in many.cases[50:]]
    assert "sida 2 av 2" in html


# --- merged cases --------------------------------------------------------------------------------

@pytest.mark.parametrize("filters", [{}, {"status": ""}, {"status": "closed"}, {"q": "samma"},
                                     {"q": "belysning"}, {"organisation_id": "@tk", "status": ""}])
def test_merged_cases_are_not_listed(session, clock, client, world, filters):
    filters = resolve(world, filters)
    merged = world.case["F"].reference
    service_filters = {**filters, "status": None} if filters.get("status") == "" else filters

    page = service(session, clock, world.coordinator, **service_filters)
    sign_in(client, world.coordinator)
    html = client.get("/arenden", query_string=as_query(filters)).data.decode()

    assert merged not in [r.case.reference for r in page.rows]
    assert merged not in references(html)


# --- R1: overdue after 2 working days -------------------------------------------------------------

def home_overdue_count(client) -> int:
    html = client.get("/").data.decode()
    match = re.search(r'<span class="stat-value">(\d+)</span> <span class="stat-label">otriagerade i mer än 2 '
                      r'arbetsdagar</span>', html)
    assert match, html[:2000]
    return int(match.group(1))


@pytest.mark.parametrize("received, last_moment, first_overdue, age_before, age_after", [
    # Fri 18 Dec → 2 working days → Mon 21, Tue 22: due at the end of Tuesday.
    (sthlm(2026, 12, 18, 10), sthlm(2026, 12, 22, 23, 59), sthlm(2026, 12, 23, 0, 0), 2, 3),
    # Tue 29 Dec → Wed 30 (1); 31 Dec, 1 Jan days off; Mon 4 Jan (2): due at the end of Monday.
    (sthlm(2026, 12, 29, 10), sthlm(2027, 1, 4, 23, 59), sthlm(2027, 1, 5, 0, 0), 2, 3),
])
def test_an_untriaged_case_becomes_overdue_the_first_instant_after_its_deadline(
        session, clock, client, received, last_moment, first_overdue, age_before, age_after):
    coordinator = factories.user(session, "coordinator")
    clock.at = received + timedelta(minutes=5)
    case = factories.case(session, clock=clock, received_at=received, title="Trasig grind")
    session.commit()
    sign_in(client, coordinator)

    clock.at = last_moment
    before = service(session, clock, coordinator)
    assert [(r.case.reference, r.overdue, r.age_working_days) for r in before.rows] == \
        [(case.reference, False, age_before)]
    assert service(session, clock, coordinator, overdue=True).total == 0
    assert rows(client.get("/arenden").data.decode()) == [(case.reference, False)]
    assert references(client.get("/arenden?overdue=y").data.decode()) == []
    assert home_overdue_count(client) == 0

    clock.at = first_overdue
    after = service(session, clock, coordinator)
    assert [(r.case.reference, r.overdue, r.age_working_days) for r in after.rows] == \
        [(case.reference, True, age_after)]
    assert [r.case.reference for r in service(session, clock, coordinator, overdue=True).rows] == [case.reference]
    html = client.get("/arenden").data.decode()
    assert rows(html) == [(case.reference, True)]
    assert "Försenat" in html
    assert references(client.get("/arenden?overdue=y").data.decode()) == [case.reference]
    assert home_overdue_count(client) == 1


def test_the_start_page_counts_untriaged_and_overdue_cases(client, world):
    sign_in(client, world.coordinator)

    html = client.get("/").data.decode()

    assert home_overdue_count(client) == 2          # A and I; C is triaged (its flag is a rule's)
    assert re.search(r'<span class="stat-value">4</span> <span class="stat-label">otriagerade ärenden</span>', html)


def test_a_triaged_case_is_never_overdue_by_r1(session, clock, world):
    page = service(session, clock, world.coordinator, level=1)

    assert [(world.label[r.case.reference], r.overdue) for r in page.rows] == [("B", False)]


# --- who sees what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who, filters, expected", [
    ("department", {}, {"B", "C"}),
    ("department", {"status": ""}, {"B", "C", "E"}),
    ("department", {"organisation_id": "@sbk"}, {"C"}),
    ("department", {"q": "markanvisning"}, set()),
    ("department", {"q": "detaljplan"}, {"C"}),
    ("department", {"level": 0}, set()),
    ("sbk_official", {}, {"C", "D"}),
    ("steering", {}, {"D"}),
    ("steering", {"status": ""}, {"D"}),
    ("steering", {"level": 1}, set()),
    ("steering", {"q": "belysning"}, set()),
    ("coordinator", {}, OPEN),
])
def test_each_role_sees_only_its_cases(session, clock, client, world, who, filters, expected):
    user = getattr(world, who)
    filters = resolve(world, filters)
    service_filters = {**filters, "status": None} if filters.get("status") == "" else filters

    page = service(session, clock, user, **service_filters)
    sign_in(client, user)
    response = client.get("/arenden", query_string=as_query(filters))

    assert set(labels(world, page)) == expected
    assert page.total == len(expected)
    assert response.status_code == 200
    assert set(labels(world, references(response.data.decode()))) == expected


@pytest.mark.parametrize("who, visible, hidden", [
    ("department", ["B", "C", "E"], ["A", "D", "G", "I"]),
    ("sbk_official", ["C", "D"], ["A", "B", "E"]),
    ("steering", ["D"], ["A", "B", "C", "E"]),
    ("coordinator", ["A", "B", "C", "D", "E", "G", "H", "I"], []),
])
def test_the_case_pages_follow_the_same_rules_as_the_lists(client, world, who, visible, hidden):
    sign_in(client, getattr(world, who))

    for label in visible:
        response = client.get(f"/arenden/{reference_slug(world.case[label].reference)}")
        assert response.status_code == 200, label
        assert world.case[label].title in response.data.decode()
    for label in hidden:
        assert client.get(f"/arenden/{reference_slug(world.case[label].reference)}").status_code == 403, label


def test_a_department_sees_a_case_once_its_organisation_is_concerned(session, clock, world):
    assert "A" not in labels(world, service(session, clock, world.department))

    session.add(CaseOrganisation(case_id=world.case["A"].id, organisation_id=world.tk.id))
    session.commit()

    assert "A" in labels(world, service(session, clock, world.department))


def test_the_register_button_is_only_for_the_coordinator(client, world):
    assert "Registrera ärende" in sign_in(client, world.coordinator).get("/arenden").data.decode()
    assert "Registrera ärende" not in sign_in(client, world.department).get("/arenden").data.decode()


def test_an_administrator_has_no_queue(session, client, world):
    admin = factories.user(session, "admin")
    session.commit()

    assert sign_in(client, admin).get("/arenden").status_code == 403


# --- wrong filter values in the address --------------------------------------------------------------

BAD = [
    ("level=abc", "level", "Välj en nivå i listan."),
    ("level=4", "level", "Välj en nivå i listan."),
    ("business_area_id=999999", "business_area_id", "Välj ett verksamhetsområde i listan."),
    ("business_area_id=abc", "business_area_id", "Välj ett verksamhetsområde i listan."),
    ("business_area_id=99999999999999999999999", "business_area_id", "Välj ett verksamhetsområde i listan."),
    ("focus_area_id=5", "focus_area_id", "Välj ett fokusområde i listan."),
    ("organisation_id=999999", "organisation_id", "Välj en organisation i listan."),
    ("status=evil", "status", "Välj en status i listan."),
    ("priority=asap", "priority", "Välj en prioritet i listan."),
    ("source=fax", "source", "Välj en källa i listan."),
    ("received_from=2026-13-45", "received_from", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
    ("received_to=igår", "received_to", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
    ("received_from=23/11/2026", "received_from", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23."),
    ("page=-1", "page", "Numret måste vara mellan 1 och 100000."),
    ("page=0", "page", "Numret måste vara mellan 1 och 100000."),
    ("page=abc", "page", "Ange ett heltal, bara siffror."),
    ("sort=evil", "sort", "Välj en sortering i listan."),
    ("sort=id;drop table cases", "sort", "Välj en sortering i listan."),
]


def test_a_wrong_filter_value_gives_a_400_page_saying_what_is_wrong(client, world):
    sign_in(client, world.coordinator)
    for query, field, message in BAD:
        response = client.get(f"/arenden?q=belysning&{query}")

        assert response.status_code == 400, query
        html = response.data.decode()
        assert "Rätta följande" in html, query
        messages = field_errors(html)
        assert list(messages) == [field], query
        assert messages[field][0] == message, query
        # Still the queue, with what was typed kept, and the cases listed without the filters.
        assert "<h1>Ärenden</h1>" in html
        assert 'name="q" type="text" value="belysning"' in html, query
        assert set(labels(world, references(html))) == OPEN, query


@pytest.mark.parametrize("query", ["received_from=0001-01-01", "received_to=9999-12-31"])
def test_extreme_dates_in_the_address_are_not_a_server_error(client, world, query):
    sign_in(client, world.coordinator)

    response = client.get(f"/arenden?{query}")

    assert response.status_code in (200, 400)


_KEYS = st.sampled_from(["q", "status", "level", "business_area_id", "focus_area_id", "organisation_id",
                         "priority", "overdue", "source", "received_from", "received_to", "sort", "page",
                         "page_size", "x", ""])
_VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
    st.dates().map(date.isoformat),
    st.sampled_from(["", "open", "new", "closed", "0", "1", "3", "y", "false", "received_desc", "priority",
                     "2026-11-23", "normal", "web", "0001-01-01", "9999-12-31"]),
)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(_KEYS, _VALUES), max_size=6))
def test_no_query_string_makes_the_queue_fail(client, world, pairs):
    sign_in(client, world.coordinator)

    response = client.get("/arenden", query_string=pairs)

    assert response.status_code in (200, 400), response.data[:300]
    if response.status_code == 400:
        assert "Rätta följande" in response.data.decode()


# --- a fixed number of SQL statements per page ----------------------------------------------------

def count_statements(app, client, url) -> list[str]:
    response, seen = get_counting(app, client, url)
    assert response.status_code == 200, (url, response.data[:500])
    return seen


def grow(session, clock, w, *, cases: int, events: int, comments: int, organisations: int, attachments: int,
         links: int, merged: int) -> None:
    """Bring the data up to the given numbers: cases in total, and for the big case its history
    events, comments, organisations, attachments, linked and merged-in cases."""
    big = w.big
    now = clock.now()
    while len(w.cases) < cases:
        i = len(w.cases)
        w.cases.append(factories.case(
            session, clock=clock, title=f"Gatubelysning släckt {i}", business_area_id=w.area.id if i % 2 else None,
            received_at=sthlm(2026, 9, 1) + timedelta(hours=i), level=(i % 3) + 1 if i % 4 else None,
            organisations=[w.orgs[i % len(w.orgs)]]))
    while len(w.orgs) < organisations:
        w.orgs.append(factories.organisation(session))
    have = set(session.exec(select(CaseOrganisation.organisation_id).where(CaseOrganisation.case_id == big.id)))
    for org in w.orgs[:organisations]:
        if org.id not in have:
            session.add(CaseOrganisation(case_id=big.id, organisation_id=org.id))
    n_events = len(session.exec(select(CaseEvent.id).where(CaseEvent.case_id == big.id)).all())
    for i in range(n_events, events):
        session.add(CaseEvent(case_id=big.id, at=now - timedelta(minutes=events - i), kind="updated",
                              actor_user_id=w.users[i % len(w.users)].id, reason=f"Ändring {i}",
                              facts={"changes": {"priority": ["normal", "high"]}}))
    n_comments = len(session.exec(select(CaseComment.id).where(CaseComment.case_id == big.id)).all())
    for i in range(n_comments, comments):
        session.add(CaseComment(case_id=big.id, author_id=w.users[i % len(w.users)].id,
                                at=now - timedelta(minutes=i), body=f"Kommentar {i}"))
    n_attachments = len(session.exec(select(Attachment.id).where(Attachment.case_id == big.id)).all())
    for i in range(n_attachments, attachments):
        session.add(Attachment(case_id=big.id, filename=f"bild{i}.png", content_type="image/png", size=2048,
                               sha256="0" * 64, storage_key=uuid.uuid4().hex, uploaded_at=now))
    others = [c for c in w.cases if c.id != big.id]
    n_links = len(session.exec(select(CaseLink.id)).all())
    for other in others[n_links:links]:
        low, high = sorted((big.id, other.id))
        session.add(CaseLink(case_id=low, other_case_id=high, created_by_id=w.users[0].id, at=now))
    n_merged = len(session.exec(select(Case.id).where(Case.merged_into_id == big.id)).all())
    for other in others[-(merged - n_merged):] if merged > n_merged else []:
        other.merged_into_id, other.status = big.id, "closed"
        session.add(other)
        session.add(CaseEvent(case_id=other.id, at=now, kind="merged", actor_user_id=w.users[0].id,
                              reason="Samma fråga", facts={"into": big.reference}))
    session.commit()


def test_the_queue_and_the_case_page_cost_the_same_number_of_statements_at_10_and_200_cases(
        app, session, clock, client):
    app.config["PAGE_CACHE_SECONDS"] = 0  # count what rendering costs, not a page served from the cache
    w = SimpleNamespace()
    w.area = factories.business_area(session, name="Högdalens industriområde")
    w.orgs = [factories.organisation(session) for _ in range(3)]
    w.users = [factories.user(session, "coordinator", name=f"Samordnare {i}") for i in range(3)]
    w.big = factories.case(session, clock=clock, title="Gatubelysning släckt längs hela Ågesta broväg",
                           business_area_id=w.area.id, level=2, organisations=[w.orgs[0]],
                           submitter=Submitter(company_name="Högdalens Bageri AB", contact_name="Bo Bagare"))
    w.cases = [w.big]
    session.commit()
    sign_in(client, w.users[0])
    slug = reference_slug(w.big.reference)
    urls = {
        "queue": "/arenden",
        "queue, business area": f"/arenden?business_area_id={w.area.id}",
        "queue, search": "/arenden?q=gatubelysning",
        "queue, search and filters": f"/arenden?q=gatubelysning&status=&business_area_id={w.area.id}&sort=priority",
        "queue, last page": "/arenden?page=100000",
        "case page": f"/arenden/{slug}",
    }

    grow(session, clock, w, cases=10, events=5, comments=3, organisations=3, attachments=2, links=2, merged=1)
    for url in urls.values():
        client.get(url)  # warm up: the first request may set up connections
    small = {name: count_statements(app, client, url) for name, url in urls.items()}
    small_html = client.get(f"/arenden/{slug}").data.decode()

    grow(session, clock, w, cases=200, events=100, comments=30, organisations=25, attachments=12, links=12, merged=3)
    for url in urls.values():
        client.get(url)  # the same state as above: the user read again after the change, and kept
    big = {name: count_statements(app, client, url) for name, url in urls.items()}
    big_html = client.get(f"/arenden/{slug}").data.decode()

    # The page really grew (otherwise the comparison says nothing).
    assert small_html.count("Ändring ") < big_html.count("Ändring ") and big_html.count("Ändring ") >= 95
    assert big_html.count("Kommentar ") >= 30 and big_html.count("bild") >= 12
    assert 'class="result-count">' in client.get("/arenden?page=100000").data.decode()
    for name in urls:
        assert len(small[name]) == len(big[name]), (name, small[name], big[name])
        assert 0 < len(big[name]) <= 20, (name, big[name])

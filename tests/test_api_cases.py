"""The cases of the JSON API as an integration meets them: GET /api/v1/cases with the queue's
filters and pages, one case with its history, registering a case (coordinator), triage with
optimistic locking, the same role and organisation rules as the web pages, and problem objects
for every error. Hypothesis throws arbitrary JSON and query strings at it: never a 5xx."""

import json
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from coordination.auth import services as auth_services
from coordination.cases.models import Case, CaseEvent, CaseOrganisation
from coordination.cases.services import Submitter, reference_slug
from coordination.clock import STOCKHOLM
from tests import factories
from tests.conftest import fresh

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}
CASE_KEYS = {"reference", "title", "description", "source", "received_at", "status", "level", "business_area",
             "focus_area", "category", "organisations", "priority", "major_significance",
             "needs_department_head_decision", "needs_political_decision", "estimated_cost_sek",
             "prepared_for_committee", "referred_to_committee", "overdue", "company_name", "organisation_number",
             "contact_name", "contact_email", "contact_phone", "location", "merged_into", "history"}

def sthlm(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def assert_problem(response, status):
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


def slug(case) -> str:
    return reference_slug(case.reference)


def case_count(app) -> int:
    with fresh(app) as s:
        return s.exec(select(func.count()).select_from(Case)).one()


# Monday 2026-11-23 10:00 Stockholm (the clock fixture).
#   label ref received           status / level   area      prio    orgs     source   notes
#   A     1   Mon 02 Nov 09:00   new              Högdalen  normal  -        web      overdue (R1), contact details
#   C     2   Mon 16 Nov 10:00   decided, 3       Årsta     urgent  TK, SBK  email
#   B     3   Tue 10 Nov 10:00   triaged, 1       Högdalen  high    TK       phone    a history of three events
#   D     4   Thu 19 Nov 10:00   in_progress, 2   Årsta     normal  SBK      meeting
#   E     5   Thu 05 Nov 10:00   closed           Högdalen  normal  TK       web
#   F     6   Thu 12 Nov 10:00   merged into B    Högdalen  normal  TK       web

@pytest.fixture
def w(session, clock):
    w = SimpleNamespace()
    w.tk = factories.organisation(session, name="Trafikkontoret", short_name="TK")
    w.sbk = factories.organisation(session, name="Stadsbyggnadskontoret", short_name="SBK")
    w.hogdalen = factories.business_area(session, name="Högdalens industriområde")
    w.arsta = factories.business_area(session, name="Årsta partihallar")
    w.coordinator = factories.user(session, "coordinator", name="Saga Samordnare")
    w.department = factories.user(session, "department", organisation_id=w.tk.id, name="Tore Trafik")
    w.steering = factories.user(session, "steering", name="Stina Styrgrupp")
    w.admin = factories.user(session, "admin", name="Ada Admin")

    def add(title, received, *, area=None, source="web", level=None, status=None, orgs=(), priority="normal",
            **submitter):
        case = factories.case(session, clock=clock, title=title, description=f"Om {title.lower()}.",
                              received_at=received, source=source, business_area_id=area.id if area else None,
                              level=level, status=status, organisations=orgs, submitter=Submitter(**submitter))
        case.priority = priority
        session.add(case)
        return case

    w.a = add("Snöröjning saknas på Ågesta broväg", sthlm(2026, 11, 2, 9), area=w.hogdalen,
              company_name="Högdalens Bageri AB", contact_name="Bo Bagare", contact_email="bo@bageri.se",
              contact_phone="08-123 45 67", location="Ågesta broväg 3")
    w.c = add("Detaljplan för partihallarna", sthlm(2026, 11, 16), area=w.arsta, source="email", level=3,
              status="decided", orgs=[w.tk, w.sbk], priority="urgent")
    w.b = add("Belysning trasig vid lastkajen", sthlm(2026, 11, 10), area=w.hogdalen, source="phone", level=1,
              orgs=[w.tk], priority="high", contact_name="Lena Lager")
    w.d = add("Markanvisning för ny terminal", sthlm(2026, 11, 19), area=w.arsta, source="meeting", level=2,
              status="in_progress", orgs=[w.sbk])
    w.e = add("Avslutad fråga om skyltar", sthlm(2026, 11, 5), area=w.hogdalen, level=1, status="closed",
              orgs=[w.tk])
    w.f = add("Belysning saknas vid lastkajen", sthlm(2026, 11, 12), area=w.hogdalen, orgs=[w.tk])
    w.f.merged_into_id, w.f.status = w.b.id, "closed"
    session.add(w.f)
    session.add(CaseEvent(case_id=w.b.id, at=sthlm(2026, 11, 11, 9), kind="triaged", actor_user_id=w.coordinator.id,
                          to_level=1, facts={"changes": {"level": [None, 1]}}))
    session.add(CaseEvent(case_id=w.b.id, at=sthlm(2026, 11, 12, 15), kind="updated", actor_user_id=None,
                          rule="R3", reason="Ingen rapporterad framsteg", facts={}))
    w.tokens = {role: auth_services.issue_token(session, email=getattr(w, role).email)
                for role in ("coordinator", "department", "steering", "admin")}
    session.commit()
    w.label = {c.reference: name.upper() for name, c in vars(w).items() if len(name) == 1}
    return w


def call(client, w, role, method, url, **kwargs):
    headers = {"Authorization": f"Bearer {w.tokens[role]}"} if role else {}
    return getattr(client, method)(url, headers=headers, **kwargs)


def labels(w, body) -> list[str]:
    return [w.label[item["reference"]] for item in body["items"]]


# --- the list ----------------------------------------------------------------------------------------

def test_the_list_is_a_page_of_open_cases_oldest_first(client, w):
    response = call(client, w, "coordinator", "get", "/api/v1/cases")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "pages"}
    assert (body["total"], body["page"], body["pages"]) == (4, 1, 1)
    assert labels(w, body) == ["A", "B", "C", "D"]
    a = body["items"][0]
    assert set(a) == CASE_KEYS
    assert a == {**a, "reference": w.a.reference, "title": "Snöröjning saknas på Ågesta broväg", "source": "web",
                 "received_at": "2026-11-02T08:00:00Z", "status": "new", "level": None,
                 "business_area": w.hogdalen.id, "organisations": [], "priority": "normal", "overdue": True,
                 "company_name": "Högdalens Bageri AB", "contact_name": "Bo Bagare",
                 "contact_email": "bo@bageri.se", "contact_phone": "08-123 45 67", "location": "Ågesta broväg 3",
                 "merged_into": None, "history": None}
    c = body["items"][2]
    assert (c["level"], c["status"], c["organisations"], c["overdue"]) == \
        (3, "decided", sorted([w.tk.id, w.sbk.id]), False)


FILTERS = [
    ("level=0", ["A"]),
    ("level=1", ["B"]),
    ("level=2", ["D"]),
    ("level=3", ["C"]),
    ("business_area=@hogdalen", ["A", "B"]),
    ("business_area=@arsta", ["C", "D"]),
    ("organisation=@tk", ["B", "C"]),
    ("organisation=@sbk", ["C", "D"]),
    ("priority=urgent", ["C"]),
    ("priority=high", ["B"]),
    ("source=phone", ["B"]),
    ("source=email", ["C"]),
    ("overdue=true", ["A"]),
    ("overdue=false", ["A", "B", "C", "D"]),
    ("received_from=2026-11-16", ["C", "D"]),
    ("received_to=2026-11-10", ["A", "B"]),
    ("received_from=2026-11-10&received_to=2026-11-16", ["B", "C"]),
    ("q=snöröjning", ["A"]),
    ("q=lastkajen", ["B"]),
    ("q=SBR 2026/0004", ["D"]),
    ("q=Högdalens Bageri", ["A"]),
    ("status=closed", ["E"]),
    ("status=new", ["A"]),
    ("status=decided", ["C"]),
    ("business_area=@arsta&level=3", ["C"]),
    ("organisation=@tk&priority=high&level=1&source=phone", ["B"]),
    ("sort=received_desc", ["D", "C", "B", "A"]),
    ("sort=reference", ["D", "B", "C", "A"]),
    ("sort=priority", ["C", "B", "A", "D"]),
    ("focus_area=4", []),
]


@pytest.mark.parametrize("query, expected", FILTERS, ids=[f[0] for f in FILTERS])
def test_filters_and_sorts(client, w, query, expected):
    for name in ("hogdalen", "arsta", "tk", "sbk"):
        query = query.replace(f"@{name}", str(getattr(w, name).id))

    response = call(client, w, "coordinator", "get", f"/api/v1/cases?{query}")

    assert response.status_code == 200
    body = response.get_json()
    assert labels(w, body) == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("page, shown, answered_page", [(1, ["A", "B"], 1), (2, ["C", "D"], 2),
                                                        (3, ["C", "D"], 2), (100000, ["C", "D"], 2)])
def test_pages(client, w, page, shown, answered_page):
    body = call(client, w, "coordinator", "get", f"/api/v1/cases?page_size=2&page={page}").get_json()

    assert labels(w, body) == shown
    assert (body["total"], body["page"], body["pages"]) == (4, answered_page, 2)


def test_merged_cases_are_never_listed(client, w):
    for query in ("", "status=closed", "q=belysning", f"organisation={w.tk.id}&status=closed"):
        body = call(client, w, "coordinator", "get", f"/api/v1/cases?{query}").get_json()
        assert w.f.reference not in [i["reference"] for i in body["items"]], query


@pytest.mark.parametrize("query, field", [
    ("level=abc", "level"),
    ("level=4", "level"),
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page_size=201", "page_size"),
    ("focus_area=5", "focus_area"),
    ("priority=asap", "priority"),
    ("status=", "status"),
    ("source=fax", "source"),
    ("overdue=kanske", "overdue"),
    ("received_from=2026-13-45", "received_from"),
    ("received_to=igår", "received_to"),
    ("sort=id;drop table cases", "sort"),
    ("q=" + "x" * 201, "q"),
    ("q=a%00b", "q"),
    ("unknown=1", "unknown"),
])
def test_a_wrong_query_is_a_422_problem_naming_the_parameter(client, w, query, field):
    body = assert_problem(call(client, w, "coordinator", "get", f"/api/v1/cases?{query}"), 422)

    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("query", [f"business_area={10 ** 20}", f"organisation={10 ** 20}",
                                   "received_from=0001-01-01", "received_to=9999-12-31"])
def test_out_of_range_query_values_are_not_a_server_error(client, w, query):
    response = call(client, w, "coordinator", "get", f"/api/v1/cases?{query}")

    assert response.status_code in (200, 422)


# --- who sees what -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role, query, expected", [
    ("department", "", ["B", "C"]),
    ("department", "status=closed", ["E"]),
    ("department", "q=markanvisning", []),
    ("department", "level=2", []),
    ("steering", "", ["C"]),
    ("steering", "level=1", []),
    ("steering", "status=closed", []),
])
def test_each_role_lists_only_the_cases_it_may_see(client, w, role, query, expected):
    body = call(client, w, role, "get", f"/api/v1/cases?{query}").get_json()

    assert labels(w, body) == expected
    assert body["total"] == len(expected)


def test_contact_details_are_only_for_the_coordinator(client, w):
    for role in ("department", "steering"):
        for item in call(client, w, role, "get", "/api/v1/cases").get_json()["items"]:
            assert (item["contact_name"], item["contact_email"], item["contact_phone"]) == (None, None, None)
    b = call(client, w, "department", "get", f"/api/v1/cases/{slug(w.b)}").get_json()
    assert (b["contact_name"], b["contact_email"], b["contact_phone"]) == (None, None, None)
    assert b["company_name"] == ""  # not a contact detail
    coordinator = call(client, w, "coordinator", "get", f"/api/v1/cases/{slug(w.b)}").get_json()
    assert coordinator["contact_name"] == "Lena Lager"


@pytest.mark.parametrize("role, status", [("admin", 403), (None, 401)])
def test_administrators_and_strangers_get_no_cases(client, w, role, status):
    assert_problem(call(client, w, role, "get", "/api/v1/cases"), status)
    assert_problem(call(client, w, role, "get", f"/api/v1/cases/{slug(w.a)}"), status)


# --- one case ----------------------------------------------------------------------------------------

def test_one_case_with_its_history_newest_first(client, w):
    response = call(client, w, "coordinator", "get", f"/api/v1/cases/{slug(w.b)}")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CASE_KEYS
    assert (body["reference"], body["level"], body["organisations"], body["priority"]) == \
        (w.b.reference, 1, [w.tk.id], "high")
    assert [(e["kind"], e["at"], e["actor"], e["rule"]) for e in body["history"]] == [
        ("updated", "2026-11-12T14:00:00Z", None, "R3"),
        ("triaged", "2026-11-11T08:00:00Z", "Saga Samordnare", None),
        ("received", "2026-11-10T09:00:00Z", None, None),
    ]
    assert body["history"][0]["reason"] == "Ingen rapporterad framsteg"
    assert set(body["history"][0]) == {"at", "kind", "actor", "rule", "from_level", "to_level", "reason", "facts"}


def test_a_merged_case_says_where_it_went(client, w):
    body = call(client, w, "coordinator", "get", f"/api/v1/cases/{slug(w.f)}").get_json()

    assert (body["status"], body["merged_into"]) == ("closed", w.b.reference)


@pytest.mark.parametrize("role, case", [
    ("coordinator", "SBR-2026-0999"),
    ("coordinator", "hello"),
    ("coordinator", "SBR-1999-0001"),
    ("department", "@d"),       # SBK's case
    ("department", "@a"),       # untriaged, no organisation yet
    ("steering", "@b"),         # level 1
    ("steering", "@a"),
])
def test_an_unknown_or_invisible_case_is_the_same_404_problem(client, w, role, case):
    ref = slug(getattr(w, case[1:])) if case.startswith("@") else case

    body = assert_problem(call(client, w, role, "get", f"/api/v1/cases/{ref}"), 404)

    assert body["detail"] == f"There is no case {ref} that you may see."
    assert body["errors"] == {}


def test_the_visible_cases_are_readable_by_each_role(client, w):
    assert call(client, w, "department", "get", f"/api/v1/cases/{slug(w.c)}").status_code == 200
    assert call(client, w, "department", "get", f"/api/v1/cases/{slug(w.e)}").status_code == 200
    assert call(client, w, "steering", "get", f"/api/v1/cases/{slug(w.c)}").status_code == 200


# --- registering a case --------------------------------------------------------------------------------

NEW = {"title": "Trasig grind vid infarten", "description": "Ringde in i morse.", "source": "phone",
       "received_at": "2026-11-18T10:00:00+01:00", "company_name": "Lager & Logistik AB",
       "contact_name": "Lena Lager", "contact_phone": "08-765 43 21"}


def test_the_coordinator_registers_a_case(app, client, w):
    response = call(client, w, "coordinator", "post", "/api/v1/cases",
                    json={**NEW, "business_area": w.hogdalen.id, "organisation_number": "556677-8899"})

    assert response.status_code == 201
    body = response.get_json()
    assert body["reference"] == "SBR 2026/0007"
    assert datetime.fromisoformat(body["received_at"]) == sthlm(2026, 11, 18, 10)
    assert body == {**body, "title": "Trasig grind vid infarten", "source": "phone", "status": "new", "level": None,
                    "business_area": w.hogdalen.id, "organisations": [],
                    "company_name": "Lager & Logistik AB", "organisation_number": "556677-8899",
                    "contact_name": "Lena Lager", "overdue": True, "merged_into": None}
    assert [(e["kind"], datetime.fromisoformat(e["at"]), e["actor"], e["facts"]["source"]) for e in body["history"]] \
        == [("received", sthlm(2026, 11, 18, 10), "Saga Samordnare", "phone")]
    again = call(client, w, "coordinator", "get", "/api/v1/cases/SBR-2026-0007").get_json()
    assert again["title"] == "Trasig grind vid infarten"
    assert "SBR 2026/0007" in [i["reference"] for i in
                               call(client, w, "coordinator", "get", "/api/v1/cases?level=0").get_json()["items"]]


@pytest.mark.parametrize("received_at", [0, 1732350000, True, None, "yesterday", "igår", "2026-11-20",
                                         "2026-11-20T10:00:00", "2026-11-20 10:00", "2026-11-24T10:00:00+01:00",
                                         "2026-11-23T09:00:01Z", "9999-12-31T23:59:59-14:00", [], {}])
def test_a_received_time_that_is_not_a_real_past_instant_is_a_422_problem(app, client, w, received_at):
    before = case_count(app)

    response = call(client, w, "coordinator", "post", "/api/v1/cases", json={**NEW, "received_at": received_at})

    body = assert_problem(response, 422)
    assert list(body["errors"]) == ["received_at"]
    assert case_count(app) == before


@pytest.mark.parametrize("changes, field", [
    ({"priority": "high"}, "priority"),
    ({"level": 2}, "level"),
    ({"reference": "SBR 2026/0001"}, "reference"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"title": 5}, "title"),
    ({"description": None}, "description"),
    ({"source": "fax"}, "source"),
    ({"source": "web "}, "source"),
    ({"business_area": "1"}, "business_area"),
    ({"business_area": 1.0}, "business_area"),
    ({"business_area": True}, "business_area"),
    ({"organisation_number": "123"}, "organisation_number"),
    ({"contact_phone": "1" * 41}, "contact_phone"),
])
def test_a_wrong_registration_is_a_422_problem_naming_the_field(app, client, w, changes, field):
    before = case_count(app)

    body = assert_problem(call(client, w, "coordinator", "post", "/api/v1/cases", json={**NEW, **changes}), 422)

    assert list(body["errors"]) == [field]
    assert case_count(app) == before


def test_a_missing_field_is_named(app, client, w):
    body = assert_problem(call(client, w, "coordinator", "post", "/api/v1/cases", json={"title": "Bara rubrik"}),
                          422)

    assert set(body["errors"]) == {"description", "source", "received_at"}


@pytest.mark.parametrize("payload", ["", "{", "null", "[]", "42", '"text"'])
def test_a_body_that_is_not_an_object_is_a_422_problem(app, client, w, payload):
    response = call(client, w, "coordinator", "post", "/api/v1/cases", data=payload,
                    content_type="application/json")

    assert_problem(response, 422)


@pytest.mark.parametrize("role, status", [("department", 403), ("steering", 403), ("admin", 403), (None, 401)])
def test_only_the_coordinator_registers(app, client, w, role, status):
    before = case_count(app)

    assert_problem(call(client, w, role, "post", "/api/v1/cases", json=NEW), status)

    assert case_count(app) == before


@pytest.mark.parametrize("changes", [{"received_at": "0001-01-01T00:00:00+14:00"}, {"business_area": 10 ** 20}])
def test_out_of_range_registration_values_are_a_422_problem(client, w, changes):
    assert_problem(call(client, w, "coordinator", "post", "/api/v1/cases", json={**NEW, **changes}), 422)


def test_domain_errors_name_the_fields_of_the_request(client, w):
    created = assert_problem(call(client, w, "coordinator", "post", "/api/v1/cases",
                                  json={**NEW, "business_area": 999999}), 422)
    triaged = assert_problem(call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                                  json={**TRIAGE_OF(w), "business_area": 999999, "organisations": [999999]}), 422)

    assert list(created["errors"]) == ["business_area"]
    assert set(triaged["errors"]) == {"business_area", "organisations"}


# --- triage ------------------------------------------------------------------------------------------

def TRIAGE_OF(w) -> dict:  # noqa: N802 - reads like the constant it stands for
    """A triage that triggers no routing rule: level 2, no flags, a cost within the mandate."""
    return {"business_area": w.hogdalen.id, "focus_area": 3, "category": "maintenance",
            "organisations": [w.sbk.id, w.tk.id], "priority": "high", "estimated_cost_sek": 250_000,
            "level": 2, "version": 1}


def test_triage_answers_with_the_new_level_organisations_and_history(app, client, w):
    response = call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage", json=TRIAGE_OF(w))

    assert response.status_code == 200
    body = response.get_json()
    assert body == {**body, "status": "triaged", "level": 2, "organisations": sorted([w.tk.id, w.sbk.id]),
                    "business_area": w.hogdalen.id, "focus_area": 3, "category": "maintenance",
                    "priority": "high", "estimated_cost_sek": 250_000, "overdue": False}
    first = body["history"][0]
    assert (first["kind"], first["actor"], first["from_level"], first["to_level"], first["at"]) == \
        ("triaged", "Saga Samordnare", None, 2, "2026-11-23T09:00:00Z")
    assert first["facts"]["changes"]["level"] == [None, 2]
    with fresh(app) as s:
        case = s.get(Case, w.a.id)
        assert (case.status, case.level, case.version) == ("triaged", 2, 2)
        assert set(s.exec(select(CaseOrganisation.organisation_id).where(CaseOrganisation.case_id == w.a.id))) \
            == {w.tk.id, w.sbk.id}


def test_triage_without_a_version_or_level_starts_in_the_work_group(client, w):
    data = {k: v for k, v in TRIAGE_OF(w).items() if k not in ("version", "level")}
    data["organisations"] = [w.tk.id]

    body = call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage", json=data).get_json()

    assert (body["level"], body["organisations"]) == (1, [w.tk.id])


@pytest.mark.parametrize("changes, field", [
    ({"business_area": str(1)}, "business_area"),
    ({"business_area": None}, "business_area"),
    ({"focus_area": 5}, "focus_area"),
    ({"focus_area": 0}, "focus_area"),
    ({"focus_area": "3"}, "focus_area"),
    ({"category": "väder"}, "category"),
    ({"organisations": "1"}, "organisations"),
    ({"organisations": ["x"]}, "organisations.0"),
    ({"organisations": [1.5]}, "organisations.0"),
    ({"organisations": list(range(1, 60))}, "organisations"),
    ({"priority": "asap"}, "priority"),
    ({"major_significance": "yes"}, "major_significance"),
    ({"needs_political_decision": 1}, "needs_political_decision"),
    ({"estimated_cost_sek": -1}, "estimated_cost_sek"),
    ({"estimated_cost_sek": 1.5}, "estimated_cost_sek"),
    ({"estimated_cost_sek": "tolv"}, "estimated_cost_sek"),
    ({"estimated_cost_sek": 10 ** 13}, "estimated_cost_sek"),
    ({"level": 4}, "level"),
    ({"level": 0}, "level"),
    ({"level": "2"}, "level"),
    ({"version": "1"}, "version"),
    ({"status": "closed"}, "status"),
])
def test_wrong_triage_input_is_a_422_problem_and_changes_nothing(app, client, w, changes, field):
    data = {**TRIAGE_OF(w), **changes}

    body = assert_problem(call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage", json=data),
                          422)

    assert list(body["errors"]) == [field]
    with fresh(app) as s:
        case = s.get(Case, w.a.id)
        assert (case.status, case.level, case.version) == ("new", None, 1)


@pytest.mark.parametrize("changes", [{"business_area": 999999}, {"organisations": [999999]}])
def test_unknown_ids_in_a_triage_are_a_422_problem(app, client, w, changes):
    body = assert_problem(call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                               json={**TRIAGE_OF(w), **changes}), 422)

    assert len(body["errors"]) == 1
    with fresh(app) as s:
        assert s.get(Case, w.a.id).version == 1


def test_a_stale_version_is_a_409_problem_and_nothing_is_overwritten(app, client, w):
    first = call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                 json={**TRIAGE_OF(w), "priority": "low", "organisations": [w.tk.id]})
    second = call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                  json={**TRIAGE_OF(w), "priority": "urgent", "level": 3})

    assert first.status_code == 200
    body = assert_problem(second, 409)
    assert body["errors"] == {"version": ["current version: 2"]}
    with fresh(app) as s:
        case = s.get(Case, w.a.id)
        assert (case.priority, case.level, case.version) == ("low", 2, 2)
        assert [e.kind for e in s.exec(select(CaseEvent).where(CaseEvent.case_id == w.a.id))] == \
            ["received", "triaged"]
    current = call(client, w, "coordinator", "get", f"/api/v1/cases/{slug(w.a)}").get_json()
    assert current["priority"] == "low"


def test_a_closed_case_cannot_be_triaged(app, client, w):
    body = assert_problem(call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.e)}/triage",
                               json={**TRIAGE_OF(w), "version": None}), 422)

    assert "avslutat" in body["detail"]
    with fresh(app) as s:
        assert s.get(Case, w.e.id).status == "closed"


@pytest.mark.parametrize("role, ref, status", [
    ("department", "@b", 403), ("steering", "@c", 403), ("admin", "@a", 403), (None, "@a", 401),
    ("coordinator", "SBR-2026-0999", 404), ("coordinator", "x", 404),
])
def test_who_may_not_triage(app, client, w, role, ref, status):
    ref = slug(getattr(w, ref[1:])) if ref.startswith("@") else ref

    assert_problem(call(client, w, role, "post", f"/api/v1/cases/{ref}/triage",
                        json={**TRIAGE_OF(w), "version": None}), status)

    with fresh(app) as s:
        assert s.exec(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "triaged")).one() == 1


@pytest.mark.parametrize("changes", [{"business_area": 10 ** 20}, {"organisations": [10 ** 20]}])
def test_out_of_range_ids_in_a_triage_are_a_422_problem(client, w, changes):
    assert_problem(call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                        json={**TRIAGE_OF(w), **changes}), 422)


# --- no input makes the API fail ------------------------------------------------------------------------
# Integers of any size (also beyond the database's integer columns) and times of any year.

ANY_INT = st.one_of(st.integers(), st.sampled_from([2 ** 31, -(2 ** 31) - 1, 2 ** 63, 10 ** 20]))
SCALARS = st.one_of(st.none(), st.booleans(), ANY_INT, st.floats(), st.text(max_size=30))
JSON = st.recursive(SCALARS, lambda children: st.one_of(st.lists(children, max_size=4),
                                                        st.dictionaries(st.text(max_size=10), children, max_size=4)),
                    max_leaves=12)
TIMES = st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(lambda d: d.isoformat())
WILD = st.one_of(JSON, TIMES, st.sampled_from(["web", "phone", "maintenance", "urgent", "2026-11-20T10:00:00+01:00",
                                               "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                               "SBR 2026/0001", ""]))


def _fields(names):
    return st.fixed_dictionaries({}, optional={name: WILD for name in names})


CREATE_FIELDS = ["title", "description", "source", "received_at", "business_area", "company_name",
                 "organisation_number", "contact_name", "contact_email", "contact_phone", "location", "priority"]
TRIAGE_FIELDS = ["business_area", "focus_area", "category", "organisations", "priority", "major_significance",
                 "needs_department_head_decision", "needs_political_decision", "estimated_cost_sek", "level",
                 "version", "status"]


def assert_not_a_server_error(response):
    assert response.status_code < 500, response.data[:500]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert set(response.get_json()) == PROBLEM_KEYS


FUZZ = settings(max_examples=80, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(payload=st.one_of(JSON, _fields(CREATE_FIELDS), _fields(CREATE_FIELDS[:4]).map(lambda d: {**NEW, **d})))
def test_no_json_makes_registration_fail(client, w, payload):
    response = call(client, w, "coordinator", "post", "/api/v1/cases", data=json.dumps(payload),
                    content_type="application/json")

    assert_not_a_server_error(response)
    if response.status_code == 201:
        assert response.get_json()["status"] == "new"


@FUZZ
@given(payload=st.one_of(JSON, _fields(TRIAGE_FIELDS)))
def test_no_json_makes_triage_fail(client, w, payload):
    response = call(client, w, "coordinator", "post", f"/api/v1/cases/{slug(w.a)}/triage",
                    data=json.dumps(payload), content_type="application/json")

    assert_not_a_server_error(response)
    if response.status_code == 200:
        assert response.get_json()["status"] == "triaged"


QUERY_KEYS = st.sampled_from(["status", "level", "business_area", "focus_area", "organisation", "priority",
                              "overdue", "source", "received_from", "received_to", "q", "sort", "page", "page_size",
                              "x", ""])
QUERY_VALUES = st.one_of(st.text(max_size=30), ANY_INT.map(str),
                         st.dates().map(date.isoformat),
                         st.sampled_from(["", "open", "closed", "0", "3", "true", "false", "received_desc",
                                          "urgent", "web", "2026-11-23", "0001-01-01", "9999-12-31",
                                          str(2 ** 31), str(10 ** 20)]))


@FUZZ
@given(pairs=st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=6))
def test_no_query_string_makes_the_list_fail(client, w, pairs):
    response = call(client, w, "coordinator", "get", "/api/v1/cases", query_string=pairs)

    assert_not_a_server_error(response)
    if response.status_code == 200:
        body = response.get_json()
        assert body["page"] <= body["pages"] and len(body["items"]) <= body["total"]

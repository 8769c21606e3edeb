"""The queue filtered by the routing rule that escalated a case, which is where the start page's
"escalations by rule" numbers lead: the service, the page, the dashboard's links and bad values."""

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from coordination.access import case_scope
from coordination.auth.models import Role
from coordination.cases.models import CaseEvent
from coordination.cases.queue import MANUAL_ESCALATION, QueueFilters, list_cases
from coordination.clock import STOCKHOLM, WorkingDays
from tests import factories
from tests.test_queue import references, sign_in


def sthlm(y, m, d, hh=10):
    return datetime(y, m, d, hh, tzinfo=STOCKHOLM)


@pytest.fixture
def world(session, clock):
    """Four cases (now is 2026-11-23): r2 escalated by R2 in October, r2_old by R2 in 2024 (outside
    the dashboard's 12 months), both by R2 and by R4 (R2 twice), manual by a person; quiet never."""
    coordinator = factories.user(session, Role.coordinator, email="samordnare@example.se")
    cases = {name: factories.case(session, clock=clock, level=2, title=f"Fall {name}", received_at=sthlm(2024, 1, 8))
             for name in ("r2", "r2_old", "both", "manual", "quiet")}

    def escalated(name, at, rule):
        session.add(CaseEvent(case_id=cases[name].id, at=at, kind="escalated", rule=rule, from_level=1, to_level=2))

    escalated("r2", sthlm(2026, 10, 5), "R2")
    escalated("r2_old", sthlm(2024, 3, 4), "R2")
    escalated("both", sthlm(2026, 6, 1), "R2")
    escalated("both", sthlm(2026, 9, 1), "R2")
    escalated("both", sthlm(2026, 9, 20), "R4")
    escalated("manual", sthlm(2026, 8, 3), None)
    # Another kind of event naming R2 is not an escalation.
    session.add(CaseEvent(case_id=cases["quiet"].id, at=sthlm(2026, 10, 1), kind="flagged", rule="R2"))
    session.commit()
    return {"coordinator": coordinator, "cases": cases,
            "refs": {name: c.reference for name, c in cases.items()}}


def _listed(session, clock, world, **filters):
    page = list_cases(session, QueueFilters(status=None, **filters), scope=case_scope(world["coordinator"]),
                      clock=clock, working_days=WorkingDays())
    names = {c.reference: n for n, c in world["cases"].items()}
    return sorted(names[row.case.reference] for row in page.rows)


@pytest.mark.parametrize("filters, expected", [
    (dict(escalated_by="R2"), ["both", "r2", "r2_old"]),
    (dict(escalated_by="R2", escalated_from=date(2025, 11, 1)), ["both", "r2"]),
    (dict(escalated_by="R2", escalated_from=date(2026, 10, 5)), ["r2"]),      # the day itself counts
    (dict(escalated_by="R2", escalated_from=date(2026, 10, 6)), []),
    (dict(escalated_by="R4"), ["both"]),
    (dict(escalated_by=MANUAL_ESCALATION), ["manual"]),
    (dict(escalated_by="R6"), []),
    (dict(), ["both", "manual", "quiet", "r2", "r2_old"]),
])
def test_the_service_lists_each_case_escalated_by_the_rule_once(session, clock, world, filters, expected):
    assert _listed(session, clock, world, **filters) == expected


def test_the_filter_combines_with_the_others(session, clock, world):
    assert _listed(session, clock, world, escalated_by="R2", q="Fall r2_old") == ["r2_old"]
    assert _listed(session, clock, world, escalated_by="R2", level=3) == []


def test_the_page_offers_the_rules_and_filters_by_them(client, world):
    sign_in(client, world["coordinator"])
    html = client.get("/arenden?status=&escalated_by=R2&escalated_from=2025-11-01").get_data(as_text=True)
    assert sorted(references(html)) == sorted([world["refs"]["r2"], world["refs"]["both"]])
    assert re.search(r'<option selected value="R2">R2 ', html) or re.search(r'<option value="R2" selected>', html)
    assert 'value="manual"' in html


@pytest.mark.parametrize("query, field", [
    ("escalated_by=R99", "escalated_by"),
    ("escalated_by=R2&escalated_from=2026-13-01", "escalated_from"),
])
def test_a_wrong_rule_or_date_is_a_400_that_says_which(client, world, query, field):
    sign_in(client, world["coordinator"])
    response = client.get(f"/arenden?{query}")
    assert response.status_code == 400
    assert f'href="#{field}"' in response.get_data(as_text=True)


def test_each_escalations_number_on_the_start_page_opens_the_cases_behind_it(client, world):
    sign_in(client, world["coordinator"])
    html = client.get("/").get_data(as_text=True)
    section = html.split("Eskaleringar per regel", 1)[-1] if "Eskaleringar per regel" in html else html
    links = re.findall(r'<a href="(/arenden\?[^"]*escalated_by=[^"]*)">(\d+)<span', section)
    counts = {parse_qs(urlsplit(href.replace("&amp;", "&")).query)["escalated_by"][0]: (href, int(n))
              for href, n in links}
    # Escalations in the last twelve months (since 2025-11-01): R2 three times, R4 and a person once.
    assert {k: n for k, (_h, n) in counts.items()} == {"R2": 3, "R4": 1, MANUAL_ESCALATION: 1}
    expected = {"R2": ["both", "r2"], "R4": ["both"], MANUAL_ESCALATION: ["manual"]}
    names = {ref: name for name, ref in world["refs"].items()}
    for key, (href, _n) in counts.items():
        page = client.get(href.replace("&amp;", "&"))
        assert page.status_code == 200
        assert sorted(names[r] for r in references(page.get_data(as_text=True))) == expected[key]

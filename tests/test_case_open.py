"""`case_organisations.case_open` (migration 0016) is kept by the database from the case, whatever
the application writes, and a department's count of its open cases read from it equals the count
of the cases it may see."""

import pytest
from sqlalchemy import text

from coordination.access import case_scope, scope_organisation
from coordination.cases.models import Case, CaseOrganisation
from coordination.cases.queue import QueueFilters, list_cases
from coordination.clock import WorkingDays
from tests import factories


def flags(session, case_id) -> set[bool]:
    session.expire_all()
    return {bool(v) for v in session.execute(
        text("SELECT case_open FROM case_organisations WHERE case_id = :id"), {"id": case_id}).scalars()}


def set_case(session, case, **values):
    for key, value in values.items():
        setattr(case, key, value)
    session.add(case)
    session.commit()


def test_the_rows_follow_their_case_through_closing_reopening_and_merging(session, clock):
    tk, sbk = factories.organisation(session), factories.organisation(session)
    case = factories.case(session, clock=clock, level=1, organisations=[tk, sbk])
    other = factories.case(session, clock=clock, level=1, organisations=[tk])
    session.commit()
    assert flags(session, case.id) == {True}
    set_case(session, case, status="closed")
    assert flags(session, case.id) == {False} and flags(session, other.id) == {True}
    set_case(session, case, status="in_progress")
    assert flags(session, case.id) == {True}
    set_case(session, case, merged_into_id=other.id)
    assert flags(session, case.id) == {False} and flags(session, other.id) == {True}


def test_a_row_takes_its_cases_state_whatever_the_application_sends(session, clock):
    tk, sbk = factories.organisation(session), factories.organisation(session)
    closed = factories.case(session, clock=clock, level=1, status="closed")
    open_case = factories.case(session, clock=clock, level=1)
    session.commit()
    row = CaseOrganisation(case_id=closed.id, organisation_id=tk.id, case_open=True)
    session.add(row)
    session.commit()
    assert flags(session, closed.id) == {False}
    # Moved to another case: it takes that case's state.
    session.execute(text("UPDATE case_organisations SET case_id = :to WHERE id = :id"),
                    {"to": open_case.id, "id": row.id})
    session.commit()
    assert flags(session, open_case.id) == {True} and flags(session, closed.id) == set()
    session.add(CaseOrganisation(case_id=open_case.id, organisation_id=sbk.id, case_open=False))
    session.commit()
    assert flags(session, open_case.id) == {True}


@pytest.mark.parametrize("q", ["", "Belysning"])
def test_a_departments_count_of_open_cases_is_the_number_it_may_see(session, clock, q):
    tk, sbk = factories.organisation(session), factories.organisation(session)
    official = factories.user(session, "department", organisation_id=tk.id)
    cases = [factories.case(session, clock=clock, level=1, title=f"Belysning {i}" if i % 2 else f"Skyltar {i}",
                            organisations=[tk] if i % 3 else [tk, sbk]) for i in range(12)]
    factories.case(session, clock=clock, level=1, title="Belysning hos någon annan", organisations=[sbk])
    session.commit()
    set_case(session, cases[0], status="closed")
    set_case(session, cases[1], status="closed")
    set_case(session, cases[2], merged_into_id=cases[3].id)
    working_days = WorkingDays()

    def page(scope_organisation_id):
        return list_cases(session, QueueFilters(q=q, sort="received_desc", page_size=5), scope=case_scope(official),
                          clock=clock, working_days=working_days, scope_organisation_id=scope_organisation_id)

    expected = [c for c in cases[3:] if not q or c.title.startswith(q)]
    from_rows, checked = page(scope_organisation(official)), page(None)
    assert from_rows.total == checked.total == len(expected)
    assert [r.case.id for r in from_rows.rows] == [r.case.id for r in checked.rows]
    assert scope_organisation(factories.user(session, "coordinator")) is None
    assert session.get(Case, cases[0].id).status == "closed"

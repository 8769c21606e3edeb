"""The benchmark's own checks, small enough for the suite: the generator makes what it promises,
every measured page issues the same number of SQL statements at two sizes, and on PostgreSQL
the queue's main queries and agenda generation's are answered from indexes (no sequential scan
of `cases`)."""

import json
from datetime import datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from bench.generate import HEAVY_TITLE, generate
from bench.report import markdown
from bench.run import make_app, measure_pages, page_targets
from coordination.cases.models import Case
from coordination.clock import STOCKHOLM, FixedClock, WorkingDays
from coordination.meetings.models import Meeting, MeetingSeries
from coordination.meetings.services import generate_agenda
from coordination.organisations.models import Group, GroupKind
from coordination.routing.engine import sweep
from tests.conftest import PG_URL, get_counting, statements

NOW = datetime(2026, 11, 23, 10, tzinfo=STOCKHOLM)


def test_the_generator_makes_the_promised_proportions_consistent_with_the_rules(database_url):
    result = generate(database_url, 600, now=NOW, log=lambda *_: None)
    engine = create_engine(database_url)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Case))
        open_ = session.scalar(select(func.count()).select_from(Case).where(Case.status != "closed"))
        heavy = session.scalar(select(Case).where(Case.title == HEAVY_TITLE))
        events = session.scalar(text("SELECT count(*) FROM case_events WHERE case_id = :id"), {"id": heavy.id})
        assert total == 600 + 5  # and the demo's five
        assert 0.12 < open_ / total < 0.30
        assert heavy.reference == result.heavy_case_reference and heavy.level == 2 and events == 200
        assert result.counts["case_events"] > 3 * 600 and result.counts["meetings"] == 600 // 40
        # Placed as the rules would have placed them: a sweep finds only the demo's cases to move.
        report = sweep(session, clock=FixedClock(NOW), working_days=WorkingDays(), base_url="http://x",
                       dry_run=True)
        demo = set(session.scalars(select(Case.reference).where(Case.title.in_(
            ("Snöröjning av Ågesta broväg", "Otrygg miljö vid Trädgårdshallen", "Detaljplan för ny infart",
             "Tillfälliga markupplåtelser vid vägarbete", "Utbyggnad av Årsta Partihallar")))))
        assert len(demo) == 5
        assert {f.reference for f in report.firings} <= demo, report.as_dict()
    engine.dispose()


def _statements_per_page(url: str, heavy: str) -> dict[str, int]:
    app = make_app(url, PAGE_CACHE_SECONDS=0)
    try:
        pages = measure_pages({0: (app, page_targets(app, heavy))}, repeat=2)[0]
    finally:
        app.extensions["db_engine"].dispose()
    assert all(p["queries_stable"] for p in pages.values()), pages
    return {name: p["queries"] for name, p in pages.items()}


def test_every_measured_page_costs_the_same_statements_at_two_sizes(database_url):
    small = generate(database_url, 150, now=NOW, log=lambda *_: None)
    at_small = _statements_per_page(database_url, small.heavy_case_reference)
    generate(database_url, 450, now=NOW, seed=2, append=True, log=lambda *_: None)
    at_large = _statements_per_page(database_url, small.heavy_case_reference)
    assert set(at_small) == {"queue", "queue_business_area", "queue_search", "queue_last_page",
                             "case_page_200_events", "min_forvaltning", "dashboard", "agenda"}
    assert at_small == at_large
    # A fixed few each; the case page is the most (its parts, and the audit log's entry for the
    # coordinator's read of the contact details).
    assert all(0 < n <= 24 for n in at_large.values()), at_large


def _plans(engine, run) -> list[tuple[str, str]]:
    """(statement, its EXPLAIN) of each SELECT of `run` (statements recorded with their values)."""
    found = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement in run:
            if statement.lstrip().upper().startswith("SELECT"):
                with raw.cursor() as cursor:
                    cursor.execute("EXPLAIN " + statement, statement.parameters)
                    found.append((str(statement), "\n".join(row[0] for row in cursor.fetchall())))
    return found


@pytest.mark.skipif(not PG_URL, reason="EXPLAIN of PostgreSQL plans")
def test_the_queue_and_the_agenda_read_cases_through_indexes_at_10000_cases(database_url):
    generated = generate(database_url, 10_000, now=NOW, log=lambda *_: None)
    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    engine = app.extensions["db_engine"]
    targets = page_targets(app, generated.heavy_case_reference)
    client = app.test_client()
    client.post("/logga-in", data={"email": "samordnare@demo.stockholm.se", "password": "samordning-demo"})
    plans = {}
    # And a search few cases match (the company's name): read through the search's index, not by
    # walking the open cases in the page's order (queue.FEW).
    targets["queue_search_rare"] = (None, targets["queue_search"][1])
    for name in ("queue", "queue_business_area", "queue_search_rare"):
        response, run = get_counting(app, client, targets[name][1])
        assert response.status_code == 200
        plans[name] = [plan for statement, plan in _plans(engine, run) if "FROM cases" in statement]
        assert plans[name], name
    for name, found in plans.items():
        for plan in found:
            assert "Seq Scan on cases" not in plan, f"{name}:\n{plan}"
    assert all("ix_cases_search_vector" in plan for plan in plans["queue_search_rare"]), plans["queue_search_rare"]

    # Agenda generation for the coordination group: why each case is here comes from the index of
    # level changes, not from every event; the cases prepared for a committee (none here) from
    # their own index, not from every open case.
    with Session(engine) as session:
        meeting = session.scalar(select(Meeting).join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
                                 .join(Group, Group.id == MeetingSeries.group_id)
                                 .where(Group.kind == GroupKind.coordination_group.value, Meeting.starts_at > NOW)
                                 .order_by(Meeting.starts_at))
        with statements(engine) as run:
            generate_agenda(session, meeting, clock=FixedClock(NOW), working_days=WorkingDays())
        session.rollback()
    agenda_plans = _plans(engine, run)
    app.extensions["db_engine"].dispose()
    why = [plan for statement, plan in agenda_plans if "case_events.to_level IS NOT NULL" in statement]
    committee = [plan for statement, plan in agenda_plans if "prepared_for_committee IS true" in statement]
    assert len(why) == 1 and "ix_case_events_level_changes" in why[0], why
    assert "Seq Scan on case_events" not in why[0], why[0]
    assert len(committee) == 1 and "ix_cases_open_committee" in committee[0], committee
    for statement, plan in agenda_plans:
        assert "Seq Scan on cases" not in plan, f"{statement}\n{plan}"


@pytest.mark.skipif(bool(PG_URL), reason="EXPLAIN QUERY PLAN of SQLite (PostgreSQL: the test above)")
def test_sqlite_reads_a_queue_page_in_the_order_shown_instead_of_sorting_the_open_cases(database_url):
    """The open queue, its last page, a business area's and a department's open cases and its open
    action items: each page's rows come from an index of open cases or action items read in order
    (migration 0015), never a sort of all of them (SQLite has no statistics, so the plan is the
    same at every size)."""
    from bench.run import logged_in

    generated = generate(database_url, 600, now=NOW, log=lambda *_: None)
    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    engine = app.extensions["db_engine"]
    targets = page_targets(app, generated.heavy_case_reference)
    plans = {}
    for name in ("queue", "queue_last_page", "queue_business_area", "min_forvaltning"):
        who, path = targets[name]
        response, run = get_counting(app, logged_in(app, who), path)
        assert response.status_code == 200
        seen = [s for s in run if s.lstrip().startswith(("SELECT cases.id", "SELECT action_items.id")) and "LIMIT" in s]
        assert len(seen) == (2 if name == "min_forvaltning" else 1), (name, seen)
        with engine.connect() as conn:
            for statement in seen:
                table = statement.split(".", 1)[0].split()[-1]
                plans[(name, table)] = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                               statement.parameters)]
    engine.dispose()
    assert set(plans) == {("queue", "cases"), ("queue_last_page", "cases"), ("queue_business_area", "cases"),
                          ("min_forvaltning", "cases"), ("min_forvaltning", "action_items")}
    for (name, table), plan in plans.items():
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (name, table, plan)
        index = "ix_cases_open_" if table == "cases" else "ix_action_items_open_org_due_date"
        assert any(index in step for step in plan), (name, table, plan)


def test_a_departments_open_cases_are_counted_from_its_open_rows_alone(database_url):
    """Min förvaltning's count of the organisation's open cases reads the organisation's open
    case rows (migration 0016) and nothing else, instead of checking every open case."""
    from bench.run import logged_in

    generated = generate(database_url, 150, now=NOW, log=lambda *_: None)
    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    engine = app.extensions["db_engine"]
    who, path = page_targets(app, generated.heavy_case_reference)["min_forvaltning"]
    response, run = get_counting(app, logged_in(app, who), path)
    assert response.status_code == 200
    seen = [s for s in run if "count(" in s.lower() and "case_organisations" in s]
    assert len(seen) == 1, seen
    statement = seen[0]
    assert " cases" not in statement.replace("case_organisations", ""), statement
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, statement.parameters)]
        assert any("ix_case_organisations_open_organisation_id" in step for step in plan), plan
    engine.dispose()


def test_the_report_marks_each_target_met_or_missed():
    page = {"median_ms": 10.0, "p95_ms": 12.0, "queries": 9}
    slow = {"median_ms": 20.0, "p95_ms": 25.0, "queries": 9}
    jobs = {"routing_sweep": {"seconds": 1.0, "statements": 30, "open_cases": 200},
            "agenda_generation": {"seconds": 2.0, "statements": 21}}
    results = {"settings": {"gunicorn_workers": 4, "wrk": "2 threads, 16 connections", "load_seconds": 20},
               "runs": [{"database": "postgresql", "cases": 1000, "pages": {"queue": page, "case_page_200_events": page},
                         "jobs": jobs},
                        {"database": "postgresql", "cases": 100000,
                         "pages": {"queue": slow, "case_page_200_events": page}, "jobs": jobs}]}
    text_ = markdown(json.loads(json.dumps(results)))
    assert "| queue | 10.0 / 12.0 (9) | 20.0 / 25.0 (9) | 2.00 ✗ missed | ✓ |" in text_
    assert "| case_page_200_events | 10.0 / 12.0 (9) | 10.0 / 12.0 (9) | 1.00 ✓ | ✓ |" in text_
    assert "queue at 100 000 cases, one connection: 20.0 ms (target ≤ 15 ms) ✗ missed" in text_
    assert "agenda generation 2.0 s (target < 1 s) ✗ missed" in text_


def test_the_throughput_share_is_of_the_hello_world_measured_beside_the_routes():
    page = {"median_ms": 10.0, "p95_ms": 12.0, "queries": 9}
    jobs = {"routing_sweep": {"seconds": 1.0, "statements": 30, "open_cases": 200},
            "agenda_generation": {"seconds": 0.5, "statements": 21}}
    rss = {"1": 100 * 1024}

    def load(queue, case_page, hello=None):
        measured = {"queue": {"requests_per_s": queue, "p99_ms": 5.0, "non_2xx": 0},
                    "case_page_200_events": {"requests_per_s": case_page, "p99_ms": 9.0, "non_2xx": 0},
                    "rss_kib_before": rss, "rss_kib_after": rss}
        return measured | ({"hello_world": {"requests_per_s": hello, "p99_ms": 4.0}} if hello else {})

    def run(cases, **kwargs):
        return {"database": "postgresql", "cases": cases, "pages": {"queue": page, "case_page_200_events": page},
                "jobs": jobs,
                "load": load(**kwargs)}

    settings = {"gunicorn_workers": 4, "wrk": "2 threads, 16 connections", "load_seconds": 20}
    beside = markdown({"settings": settings, "hello_world": {"requests_per_s": 4000.0, "p99_ms": 4.0},
                       "runs": [run(1000, queue=1000, case_page=900, hello=2000),
                                run(100000, queue=1000, case_page=700, hello=2000)]})
    assert "| case_page_200_events | 1 000 | 900 | 9.0 | 2000 | 45% (target ≥ 40%) ✓ |" in beside
    assert "| case_page_200_events | 100 000 | 700 | 9.0 | 2000 | 35% (target ≥ 40%) ✗ missed |" in beside
    assert "| queue | 1 000 | 1000 | 5.0 | 2000 | 50% (target ≥ 25%) ✓ |" in beside
    # An older results file, hello-world measured once: the share is of that.
    once = markdown({"settings": settings, "hello_world": {"requests_per_s": 4000.0, "p99_ms": 4.0},
                     "runs": [run(1000, queue=1000, case_page=900)]})
    assert "| case_page_200_events | 1 000 | 900 | 9.0 | 4000 | 22% (target ≥ 40%) ✗ missed |" in once

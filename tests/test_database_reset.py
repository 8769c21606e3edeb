"""The suite's own reset of the PostgreSQL database between tests (tests/conftest.py): only the
tables a test changed are emptied, so it must find every one of them."""

import os

import pytest
from sqlalchemy import text

from tests import factories
from tests.conftest import _SEEDS, _engine, reset_postgres

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")


def rows(url, sql):
    with _engine(url).connect() as connection:
        return connection.execute(text(sql)).all()


def test_a_reset_leaves_the_database_as_after_migrating(database_url, session):
    # The data version is seeded too, but raised by any write, the reset's own included.
    seeded = sorted(set(_SEEDS) - {"data_version"})
    assert "routing_rules" in seeded, "the migrations seed the default routing rules"
    before = {name: sorted(map(tuple, rows(database_url, f"SELECT * FROM {name}"))) for name in seeded}
    area = factories.business_area(session, name="Årstafältet")
    session.commit()
    # A table emptied again by the test still has its id sequence moved on: it is reset too.
    factories.organisation(session, short_name="TMP")
    session.commit()
    session.execute(text("DELETE FROM organisations WHERE short_name = 'TMP'"))
    # A seeded table changed in place.
    session.execute(text("DELETE FROM rule_audit"))
    session.execute(text("DELETE FROM routing_rules WHERE id = 1"))
    session.commit()
    assert area.id == 1
    session.close()

    reset_postgres(database_url)

    assert rows(database_url, "SELECT count(*) FROM business_areas") == [(0,)]
    assert rows(database_url, "SELECT count(*) FROM organisations") == [(0,)]
    for name in seeded:
        assert sorted(map(tuple, rows(database_url, f"SELECT * FROM {name}"))) == before[name]
    assert rows(database_url, "SELECT id FROM data_version") == [(1,)]
    with _engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT nextval(pg_get_serial_sequence('organisations', 'id'))")).scalar() == 1


def test_a_reset_after_an_untouched_test_changes_nothing(database_url):
    with _engine(database_url).connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM cases").scalar() == 0
    reset_postgres(database_url)
    assert rows(database_url, "SELECT count(*) FROM cases") == [(0,)]


def test_a_big_table_and_the_append_only_audit_log_are_emptied_too(database_url, session):
    session.execute(text("INSERT INTO job_heartbeats (name, last_run_at, host, pid, runs) "
                         "SELECT 'job ' || n, now(), 'h', 1, 1 FROM generate_series(1, 1500) n"))
    session.execute(text("INSERT INTO audit_log (at, actor_label, action, detail) "
                         "VALUES (now(), 'system', 'export', '{}')"))
    session.commit()
    session.close()

    reset_postgres(database_url)

    assert rows(database_url, "SELECT count(*) FROM job_heartbeats") == [(0,)]
    assert rows(database_url, "SELECT count(*) FROM audit_log") == [(0,)]
    with _engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))")).scalar() == 1

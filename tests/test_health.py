"""The operators' probes: /healthz answers while the process runs, /readyz only when the database
answers and is migrated to this code's head, and says what is wrong otherwise."""

from contextlib import contextmanager

import pytest
from sqlalchemy import text

from coordination.system.health import code_revisions
from tests import factories
from tests.conftest import statements

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nowhere"  # port 1: refused at once


@contextmanager
def alembic_version_set_to(engine, version: str | None):
    """Put another revision in alembic_version for the block (None: no row), then the real one back."""
    with engine.begin() as connection:
        real = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        connection.execute(text("DELETE FROM alembic_version"))
        if version is not None:
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            for value in real:
                connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": value})


def test_healthz_answers_ok_without_touching_the_database(app, client):
    with statements(app.extensions["db_engine"]) as seen:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert seen == []


def test_healthz_answers_even_when_the_database_is_down(make_app):
    app = make_app(DATABASE_URL=UNREACHABLE)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database_with_a_bounded_number_of_queries(app, client, session):
    # Data in the database changes nothing: the probe never scans tables.
    for _ in range(3):
        factories.user(session, "coordinator")
    session.commit()
    client.get("/readyz")  # the first call reads migrations/ once per process
    with statements(app.extensions["db_engine"]) as seen:
        response = client.get("/readyz")
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert 1 <= len(seen) <= 4, seen
    assert not any("users" in s.lower() or "cases" in s.lower() for s in seen), seen


def test_readyz_is_503_when_the_database_is_unreachable(make_app):
    app = make_app(DATABASE_URL=UNREACHABLE)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "nobody" not in response.get_data(as_text=True)  # no connection details to the public


def _previous_revision() -> str:
    from alembic.script import ScriptDirectory

    from coordination import migrate

    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    (head,) = code_revisions().heads
    previous = script.get_revision(head).down_revision
    assert previous, "there is only one migration: nothing is behind it"
    return previous if isinstance(previous, str) else previous[0]


@pytest.mark.parametrize(("version", "state"), [
    ("previous", "behind"),
    ("ffffffffffff", "unknown"),
    (None, "none"),
])
def test_readyz_is_503_naming_the_migrations_when_not_at_head(app, client, version, state):
    if version == "previous":
        version = _previous_revision()
    with alembic_version_set_to(app.extensions["db_engine"], version):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "migrations": state}
    # and ready again once the database is at head
    assert client.get("/readyz").status_code == 200


def test_readyz_without_the_alembic_table_says_not_migrated(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "migrations": "none"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_public_and_carry_no_session(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Request-ID"]


# --- connections that sat in the pool while the database restarted ----------------------------------

def _terminate_other_backends(url: str) -> int:
    """What a database restart does to the application's pooled connections."""
    from coordination.db import make_engine

    admin = make_engine(url)
    try:
        with admin.connect() as conn:
            ended = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            conn.commit()
        return ended
    finally:
        admin.dispose()


@pytest.mark.parametrize("idle_seconds", [0.0, 3600.0])
def test_a_connection_that_sat_idle_is_tested_before_use_and_a_dead_one_replaced(make_app, monkeypatch,
                                                                               idle_seconds):
    import coordination.db

    app = make_app()
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("a database restart is a PostgreSQL matter (SQLite has no server)")
    monkeypatch.setattr(coordination.db, "IDLE_PING_SECONDS", idle_seconds)
    app = make_app()  # its engine pings connections idle for longer than idle_seconds
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # a pooled connection now exists
    assert _terminate_other_backends(app.config["DATABASE_URL"]) >= 1

    first = client.get("/readyz")
    second = client.get("/readyz")

    if idle_seconds == 0.0:
        # Idle for longer than the limit: pinged, found dead, replaced; the request never knew.
        assert first.status_code == 200
    else:
        # In steady use nothing is pinged: the request that finds the connection dead fails
        # (503 from /readyz, which reports it), and the pool is renewed for the next.
        assert first.status_code == 503
    assert second.status_code == 200

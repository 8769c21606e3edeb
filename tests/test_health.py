"""The operators' probes: /healthz answers while the process runs, /readyz only when the database
answers and is migrated to this code's head, and says what is wrong otherwise."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from coordination.system.health import code_revisions
from tests import factories

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nowhere"  # port 1: refused at once


@contextmanager
def statements(engine):
    """Every SQL statement the engine runs inside the block."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


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

"""A fresh database for every test: SQLite by default (a copy of a migrated template file),
PostgreSQL when TEST_DATABASE_URL is set (migrated once, emptied after every test)."""

import os
import shutil
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from coordination import create_app, migrate
from coordination.auth import services as auth_services
from coordination.clock import STOCKHOLM, FixedClock
from coordination.db import make_engine, metadata, normalise_url

PG_URL = os.environ.get("TEST_DATABASE_URL")
KEEP_TABLES = {"focus_areas", "alembic_version"}  # fixed data no test changes
_SEEDS: dict[str, list[dict]] = {}  # what the migrations seed (rules, report templates …), restored after each test


def pytest_configure(config):
    # Compiled Swedish catalog for the tests (make does this too; a bare pytest run needs it),
    # rebuilt when the translations or any template or module is newer than it.
    root = Path(__file__).resolve().parent.parent
    mo = root / "coordination" / "translations" / "sv" / "LC_MESSAGES" / "messages.mo"
    sources = [*root.glob("templates/**/*.html"), *root.glob("coordination/**/*.py")]
    if not mo.exists() or max(p.stat().st_mtime for p in sources) > mo.stat().st_mtime:
        from coordination.translations.build import build

        build()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """SQLite: a migrated file to copy per test. PostgreSQL: the URL, migrated from scratch."""
    if PG_URL:
        url = normalise_url(PG_URL)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(url)
        snapshot_seeds(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def snapshot_seeds(url: str) -> None:
    """Remember the rows the migrations put in a fresh database."""
    engine = make_engine(url)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name not in KEEP_TABLES:
                rows = [dict(r._mapping) for r in connection.execute(table.select())]
                if rows:
                    _SEEDS[table.name] = rows
    engine.dispose()


def reset_postgres(url: str) -> None:
    """Empty every table and put back what the migrations seeded, as after `db upgrade`."""
    engine = make_engine(url)
    tables = [t.name for t in metadata.sorted_tables if t.name not in KEEP_TABLES]
    with engine.begin() as connection:
        # The audit log refuses TRUNCATE unless the transaction says it means it (migration 0013).
        connection.execute(text("SET LOCAL samordning.allow_audit_truncate = 'on'"))
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table in metadata.sorted_tables:
            rows = _SEEDS.get(table.name)
            if rows:
                connection.execute(table.insert(), rows)
                if "id" in table.c:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                            f"(SELECT max(id) FROM {table.name}))"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if PG_URL:
        yield database_template
        reset_postgres(database_template)
    else:
        path = tmp_path / "test.db"
        shutil.copy(database_template, path)
        yield f"sqlite:///{path}"


_HASHES: dict[str, str] = {}
_real_hash = auth_services.hash_password


def memo_hash(password: str) -> str:
    """argon2 is slow by design: a password hashed once is reused (verification stays real)."""
    if password not in _HASHES:
        _HASHES[password] = _real_hash(password)
    return _HASHES[password]


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(auth_services, "hash_password", memo_hash)


@pytest.fixture
def clock():
    """Monday 2026-11-23 10:00 in Stockholm; tests move it as they need."""
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM))


@pytest.fixture
def make_app(database_url, clock):
    apps = []

    def factory(**overrides):
        config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "CLOCK": clock}
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def session(app):
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, user):
    """Signed in through the session cookie: no login form and no audit entry, as a test's setup
    needs (`login` goes through the form)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    return client


def fresh(app) -> Session:
    """A new session, so reads see what the requests committed."""
    return Session(app.extensions["db_engine"], expire_on_commit=False)


def login(client, user, password="correct-horse-battery"):
    response = client.post("/logga-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data.decode()[:500]
    return client


class Statement(str):
    """An SQL statement as the engine ran it, with its `parameters`."""

    parameters = None


@contextmanager
def statements(engine):
    """Every SQL statement the engine runs inside the block."""
    seen: list[Statement] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        item = Statement(statement)
        item.parameters = parameters
        seen.append(item)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def get_counting(app, client, url, **kwargs):
    """The response to GET `url` and the SQL statements it took."""
    with statements(app.extensions["db_engine"]) as seen:
        response = client.get(url, **kwargs)
    return response, seen

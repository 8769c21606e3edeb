"""A fresh database for every test: SQLite by default (a copy of a migrated template file),
PostgreSQL when TEST_DATABASE_URL is set (migrated once, emptied after every test). `make test`
runs the suite in a process per core (pytest-xdist, a test file's tests in one process); on
PostgreSQL each process has a database of its own beside the one named (`<name>_gw0` …),
made at its start and dropped at its end."""

import os
import re
import shutil
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, make_url, text
from sqlmodel import Session

from coordination import create_app, migrate
from coordination.auth import services as auth_services
from coordination.clock import STOCKHOLM, FixedClock
from coordination.db import make_engine, metadata, normalise_url


def _worker_database(url: str | None) -> str | None:
    """The database of this test process: the one named, or under pytest-xdist one beside it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    named = make_url(normalise_url(url))
    return named.set(database=f"{named.database}_{worker}").render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
KEEP_TABLES = {"focus_areas", "alembic_version"}  # fixed data no test changes
_SEEDS: dict[str, list[dict]] = {}  # what the migrations seed (rules, report templates …), restored after each test


# --- the suite's own speed ------------------------------------------------------------------------------

def _builders_made_once() -> None:
    """Every test makes its own app, and Werkzeug compiles a URL builder for each of the app's
    120-odd rules through `ast` and `compile()`: 60 ms of the 0.14 s a typical test's setup takes.
    A builder's code depends only on the rule's text, its parsed parts (`_trace`), its defaults
    and whether unknown arguments are appended; it takes its rule as its first argument
    (`Rule.compile` binds it). So a rule compiled again, in the next test's app, gets the
    function made the first time. Tests only: the app is made once per process in production.
    If Werkzeug's internals change shape, nothing is patched and the suite is only slower."""
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "made_once", False):
        return
    made: dict = {}

    def compile_builder(self, append_unknown=True):
        defaults = self.defaults or {}
        try:
            if any(dynamic and part in defaults for dynamic, part in self._trace):
                # A default for a part of the rule is turned into text by its converter as the
                # builder is made: made afresh, not shared.
                return original(self, append_unknown)
            key = (self.rule, tuple(self._trace), append_unknown,
                   tuple(sorted((name, repr(value)) for name, value in defaults.items())))
        except AttributeError:  # no `_trace`: Werkzeug's internals changed shape
            return original(self, append_unknown)
        if key not in made:
            made[key] = original(self, append_unknown)
        return made[key]

    compile_builder.made_once = True
    Rule._compile_builder = compile_builder


class TemplatesCompiledOnce(BytecodeCache):
    """Jinja's compiled templates, kept for the whole test process: each test's app has its own
    Jinja environment, which would lex, parse and compile every template it renders again (a
    third of a typical page test's time). Jinja's own bytecode-cache interface: a template is
    looked up by name and file, and its code is used only while the source's checksum is the same."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = TemplatesCompiledOnce()


# The files that keep one process busy for a minute or more, in the order `make test` hands them
# out (with --no-loadscope-reorder: pytest-xdist would otherwise hand out the files with the most
# tests first, and these, with few tests each, last, leaving one process working alone at the end).
# Every other file follows, the ones with more tests first.
LONGEST_FILES = ("test_every_page.py", "test_hostile_input.py", "test_routing.py", "test_login_security.py",
                 "test_browser.py", "test_form_fuzz.py", "test_csp.py", "test_jobs_concurrency.py",
                 "test_browser_reports.py", "test_browser_cases.py", "test_api_fuzz.py", "test_browser_meetings.py")


def pytest_collection_modifyitems(session, config, items):
    counts: dict[str, int] = {}
    for item in items:
        counts[item.path.name] = counts.get(item.path.name, 0) + 1

    def rank(item):
        name = item.path.name
        if name in LONGEST_FILES:
            return (0, LONGEST_FILES.index(name), name)
        return (1, -counts[name], name)

    items.sort(key=rank)  # stable: a file's tests keep their order


def pytest_configure(config):
    _builders_made_once()
    _cheap_argon2()

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
        own = os.environ.get("PYTEST_XDIST_WORKER") is not None  # this process's database: made here
        if own:
            make_database(make_url(url).database)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(url)
        snapshot_seeds(url)
        yield url
        if own:
            for engine in _ENGINES.values():
                engine.dispose()
            drop_database(make_url(url).database)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    yield path


def _on_the_server(*statements: str) -> None:
    """Run statements outside a transaction on the PostgreSQL server TEST_DATABASE_URL names."""
    server = make_url(normalise_url(os.environ["TEST_DATABASE_URL"]))
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def make_database(name: str) -> None:
    """A new, empty PostgreSQL database `name` (one left by an earlier run is dropped first)."""
    _on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    _on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def snapshot_seeds(url: str) -> None:
    """Remember the rows the migrations put in a fresh database, and how each seeded table and
    every id sequence look then (so a reset can tell what a test changed)."""
    engine = _engine(url)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name not in KEEP_TABLES:
                rows = [dict(r._mapping) for r in connection.execute(table.select())]
                if rows:
                    _SEEDS[table.name] = rows
        _DIGESTS.clear()
        _DIGESTS.update({name: connection.exec_driver_sql(f"SELECT {_digest(name)}").scalar() for name in _SEEDS})
        _SEQUENCE_STATE.clear()
        _SEQUENCE_STATE.update(connection.exec_driver_sql(SEQUENCE_STATE_SQL).all())


_DIGESTS: dict[str, str] = {}  # seeded table -> digest of its rows after migrating
_SEQUENCE_STATE: dict[str, int | None] = {}  # sequence -> last value after migrating (None: unused)
SEQUENCE_STATE_SQL = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
_ENGINES: dict[str, object] = {}


def _engine(url: str):
    """One engine per database URL for the whole run (a reset after every test). Pinged before each
    use: some tests end every other connection to the database (tests/test_health.py)."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url, pool_pre_ping=True)
    return _ENGINES[url]


def _digest(name: str) -> str:
    """SQL for one value that changes whenever a table's rows do."""
    return f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {name} t)"


BIG = 1000  # rows from which a table is emptied with TRUNCATE (its DELETE would fire every row's triggers)


def _changed_rows_sql(tables: list[str]) -> str:
    """One statement naming every table whose rows are not as after migrating (one the migrations
    leave empty that has rows, a seeded one whose rows differ), and whether it holds more than
    BIG rows."""
    return " UNION ALL ".join(
        f"SELECT '{name}', false WHERE {_digest(name)} IS DISTINCT FROM '{_DIGESTS[name]}'" if name in _SEEDS
        else f"SELECT '{name}', (SELECT count(*) > {BIG} FROM (SELECT 1 FROM {name} LIMIT {BIG + 1}) n) "
             f"WHERE EXISTS (SELECT 1 FROM {name})" for name in tables)


def _with_referring(names: set[str]) -> set[str]:
    """`names` and every table whose foreign keys lead to one of them (TRUNCATE … CASCADE empties those too)."""
    found = set(names)
    while True:
        more = {t.name for t in metadata.sorted_tables if t.name not in found and t.name not in KEEP_TABLES
                and any(fk.column.table.name in found for fk in t.foreign_keys)}
        if not more:
            return found
        found |= more


def reset_postgres(url: str) -> None:
    """Put the database back as after `db upgrade`: what a test wrote is deleted (children
    first; a big table and what refers to it truncated), what the migrations seeded is put back,
    the id sequences restart where they were. Only what the test changed is touched, found with
    two statements: truncating all fifty tables after every test took 0.13 s (new files for each
    table), most of the suite's time on PostgreSQL."""
    engine = _engine(url)
    tables = [t.name for t in metadata.sorted_tables if t.name not in KEEP_TABLES]
    with engine.begin() as connection:
        found = dict(connection.exec_driver_sql(_changed_rows_sql(tables)).all())
        moved = {sequence: last for sequence, last in connection.exec_driver_sql(SEQUENCE_STATE_SQL)
                 if last != _SEQUENCE_STATE.get(sequence)}
        if not found and not moved:
            return
        # The audit log is append-only: it refuses DELETE, and TRUNCATE unless the transaction says
        # it means it (migration 0013).
        big = {name for name, many in found.items() if many or name == "audit_log"}
        changed = set(found)
        if big:
            truncated = _with_referring(big)
            changed |= truncated
            connection.execute(text("SET LOCAL samordning.allow_audit_truncate = 'on'"))
            connection.execute(text(f"TRUNCATE {', '.join(sorted(truncated))} CASCADE"))
        for table in reversed(metadata.sorted_tables):
            if table.name in found and table.name not in big:
                connection.execute(table.delete())
        for table in metadata.sorted_tables:
            if table.name in changed and table.name in _SEEDS:
                connection.execute(table.insert(), _SEEDS[table.name])
        for sequence in moved:
            last = _SEQUENCE_STATE.get(sequence)
            connection.execute(text("SELECT setval(:s, :v, :called)"),
                               {"s": sequence, "v": last if last is not None else 1, "called": last is not None})


@pytest.fixture
def database_url(database_template, tmp_path):
    if PG_URL:
        yield database_template
        reset_postgres(database_template)
    else:
        path = tmp_path / "test.db"
        shutil.copy(database_template, path)
        yield f"sqlite:///{path}"


# argon2 at a test's cost: the same algorithm and the same code paths (a hash is made, verified,
# and found outdated or not, by the module's hasher), at the lowest cost argon2 allows instead of
# the production one (0.16 s a verification on this machine; a test of the login lock signs in
# wrong twenty times). Set for the whole process, so module-wide data is hashed the same way.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _cheap_argon2() -> None:
    auth_services._hasher = TEST_HASHER
    auth_services._DUMMY_HASH = TEST_HASHER.hash("not-a-real-password")


_HASHES: dict[str, str] = {}
_real_hash = auth_services.hash_password


def memo_hash(password: str) -> str:
    """A password hashed once is reused (verification stays real)."""
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
        app.jinja_env.bytecode_cache = TEMPLATES
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


def without_csrf_tokens(html: str) -> str:
    """A page without its CSRF tokens' values (each is signed with the second it was made in, and
    is the visitor's own)."""
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', html)


def get_counting(app, client, url, **kwargs):
    """The response to GET `url` and the SQL statements it took."""
    with statements(app.extensions["db_engine"]) as seen:
        response = client.get(url, **kwargs)
    return response, seen

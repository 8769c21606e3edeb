"""Engine, per-request session and the column types every feature shares."""

import time
from datetime import datetime, timezone

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

# Stable constraint names on SQLite and PostgreSQL, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    SQLite keeps no offset, so values are stored as naive UTC and given their zone back on
    load; naive values handed in are refused rather than guessed at."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` and `postgres://` forms and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    # A failed statement's message (logged with its traceback) names the statement but not its
    # values: those may be a person's name, e-mail address or a case text.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # SQLite's own lower() folds only A-Z; names here are Swedish (Årsta, Östberga).
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        return engine
    # A database host that drops packets fails a connection attempt after 10 s (so /readyz and
    # the jobs answer) instead of hanging; `?connect_timeout=N` in the URL sets another limit.
    connect_args = kwargs.pop("connect_args", {})
    if "connect_timeout" not in make_url(url).query:
        connect_args.setdefault("connect_timeout", 10)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    _ping_when_idle(engine, IDLE_PING_SECONDS)
    return engine


# A pooled connection unused for this long is tested before use (the database may have restarted
# meanwhile); one in steady use is not, which saves a round trip on every request under load.
IDLE_PING_SECONDS = 2.0


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling for connections that sat in the pool: a failed ping makes
    the pool throw the connection away and take a new one (SQLAlchemy's DisconnectionError
    protocol, up to three tries). A database that goes away while connections are in steady
    use fails the statement that finds out; SQLAlchemy then renews the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            # The ping's transaction ends here, so the connection's next transaction starts fresh.
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001 - any failure means: not this connection
            raise DisconnectionError(f"the pooled connection failed its ping: {error}") from error


class DriverStatement:
    """A Core statement compiled once for one dialect and run with `Connection.exec_driver_sql`,
    each parameter processed by its type as `Connection.execute` would (a UTC timestamp made
    naive for SQLite, a JSON value serialised), so the database receives the same values.

    For a statement run on every request where SQLAlchemy's work for each execution (the
    statement's cache key, the lookup of its compiled form) costs more than the database's:
    the page cache's front door. `exec_driver_sql` still goes through the engine's events and
    error handling."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup) if compiled.positional else None
        self.fixed: dict = {}
        self.processors: dict = {}
        for key, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:  # a bindparam() without a value: given at each execution
                self.processors[key] = processor
            else:  # a literal() or a constant in the statement
                value = bind.effective_value
                self.fixed[key] = processor(value) if processor is not None else value

    def parameters(self, values: dict):
        """The driver's parameters for `values` (a value for each bindparam of the statement)."""
        parameters = dict(self.fixed)
        for key, processor in self.processors.items():
            value = values[key]
            parameters[key] = processor(value) if processor is not None else value
        return parameters if self.order is None else tuple(parameters[key] for key in self.order)

    def execute(self, connection, values: dict):
        return connection.exec_driver_sql(self.sql, self.parameters(values))


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["db_engine"]


def get_session() -> Session:
    """The request's (or CLI command's) session; one per application context."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)

"""The page cache's front door: a repeat of a request whose page is stored is answered before
Flask takes the request apart.

A page kept by the page cache (coordination/pagecache.py) is still a full trip through Flask:
the session cookie verified and decoded, the user made, the access check, the view's wrappers,
the response's hooks: about a millisecond of Python for a page that is already made. This WSGI
layer in front of Flask keeps, beside each page Flask served from the page cache or stored in
it, the request that asked for it, byte for byte where it matters (`KEY`: method, path and
query string, the Cookie header, client address, User-Agent, host and scheme, and the proxy's
forwarded headers). When the very same request comes again, the same cookie in the same
browser, and the data version is still the one the page was made at, it is answered here with
one statement (the version; for a coordinator's case page, its audit entry added on condition
of the version) and the same headers.

Why that is the page Flask would serve: everything Flask decides from the request (who is
logged in, their role and organisation, whether they may see the page, the language) comes from
those bytes and from rows whose every change raises the data version; the clock limits are the
page cache's own (`valid_until`); and a page is only kept here when Flask kept it (status 200,
the view went through `@cached_page`) and set no cookie (the session in the browser is the one
in the key). Anything else, or any doubt (no version row, a database error), goes to Flask.

Effects that belong to the answer, not to the page, are carried with the entry and done on
every hit: the case page's "contact details shown" audit entry (`ContactDetailsRead`). Such an
effect is also the version check: it does its part only while the version is the page's, and
says whether it did."""

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event

from coordination.db import DriverStatement
from coordination.logconfig import REQUEST_ID_HEADER, access_log, new_request_id
from coordination.pagecache import ENVIRON_EFFECT as EFFECT
from coordination.pagecache import ENVIRON_PAGE as PAGE
from coordination.pagecache import VERSION_SQL, PageCache

# The parts of a request that decide its page. The rest (Accept, Referer, Sec-Fetch-*, X-Request-ID)
# changes nothing a cached view shows.
KEY = ("PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "HTTP_COOKIE", "REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_HOST",
       "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_FOR",
       "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")
# Headers made per answer (or by the server), not kept with the page.
PER_ANSWER = frozenset({"content-length", REQUEST_ID_HEADER.lower(), "x-page-cache", "date", "server"})

log = logging.getLogger(__name__)


@dataclass
class FrontEntry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    version: int
    computed_at: datetime
    valid_until: datetime
    path: str  # as the access line shows it
    effect: object = None


@dataclass(frozen=True)
class ContactDetailsRead:
    """The case page showed a coordinator a case's contact details: one audit entry per answer."""

    user_id: int
    label: str
    address_hash: str | None
    case_id: int
    reference: str

    def __call__(self, execute, *, request_id: str, at: datetime, version: int) -> bool:
        """Add the entry if the data version is still `version`, in one statement; False if it is not.
        `execute(statement, values)` runs a Core statement on the front door's connection."""
        from coordination.audit import services

        return services.record_known_case_contact_read(
            execute, at=at, case_id=self.case_id, reference=self.reference, data_version=version,
            actor=services.Actor(user_id=self.user_id, label=self.label, address_hash=self.address_hash,
                                 request_id=request_id))


class KeptConnection:
    """The front door's database connection: one per thread, opened at its first answer and kept,
    in autocommit (one round trip a statement: no BEGIN, no ROLLBACK). Taking a connection from
    the pool for each answer, and setting and resetting its isolation level, cost the worker more
    than the statement did; so did SQLAlchemy's preparation of a Core statement for each
    execution, so a statement is compiled once (`DriverStatement`) and run with the engine's
    events and error handling still in place.

    It commits without waiting for the disk (`commit_without_waiting_for_the_disk`), and so is
    not the pool's. A connection that fails is closed (`discard`) and the next answer opens
    another; a database that went away while the connection sat unused fails that answer's
    statement, and Flask answers instead. A thread's connection is closed once the thread has
    ended (when another thread opens one), and disposing of the engine closes every kept
    connection."""

    def __init__(self, engine):
        self.engine = engine
        self.local = threading.local()
        self.lock = threading.Lock()
        self.kept: dict = {}  # connection: (the process, the thread) that opened it
        self.statements: dict = {}
        event.listen(engine, "engine_disposed", self.close_all)

    def get(self):
        connection = getattr(self.local, "connection", None)
        if connection is not None and self.local.pid == os.getpid() and not connection.closed \
                and not connection.invalidated:
            return connection
        self._close_orphans()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            commit_without_waiting_for_the_disk(connection)
        except Exception:
            _close_quietly([connection])
            raise
        self.local.connection, self.local.pid = connection, os.getpid()
        with self.lock:
            self.kept[connection] = (os.getpid(), threading.current_thread())
        return connection

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (a server with a thread per request,
        like `flask run`): otherwise each would stay checked out of the pool until it ran dry."""
        pid = os.getpid()
        with self.lock:
            orphans = [c for c, (owner, thread) in self.kept.items() if owner == pid and not thread.is_alive()]
            for connection in orphans:
                del self.kept[connection]
        _close_quietly(orphans)

    def execute(self, statement, values: dict):
        """Run a Core statement (the same object each time: its compiled form is kept)."""
        compiled = self.statements.get(statement)
        if compiled is None:
            compiled = self.statements[statement] = DriverStatement(statement, self.engine.dialect)
        return compiled.execute(self.get(), values)

    def discard(self) -> None:
        connection = self.local.__dict__.pop("connection", None)
        if connection is None:
            return
        with self.lock:
            self.kept.pop(connection, None)
        _close_quietly([connection])

    def close_all(self, *_engine) -> None:
        """Close this process's kept connections (one opened before a fork is the parent's)."""
        with self.lock:
            kept, self.kept = self.kept, {}
        _close_quietly([connection for connection, (pid, _thread) in kept.items() if pid == os.getpid()])


def commit_without_waiting_for_the_disk(connection) -> None:
    """Let the front door's connection commit without waiting for the disk: its one write is the
    audit log's entry for a case page's read of the contact details, made on every answer of it.
    Waiting for the disk to confirm each one cost the case page a third of its answers under
    load (bench/README.md); what a person typed is committed on Flask's connections, which wait.

    The entry is committed, and visible at once, either way; the difference is only what a crash
    of the database server (PostgreSQL: `synchronous_commit = off`) or of the machine (SQLite in
    WAL mode: `synchronous = NORMAL`) could take: the entries of its last fraction of a second.
    The log stays in order and whole, and the next commit that waits for the disk, on any
    connection, writes these entries out with its own (PostgreSQL's WAL writer does within
    0.6 s; SQLite's WAL is written out at the next such commit or checkpoint).

    The setting belongs to the connection, so the connection leaves the pool (`detach`): closed,
    it is closed, never handed to Flask. An in-memory SQLite database has no disk to wait for.
    Set on the driver's connection, as the engine's own settings are when it connects (the
    connection is in autocommit, so the setting holds for the session)."""
    if connection.dialect.name == "postgresql":
        setting = "SET synchronous_commit TO off"
    elif connection.dialect.name == "sqlite" and connection.engine.url.database not in (None, "", ":memory:"):
        setting = "PRAGMA synchronous = NORMAL"
    else:
        return
    connection.detach()
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(setting)
    finally:
        cursor.close()


def _close_quietly(connections) -> None:
    """Close connections that are done with (failed, their thread ended, or at shutdown): one that
    fails to close is gone either way."""
    for connection in connections:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - see the docstring
            log.debug("page cache front door: closing a connection", exc_info=True)


class FrontDoor:
    """WSGI middleware around the Flask app's `wsgi_app` (see the module docstring)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache = PageCache(app.config.get("PAGE_CACHE_BYTES", 32 * 1024 * 1024))
        self.connection = KeptConnection(app.extensions["db_engine"])

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or not environ.get("HTTP_COOKIE") \
                or not self.app.config.get("PAGE_CACHE_SECONDS"):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        key = tuple(environ.get(name) for name in KEY)
        now = self.app.extensions["clock"].now()
        entry = self.cache.get(key, now)
        if entry is not None:
            answer = self._answer(entry, key, environ, start_response, now, started)
            if answer is not None:
                return answer
        return self._through_flask(key, environ, start_response)

    def _answer(self, entry: FrontEntry, key, environ, start_response, now, started):
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        try:
            # An effect checks the version in its own statement (its INSERT … SELECT adds nothing
            # if the version has moved on).
            if entry.effect is None:
                current = self.connection.get().exec_driver_sql(VERSION_SQL).scalar() == entry.version
            else:
                current = entry.effect(self.connection.execute, request_id=request_id, at=now,
                                       version=entry.version)
        except Exception:  # noqa: BLE001 - Flask answers instead (and reports what is wrong)
            self.connection.discard()
            log.warning("page cache front door: falling back to the application", exc_info=True)
            return None
        if not current:
            self.cache.drop(key)
            return None
        start_response("200 OK", [*entry.headers, ("Content-Length", str(len(entry.body))),
                                  (REQUEST_ID_HEADER, request_id), ("X-Page-Cache", "hit")])
        duration = round((time.perf_counter() - started) * 1000, 1)
        access_log.info("%s %s %s %sms", "GET", entry.path, 200, duration,
                        extra={"method": "GET", "path": entry.path, "status": 200, "duration_ms": duration,
                               "request_id": request_id})
        return [entry.body]

    def _through_flask(self, key, environ, start_response):
        answered = {}

        def remember(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        page = environ.get(PAGE)
        if page is None or not answered.get("status", "").startswith("200 ") \
                or any(name.lower() == "set-cookie" for name, _value in answered["headers"]):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        version, computed_at, valid_until, path = page
        self.cache.put(key, FrontEntry(
            body=content, version=version, computed_at=computed_at, valid_until=valid_until, path=path,
            headers=tuple((n, v) for n, v in answered["headers"] if n.lower() not in PER_ANSWER),
            effect=environ.get(EFFECT)))
        return [content]


def init_app(app) -> None:
    front = FrontDoor(app, app.wsgi_app)
    app.extensions["page_cache_front"] = front.cache
    app.wsgi_app = front

"""Rendered pages kept for the next identical request, for as long as they stay true.

A page is stored under who asks (user, role, organisation, language, session), what they ask
(the path with its query string) and the *data version*: a counter that database triggers raise
on every write to the tables pages are made from (migration 0012; `VERSIONED_TABLES`). Each
request reads the counter first (one query on a one-row table), so a write anywhere makes every
stored page obsolete at once, in every worker; nothing is ever served from before a change.

Time changes pages too: ages in working days, R1's overdue flags and due dates turn at midnight
in Stockholm, upcoming meetings pass. A page is kept `PAGE_CACHE_SECONDS` by the app's clock and
never past the next midnight. Only a 200 response to a GET with no message waiting in the session is stored; the
cache is per process, bounded in bytes, least recently used out first."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import wraps

from flask import current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import BigInteger, Column, text
from sqlmodel import Field, SQLModel

from coordination.clock import STOCKHOLM

# Tables whose rows no cached page shows, so writing them leaves pages alone: mail queue, job
# heartbeats, tokens (API use stamps them), the version itself, and security bookkeeping (the
# audit log is written on reads too, even of a page served from here).
# A new table is versioned unless it is named here (tests/test_page_cache.py checks the triggers).
UNVERSIONED_TABLES = frozenset({"alembic_version", "data_version", "data_version_bumps", "outbox", "job_heartbeats",
                                "api_tokens", "calendar_tokens", "login_throttle", "audit_log"})


class DataVersion(SQLModel, table=True):
    """One row: raised by triggers on every write to a versioned table (see module docstring)."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    n: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class DataVersionBump(SQLModel, table=True):
    """PostgreSQL: a transaction that wrote a versioned table, until it commits (migration 0014).
    Its first write adds a row here; a deferred trigger on the row raises the version as the
    transaction commits and removes the row. So the version's row is locked only while a
    transaction commits, never while it still works and locks other rows: writers do not wait
    for each other's whole transactions, and cannot deadlock over the version. Always empty
    between transactions; unused on SQLite (one writer at a time, raised at once)."""

    __tablename__ = "data_version_bumps"

    txid: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


# What the view wrappers leave in the WSGI environ for the front door (coordination/frontcache.py):
# that this answer is a stored page, and what is to be done again on each answer from there.
ENVIRON_PAGE = "samordning.page_cache"  # (data version, computed_at, valid_until, path for the log)
ENVIRON_EFFECT = "samordning.page_cache.effect"  # effect(connection, request_id=…, at=…, version=…) -> bool


VERSION_SQL = "SELECT n FROM data_version WHERE id = 1"


def data_version(db) -> int | None:
    """The counter, or None when its row is missing (then nothing is cached)."""
    return db.execute(text(VERSION_SQL)).scalar()


@dataclass
class Entry:
    body: bytes
    mimetype: str
    computed_at: datetime
    valid_until: datetime


class BoundedCache:
    """Values by key for a worker's threads, the least recently used out first once their sizes
    (`_size`) together pass `max_bytes`; a value larger than a quarter of that is not kept.
    Rendered pages here, a case's rendered history in coordination/cases/history.py."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _size(self, value) -> int:
        raise NotImplementedError

    def _find(self, key, usable):
        """The value under `key` if `usable(value)`; one that is not is dropped."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None and usable(value):
                self._entries.move_to_end(key)
                self.hits += 1
                return value
            if value is not None:
                self._drop(key)
            self.misses += 1
            return None

    def put(self, key, value) -> None:
        if self._size(value) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = value
            self.size += self._size(value)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def drop(self, key) -> None:
        with self._lock:
            if key in self._entries:
                self._drop(key)

    def _drop(self, key) -> None:
        self.size -= self._size(self._entries.pop(key))

    def __len__(self) -> int:
        return len(self._entries)


class PageCache(BoundedCache):
    def _size(self, entry) -> int:
        return len(entry.body)

    def get(self, key, now: datetime) -> Entry | None:
        return self._find(key, lambda entry: entry.computed_at <= now < entry.valid_until)


def init_app(app) -> None:
    app.extensions["page_cache"] = PageCache(app.config.get("PAGE_CACHE_BYTES", 32 * 1024 * 1024))


def _next_midnight(now: datetime) -> datetime:
    local = now.astimezone(STOCKHOLM)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=STOCKHOLM)


def cached_page(view):
    """Serve the view's page from the cache when nothing it shows can have changed. Put it below
    `@allow`: the access check runs first, on every request."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from coordination.auth.usercache import request_data_version
        from coordination.db import get_session
        from coordination.logconfig import loggable_path
        from coordination.web import clock

        app = current_app
        seconds = app.config.get("PAGE_CACHE_SECONDS", 0)
        if not seconds or request.method != "GET" or session.get("_flashes") or not current_user.is_authenticated:
            return view(*args, **kwargs)
        version = request_data_version(get_session())  # read already with the user
        if version is None:
            return view(*args, **kwargs)
        cache: PageCache = app.extensions["page_cache"]
        key = (request.endpoint, request.full_path, current_user.get_id(), current_user.role,
               current_user.organisation_id, str(get_locale()), session.get("csrf_token"), version)
        now = clock().now()
        hit = cache.get(key, now)
        if hit is not None:
            response = app.response_class(hit.body, status=200, mimetype=hit.mimetype)
            response.headers["X-Page-Cache"] = "hit"
            request.environ[ENVIRON_PAGE] = (version, hit.computed_at, hit.valid_until, loggable_path())
            return response
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and not response.direct_passthrough and not session.modified
                and not session.get("_flashes")):
            entry = Entry(body=response.get_data(), mimetype=response.mimetype, computed_at=now,
                          valid_until=min(now + timedelta(seconds=seconds), _next_midnight(now)))
            cache.put(key, entry)
            request.environ[ENVIRON_PAGE] = (version, entry.computed_at, entry.valid_until, loggable_path())
        response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapper

"""The short lists that pages choose from and name things by (business areas, focus areas,
organisations, active work groups and people, routing rules), read once per data version.

The queue's filter form reads four of them and the case page four, on every request the page
cache cannot answer (another person's page, or any page after any change), each a statement and
a round of ORM objects: a fifth of rendering the queue afresh. These lists change seldom, and
only through a versioned table: the database raises the data version (coordination/pagecache.py)
in the same transaction as any change of them, so a list read while the version was V is the
list as long as the version is V, as the user cache (coordination/auth/usercache.py) reasons for
users. Each worker keeps each list with the version it was read at, per app.

Kept only for GET requests, with the version read with the request's user: a request that writes
(a POST) reads its lists afresh, as it may have changed them itself. A list is read after the
version was, so it is never older than its version (it may be newer: then only the requests that
began before that change, and could have read it anyway, see it). The lists are tuples of rows
(named tuples), not objects a session tracks.

`kept` keeps any such value the same way: the layout's count of a user's unread notifications
(every page shows it) is one, per user; `counted` keeps the list pages' counts of cases."""

import threading
from collections.abc import Callable
from typing import NamedTuple

from flask import current_app, has_request_context, request
from sqlalchemy import select

from coordination.auth.models import User
from coordination.organisations.models import BusinessArea, FocusArea, Group, Organisation

EXTENSION = "reference_lists"
MAX_ENTRIES = 5000


class Area(NamedTuple):
    id: int
    name: str
    active: bool


class Focus(NamedTuple):
    id: int
    name_sv: str
    name_en: str


class Org(NamedTuple):
    id: int
    name: str
    short_name: str
    active: bool


class Person(NamedTuple):
    id: int
    name: str
    organisation_id: int | None


class Rule(NamedTuple):
    code: str
    name_sv: str
    name_en: str


class Kept:
    """Per app: list name -> (data version, rows)."""

    def __init__(self):
        self.lists: dict[str, tuple[int, tuple]] = {}
        self.lock = threading.Lock()


def init_app(app) -> None:
    app.extensions[EXTENSION] = Kept()


def kept(db, name, read: Callable):
    """`read(db)`, or what it returned for `name` at this data version (GET requests; see the
    module docstring). What it returns is shared between requests: immutable values only."""
    if not has_request_context() or request.method != "GET":
        return read(db)
    from coordination.auth.usercache import request_data_version

    version = request_data_version(db)
    if version is None:
        return read(db)
    store: Kept = current_app.extensions[EXTENSION]
    found = store.lists.get(name)
    if found is not None and found[0] == version:
        return found[1]
    rows = read(db)
    with store.lock:
        if len(store.lists) >= MAX_ENTRIES:  # per-user values (unread notifications) of many users
            store.lists.clear()
        store.lists[name] = (version, rows)
    return rows


def _hashable(value):
    return tuple(_hashable(v) for v in value) if isinstance(value, list | tuple) else value


def counted(db, statement) -> int:
    """The count `statement` (a `SELECT count(*) …`) returns, kept like the lists: per data
    version, under the statement's structure and values (SQLAlchemy's cache key of it, with the
    values of its parameters), which carry whose cases and which filters. A list page's count of
    open cases reads every open case's entry in an index (2 ms at 20 000 open cases on
    PostgreSQL); until something changes, it is the same number."""
    key = statement._generate_cache_key()  # as SQLAlchemy's own caching examples key a statement
    if key is None:  # a statement SQLAlchemy cannot key: counted each time
        return db.exec(statement).one()
    values = tuple(_hashable(bind.effective_value) for bind in key.bindparams)
    return kept(db, ("count", key.key, values), lambda db: db.exec(statement).one())


def business_areas(db, *, active_only: bool = False) -> tuple[Area, ...]:
    """By name, as `list_business_areas`."""
    rows = kept(db, "business_areas", lambda db: tuple(Area(*row) for row in db.execute(
        select(BusinessArea.id, BusinessArea.name, BusinessArea.active).order_by(BusinessArea.name))))
    return tuple(row for row in rows if row.active) if active_only else rows


def focus_areas(db) -> tuple[Focus, ...]:
    """By number, as `list_focus_areas` (each as `focus_area_label` reads it)."""
    return kept(db, "focus_areas", lambda db: tuple(Focus(*row) for row in db.execute(
        select(FocusArea.id, FocusArea.name_sv, FocusArea.name_en).order_by(FocusArea.id))))


def organisations(db, *, active_only: bool = False) -> tuple[Org, ...]:
    """By name, as `list_organisations`."""
    rows = kept(db, "organisations", lambda db: tuple(Org(*row) for row in db.execute(
        select(Organisation.id, Organisation.name, Organisation.short_name, Organisation.active)
        .order_by(Organisation.name))))
    return tuple(row for row in rows if row.active) if active_only else rows


def work_groups(db) -> tuple[tuple[int, str], ...]:
    """The active work groups, by name: (id, name)."""
    return kept(db, "work_groups", lambda db: tuple(tuple(row) for row in db.execute(
        select(Group.id, Group.name).where(Group.kind == "work_group", Group.active.is_(True))
        .order_by(Group.name))))


def people(db, organisation_ids) -> tuple[Person, ...]:
    """The active users of these organisations, by name."""
    wanted = set(organisation_ids)
    rows = kept(db, "people", lambda db: tuple(Person(*row) for row in db.execute(
        select(User.id, User.name, User.organisation_id).where(User.active.is_(True)).order_by(User.name, User.id))))
    return tuple(row for row in rows if row.organisation_id in wanted)


def rules(db) -> tuple[Rule, ...]:
    """Every routing rule, in the order they run."""
    from coordination.routing.models import RoutingRule

    return kept(db, "rules", lambda db: tuple(Rule(*row) for row in db.execute(
        select(RoutingRule.code, RoutingRule.name_sv, RoutingRule.name_en)
        .order_by(RoutingRule.position, RoutingRule.code))))

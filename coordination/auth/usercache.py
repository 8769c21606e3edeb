"""The logged-in user of a request, without a query for the user while nothing has changed.

Every request that carries a session cookie needs its user (to check that the account is still
active and its sessions not ended). Loading the row through the ORM costs a query and about a
third of a millisecond of Python per request, more than anything else a page served from the
page cache does. The data version (coordination/pagecache.py) is raised by the database itself
in the same transaction as any change of the `users` table, so a user's row read while the
version was V is still the row as long as the version is V: each worker keeps the column values
of recently seen users keyed by (user id, version) and makes the request's User from them. The
version read here is kept with the request (`request_data_version`), so the page cache does not
read it again: a page from the cache costs one statement.

Without the version row (a database before migration 0012) every user is loaded as before."""

import copy
import threading
from collections import OrderedDict

from flask import has_request_context, request
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from coordination.auth.models import User
from coordination.pagecache import data_version

_COLUMNS = tuple(attribute.key for attribute in inspect(User).column_attrs)
_UNREAD = object()
_ATTRIBUTE = "samordning_data_version"


def request_data_version(session: Session) -> int | None:
    """The data version as read when this request's user was loaded (else read now)."""
    if has_request_context():
        version = getattr(request, _ATTRIBUTE, _UNREAD)
        if version is not _UNREAD:
            return version
    return data_version(session)


class UserCache:
    """Column values of users by (user id, data version); the oldest go first."""

    def __init__(self, max_entries: int = 2000):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[int, int], dict] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, user_id: int, version: int) -> dict | None:
        with self._lock:
            values = self._entries.get((user_id, version))
            if values is None:
                self.misses += 1
                return None
            self._entries.move_to_end((user_id, version))
            self.hits += 1
            return values

    def put(self, user_id: int, version: int, values: dict) -> None:
        with self._lock:
            self._entries[(user_id, version)] = values
            self._entries.move_to_end((user_id, version))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def load_user(session: Session, user_id: int, cache: UserCache | None) -> User | None:
    """The user with this id as the database holds it now (None if there is none), attached to
    the session like one it loaded itself, so that views may change and save it."""
    if cache is None:
        return session.get(User, user_id)
    version = data_version(session)
    if has_request_context():
        setattr(request, _ATTRIBUTE, version)
    if version is None:
        return session.get(User, user_id)
    existing = session.identity_map.get(session.identity_key(User, user_id))
    if existing is not None:
        return existing
    values = cache.get(user_id, version)
    if values is None:
        user = session.get(User, user_id)
        if user is not None:
            cache.put(user_id, version, {key: copy.deepcopy(getattr(user, key)) for key in _COLUMNS})
        return user
    user = User(**copy.deepcopy(values))
    # As if just read from the database: persistent, nothing to write back.
    make_transient_to_detached(user)
    session.add(user)
    return user

"""Lockout with back-off after failed logins, per account and per client address.

The counts live in the database (login_throttle), so every gunicorn worker and every host sees
the same ones. Each attempt is counted as a failure *before* the password (or code) is checked
and given back when it turns out right, so a burst of parallel guesses cannot slip past the
count while the slow hash runs. After `account_failures` failures within `window` an account
is locked for `first_backoff`, doubled with each further failure up to `max_backoff`; the same
per client address with the higher `address_failures`. While locked nothing is checked at all.
An account is keyed by its e-mail address whether or not an account has it, so a lockout says
nothing about which addresses exist.
"""

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from coordination.auth.models import LoginThrottle
from coordination.errors import DomainError
from coordination.i18n import lazy_gettext as _l

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    first_backoff: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=1)

    @classmethod
    def from_config(cls, config: Mapping) -> "ThrottlePolicy":
        return cls(account_failures=int(config["LOGIN_ACCOUNT_MAX_FAILURES"]),
                   address_failures=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
                   window=timedelta(minutes=int(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
                   first_backoff=timedelta(seconds=int(config["LOGIN_BACKOFF_FIRST_SECONDS"])),
                   max_backoff=timedelta(seconds=int(config["LOGIN_BACKOFF_MAX_SECONDS"])))

    def threshold(self, scope: str) -> int:
        return self.account_failures if scope == ACCOUNT else self.address_failures

    def backoff(self, failures: int, threshold: int) -> timedelta:
        """The lock after the `failures`-th failure: none below the threshold, then the first
        back-off doubled per failure beyond it, at most max_backoff."""
        if failures < threshold:
            return timedelta(0)
        doublings = min(failures - threshold, 30)  # 2**30 minutes is far past any cap
        return min(self.first_backoff * (2 ** doublings), self.max_backoff)


class LoginLocked(DomainError):
    """Too many failed attempts: nothing is checked until `retry_after` has passed."""

    status = 429
    title = _l("Too many failed attempts")

    def __init__(self, retry_after: timedelta):
        self.retry_after = retry_after
        super().__init__(_l("Too many failed attempts."))

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up, at least 1."""
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))


@dataclass
class Attempt:
    """One counted attempt, to be given back (or not) once the password or code is checked."""

    keys: dict[str, str]
    locks_set: dict[str, datetime | None] = field(default_factory=dict)


def key_hash(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value.strip().lower()}".encode("utf-8")).hexdigest()


def _keys(email: str, address: str | None) -> dict[str, str]:
    keys = {ACCOUNT: key_hash(ACCOUNT, email or "")}
    if address:
        keys[ADDRESS] = key_hash(ADDRESS, address)
    return keys


def _locked_rows(session: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    """The rows for these keys, created if missing and locked for this transaction on
    PostgreSQL (SQLite has one writer at a time anyway), so concurrent attempts take turns."""
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    for scope, key in sorted(keys.items()):  # always the same order: no deadlocks between two attempts
        session.execute(insert(LoginThrottle).values(scope=scope, key_hash=key, failures=0)
                        .on_conflict_do_nothing(index_elements=["scope", "key_hash"]))
    query = (select(LoginThrottle)
             .where(or_(*[(LoginThrottle.scope == scope) & (LoginThrottle.key_hash == key)
                          for scope, key in keys.items()]))
             .order_by(LoginThrottle.scope))
    if postgres:
        query = query.with_for_update()
    rows = session.execute(query.execution_options(populate_existing=True)).scalars().all()
    return {row.scope: row for row in rows}


def start_attempt(session: Session, *, email: str, address: str | None, policy: ThrottlePolicy,
                  now: datetime) -> Attempt:
    """Refuse with LoginLocked while the account or the address is locked; otherwise count
    this attempt as a failure until `attempt_succeeded` gives it back. Flushes; the caller
    commits before checking the password, so other workers see the count at once."""
    keys = _keys(email, address)
    rows = _locked_rows(session, keys)
    waits = [row.locked_until - now for row in rows.values() if row.locked_until and row.locked_until > now]
    if waits:
        raise LoginLocked(max(waits))
    attempt = Attempt(keys=keys)
    for scope, row in rows.items():
        quiet_since = max(filter(None, (row.last_failure_at, row.locked_until)), default=None)
        if quiet_since is not None and now - quiet_since > policy.window:
            row.failures = 0  # a quiet window forgives what came before
        row.failures += 1
        row.last_failure_at = now
        wait = policy.backoff(row.failures, policy.threshold(scope))
        if wait:
            row.locked_until = now + wait
            attempt.locks_set[scope] = row.locked_until
        session.add(row)
    session.flush()
    return attempt


def attempt_succeeded(session: Session, attempt: Attempt, *, clear_account: bool) -> None:
    """The password or code was right. The address gets this attempt back; the account is
    cleared when the login is complete (`clear_account`), and otherwise (the password was right
    but a code is still to come) gets this attempt back, so failed codes keep counting.
    Flushes; the caller commits."""
    rows = _locked_rows(session, attempt.keys)
    for scope, row in rows.items():
        if scope == ACCOUNT and clear_account:
            row.failures, row.locked_until, row.last_failure_at = 0, None, None
        else:
            row.failures = max(0, row.failures - 1)
            ours = attempt.locks_set.get(scope)
            if row.locked_until is not None and ours is not None \
                    and abs(row.locked_until - ours) < timedelta(seconds=1):
                row.locked_until = None  # the lock this attempt's count set, and nobody else's
        session.add(row)
    session.flush()


def prune_login_throttle(session: Session, *, policy: ThrottlePolicy, now: datetime) -> int:
    """Forget counts that a quiet window has already forgiven (rows only grow otherwise, one
    per e-mail address tried). Returns how many rows went. Flushes; the caller commits."""
    cutoff = now - policy.window
    result = session.execute(delete(LoginThrottle).where(
        or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < cutoff),
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < cutoff)))
    session.flush()
    return result.rowcount or 0

"""Readiness: is the database reachable, and is it migrated to the revision this code expects?"""

import logging
from dataclasses import dataclass
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from coordination import migrate

log = logging.getLogger(__name__)

# A readiness probe must answer quickly, also when the database is slow.
STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Revisions:
    heads: frozenset[str]
    known: frozenset[str]


@lru_cache(maxsize=1)
def code_revisions() -> Revisions:
    """The heads and every revision of migrations/ (read once per process: the code does not
    change under a running process)."""
    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    return Revisions(heads=frozenset(script.get_heads()),
                     known=frozenset(r.revision for r in script.walk_revisions()))


@dataclass(frozen=True)
class Readiness:
    database: str  # "ok" or "unreachable"
    migrations: str | None  # "ok", "none" (never migrated), "behind", "unknown" (newer than this code)

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.migrations == "ok"

    def as_dict(self) -> dict:
        body = {"status": "ok" if self.ready else "unavailable", "database": self.database}
        if self.migrations is not None:
            body["migrations"] = self.migrations
        return body


def migration_state(current: frozenset[str], revisions: Revisions) -> str:
    if current == revisions.heads:
        return "ok"
    if not current:
        return "none"
    if current <= revisions.known:
        return "behind"
    return "unknown"


def check_readiness(engine: Engine, *, revisions: Revisions | None = None) -> Readiness:
    """A fixed handful of small queries: the database's Alembic revision, compared with the
    code's heads."""
    revisions = revisions or code_revisions()
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
            current = frozenset()
            # Read directly (not through Alembic's MigrationContext, which logs on every call).
            if inspect(connection).has_table("alembic_version"):
                current = frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError as error:
        # The driver's first line says why (refused, timeout, authentication) without the SQL.
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        log.warning("readiness: database unreachable: %s: %s", type(error).__name__,
                    reason[0][:200] if reason else "")
        return Readiness(database="unreachable", migrations=None)
    state = migration_state(current, revisions)
    if state != "ok":
        log.warning("readiness: database migrations %s (database %s, code %s)", state,
                    ",".join(sorted(current)) or "-", ",".join(sorted(revisions.heads)))
    return Readiness(database="ok", migrations=state)

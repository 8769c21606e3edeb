"""Job heartbeats: each run of a scheduler job leaves its time and host behind."""

import os
import socket
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from coordination.system.models import JobHeartbeat


def record_heartbeat(session: Session, *, name: str, at: datetime, error: str | None = None) -> None:
    """Upsert the job's row in one statement, so concurrent job processes cannot collide."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"name": name, "last_run_at": at, "host": socket.gethostname()[:200], "pid": os.getpid(),
              "runs": 1, "last_error": (error or None) and error[:2000]}
    statement = insert(JobHeartbeat).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"last_run_at": statement.excluded.last_run_at, "host": statement.excluded.host,
              "pid": statement.excluded.pid, "runs": JobHeartbeat.runs + 1,
              "last_error": statement.excluded.last_error})
    session.exec(statement)

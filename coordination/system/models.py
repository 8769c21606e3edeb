"""What operators need to see about the running system."""

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class JobHeartbeat(SQLModel, table=True):
    """The last time each scheduler job ran, and where: shows an operator that jobs run."""

    __tablename__ = "job_heartbeats"

    name: str = Field(sa_column=Column(String(100), primary_key=True))
    last_run_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    host: str = Field(sa_column=Column(String(200), nullable=False))
    pid: int = Field(nullable=False)
    runs: int = Field(default=0, nullable=False)
    last_error: Optional[str] = Field(default=None, sa_column=Column(String(2000)))

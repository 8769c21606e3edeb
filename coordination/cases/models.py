"""The case core: what every later feature (triage, routing, meetings) extends."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime, utcnow


class CaseSource(str, enum.Enum):
    web = "web"
    phone = "phone"
    email = "email"
    meeting = "meeting"
    outreach = "outreach"
    internal = "internal"


class CaseStatus(str, enum.Enum):
    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    decided = "decided"
    closed = "closed"


OPEN_STATUSES = (CaseStatus.new.value, CaseStatus.triaged.value, CaseStatus.in_progress.value,
                 CaseStatus.decided.value)


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_cases_status_received_at", "status", "received_at"),
        Index("ix_cases_level_status", "level", "status"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    year: int = Field(nullable=False)
    number: int = Field(nullable=False)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(sa_column=Column(String(20), nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    level: Optional[int] = Field(default=None)
    business_area_id: Optional[int] = Field(default=None, foreign_key="business_areas.id", index=True)
    focus_area_id: Optional[int] = Field(default=None, foreign_key="focus_areas.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CaseOrganisation(SQLModel, table=True):
    """An organisation concerned by a case (set at triage)."""

    __tablename__ = "case_organisations"
    __table_args__ = (UniqueConstraint("case_id", "organisation_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)


class ReferenceCounter(SQLModel, table=True):
    """The last running number handed out per year; a row lock makes it safe to share."""

    __tablename__ = "reference_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = Field(default=0, nullable=False)


class CaseEvent(SQLModel, table=True):
    """One entry of a case's history: who (a person or a rule) did what, when, and why."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_at", "case_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    actor_user_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    rule: Optional[str] = Field(default=None, sa_column=Column(String(20)))
    from_level: Optional[int] = Field(default=None)
    to_level: Optional[int] = Field(default=None)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

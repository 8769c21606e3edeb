"""The case core: what every later feature (triage, routing, meetings) extends."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, String, Text, UniqueConstraint, literal_column, text, true
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


class Priority(str, enum.Enum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class Category(str, enum.Enum):
    """What a case is about, in the words the committees' reports use."""

    safety = "safety"                  # trygghet
    maintenance = "maintenance"        # drift och skötsel (snöröjning, renhållning, belysning)
    traffic = "traffic"                # trafik och framkomlighet
    planning = "planning"              # detaljplaner, bygglov
    land = "land"                      # mark, lokaler, markanvisning
    permits = "permits"                # tillstånd och myndighetsutövning
    skills = "skills"                  # kompetensförsörjning
    other = "other"


OPEN_STATUSES = (CaseStatus.new.value, CaseStatus.triaged.value, CaseStatus.in_progress.value,
                 CaseStatus.decided.value)
# An open case that is not merged away, as the partial indexes of migration 0015 say it.
OPEN_CONDITION = "merged_into_id IS NULL AND status <> 'closed'"


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_cases_status_received_at", "status", "received_at"),
        Index("ix_cases_level_status", "level", "status"),
        # The queues list cases that are not merged away: counted and sorted from the index alone.
        Index("ix_cases_unmerged_status_received_at", "status", "received_at", "id",
              postgresql_where=text("merged_into_id IS NULL"), sqlite_where=text("merged_into_id IS NULL")),
        Index("ix_cases_unmerged_area_status_received_at", "business_area_id", "status", "received_at", "id",
              postgresql_where=text("merged_into_id IS NULL"), sqlite_where=text("merged_into_id IS NULL")),
        # Only the few merged cases: a whole-table index on a column that is almost always NULL
        # made SQLite (which has no statistics) read every case for "merged_into_id IS NULL".
        Index("ix_cases_merged_into_id", "merged_into_id",
              postgresql_where=text("merged_into_id IS NOT NULL"), sqlite_where=text("merged_into_id IS NOT NULL")),
        # The open queue (every status but closed) read in the order it is shown, newest or
        # oldest first, so a page reads its 50 rows instead of sorting every open case (SQLite
        # cannot read the status index in order through `status IN (…)`). The queries say "open"
        # exactly so (open_case() below), which is what lets the databases pick these indexes.
        Index("ix_cases_open_received_at", "received_at", "id",
              postgresql_where=text(OPEN_CONDITION), sqlite_where=text(OPEN_CONDITION)),
        Index("ix_cases_open_area_received_at", "business_area_id", "received_at", "id",
              postgresql_where=text(OPEN_CONDITION), sqlite_where=text(OPEN_CONDITION)),
        # The coordinator's start page counts the open cases per level (migration 0016).
        Index("ix_cases_open_level", "level", postgresql_where=text(OPEN_CONDITION), sqlite_where=text(OPEN_CONDITION)),
        # The few open cases prepared for a committee, in the order the coordination group's agenda
        # lists them (migration 0017): without it the agenda read every open case to find none.
        # Written as each database's query says `prepared_for_committee IS true`.
        Index("ix_cases_open_committee", "level_entered_at", "id",
              postgresql_where=text(f"prepared_for_committee IS true AND {OPEN_CONDITION}"),
              sqlite_where=text(f"prepared_for_committee IS 1 AND {OPEN_CONDITION}")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    year: int = Field(nullable=False)
    number: int = Field(nullable=False)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    level: Optional[int] = Field(default=None)
    business_area_id: Optional[int] = Field(default=None, foreign_key="business_areas.id", index=True)
    focus_area_id: Optional[int] = Field(default=None, foreign_key="focus_areas.id", index=True)
    # Who raised it (a company or property owner; the register of issue 8 links these later).
    company_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    organisation_number: Optional[str] = Field(default=None, sa_column=Column(String(11), index=True))
    contact_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    contact_email: str = Field(default="", sa_column=Column(String(254), nullable=False, server_default=""))
    contact_phone: str = Field(default="", sa_column=Column(String(40), nullable=False, server_default=""))
    location: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    company_id: Optional[int] = Field(default=None, foreign_key="companies.id", index=True)
    # Triage
    category: Optional[str] = Field(default=None, sa_column=Column(String(30)))
    priority: str = Field(default="normal", sa_column=Column(String(10), nullable=False, server_default="normal",
                                                            index=True))
    major_significance: bool = Field(default=False, nullable=False)
    needs_department_head_decision: bool = Field(default=False, nullable=False)
    needs_political_decision: bool = Field(default=False, nullable=False)
    estimated_cost_sek: Optional[int] = Field(default=None, sa_type=BigInteger)
    prepared_for_committee: bool = Field(default=False, nullable=False)
    referred_to_committee: bool = Field(default=False, nullable=False)
    overdue: bool = Field(default=False, nullable=False)
    triaged_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    triaged_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    # The company's status link: only a hash of the token is kept.
    status_token_hash: Optional[str] = Field(default=None, sa_column=Column(String(64), unique=True))
    merged_into_id: Optional[int] = Field(default=None, foreign_key="cases.id")
    # Routing: when the case came to its current level, and a counter of level changes, so a
    # rule fires once per stay at a level; the last recorded progress (triage, comments, action
    # notes); how many agendas at this level passed without a decision (meetings keep it).
    level_entered_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    level_seq: int = Field(default=0, nullable=False)
    last_progress_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    agendas_without_decision: int = Field(default=0, nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def open_case() -> tuple:
    """OPEN_CONDITION as query conditions, written as the partial indexes say it: a literal
    'closed', not a bound value, so that the databases can match them (every status but closed
    is OPEN_STATUSES)."""
    return Case.merged_into_id.is_(None), Case.status != literal_column("'closed'")


class CaseOrganisation(SQLModel, table=True):
    """An organisation concerned by a case (set at triage)."""

    __tablename__ = "case_organisations"
    __table_args__ = (
        UniqueConstraint("case_id", "organisation_id"),
        # A department's open cases, counted without visiting every open case (migration 0016).
        Index("ix_case_organisations_open_organisation_id", "organisation_id", "case_id",
              postgresql_where=text("case_open"), sqlite_where=text("case_open")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    # Whether the case is open (OPEN_CONDITION): kept by database triggers from the case (migration
    # 0016), whatever the application sends; read it, never write it.
    case_open: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))


class ReferenceCounter(SQLModel, table=True):
    """The last running number handed out per year; a row lock makes it safe to share."""

    __tablename__ = "reference_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = Field(default=0, nullable=False)


class CaseEvent(SQLModel, table=True):
    """One entry of a case's history: who (a person or a rule) did what, when, and why."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case_id_at", "case_id", "at"),
        # Each case's level changes (about a quarter of its events): the latest one says why a
        # case is on an agenda, read from the index instead of every event (migration 0017).
        Index("ix_case_events_level_changes", "case_id", "id",
              postgresql_where=text("to_level IS NOT NULL"), sqlite_where=text("to_level IS NOT NULL")),
    )

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


class CaseComment(SQLModel, table=True):
    """An internal note on a case; never shown on the company's status link."""

    __tablename__ = "case_comments"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))


class CaseLink(SQLModel, table=True):
    """Two cases about the same matter; stored once with the lower id first."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    other_case_id: int = Field(foreign_key="cases.id", index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Attachment(SQLModel, table=True):
    """A file sent with a case. Stored outside the web root under a random key; the name the
    sender gave is shown, never used as a path."""

    __tablename__ = "attachments"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    filename: str = Field(sa_column=Column(String(255), nullable=False))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size: int = Field(nullable=False)
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    storage_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    uploaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

"""Meeting series of the groups, their meetings, the generated agendas with their items and
published versions, and the minutes whose decisions flow back into the cases."""

import enum
from datetime import datetime, time
from typing import Optional

from sqlalchemy import JSON, Column, Index, String, Text, Time, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class MeetingSeries(SQLModel, table=True):
    __tablename__ = "meeting_series"

    id: Optional[int] = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", index=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    # An RFC 5545 recurrence (dateutil.rrule), e.g. "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", from first_date.
    rrule: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    # Or explicit dates, "YYYY-MM-DD" each, when the meetings do not follow a rule.
    dates: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_date: Optional[str] = Field(default=None, sa_column=Column(String(10)))
    start_time: time = Field(sa_column=Column(Time, nullable=False))
    end_time: time = Field(sa_column=Column(Time, nullable=False))
    place: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    video_link: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    lead_time_days: int = Field(default=5, nullable=False)
    active: bool = Field(default=True, nullable=False)


class MeetingStatus(str, enum.Enum):
    planned = "planned"
    cancelled = "cancelled"


class Meeting(SQLModel, table=True):
    """One meeting of a series. `occurrence` is the date the series planned it for; it stays the
    same when the meeting is moved, so generating the series again never adds a second one."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("series_id", "occurrence"),
                      Index("ix_meetings_series_id_starts_at", "series_id", "starts_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="meeting_series.id")
    occurrence: str = Field(sa_column=Column(String(10), nullable=False))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    place: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    status: str = Field(default=MeetingStatus.planned.value, sa_column=Column(String(12), nullable=False))
    note: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))


class AgendaStatus(str, enum.Enum):
    draft = "draft"
    published = "published"


class Agenda(SQLModel, table=True):
    __tablename__ = "agendas"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", unique=True)
    status: str = Field(default=AgendaStatus.draft.value, sa_column=Column(String(12), nullable=False))
    generated_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    generation: int = Field(default=0, nullable=False)
    published_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    published_version: int = Field(default=0, nullable=False)
    version: int = Field(default=1, nullable=False)


class AgendaItem(SQLModel, table=True):
    """One item of an agenda. Generated items carry `source_key` (e.g. "case:42"); regenerating
    matches on it, so manual edits survive and changes are marked instead of silently applied."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("agenda_id", "source_key"),
                      Index("ix_agenda_items_agenda_id_section_position", "agenda_id", "section", "position"))

    id: Optional[int] = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agendas.id")
    section: str = Field(sa_column=Column(String(20), nullable=False))
    position: int = Field(default=0, nullable=False)
    source_key: str = Field(sa_column=Column(String(60), nullable=False))
    case_id: Optional[int] = Field(default=None, foreign_key="cases.id", index=True)
    action_id: Optional[int] = Field(default=None, foreign_key="action_items.id")
    planned_change_id: Optional[int] = Field(default=None, foreign_key="planned_changes.id")
    title: str = Field(sa_column=Column(String(300), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # "new" (added by the latest generation), "current", "stale" (no longer matches), "removed" (by hand)
    state: str = Field(default="new", sa_column=Column(String(10), nullable=False))
    removed_reason: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    manual: bool = Field(default=False, nullable=False)
    edited: bool = Field(default=False, nullable=False)
    moved: bool = Field(default=False, nullable=False)
    carried_from: Optional[str] = Field(default=None, sa_column=Column(String(10)))
    changed_in_generation: int = Field(default=0, nullable=False)


class AgendaVersion(SQLModel, table=True):
    """A published, frozen agenda: what the members were sent."""

    __tablename__ = "agenda_versions"
    __table_args__ = (UniqueConstraint("agenda_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agendas.id", index=True)
    version: int = Field(nullable=False)
    published_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    published_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MinutesStatus(str, enum.Enum):
    draft = "draft"
    approved = "approved"


class Minutes(SQLModel, table=True):
    __tablename__ = "minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    version: int = Field(default=1, nullable=False)
    status: str = Field(default=MinutesStatus.draft.value, sa_column=Column(String(12), nullable=False))
    correction_reason: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    approved_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    approved_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MinutesItem(SQLModel, table=True):
    """The decision on one agenda item: text, outcome and what the outcome needs."""

    __tablename__ = "minutes_items"
    __table_args__ = (UniqueConstraint("minutes_id", "agenda_item_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True)
    agenda_item_id: int = Field(foreign_key="agenda_items.id")
    case_id: Optional[int] = Field(default=None, foreign_key="cases.id", index=True)
    decision: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # delegate, escalate, committee, refer, close, postpone, noted
    outcome: str = Field(default="", sa_column=Column(String(12), nullable=False, server_default=""))
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CalendarToken(SQLModel, table=True):
    """A person's secret for their calendar feed URLs (only the hash is kept)."""

    __tablename__ = "calendar_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

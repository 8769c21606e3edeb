"""Action items (åtgärder): concrete tasks of one organisation on one case, with a due date."""

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Date, Index, String, Text, text
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class ActionStatus(str, enum.Enum):
    planned = "planned"        # planerad
    in_progress = "in_progress"  # pågår
    done = "done"              # klar
    blocked = "blocked"        # blockerad


OPEN_ACTION_STATUSES = (ActionStatus.planned.value, ActionStatus.in_progress.value, ActionStatus.blocked.value)
# Every status but done, which is OPEN_ACTION_STATUSES, as the partial index says it.
OPEN_ACTION_CONDITION = "status <> 'done'"


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_organisation_id_status_due_date", "organisation_id", "status", "due_date"),
        Index("ix_action_items_case_id_status_due_date", "case_id", "status", "due_date"),
        # An organisation's open action items in due-date order (Min förvaltning pages through
        # them 25 at a time): read in order, not sorted (migration 0015; the query says "open"
        # exactly so, a literal, for the databases to match it).
        Index("ix_action_items_open_org_due_date", "organisation_id", "due_date", "id",
              postgresql_where=text(OPEN_ACTION_CONDITION), sqlite_where=text(OPEN_ACTION_CONDITION)),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    organisation_id: int = Field(foreign_key="organisations.id")
    responsible_user_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    work_group_id: Optional[int] = Field(default=None, foreign_key="groups.id")
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    due_date: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(default=ActionStatus.planned.value, sa_column=Column(String(20), nullable=False))
    blocked_reason: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    completed_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    version: int = Field(default=1, nullable=False)


class ActionNote(SQLModel, table=True):
    """A progress note on an action item; counts as recorded progress on its case."""

    __tablename__ = "action_notes"

    id: Optional[int] = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_items.id", index=True)
    author_id: Optional[int] = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    status_from: Optional[str] = Field(default=None, sa_column=Column(String(20)))
    status_to: Optional[str] = Field(default=None, sa_column=Column(String(20)))


class PlannedChange(SQLModel, table=True):
    """A change an organisation plans that affects companies (road works, a new detaljplan,
    changed waste collection, construction): shown under information on the next
    coordination-group agenda and used for outreach."""

    __tablename__ = "planned_changes"

    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    business_area_id: Optional[int] = Field(default=None, foreign_key="business_areas.id", index=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    starts_on: Optional[date] = Field(default=None, sa_column=Column(Date))
    ends_on: Optional[date] = Field(default=None, sa_column=Column(Date))
    contact: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    reported_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    reported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))

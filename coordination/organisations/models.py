"""Organisations (förvaltningar, bolag, stadsdelsförvaltningar, external partners), the
committees (nämnder), the business areas (verksamhetsområden), the focus areas of the business
policy, and the groups of the coordination model with their members."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime, utcnow


class OrganisationKind(str, enum.Enum):
    department = "department"          # förvaltning
    company = "company"                # kommunalt bolag
    district = "district"              # stadsdelsförvaltning
    external = "external"              # external partner, e.g. Polisen


class GroupKind(str, enum.Enum):
    work_group = "work_group"                  # arbetsgrupp, level 1
    coordination_group = "coordination_group"  # samordningsgrupp, level 2
    steering_group = "steering_group"          # styrgrupp FC/BC Näringsliv, level 3


GROUP_LEVEL = {GroupKind.work_group: 1, GroupKind.coordination_group: 2, GroupKind.steering_group: 3}


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    short_name: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    email: Optional[str] = Field(default=None, sa_column=Column(String(254)))
    active: bool = Field(default=True, nullable=False)
    # Reminders of action items: how many working days before the due date, and how often while
    # overdue (working days).
    reminder_before_days: int = Field(default=3, nullable=False)
    reminder_pace_days: int = Field(default=5, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Committee(SQLModel, table=True):
    """A political committee (nämnd), e.g. a stadsdelsnämnd; served by one organisation."""

    __tablename__ = "committees"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisations.id", index=True)
    active: bool = Field(default=True, nullable=False)


class BusinessArea(SQLModel, table=True):
    """A verksamhetsområde, with the stadsdelsnämnd responsible for it."""

    __tablename__ = "business_areas"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(String(2000), nullable=False, server_default=""))
    committee_id: Optional[int] = Field(default=None, foreign_key="committees.id", index=True)
    active: bool = Field(default=True, nullable=False)


class FocusArea(SQLModel, table=True):
    """One of the business policy's four focus areas; fixed data seeded by the migration."""

    __tablename__ = "focus_areas"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # the policy numbers them 1-4
    name_sv: str = Field(sa_column=Column(String(200), nullable=False))
    name_en: str = Field(sa_column=Column(String(200), nullable=False))


class Group(SQLModel, table=True):
    """A group of the coordination model. Work groups belong to one business area."""

    __tablename__ = "groups"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(30), nullable=False, index=True))
    business_area_id: Optional[int] = Field(default=None, foreign_key="business_areas.id", index=True)
    active: bool = Field(default=True, nullable=False)

    @property
    def level(self) -> int:
        return GROUP_LEVEL[GroupKind(self.kind)]


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    chair: bool = Field(default=False, nullable=False)

"""The register of companies and property owners (aktörer) in the business areas, their
contact persons, and the coordinator's contact log."""

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Date, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class CompanyKind(str, enum.Enum):
    company = "company"                # företag
    property_owner = "property_owner"  # fastighetsägare
    both = "both"


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    # NNNNNN-NNNN; unique when given (a sole trader may be registered without one at first).
    organisation_number: Optional[str] = Field(default=None, sa_column=Column(String(11), unique=True))
    kind: str = Field(default=CompanyKind.company.value, sa_column=Column(String(20), nullable=False))
    sole_trader: bool = Field(default=False, nullable=False)  # enskild firma: personnummer allowed
    address: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    # Property designations (fastighetsbeteckningar), e.g. ["Högdalen 3:14"].
    properties: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confirmed: bool = Field(default=True, nullable=False)  # False: created from the public form
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CompanyArea(SQLModel, table=True):
    __tablename__ = "company_areas"
    __table_args__ = (UniqueConstraint("company_id", "business_area_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    business_area_id: int = Field(foreign_key="business_areas.id", index=True)


class ContactPerson(SQLModel, table=True):
    """Personal data: shown to the coordinator and admins only, anonymised on request or by the
    retention job."""

    __tablename__ = "contact_persons"

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    email: str = Field(default="", sa_column=Column(String(254), nullable=False, server_default="", index=True))
    phone: str = Field(default="", sa_column=Column(String(40), nullable=False, server_default=""))
    anonymised_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContactKind(str, enum.Enum):
    meeting = "meeting"
    call = "call"
    visit = "visit"
    mail = "mail"
    outreach = "outreach"


class ContactLogEntry(SQLModel, table=True):
    __tablename__ = "contact_log"
    __table_args__ = (Index("ix_contact_log_at", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    user_id: Optional[int] = Field(default=None, foreign_key="users.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ContactLogCompany(SQLModel, table=True):
    """Which companies a contact log entry concerns (for the company page, indexed)."""

    __tablename__ = "contact_log_companies"
    __table_args__ = (UniqueConstraint("entry_id", "company_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contact_log.id", index=True)
    company_id: int = Field(foreign_key="companies.id", index=True)


class ContactLogCase(SQLModel, table=True):
    """Which cases a contact log entry is about."""

    __tablename__ = "contact_log_cases"
    __table_args__ = (UniqueConstraint("entry_id", "case_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contact_log.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)


class ProjectKind(str, enum.Enum):
    development = "development"    # exploateringsprojekt
    detailed_plan = "detailed_plan"  # detaljplan
    road_works = "road_works"
    other = "other"


class DevelopmentProject(SQLModel, table=True):
    """A development project in or near business areas, whose companies need to be told."""

    __tablename__ = "development_projects"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    starts_on: Optional[date] = Field(default=None, sa_column=Column(Date))
    ends_on: Optional[date] = Field(default=None, sa_column=Column(Date))
    planned_change_id: Optional[int] = Field(default=None, foreign_key="planned_changes.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProjectArea(SQLModel, table=True):
    __tablename__ = "project_areas"
    __table_args__ = (UniqueConstraint("project_id", "business_area_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="development_projects.id", index=True)
    business_area_id: int = Field(foreign_key="business_areas.id", index=True)


class OutreachEntry(SQLModel, table=True):
    """That a company was told about a project: when, how, and what it answered."""

    __tablename__ = "outreach"
    __table_args__ = (UniqueConstraint("project_id", "company_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="development_projects.id", index=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    informed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    how: str = Field(sa_column=Column(String(20), nullable=False))
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    informed_by_id: Optional[int] = Field(default=None, foreign_key="users.id")

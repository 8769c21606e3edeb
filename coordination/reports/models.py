"""Follow-up reports (uppföljningsrapport näringsliv): templates of questions per focus area,
and each committee's report per period with its answers and the facts frozen at submission."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class Period(str, enum.Enum):
    T1 = "T1"   # January–April
    T2 = "T2"   # May–August
    VB = "VB"   # verksamhetsberättelse, the whole year


class ReportStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"   # returned for completion
    approved = "approved"


class ReportTemplate(SQLModel, table=True):
    __tablename__ = "report_templates"

    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, unique=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    intro: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ReportQuestion(SQLModel, table=True):
    __tablename__ = "report_questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="report_templates.id", index=True)
    focus_area_id: Optional[int] = Field(default=None, foreign_key="focus_areas.id")  # None: "Övriga upplysningar"
    position: int = Field(default=0, nullable=False)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # The committees that answer this question; empty: all.
    committee_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Report(SQLModel, table=True):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("committee_id", "year", "period"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="report_templates.id")
    committee_id: int = Field(foreign_key="committees.id", index=True)
    year: int = Field(nullable=False)
    period: str = Field(sa_column=Column(String(2), nullable=False))
    status: str = Field(default=ReportStatus.draft.value, sa_column=Column(String(12), nullable=False))
    contact_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    # Room for a switchboard and a mobile number, as the forms are filled in.
    contact_phone: str = Field(default="", sa_column=Column(String(100), nullable=False, server_default=""))
    contact_email: str = Field(default="", sa_column=Column(String(254), nullable=False, server_default=""))
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # frozen at submission
    returned_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    submitted_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    approved_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    version: int = Field(default=1, nullable=False)


class ReportAnswer(SQLModel, table=True):
    __tablename__ = "report_answers"
    __table_args__ = (UniqueConstraint("report_id", "question_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="reports.id", index=True)
    question_id: int = Field(foreign_key="report_questions.id")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    version: int = Field(default=1, nullable=False)
    updated_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_by_id: Optional[int] = Field(default=None, foreign_key="users.id")

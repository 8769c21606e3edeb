"""Routing rules as data, the record of every time a rule fired, the rules' own change history,
and departments' requests for escalation."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class RoutingRule(SQLModel, table=True):
    """A rule: on which trigger, for cases at which levels, under which conditions (combined
    with all/any), what happens, and the reason people read. See routing/vocabulary.py."""

    __tablename__ = "routing_rules"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    name_sv: str = Field(sa_column=Column(String(200), nullable=False))
    name_en: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    enabled: bool = Field(default=True, nullable=False)
    position: int = Field(default=100, nullable=False)
    on_change: bool = Field(default=False, nullable=False)
    on_sweep: bool = Field(default=False, nullable=False)
    # 0 = not yet triaged, 1-3 the levels; empty = any level.
    levels: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    match: str = Field(default="all", sa_column=Column(String(3), nullable=False))
    conditions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    actions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason_sv: str = Field(sa_column=Column(String(500), nullable=False))
    reason_en: str = Field(sa_column=Column(String(500), nullable=False))
    version: int = Field(default=1, nullable=False)
    updated_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_by_id: Optional[int] = Field(default=None, foreign_key="users.id")


class RuleAudit(SQLModel, table=True):
    """Each saved version of a rule, with who saved it and when."""

    __tablename__ = "rule_audit"

    id: Optional[int] = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="routing_rules.id", index=True)
    version: int = Field(nullable=False)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    user_id: Optional[int] = Field(default=None, foreign_key="users.id")
    snapshot: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class RuleFiring(SQLModel, table=True):
    """A rule acted on a case for one trigger instance (e.g. one stay at a level). The unique key
    makes every effect happen once, however many sweeps run, in whichever processes."""

    __tablename__ = "rule_firings"
    __table_args__ = (UniqueConstraint("rule_id", "case_id", "trigger_key"),
                      Index("ix_rule_firings_run_id_rule_id", "run_id", "rule_id"))

    id: Optional[int] = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="routing_rules.id")
    case_id: int = Field(foreign_key="cases.id", index=True)
    trigger_key: str = Field(sa_column=Column(String(60), nullable=False))
    run_id: str = Field(sa_column=Column(String(32), nullable=False))
    rule_version: int = Field(nullable=False)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class EscalationRequest(SQLModel, table=True):
    """A department official asks the coordinator to move a case of their organisation up."""

    __tablename__ = "escalation_requests"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    requested_by_id: int = Field(foreign_key="users.id")
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisations.id")
    to_level: int = Field(nullable=False)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    resolved_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    outcome: Optional[str] = Field(default=None, sa_column=Column(String(20)))  # accepted / declined
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))

"""The audit log: who did what, when, to which record. Rows are only ever added; the database
refuses to change or delete them (triggers made by migration 0013)."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime

ANONYMOUS = "anonymous"
SYSTEM = "system"


class AuditEntry(SQLModel, table=True):
    """One thing that happened. `detail` says *which* records and fields, never their content:
    no passwords, tokens or personal data (a person is named by a keyed hash, if at all).
    `actor_user_id` is no foreign key: the log keeps its rows whatever happens to the users."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_user_id_at", "actor_user_id", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_object_type_object_id", "object_type", "object_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_user_id: Optional[int] = Field(default=None, sa_column=Column(Integer))
    # The actor's e-mail address at the time, or "anonymous" / "system".
    actor_label: str = Field(sa_column=Column(String(254), nullable=False))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    object_type: Optional[str] = Field(default=None, sa_column=Column(String(40)))
    object_id: Optional[int] = Field(default=None, sa_column=Column(Integer))
    object_ref: Optional[str] = Field(default=None, sa_column=Column(String(100)))
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # A keyed hash of the client's address (the same address gives the same hash), or None.
    address_hash: Optional[str] = Field(default=None, sa_column=Column(String(64)))
    request_id: Optional[str] = Field(default=None, sa_column=Column(String(64)))

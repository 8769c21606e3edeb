"""The outbox: every e-mail is a row written in the same transaction as the change that causes
it, and sent after commit by the job process."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class OutboxStatus(str, enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; shown to admins, can be retried


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    # One message per cause: a second attempt to queue the same thing is a no-op.
    dedupe_key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    recipient: str = Field(sa_column=Column(String(254), nullable=False))
    subject: str = Field(sa_column=Column(String(300), nullable=False))
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    case_id: Optional[int] = Field(default=None, foreign_key="cases.id", index=True)
    status: str = Field(default=OutboxStatus.pending.value, sa_column=Column(String(10), nullable=False))
    attempts: int = Field(default=0, nullable=False)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_until: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    claim_token: Optional[str] = Field(default=None, sa_column=Column(String(32), index=True))
    sent_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: Optional[str] = Field(default=None, sa_column=Column(String(2000)))

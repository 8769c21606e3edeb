"""In-app notifications: what a person should look at, with a link to the case."""

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    # The same cause never notifies the same person twice.
    dedupe_key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    case_id: Optional[int] = Field(default=None, foreign_key="cases.id", index=True)
    text_sv: str = Field(sa_column=Column(String(500), nullable=False))
    text_en: str = Field(sa_column=Column(String(500), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    read_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    # Set when the notification went out in a daily digest mail.
    digested_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))


class NotificationPreference(SQLModel, table=True):
    """How a person wants one kind of notification: e-mail at once, in a daily digest, or only
    in the app. No row means e-mail at once."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    mode: str = Field(sa_column=Column(String(10), nullable=False))  # email, digest, app

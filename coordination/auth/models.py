"""Users and their API tokens."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from coordination.db import UTCDateTime, utcnow


class Role(str, enum.Enum):
    coordinator = "coordinator"
    department = "department"
    steering = "steering"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisations.id", index=True)
    active: bool = Field(default=True, nullable=False)
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    locale: Optional[str] = Field(default=None, sa_column=Column(String(5)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_login_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))

    # Flask-Login protocol, kept here so the model alone is enough to log in with.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    prefix: str = Field(sa_column=Column(String(12), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))

"""Users and their API tokens."""

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Integer, String, UniqueConstraint, text
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
    # Part of the id in the session cookie: raising it ends every session of the user at once
    # ("log out everywhere", a new password set by an admin, deactivation).
    session_epoch: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    # The second factor (TOTP): the base32 secret, when it was turned on, and the last time step
    # a code was accepted for, so that a code cannot be used twice.
    totp_secret: Optional[str] = Field(default=None, sa_column=Column(String(64)))
    totp_enabled_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))
    totp_last_step: Optional[int] = Field(default=None, sa_column=Column(Integer))

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None and self.totp_enabled_at is not None

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
        # "id:epoch"; see coordination.auth.services.user_for_session_id.
        return f"{self.id}:{self.session_epoch or 0}"


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


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per account and per client address, in the database so that every
    worker and host sees the same count. `key_hash` is a SHA-256 of the normalised e-mail
    address or of the address, never the value itself; rows exist for e-mail addresses that
    have no account too, so a lockout says nothing about whether an account exists."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "key_hash"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(sa_column=Column(String(10), nullable=False))  # "account" or "address"
    key_hash: str = Field(sa_column=Column(String(64), nullable=False))
    failures: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    last_failure_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    locked_until: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime()))

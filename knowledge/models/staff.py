"""Staff console accounts (养老顾问 and administrators), their sessions and
failed logins.

Sessions and failures live in the database, not in a process, so several
gateway replicas share who is logged in and how many guesses were made.
Neither a password nor a session token is stored: only their hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)

from knowledge.models.base import Base, utcnow


class StaffUser(Base):
    """A person who logs in to the staff console; `role` is advisor or admin."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('advisor', 'admin')", name="role"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(40), nullable=False)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)  # scrypt$n$r$p$salt$hash
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime, nullable=True)


class StaffSession(Base):
    """A login. The browser holds the token; only its SHA-256 is kept here,
    so a copy of the database does not let anyone in."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)  # slides with use, never past the maximum
    revoked_at = Column(DateTime, nullable=True)  # logout, deactivation, new password


class StaffLoginFailure(Base):
    """A login attempt that has not succeeded: written before the password is
    checked (so parallel guesses count) and deleted when the login succeeds."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (
        Index("ix_staff_login_failures_username_at", "username", "attempted_at"),
        Index("ix_staff_login_failures_client_ip_at", "client_ip", "attempted_at"),
    )

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)  # as typed, normalised; may not exist
    client_ip = Column(String(45), nullable=False)
    attempted_at = Column(DateTime, nullable=False, index=True)

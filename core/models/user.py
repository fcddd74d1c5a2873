"""Accounts and roles: admin, area coordinator, TRIC PG5 member, viewer; and sign-in attempts,
kept in the database so that every web process applies the same throttle."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, UniqueConstraint, func
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.enums import Role

if TYPE_CHECKING:
    from core.models.area import Area

# The actions a contributor (a strategic lead with an account) posts updates on.
action_contributors = Table(
    "action_contributors",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

user_areas = Table(
    "user_areas",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """Someone who signs in. Each sign-in is a :class:`UserSession` row, so signing out, a
    password change, a reset or switching the account off ends sessions on the server."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.VIEWER)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The user asked for no reminder emails. A coordinator's digest is sent regardless.
    reminders_off: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # When they were warned their account will be switched off for not signing in (a sign-in
    # since, its newest session, voids it). When they last signed in is their newest session.
    dormancy_warned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # False: signs in through single sign-on only (the local password is switched off).
    password_login: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # An administrator who may still use a local password when the installation has them off
    # (CPC_LOCAL_PASSWORDS=0): the way in if the identity provider fails.
    break_glass: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Made by single sign-on for a domain that may register itself: waits for an admin.
    self_registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    # The areas a coordinator may edit; empty for other roles.
    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by="Area.name")
    # Their second factor for signing in, if they set one up.
    second_factor: Mapped[SecondFactor | None] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's user interface.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email} ({self.role})>"


class SignInAttempt(Base):
    """A failed sign-in, counted by email and by address to throttle password guessing."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ApiToken(Base):
    """A personal API token: it acts with its user's role and areas. Only a hash is stored;
    the token itself is shown once, when it is made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters, to tell tokens apart in a list; not enough to use.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class UserSession(Base):
    """One signed-in browser session. The cookie carries a random key; only its hash is kept.
    A session ends when its user signs out, after ``SESSION_IDLE_TIMEOUT`` unused, after
    ``SESSION_LIFETIME`` in all, or when the user's password changes or the account is
    switched off."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class PasswordReset(Base):
    """A password-reset link sent by email: only a hash of its secret is kept. It works once
    (``used_at`` is set by one guarded UPDATE) and until ``expires_at``."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SecondFactor(Base):
    """A local account's second factor: its TOTP secret (RFC 6238), confirmed when
    ``enabled_at`` is set, and the last 30-second step accepted, so that a code works once
    only, in every process. Kept apart from the account: signing in with a code writes here,
    which changes nothing a page shows."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(back_populates="second_factor")


class RecoveryCode(Base):
    """A single-use code that stands in for the second factor (ten are given when it is set
    up); only a hash is kept, and ``used_at`` is set by one guarded UPDATE."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OidcIdentity(Base):
    """An account's identity at an OpenID Connect provider: the provider's stable subject,
    linked to the account on the first single sign-on."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(255))
    # The verified email it was linked by.
    email: Mapped[str] = mapped_column(String(320))
    linked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    user: Mapped[User] = relationship()

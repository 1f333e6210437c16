"""Users, their roles, their server-side sessions and password-reset tokens."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.config import SUPPORTED_LOCALES
from participation.core.models import TimestampMixin, UTCDateTime, utcnow
from participation.core.permissions import GRANTABLE_ROLES, Role
from participation.extensions import db

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 60


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "preferred_language IN ({})".format(", ".join(f"'{c}'" for c in SUPPORTED_LOCALES)),
            name="preferred_language_supported",
        ),
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
        sa.Index("ix_users_created", "created_dt", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(DISPLAY_NAME_MAX), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    preferred_language: Mapped[str] = mapped_column(
        sa.String(5), nullable=False, default="th", server_default="th"
    )
    privacy_consent_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    privacy_consent_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether proposals this person supports may show their name (off unless they choose it:
    # supports can reveal political opinions; docs/privacy.md).
    show_supports: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # Suspension (participation.moderation): set while suspended; no end means indefinitely.
    suspended_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A town hall guest's stand-in (participation.townhall.guests): never signs in.
    is_guest: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    suspension_reason: Mapped[str] = mapped_column(
        sa.String(300), nullable=False, default="", server_default=""
    )

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="UserRole.user_id",
    )

    # The token of the session this object was loaded for (set by accounts.operations).
    session_token = None

    def __repr__(self):
        return f"<User {self.id} {self.email}>"

    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return True

    @property
    def is_suspended(self):
        """Suspended now: may read, may not write anywhere."""
        if self.suspended_dt is None:
            return False
        return self.suspended_until is None or self.suspended_until > utcnow()

    @property
    def roles(self):
        """Return the user's roles; every user is a resident."""
        return frozenset({Role.RESIDENT, *(Role(row.role) for row in self.role_rows)})

    def has_role(self, role):
        return Role(role) in self.roles

    @property
    def granted_roles(self):
        return [role for role in GRANTABLE_ROLES if role in self.roles]


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role"),
        sa.CheckConstraint(
            "role IN ({})".format(", ".join(f"'{r.value}'" for r in GRANTABLE_ROLES)),
            name="role_grantable",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    granted_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="role_rows", foreign_keys=[user_id])


class UserSession(db.Model):
    """One signed-in browser (or device). The cookie holds a random token; we keep its hash."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    is_remembered: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")

    user: Mapped[User] = relationship()


class PasswordResetToken(db.Model):
    """A single-use, expiring link sent by e-mail; only the token's hash is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AccessToken(db.Model):
    """A personal access token for scripts and other clients; only its hash is kept."""

    __tablename__ = "access_tokens"
    __table_args__ = (sa.CheckConstraint("scopes IN ('read', 'read write')", name="scopes_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    scopes: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="read")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def can_write(self):
        return "write" in self.scopes.split()

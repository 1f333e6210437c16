"""Who is a verified resident of which community, and the letter codes and list entries that
verify them. Nothing from an ID card is stored: only who verified whom, when, for which
community, by which method (docs/verification.md)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class Method(StrEnum):
    DESK = "desk"  # a registrar at the municipal office or a forum desk
    LETTER = "letter"  # a code from a letter
    LIST = "list"  # a match in the municipality's resident list (keyed hashes only)

    @property
    def title(self):
        return METHOD_TITLES[self]


METHOD_TITLES = {
    Method.DESK: _l("At the municipal office"),
    Method.LETTER: _l("Code from a letter"),
    Method.LIST: _l("Resident list"),
}


class Requirement(StrEnum):
    """Actions a process may open to verified residents only (supports exist today; ballots,
    forum registration and surveys ask the same question when they come)."""

    SUPPORT = "support"
    BALLOT = "ballot"
    FORUM = "forum"
    SURVEY = "survey"

    @property
    def title(self):
        return REQUIREMENT_TITLES[self]


REQUIREMENT_TITLES = {
    Requirement.SUPPORT: _l("Supporting proposals"),
    Requirement.BALLOT: _l("Casting a ballot"),
    Requirement.FORUM: _l("Registering for a community forum"),
    Requirement.SURVEY: _l("Answering surveys"),
}


def _values(enum):
    return ", ".join(f"'{member.value}'" for member in enum)


class Verification(db.Model):
    """One resident verified for one community until ``expires_dt`` (or until revoked)."""

    __tablename__ = "verifications"
    __table_args__ = (
        sa.CheckConstraint(f"method IN ({_values(Method)})", name="method_known"),
        sa.Index("ix_verifications_user_current", "user_id", "revoked_dt", "expires_dt"),
        sa.Index("ix_verifications_area_current", "area_id", "revoked_dt", "expires_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    area_id: Mapped[int] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False
    )
    method: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    verified_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Whether the resident's profile may show the community beside the badge (their choice).
    show_community: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # The list entry that matched (method "list"); the entry stays used when this row goes.
    list_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("resident_list_entries.id", ondelete="SET NULL"), index=True
    )
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revoke_reason: Mapped[str] = mapped_column(
        sa.String(300), nullable=False, default="", server_default=""
    )

    user = relationship("User", foreign_keys=[user_id])
    area = relationship("Area")

    def is_current(self, now=None):
        return self.revoked_dt is None and self.expires_dt > (now or utcnow())


class LetterBatch(db.Model):
    """Codes printed for one community at once; withdrawn together."""

    __tablename__ = "verification_letter_batches"
    __table_args__ = (sa.CheckConstraint("code_count > 0", name="code_count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area = relationship("Area")


class LetterCode(db.Model):
    """One single-use code; only its SHA-256 is kept (it is printed once, then forgotten)."""

    __tablename__ = "verification_letter_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("verification_letter_batches.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[LetterBatch] = relationship()


class ResidentListEntry(db.Model):
    """One person of the municipality's resident list, as a keyed hash (HMAC-SHA256) of their
    national ID number and birth date; Ruamkid never sees either. Used once, for ever."""

    __tablename__ = "resident_list_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    uploaded_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Set when an account was verified with it; stays set when that account is deleted.
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VerificationAttempt(db.Model):
    """A wrong code or a list entry that did not match: counted per person and per address
    (keyed hash of the address) for the lock-out."""

    __tablename__ = "verification_attempts"
    __table_args__ = (
        sa.Index("ix_verification_attempts_user", "user_id", "created_dt"),
        sa.Index("ix_verification_attempts_address", "address_hash", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    address_hash: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ProcessRequirement(db.Model):
    """An action of a process open to verified residents only (and, when ``residents_only``,
    only to residents verified for one of the process's communities)."""

    __tablename__ = "process_verification_requirements"
    __table_args__ = (
        sa.CheckConstraint(f"action IN ({_values(Requirement)})", name="action_known"),
    )

    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    residents_only: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

"""Supports, their per-resident allowance, and "this affects me too"."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class Support(db.Model):
    """One resident's support for one proposal; the unique constraint makes it one."""

    __tablename__ = "supports"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "user_id"),
        sa.Index("ix_supports_user_process", "user_id", "process_id"),
        # A process's supports by day and by person (summaries), read from the index alone.
        sa.Index("ix_supports_process_time", "process_id", "created_dt", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False
    )
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SupportAllowance(db.Model):
    """How many supports a resident has given in a process.

    Counting goes through a conditional UPDATE (``used < max``), so simultaneous supports for
    different proposals can never take a resident past the process's limit.
    """

    __tablename__ = "support_allowances"
    __table_args__ = (sa.CheckConstraint("used >= 0", name="used_not_negative"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True
    )
    used: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class Affected(db.Model):
    """A resident saying "this affects me too" about an issue."""

    __tablename__ = "affected"
    __table_args__ = (sa.UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

"""Follows and notifications."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class NotificationKind(StrEnum):
    REPLY = "reply"  # someone replied to your comment
    RESPONSE = "response"  # the council answered a proposal you wrote, follow or supported
    STATUS = "status"  # a proposal's status changed
    UPDATE = "update"  # a progress update on an accepted proposal
    CORRECTION = "correction"  # a council member corrected a progress update
    PHASE = "phase"  # a process you follow moved to its next phase
    SUMMARY = "summary"  # the council published the summary of something you took part in


class Follow(db.Model):
    """A resident following a process or a contribution (exactly one of the two)."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint("(process_id IS NULL) <> (contribution_id IS NULL)", name="one_target"),
        # One follow per person and target. Partial indexes, because NULLs never collide in
        # an ordinary unique constraint.
        sa.Index("uq_follows_user_process", "user_id", "process_id", unique=True,
                 sqlite_where=sa.text("process_id IS NOT NULL"),
                 postgresql_where=sa.text("process_id IS NOT NULL")),
        sa.Index("uq_follows_user_contribution", "user_id", "contribution_id", unique=True,
                 sqlite_where=sa.text("contribution_id IS NOT NULL"),
                 postgresql_where=sa.text("contribution_id IS NOT NULL")),
        sa.Index("ix_follows_contribution", "contribution_id"),
        sa.Index("ix_follows_process", "process_id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE")
    )
    contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE")
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('reply', 'response', 'status', 'update', 'correction', 'phase', 'summary')",
            name="kind_known",
        ),
        sa.Index("ix_notifications_user_unread", "user_id", "read_dt", "id"),
        sa.Index("ix_notifications_user_list", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE")
    )
    contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE")
    )
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    summary_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("summaries.id", ondelete="CASCADE")
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = relationship("User", foreign_keys=[actor_id])
    process = relationship("Process")
    contribution = relationship("Contribution")
    comment = relationship("Comment")
    summary = relationship("Summary")

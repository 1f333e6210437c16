"""Follows and notifications."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
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
    COMMENT = "comment"  # a new comment on a proposal or issue you wrote or follow
    MODERATION = "moderation"  # a moderator hid or restored something you wrote
    TOWNHALL = "townhall"  # a town hall of a process you follow starts soon

    @property
    def title(self):
        return KIND_TITLES[self]


KIND_TITLES = {
    NotificationKind.REPLY: _l("Replies to my comments"),
    NotificationKind.COMMENT: _l("New comments on proposals and issues I wrote or follow"),
    NotificationKind.RESPONSE: _l("Council answers"),
    NotificationKind.STATUS: _l("Status changes"),
    NotificationKind.UPDATE: _l("Progress updates"),
    NotificationKind.CORRECTION: _l("Corrections of progress updates"),
    NotificationKind.PHASE: _l("Phase changes of processes I follow"),
    NotificationKind.TOWNHALL: _l("Town halls starting soon"),
    NotificationKind.SUMMARY: _l("Summaries of what I took part in"),
    NotificationKind.MODERATION: _l("Moderation decisions about what I wrote"),
}

KIND_VALUES = ", ".join(f"'{kind.value}'" for kind in NotificationKind)


class Channel(StrEnum):
    SITE = "site"
    EMAIL = "email"
    LINE = "line"

    @property
    def title(self):
        return {
            Channel.SITE: _l("On the site"),
            Channel.EMAIL: _l("E-mail"),
            Channel.LINE: _l("LINE"),
        }[self]


class Frequency(StrEnum):
    NOW = "now"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"

    @property
    def title(self):
        return {
            Frequency.NOW: _l("At once"),
            Frequency.DAILY: _l("Daily digest"),
            Frequency.WEEKLY: _l("Weekly digest"),
            Frequency.NEVER: _l("Never"),
        }[self]


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
        sa.CheckConstraint(f"kind IN ({KIND_VALUES})", name="kind_known"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_dt", "id"),
        sa.Index("ix_notifications_user_list", "user_id", "id"),
        sa.Index("ix_notifications_townhall", "townhall_id"),
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
    townhall_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE")
    )
    # What happened, where the kind alone does not say (a moderation decision: hidden/restored).
    detail: Mapped[str | None] = mapped_column(sa.String(20))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = relationship("User", foreign_keys=[actor_id])
    process = relationship("Process")
    contribution = relationship("Contribution")
    comment = relationship("Comment")
    summary = relationship("Summary")
    townhall = relationship("TownHall")


class NotificationPreference(db.Model):
    """A person's choice for one kind of event on one channel (absent: the default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({KIND_VALUES})", name="kind_known"),
        sa.CheckConstraint("channel IN ('site', 'email', 'line')", name="channel_known"),
        sa.CheckConstraint(
            "frequency IN ('now', 'daily', 'weekly', 'never')", name="frequency_known"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    frequency: Mapped[str] = mapped_column(sa.String(8), nullable=False)


class Delivery(db.Model):
    """A notification waiting for (or sent through) a channel other than the site.

    Written with the notification, as each person's settings say; the e-mail and LINE senders
    take the pending ones (``frequency`` now: at once; daily/weekly: in that digest).
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('email', 'line')", name="channel_known"),
        sa.CheckConstraint("frequency IN ('now', 'daily', 'weekly')", name="frequency_known"),
        sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state_known"),
        sa.Index("ix_notification_deliveries_due", "channel", "state", "frequency", "id"),
        sa.Index("ix_notification_deliveries_user", "user_id"),
        sa.Index("ix_notification_deliveries_notification", "notification_id"),
        # The digest takes each channel's pending deliveries person by person.
        sa.Index("ix_notification_deliveries_digest", "channel", "state", "frequency", "user_id"),
        sa.Index("ix_notification_deliveries_created", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    frequency: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    state: Mapped[str] = mapped_column(
        sa.String(8), nullable=False, default="pending", server_default="pending"
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(sa.Text)
    # Tries that failed for a passing reason (the server busy): given up after JOBS_RETRIES.
    attempts: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")

    notification = relationship("Notification")


class NotificationRun(db.Model):
    """A digest (or the purge of old records) that has started for its period.

    The worker checks every minute which periods are due; inserting this row is what claims
    one, so each digest goes out once per day or week however many workers there are.
    """

    __tablename__ = "notification_runs"

    name: Mapped[str] = mapped_column(sa.String(12), primary_key=True)  # daily, weekly, purge
    period: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # its local date
    started_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

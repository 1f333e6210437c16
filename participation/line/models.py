"""A resident's linked LINE account, the webhook events already handled, and the month's usage."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class LineAccount(db.Model):
    """One resident's LINE account, linked by that resident while signed in (LINE Login).

    ``is_following``: the resident has the municipality's Official Account as a friend (and
    has not blocked it); only then is anything sent to them.
    """

    __tablename__ = "line_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # LINE's user id for our provider ("U" and 32 hex digits), from the ID token's ``sub``.
    line_user_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(100))
    is_following: Mapped[bool] = mapped_column(
        nullable=False, default=False, server_default=sa.false()
    )
    linked_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    following_changed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class LineWebhookEvent(db.Model):
    """A webhook event already handled (``webhookEventId``): LINE redelivers, and a captured
    request can be replayed; each is handled once. Kept for a day."""

    __tablename__ = "line_webhook_events"
    __table_args__ = (sa.Index("ix_line_webhook_events_received", "received_dt"),)

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    received_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LineUsage(db.Model):
    """Messages sent in one calendar month (``2026-12``), each recipient counted, and when the
    administrators were warned that the quota is near."""

    __tablename__ = "line_usage"
    __table_args__ = (sa.CheckConstraint("sent_count >= 0", name="sent_not_negative"),)

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    sent_count: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    warned_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

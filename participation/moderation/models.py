"""Residents' reports of content and people."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db

DETAILS_MAX = 1000


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    MISINFORMATION = "misinformation"
    OTHER = "other"

    @property
    def title(self):
        return REASON_TITLES[self]


REASON_TITLES = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive or abusive"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.PERSONAL_DATA: _l("Reveals someone's personal data"),
    ReportReason.MISINFORMATION: _l("False or misleading information"),
    ReportReason.OTHER: _l("Something else"),
}


class TargetType(StrEnum):
    CONTRIBUTION = "contribution"
    COMMENT = "comment"
    QUESTION = "question"
    MESSAGE = "message"
    STATEMENT = "statement"
    PHOTO = "photo"
    SURVEY_ANSWER = "survey_answer"
    USER = "user"


class Resolution(StrEnum):
    HIDDEN = "hidden"  # a moderator hid the content
    DISMISSED = "dismissed"  # a moderator found nothing wrong (hidden content is restored)
    SUSPENDED = "suspended"  # the author was suspended


def _values(enum):
    return ", ".join(f"'{member.value}'" for member in enum)


class Report(db.Model):
    """One resident's report of one item; one per resident and item."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("reporter_id", "target_type", "target_id"),
        sa.CheckConstraint(f"target_type IN ({_values(TargetType)})", name="target_type_known"),
        sa.CheckConstraint(f"reason IN ({_values(ReportReason)})", name="reason_known"),
        sa.CheckConstraint(
            f"resolution IS NULL OR resolution IN ({_values(Resolution)})",
            name="resolution_known",
        ),
        sa.Index("ix_reports_target", "target_type", "target_id"),
        # The queue: open reports, newest first, per process or town hall.
        sa.Index("ix_reports_open", "resolved_dt", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    target_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # Where the item lives, so facilitators see the reports of what they facilitate.
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    townhall_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    details: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(sa.String(20))
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    reporter = relationship("User", foreign_keys=[reporter_id])

    @property
    def reason_title(self):
        return ReportReason(self.reason).title

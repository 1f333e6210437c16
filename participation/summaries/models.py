"""A council's summary of a finished process or town hall: its review, statement and publication.

The figures themselves are computed from the content (``summaries.compute``) and kept here as a
cached copy with the fingerprint of the content they were computed from.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import TimestampMixin, UTCDateTime
from participation.extensions import db

STATEMENT_MAX = 5_000


# A summary's kind as its URLs spell it.
KIND_PATHS = {"process": "processes", "townhall": "townhalls"}


class SummaryState(StrEnum):
    DRAFT = "draft"  # computed, not yet read by the council
    REVIEWED = "reviewed"  # a council member has checked it
    PUBLISHED = "published"  # public; the residents who took part were told

    @property
    def title(self):
        return STATE_TITLES[self]


STATE_TITLES = {
    SummaryState.DRAFT: _l("To review"),
    SummaryState.REVIEWED: _l("Reviewed"),
    SummaryState.PUBLISHED: _l("Published"),
}


class Summary(TimestampMixin, db.Model):
    __tablename__ = "summaries"
    __table_args__ = (
        sa.CheckConstraint("state IN ('draft', 'reviewed', 'published')", name="state_known"),
        sa.CheckConstraint("(process_id IS NULL) <> (townhall_id IS NULL)", name="one_subject"),
        sa.Index("ix_summaries_state", "state", "published_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), unique=True
    )
    townhall_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=SummaryState.DRAFT)
    statement_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    statement_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The cached figures and the fingerprint of the content they came from.
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    fingerprint: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    computed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    process = relationship("Process")
    townhall = relationship("TownHall")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def current_state(self):
        return SummaryState(self.state)

    @property
    def is_published(self):
        return self.state == SummaryState.PUBLISHED

    @property
    def subject(self):
        return self.process if self.process_id is not None else self.townhall

    @property
    def kind(self):
        return "process" if self.process_id is not None else "townhall"

    @property
    def kind_path(self):
        return KIND_PATHS[self.kind]

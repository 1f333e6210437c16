"""A photo of an issue, a proposal, a comment or a council progress update, stored re-encoded in
display sizes (never as uploaded)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from participation.core.models import HideableMixin, UTCDateTime, utcnow
from participation.extensions import db

ALT_MAX = 300
PHOTOS_PER_ITEM = 4
PHOTOS_PER_COMMENT = 1
# Longest side in pixels of each stored size (thumbnail, medium, full); the file name ends with
# the size's name. Photos stored before "medium" existed are served their next larger size.
SIZES = {"thumb": 320, "medium": 640, "display": 1280}


class Photo(HideableMixin, db.Model):
    __tablename__ = "photos"
    __table_args__ = (
        sa.CheckConstraint("width > 0 AND height > 0", name="size_positive"),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
        sa.CheckConstraint("comment_id IS NULL OR update_id IS NULL", name="one_owner"),
        sa.CheckConstraint(
            "stage IS NULL OR stage IN ('before', 'during', 'after')", name="stage_known"
        ),
        sa.Index("ix_photos_contribution", "contribution_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False
    )
    # A comment's or a progress update's photo also names the issue or proposal it is shown on
    # (whose process and visibility it follows); an item's own photos have neither set.
    comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("implementation_updates.id", ondelete="CASCADE"), index=True
    )
    # A delivery milestone's photo (tagged before, during or after the works), or the photo a
    # resident added to their "was it really fixed?" answer (participation/delivery).
    milestone_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("delivery_milestones.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("delivery_answers.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str | None] = mapped_column(sa.String(10))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Random: the files' names, so a photo's address cannot be guessed from its number.
    token: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    alt_text: Mapped[str] = mapped_column(sa.String(ALT_MAX), nullable=False, default="")
    width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Not a column: where the phone said the photo was taken, known only in the request that
    # added it (the author may then use it as the item's place); never stored with the photo.
    location = None

    contribution = relationship(
        "Contribution",
        backref=backref(
            "photos",
            primaryjoin="and_(Contribution.id == Photo.contribution_id, "
            "Photo.comment_id.is_(None), Photo.update_id.is_(None), "
            "Photo.milestone_id.is_(None), Photo.answer_id.is_(None))",
            order_by="Photo.position",
            cascade="all, delete-orphan",
        ),
    )
    comment = relationship(
        "Comment",
        backref=backref("photos", order_by="Photo.position", cascade="all, delete-orphan"),
    )
    update = relationship(
        "ImplementationUpdate",
        backref=backref("photos", order_by="Photo.position", cascade="all, delete-orphan"),
    )
    milestone = relationship(
        "Milestone",
        backref=backref("photos", order_by="Photo.position", cascade="all, delete-orphan"),
    )
    answer = relationship(
        "FixedAnswer",
        backref=backref("photos", order_by="Photo.position", cascade="all, delete-orphan"),
    )
    author = relationship("User", foreign_keys=[author_id])

    @property
    def title(self):  # the moderation queue and the action log name things by title
        return self.alt_text or self.contribution.title

    @property
    def alt(self):
        """What a screen reader says: the author's description, else the item's title."""
        return self.alt_text or self.contribution.title

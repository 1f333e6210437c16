"""Comments in threads up to three levels deep, and their up/down votes."""

from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import HideableMixin, SoftDeleteMixin, TimestampMixin
from participation.extensions import db

BODY_MAX = 5_000
SQLITE_VISIBLE = "is_hidden IS 0 AND is_deleted IS 0"
PG_VISIBLE = "NOT is_hidden AND NOT is_deleted"
MAX_DEPTH = 2  # depth 0, 1, 2: three levels; deeper replies attach to the third level


class Alignment(StrEnum):
    IN_FAVOUR = "in_favour"
    AGAINST = "against"
    NEUTRAL = "neutral"

    @property
    def title(self):
        return ALIGNMENT_TITLES[self]


ALIGNMENT_TITLES = {
    Alignment.IN_FAVOUR: _l("In favour"),
    Alignment.AGAINST: _l("Against"),
    Alignment.NEUTRAL: _l("Neutral"),
}


class Comment(TimestampMixin, SoftDeleteMixin, HideableMixin, db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(f"depth >= 0 AND depth <= {MAX_DEPTH}", name="depth_range"),
        sa.CheckConstraint(
            "alignment IS NULL OR alignment IN ('in_favour', 'against', 'neutral')",
            name="alignment_known",
        ),
        sa.CheckConstraint("upvotes >= 0 AND downvotes >= 0", name="votes_not_negative"),
        sa.Index("ix_comments_thread", "contribution_id", "created_dt", "id"),
        # The latest change in a thread: the watermark of its cached rendering.
        sa.Index("ix_comments_changed", "contribution_id", "modified_dt"),
        # For summaries: visible comments by time and author, and those that take a side,
        # read from the index alone. SQLite uses a partial index only when the query repeats
        # its conditions word for word, hence the "IS 0" SQLAlchemy writes for False.
        sa.Index(
            "ix_comments_visible_time",
            "contribution_id",
            "created_dt",
            "author_id",
            sqlite_where=sa.text(SQLITE_VISIBLE),
            postgresql_where=sa.text(PG_VISIBLE),
        ),  # fmt: skip
        sa.Index(
            "ix_comments_alignment",
            "contribution_id",
            "alignment",
            sqlite_where=sa.text(f"alignment IS NOT NULL AND {SQLITE_VISIBLE}"),
            postgresql_where=sa.text(f"alignment IS NOT NULL AND {PG_VISIBLE}"),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False
    )
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    depth: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    alignment: Mapped[str | None] = mapped_column(sa.String(12))
    upvotes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    downvotes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_edited: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

    author = relationship("User", foreign_keys=[author_id])
    contribution = relationship("Contribution")

    @property
    def score(self):
        return self.upvotes - self.downvotes


class CommentVote(db.Model):
    __tablename__ = "comment_votes"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="value_up_or_down"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    value: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)

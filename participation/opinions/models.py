"""Conversations of the opinion map: a question, short statements, and residents' votes on them.

A conversation belongs to a process (open in Reframe and Reimagine) or to a town hall (open
while it is live). The map computed from the votes is kept as one :class:`OpinionResult` row
per conversation, which pages, PDFs and sockets read (docs/opinion-map.md).
"""

from datetime import datetime
from enum import IntEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from participation.core.models import HideableMixin, TimestampMixin, UTCDateTime, utcnow
from participation.extensions import db

QUESTION_MAX = 300
STATEMENT_MAX = 200  # characters; Pol.is allows 140, Thai needs a little more room
STATEMENTS_PER_CONVERSATION = 1000  # residents' statements at most; votes keep it readable


class Choice(IntEnum):
    """A vote on a statement, as stored and as placed in the vote matrix."""

    AGREE = 1
    DISAGREE = -1
    PASS = 0

    @property
    def title(self):
        return CHOICE_TITLES[self]

    @classmethod
    def from_name(cls, name):
        """``agree`` / ``disagree`` / ``pass`` (forms, sockets); None when unknown."""
        return {"agree": cls.AGREE, "disagree": cls.DISAGREE, "pass": cls.PASS}.get(name)


CHOICE_TITLES = {
    Choice.AGREE: _l("Agree"),
    Choice.DISAGREE: _l("Disagree"),
    Choice.PASS: _l("Pass"),
}


class Conversation(TimestampMixin, db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.CheckConstraint("(process_id IS NULL) <> (townhall_id IS NULL)", name="one_place"),
        sa.CheckConstraint("change_count >= 0", name="change_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    townhall_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(sa.String(QUESTION_MAX * 2), nullable=False)
    is_open: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    # Residents may add statements (facilitators always may).
    allow_statements: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    # Moves with every vote and every statement added, hidden or restored: the map is stale
    # while its result was computed from a smaller count.
    change_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # A server process that recomputes the map holds this until it is done (or this passes).
    recompute_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    process = relationship("Process")
    townhall = relationship("TownHall")
    statements: Mapped[list["Statement"]] = relationship(
        back_populates="conversation", order_by="Statement.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )  # fmt: skip

    @property
    def place(self):
        return self.process if self.process_id is not None else self.townhall


class Statement(HideableMixin, db.Model):
    """A short statement residents agree or disagree with; moderated like other content."""

    __tablename__ = "statements"
    __table_args__ = (
        sa.CheckConstraint(
            f"length(body) >= 1 AND length(body) <= {STATEMENT_MAX}", name="body_length"
        ),
        sa.CheckConstraint(
            "agree_count >= 0 AND disagree_count >= 0 AND pass_count >= 0",
            name="counts_not_negative",
        ),
        sa.Index("ix_statements_conversation", "conversation_id", "is_hidden", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(sa.String(STATEMENT_MAX), nullable=False)
    # Written by the facilitator to start the conversation.
    is_seed: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    agree_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    disagree_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    pass_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    conversation: Mapped[Conversation] = relationship(back_populates="statements")
    author = relationship("User", foreign_keys="Statement.author_id")

    @property
    def vote_count(self):
        return self.agree_count + self.disagree_count + self.pass_count


class OpinionVote(db.Model):
    """One resident's vote on one statement; the unique constraint makes it one."""

    __tablename__ = "opinion_votes"
    __table_args__ = (
        sa.UniqueConstraint("statement_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 0, 1)", name="value_known"),
        # The recompute reads a conversation's votes from this index alone; a resident's own
        # votes in a conversation come from it too.
        sa.Index("ix_opinion_votes_matrix", "conversation_id", "user_id", "statement_id", "value"),
        sa.Index("ix_opinion_votes_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    statement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("statements.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    value: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class OpinionResult(db.Model):
    """The last computed map of a conversation (docs/opinion-map.md, "What is stored").

    ``data`` is public (anonymous points, groups, statements' figures); ``positions`` maps each
    participant's id to their point and is read only to show a resident their own place;
    ``state`` carries what the next update needs (the k stability rule, the groups' centres).
    """

    __tablename__ = "opinion_results"

    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    change_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    positions: Mapped[dict] = deferred(mapped_column(sa.JSON, nullable=False))
    state: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    computed_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    compute_ms: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

"""Town halls and what happens in them.

Every change in a town hall is first written as an :class:`Event` with a sequence number
``seq`` that increases within the town hall; only then is it acknowledged and broadcast. A
client that reconnects asks for the events after the last ``seq`` it saw, so nothing is lost
and nothing arrives twice or out of order. Questions, messages and polls keep their current
state in their own tables for pages, exports and summaries.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import HideableMixin, TimestampMixin, UTCDateTime, utcnow
from participation.core.permissions import Permission, Role, permissions_of
from participation.extensions import db

QUESTION_MAX = 500
MESSAGE_MAX = 1000
POLL_QUESTION_MAX = 300
OPTION_MAX = 120
CLIENT_ID_MAX = 64
JOIN_CODE_LENGTH = 6
# No look-alikes: no 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, U/V.
JOIN_CODE_ALPHABET = "ACEFGHKMNPRTWXY34679"
GUEST_NAME_MAX = 60


class State(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"

    @property
    def title(self):
        return STATE_TITLES[self]


STATE_TITLES = {
    State.SCHEDULED: _l("Scheduled"),
    State.LIVE: _l("Live now"),
    State.ENDED: _l("Ended"),
}


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERING = "answering"
    ANSWERED = "answered"


townhall_facilitators = sa.Table(
    "townhall_facilitators",
    db.metadata,
    sa.Column("townhall_id", sa.ForeignKey("townhalls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class TownHall(TimestampMixin, db.Model):
    __tablename__ = "townhalls"
    __table_args__ = (
        sa.CheckConstraint("state IN ('scheduled', 'live', 'ended')", name="state_known"),
        sa.CheckConstraint("slow_mode_seconds >= 0", name="slow_mode_not_negative"),
        sa.CheckConstraint("last_seq >= 0", name="last_seq_not_negative"),
        sa.Index("ix_townhalls_state_start", "state", "starts_dt"),
        sa.Index("ix_townhalls_published_start", "is_published", "starts_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="SET NULL"), index=True
    )
    title_th: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    description_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    venue_th: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    venue_en: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    state: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=State.SCHEDULED)
    is_published: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    allow_visitors: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    discussion_locked: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # People may take part with a display name only (a guest, bound to this town hall).
    allow_guests: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # The short code people type at /j; unique among town halls that have not ended, and
    # cleared when the town hall ends (so the code can be used again later).
    join_code: Mapped[str | None] = mapped_column(sa.String(JOIN_CODE_LENGTH), unique=True)
    # Whether the projector shows the QR code and the join code (the facilitator's toggle).
    show_join_code: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    slow_mode_seconds: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    pinned_message_id: Mapped[int | None] = mapped_column(sa.Integer)
    current_question_id: Mapped[int | None] = mapped_column(sa.Integer)
    # The seq of the last event; the next event takes last_seq + 1.
    last_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    opened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    process = relationship("Process")
    facilitators = relationship("User", secondary=townhall_facilitators)

    @property
    def current_state(self):
        return State(self.state)

    def is_facilitator(self, user):
        if not user.is_authenticated:
            return False
        return Role.ADMIN in user.roles or any(f.id == user.id for f in self.facilitators)

    def allows(self, user, permission):
        if permission in (Permission.FACILITATE, Permission.MODERATE):
            return self.is_facilitator(user)
        return Permission(permission) in permissions_of(user.roles)


@sa.event.listens_for(TownHall, "before_insert")
def _give_join_code(_mapper, connection, townhall):
    """Every new town hall gets its join code (participation/townhall/guests.py)."""
    if townhall.join_code is None and townhall.state != State.ENDED:
        townhall.join_code = free_join_code(
            lambda code: connection.scalar(
                sa.select(TownHall.id).where(TownHall.join_code == code)
            ) is not None
        )  # fmt: skip


def free_join_code(taken):
    """A random code from the alphabet that ``taken(code)`` says no town hall uses."""
    import secrets

    for _attempt in range(100):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not taken(code):
            return code
    raise RuntimeError("no free join code")  # 20**6 codes: only if nearly all are taken


class Event(db.Model):
    """One numbered change in a town hall, as sent to clients."""

    __tablename__ = "townhall_events"
    __table_args__ = (sa.UniqueConstraint("townhall_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Question(HideableMixin, db.Model):
    __tablename__ = "townhall_questions"
    __table_args__ = (
        sa.UniqueConstraint("townhall_id", "author_id", "client_id"),
        sa.CheckConstraint("state IN ('open', 'answering', 'answered')", name="state_known"),
        sa.CheckConstraint("upvote_count >= 0", name="upvotes_not_negative"),
        sa.Index("ix_townhall_questions_list", "townhall_id", "state", "upvote_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(sa.String(CLIENT_ID_MAX), nullable=False)
    body: Mapped[str] = mapped_column(sa.String(QUESTION_MAX * 2), nullable=False)
    state: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=QuestionState.OPEN)
    upvote_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    answered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User", foreign_keys=[author_id])
    townhall = relationship("TownHall")


class QuestionUpvote(db.Model):
    __tablename__ = "townhall_question_upvotes"
    __table_args__ = (sa.UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhall_questions.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Message(HideableMixin, db.Model):
    """A post in the discussion, possibly a reply to another."""

    __tablename__ = "townhall_messages"
    __table_args__ = (
        sa.UniqueConstraint("townhall_id", "author_id", "client_id"),
        sa.Index("ix_townhall_messages_list", "townhall_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(sa.String(CLIENT_ID_MAX), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhall_messages.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.String(MESSAGE_MAX * 2), nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User", foreign_keys=[author_id])
    townhall = relationship("TownHall")


class Poll(db.Model):
    __tablename__ = "townhall_polls"
    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'closed')", name="state_known"),
        sa.CheckConstraint("voter_count >= 0", name="voters_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    question: Mapped[str] = mapped_column(sa.String(POLL_QUESTION_MAX * 2), nullable=False)
    is_multiple: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    hide_results: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    state: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="open")
    voter_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    options: Mapped[list["PollOption"]] = relationship(
        back_populates="poll", order_by="PollOption.position", cascade="all, delete-orphan"
    )


class PollOption(db.Model):
    __tablename__ = "townhall_poll_options"
    __table_args__ = (sa.CheckConstraint("vote_count >= 0", name="votes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhall_polls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    label: Mapped[str] = mapped_column(sa.String(OPTION_MAX * 2), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    vote_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollResponse(db.Model):
    """That a resident answered a poll (once); which options they chose are in PollChoice."""

    __tablename__ = "townhall_poll_responses"
    __table_args__ = (sa.UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhall_polls.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class PollChoice(db.Model):
    __tablename__ = "townhall_poll_choices"
    __table_args__ = (sa.UniqueConstraint("response_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhall_poll_responses.id", ondelete="CASCADE"), nullable=False
    )
    option_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhall_poll_options.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Mute(db.Model):
    """A resident muted by a facilitator for one town hall."""

    __tablename__ = "townhall_mutes"
    __table_args__ = (sa.UniqueConstraint("townhall_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    muted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Attendance(db.Model):
    """How many people were present, sampled while the town hall is live (for summaries)."""

    __tablename__ = "townhall_attendance"
    __table_args__ = (sa.Index("ix_townhall_attendance_time", "townhall_id", "sampled_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False
    )
    sampled_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    present: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # How many different people (accounts, or visitors' connections) had joined by then.
    seen: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")


class Guest(TimestampMixin, db.Model):
    """A person taking part in one town hall with a display name only.

    Each guest is backed by a ``User`` row marked ``is_guest`` (no e-mail anyone knows, no
    usable password, never signed in through the site), so their questions, messages, upvotes,
    poll answers and mutes work exactly like a resident's. The guest's cookie names this row
    and its town hall; nowhere else does it count.
    """

    __tablename__ = "townhall_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    townhall_id: Mapped[int] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    display_name: Mapped[str] = mapped_column(sa.String(GUEST_NAME_MAX * 2), nullable=False)

    user = relationship("User")
    townhall = relationship("TownHall")

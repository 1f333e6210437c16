"""Delivery of an accepted proposal: its budget line, its milestones with photo evidence and
documents, and residents' answers to "was it really fixed?"."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from participation.core.models import TimestampMixin, UTCDateTime, utcnow
from participation.extensions import db

NAME_MAX = 100
NOTE_MAX = 2000
TEXT_MAX = 200
PLAN_CODE_MAX = 50
DEFAULT_MILESTONES = (
    _l("Design"),
    _l("Procurement"),
    _l("Contract"),
    _l("Works"),
    _l("Hand-over"),
)


class DeliveryStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REOPENED = "reopened"

    @property
    def title(self):
        return {
            DeliveryStatus.IN_PROGRESS: _l("In progress"),
            DeliveryStatus.DONE: _l("Done"),
            DeliveryStatus.REOPENED: _l("Reopened for review"),
        }[self]


class Stage(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"

    @property
    def title(self):
        return {
            Stage.BEFORE: _l("Before"),
            Stage.DURING: _l("During"),
            Stage.AFTER: _l("After"),
        }[self]


class Answer(StrEnum):
    YES = "yes"
    NOT_YET = "not_yet"

    @property
    def title(self):
        return {Answer.YES: _l("Yes, it is fixed"), Answer.NOT_YET: _l("Not yet")}[self]


class DeliveryRecord(TimestampMixin, db.Model):
    """What an accepted proposal carries while it is delivered: its budget line and status."""

    __tablename__ = "delivery_records"
    __table_args__ = (
        sa.CheckConstraint("status IN ('in_progress', 'done', 'reopened')", name="status_known"),
        sa.CheckConstraint("amount_baht IS NULL OR amount_baht >= 0", name="amount_not_negative"),
        sa.CheckConstraint("yes_count >= 0 AND not_yet_count >= 0", name="counts_not_negative"),
        sa.Index("ix_delivery_records_board", "status", "fiscal_year", "id"),
        sa.Index("ix_delivery_records_plan_code", "plan_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    status: Mapped[str] = mapped_column(
        sa.String(20), nullable=False, default=DeliveryStatus.IN_PROGRESS
    )
    # The budget line, as the municipality's plan and ordinance name it; the fiscal year is
    # a Buddhist-Era year (2569).
    fiscal_year: Mapped[int | None] = mapped_column(sa.Integer)
    plan_code: Mapped[str | None] = mapped_column(sa.String(PLAN_CODE_MAX))
    ordinance_item: Mapped[str] = mapped_column(sa.String(TEXT_MAX), nullable=False, default="")
    amount_baht: Mapped[int | None] = mapped_column(sa.BigInteger)
    unit: Mapped[str] = mapped_column(sa.String(TEXT_MAX), nullable=False, default="")
    contact: Mapped[str] = mapped_column(sa.String(TEXT_MAX), nullable=False, default="")
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each closing asks residents again; answers count for the round they were given in.
    round: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    yes_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    not_yet_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    proposal = relationship(
        "Proposal", backref=backref("delivery", uselist=False, cascade="all, delete-orphan")
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="delivery", order_by="Milestone.position", cascade="all, delete-orphan"
    )

    @property
    def current_status(self):
        return DeliveryStatus(self.status)

    @property
    def has_budget_line(self):
        return bool(self.fiscal_year or self.plan_code or self.ordinance_item or self.amount_baht)

    @property
    def progress(self):
        if not self.milestones:
            return 0
        return round(sum(m.progress for m in self.milestones) / len(self.milestones))

    @property
    def current_milestone(self):
        return next((m for m in self.milestones if m.actual_date is None), None)

    @property
    def is_late(self):
        return any(m.is_late for m in self.milestones)


class Milestone(db.Model):
    """One step of delivery, in order, with its planned and actual date."""

    __tablename__ = "delivery_milestones"
    __table_args__ = (
        sa.UniqueConstraint("delivery_id", "position"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery_records.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX), nullable=False)
    planned_date: Mapped[date | None] = mapped_column(sa.Date)
    actual_date: Mapped[date | None] = mapped_column(sa.Date)
    progress: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    delivery = relationship("DeliveryRecord", back_populates="milestones")
    documents: Mapped[list["MilestoneDocument"]] = relationship(
        back_populates="milestone", order_by="MilestoneDocument.id", cascade="all, delete-orphan"
    )

    def photo_owner(self):
        """The columns naming this milestone on its photos (see photos.operations)."""
        return {"contribution_id": self.delivery.proposal_id, "milestone_id": self.id}

    @property
    def is_late(self):
        if self.planned_date is None:
            return False
        if self.actual_date is not None:
            return self.actual_date > self.planned_date
        return self.planned_date < date.today()

    def photos_at(self, stage):
        return [photo for photo in self.photos if photo.stage == stage]


class MilestoneDocument(db.Model):
    """A PDF attached to a milestone (a contract, council minutes), checked by its content."""

    __tablename__ = "delivery_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery_milestones.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(sa.String(TEXT_MAX), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    milestone = relationship("Milestone", back_populates="documents")


class FixedAnswer(db.Model):
    """A resident's answer to "was it really fixed?" after an item was marked done."""

    __tablename__ = "delivery_answers"
    __table_args__ = (
        sa.UniqueConstraint("delivery_id", "user_id", "round"),
        sa.CheckConstraint("answer IN ('yes', 'not_yet')", name="answer_known"),
        sa.Index("ix_delivery_answers_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery_records.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    round: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    answer: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    delivery = relationship("DeliveryRecord")
    user = relationship("User")

    def photo_owner(self):
        return {"contribution_id": self.delivery.proposal_id, "answer_id": self.id}

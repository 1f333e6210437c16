"""A process's participatory budget: headings of money, costed projects, ballots online and on
paper, and the choices of each ballot."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import TimestampMixin, UTCDateTime, utcnow
from participation.extensions import db


class Stage(StrEnum):
    """Where a budget is: projects are reviewed, then residents vote, then votes are counted."""

    REVIEW = "review"
    BALLOT = "ballot"
    COUNTING = "counting"
    PUBLISHED = "published"

    @property
    def title(self):
        return STAGE_TITLES[self]


STAGE_TITLES = {
    Stage.REVIEW: _l("Projects under review"),
    Stage.BALLOT: _l("Voting open"),
    Stage.COUNTING: _l("Counting votes"),
    Stage.PUBLISHED: _l("Results published"),
}


class Style(StrEnum):
    APPROVAL = "approval"  # pick up to N projects in the heading
    KNAPSACK = "knapsack"  # pick projects whose total cost fits the heading's money


class Rule(StrEnum):
    GREEDY = "greedy"
    EQUAL_SHARES = "equal_shares"


class Review(StrEnum):
    PENDING = "pending"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"


def _known(column, enum):
    values = ", ".join(f"'{member.value}'" for member in enum)
    return sa.CheckConstraint(f"{column} IN ({values})", name=f"{column}_known")


class Budget(TimestampMixin, db.Model):
    """The participatory budget of one process. Its ballot rules are frozen when voting opens."""

    __tablename__ = "budgets"
    __table_args__ = (
        _known("stage", Stage),
        _known("style", Style),
        _known("rule", Rule),
        sa.CheckConstraint("max_choices IS NULL OR max_choices > 0", name="max_choices_positive"),
        sa.CheckConstraint(
            "min_spend_percent >= 0 AND min_spend_percent <= 100", name="min_spend_percent_range"
        ),
        sa.CheckConstraint(
            "closes_dt IS NULL OR opens_dt IS NULL OR closes_dt > opens_dt",
            name="closes_after_opens",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    stage: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=Stage.REVIEW)
    style: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=Style.APPROVAL)
    # Approval: how many projects a ballot may pick in a heading.
    max_choices: Mapped[int | None] = mapped_column(sa.Integer, default=3)
    # Knapsack: the least share of the heading's money a ballot must spend (Decidim's 70%).
    min_spend_percent: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    rule: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=Rule.GREEDY)
    opens_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When voting opened: from then on style, limits, rule and projects cannot change.
    frozen_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    process = relationship("Process")
    headings = relationship(
        "Heading", back_populates="budget", order_by="Heading.position", cascade="all"
    )

    @property
    def current_stage(self):
        return Stage(self.stage)

    @property
    def is_frozen(self):
        return self.frozen_dt is not None


class Heading(db.Model):
    """A share of the budget's money for one community (or the whole municipality)."""

    __tablename__ = "budget_headings"
    __table_args__ = (
        sa.CheckConstraint("money > 0", name="money_positive"),
        sa.UniqueConstraint("budget_id", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budgets.id", ondelete="CASCADE"), nullable=False
    )
    # The community whose residents vote here; empty: every verified resident.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    money: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)  # whole baht
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # The count as published (JSON, see operations.publish_results): results never change once
    # published, and a large count is not run again for every reader.
    results: Mapped[str | None] = mapped_column(sa.Text)

    budget = relationship("Budget", back_populates="headings")
    area = relationship("Area")
    projects = relationship(
        "BudgetProject", back_populates="heading", order_by="BudgetProject.position"
    )


class BudgetProject(TimestampMixin, db.Model):
    """A costed project residents can vote for; often a proposal promoted by a facilitator."""

    __tablename__ = "budget_projects"
    __table_args__ = (
        _known("review", Review),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
        sa.CheckConstraint("review != 'feasible' OR cost IS NOT NULL", name="feasible_has_cost"),
        sa.UniqueConstraint("heading_id", "proposal_id"),
        sa.Index("ix_budget_projects_heading_position", "heading_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_headings.id", ondelete="CASCADE"), nullable=False
    )
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    cost: Mapped[int | None] = mapped_column(sa.BigInteger)  # the estimate, whole baht
    review: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=Review.PENDING)
    review_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    responsible_unit: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    plan_project: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    heading = relationship("Heading", back_populates="projects")
    proposal = relationship("Proposal")

    @property
    def on_ballot(self):
        return self.review == Review.FEASIBLE


class Ballot(db.Model):
    """One voter's ballot in one heading: online or on paper, the last one counts.

    The unique constraint makes it one per voter and heading whatever arrives at once. When a
    voter's account is removed, the ballot stays in the count without them (``voter_id``
    empty): the results of a closed ballot must not change.
    """

    __tablename__ = "budget_ballots"
    __table_args__ = (
        _known("channel", Channel),
        sa.UniqueConstraint("heading_id", "voter_id"),
        sa.Index("ix_budget_ballots_voter", "voter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_headings.id", ondelete="CASCADE"), nullable=False
    )
    voter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(8), nullable=False, default=Channel.ONLINE)
    # What the voter keeps to check their ballot was counted (not what it held).
    receipt: Mapped[str] = mapped_column(sa.String(16), nullable=False, unique=True)
    cast_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The registrar who recorded a paper ballot.
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    choices = relationship("BallotChoice", cascade="all, delete-orphan", passive_deletes=True)


class BallotChoice(db.Model):
    __tablename__ = "budget_ballot_choices"
    __table_args__ = (sa.Index("ix_budget_ballot_choices_project", "project_id"),)

    ballot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_projects.id", ondelete="CASCADE"), primary_key=True
    )


class PaperEntry(db.Model):
    """One keying of a paper ballot. A paper ballot is entered twice (by two registrars, or by
    one twice); it counts once both keyings agree."""

    __tablename__ = "budget_paper_entries"
    __table_args__ = (
        sa.CheckConstraint("keying IN (1, 2)", name="keying_first_or_second"),
        sa.UniqueConstraint("heading_id", "voter_id", "keying"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_headings.id", ondelete="CASCADE"), nullable=False
    )
    voter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    keying: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # The project ids ticked on the paper, sorted and comma-separated: compared as they are.
    choices: Mapped[str] = mapped_column(sa.Text, nullable=False)
    registrar_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Override(db.Model):
    """An administrator adding a project to a published result or dropping one from it, with
    the reason everyone reads beside the results."""

    __tablename__ = "budget_overrides"
    __table_args__ = (
        sa.CheckConstraint("action IN ('add', 'drop')", name="action_known"),
        sa.CheckConstraint("length(reason) > 0", name="reason_given"),
        sa.Index("ix_budget_overrides_heading", "heading_id", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_headings.id", ondelete="CASCADE"), nullable=False
    )
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_projects.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(sa.String(4), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    project = relationship("BudgetProject")

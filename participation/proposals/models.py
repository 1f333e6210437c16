"""Contributions: residents' issues and proposals, their history, and the council's answers.

Issues and proposals share one table (single-table inheritance): they are listed, searched,
commented on and versioned the same way; only what follows them differs.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import HideableMixin, TimestampMixin, UTCDateTime, utcnow
from participation.extensions import db

TITLE_MAX = 150
BODY_MAX = 10_000


class Kind(StrEnum):
    ISSUE = "issue"
    PROPOSAL = "proposal"


class Status(StrEnum):
    OPEN = "open"  # an issue, or a proposal without a council response yet
    WITHDRAWN = "withdrawn"
    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def title(self):
        return STATUS_TITLES[self]


STATUS_TITLES = {
    Status.OPEN: _l("Open"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.EVALUATING: _l("Under consideration"),
    Status.ACCEPTED: _l("Accepted"),
    Status.REJECTED: _l("Not accepted"),
}
RESPONSE_STATUSES = (Status.EVALUATING, Status.ACCEPTED, Status.REJECTED)


proposal_issues = sa.Table(
    "proposal_issues",
    db.metadata,
    sa.Column(
        "proposal_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("issue_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_proposal_issues_issue_id", "issue_id"),
)


class Contribution(TimestampMixin, HideableMixin, db.Model):
    __tablename__ = "contributions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('issue', 'proposal')", name="kind_known"),
        sa.CheckConstraint(
            "status IN ('open', 'withdrawn', 'evaluating', 'accepted', 'rejected')",
            name="status_known",
        ),
        sa.CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        sa.CheckConstraint("affected_count >= 0", name="affected_count_not_negative"),
        sa.CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        # One index per list order; each starts with what every list filters on.
        sa.Index("ix_contributions_list_support", "process_id", "kind", "support_count", "id"),
        # A category's proposals, most supported first, without sorting them.
        sa.Index(
            "ix_contributions_list_category",
            "process_id",
            "kind",
            "category_id",
            "support_count",
            "id",
        ),  # fmt: skip
        sa.Index("ix_contributions_list_newest", "process_id", "kind", "created_dt", "id"),
        sa.Index("ix_contributions_list_comments", "process_id", "kind", "comment_count", "id"),
        sa.Index("ix_contributions_author", "author_id", "created_dt"),
        # The latest change in a process: the watermark of its cached lists.
        sa.Index("ix_contributions_changed", "process_id", "modified_dt"),
    )
    __mapper_args__ = {"polymorphic_on": "kind"}

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Status.OPEN)
    support_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    affected_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    comment_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    edited_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Segmented words of title and body, for full-text search (see participation.search).
    search_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Words of title and body in order, for the summary's themes (see summaries.themes).
    theme_tokens: Mapped[str] = mapped_column(
        sa.Text, nullable=False, default="", server_default=""
    )

    process = relationship("Process")
    author = relationship("User", foreign_keys=[author_id])
    category = relationship("Category")
    area = relationship("Area")
    versions: Mapped[list["ContributionVersion"]] = relationship(
        back_populates="contribution",
        order_by="ContributionVersion.version.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def current_status(self):
        return Status(self.status)

    @property
    def is_withdrawn(self):
        return self.status == Status.WITHDRAWN


class Issue(Contribution):
    __mapper_args__ = {"polymorphic_identity": Kind.ISSUE}

    proposals = relationship(
        "Proposal",
        secondary=proposal_issues,
        primaryjoin="Contribution.id == proposal_issues.c.issue_id",
        secondaryjoin="Contribution.id == proposal_issues.c.proposal_id",
        viewonly=True,
    )


class Proposal(Contribution):
    __mapper_args__ = {"polymorphic_identity": Kind.PROPOSAL}

    issues = relationship(
        "Issue",
        secondary=proposal_issues,
        primaryjoin="Contribution.id == proposal_issues.c.proposal_id",
        secondaryjoin="Contribution.id == proposal_issues.c.issue_id",
    )
    response = relationship(
        "OfficialResponse", uselist=False, back_populates="proposal", cascade="all, delete-orphan"
    )
    updates = relationship(
        "ImplementationUpdate",
        back_populates="proposal",
        order_by="ImplementationUpdate.update_date.desc(), ImplementationUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    def qualifies(self, process):
        """A proposal with enough supports qualifies for council review."""
        return self.support_count >= process.support_threshold

    @property
    def progress(self):
        return self.updates[0].progress if self.updates else 0


class ContributionVersion(db.Model):
    """An earlier text of an issue or proposal, kept visible as history."""

    __tablename__ = "contribution_versions"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    contribution = relationship("Contribution", back_populates="versions")


class OfficialResponse(TimestampMixin, db.Model):
    """The council's public answer to a proposal."""

    __tablename__ = "official_responses"
    __table_args__ = (
        sa.CheckConstraint("status IN ('evaluating', 'accepted', 'rejected')", name="status_known"),
        sa.CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)

    proposal = relationship("Proposal", back_populates="response")
    author = relationship("User")


class ImplementationUpdate(db.Model):
    """Progress on an accepted proposal, dated, with a percentage."""

    __tablename__ = "implementation_updates"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    update_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    progress: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    corrected_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal", back_populates="updates")
    author = relationship("User")
    versions = relationship(
        "ImplementationUpdateVersion",
        back_populates="update",
        order_by="ImplementationUpdateVersion.version.desc()",
        cascade="all, delete-orphan",
    )

    def can_change(self, user):
        """Only the council member who wrote an update may correct or delete it."""
        from participation.core.permissions import Permission, can

        return (
            self.author_id is not None
            and getattr(user, "id", None) == self.author_id
            and can(user, Permission.RESPOND_AS_COUNCIL)
        )


class ImplementationUpdateVersion(db.Model):
    """An earlier text of a progress update, kept when its author corrects it."""

    __tablename__ = "implementation_update_versions"
    __table_args__ = (
        sa.UniqueConstraint("update_id", "version"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        sa.ForeignKey("implementation_updates.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    update_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    progress: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    written_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # when published
    replaced_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    update = relationship("ImplementationUpdate", back_populates="versions")


class DuplicateLink(db.Model):
    """An issue merged into another that says the same: the kept one speaks for both."""

    __tablename__ = "duplicate_links"
    __table_args__ = (sa.CheckConstraint("duplicate_id <> kept_id", name="not_itself"),)

    duplicate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    kept_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    merged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    merged_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    duplicate = relationship("Contribution", foreign_keys=[duplicate_id])
    kept = relationship("Contribution", foreign_keys=[kept_id])

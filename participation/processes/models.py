"""A process, its phases, categories and communities."""

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import TimestampMixin
from participation.core.permissions import Permission, Role
from participation.extensions import db


class Phase(StrEnum):
    REFRAME = "reframe"
    REIMAGINE = "reimagine"
    REMAKE = "remake"

    @property
    def title(self):
        return PHASE_TITLES[self]

    @property
    def subtitle(self):
        return PHASE_SUBTITLES[self]

    @property
    def doing(self):
        """What residents do in this phase, in their words (the stepper leads with it)."""
        return PHASE_DOINGS[self]

    @property
    def position(self):
        return PHASES.index(self)

    @property
    def next(self):
        return PHASES[self.position + 1] if self.position + 1 < len(PHASES) else None


PHASES = (Phase.REFRAME, Phase.REIMAGINE, Phase.REMAKE)
PHASE_TITLES = {
    Phase.REFRAME: _l("Reframe"),
    Phase.REIMAGINE: _l("Reimagine"),
    Phase.REMAKE: _l("Remake"),
}
PHASE_DOINGS = {
    Phase.REFRAME: _l("Tell us the problems"),
    Phase.REIMAGINE: _l("Propose solutions"),
    Phase.REMAKE: _l("Follow the results"),
}
PHASE_SUBTITLES = {
    Phase.REFRAME: _l("engagement"),
    Phase.REIMAGINE: _l("empowerment"),
    Phase.REMAKE: _l("emancipation"),
}


class Action(StrEnum):
    """What residents (and the council) can do; each phase allows some of them."""

    POST_ISSUE = "post_issue"
    AFFECTED = "affected"
    COMMENT_ISSUE = "comment_issue"
    POST_PROPOSAL = "post_proposal"
    COMMENT_PROPOSAL = "comment_proposal"
    SUPPORT = "support"
    RESPOND = "respond"
    OPINION = "opinion"


# The phase rules, in one place: operations enforce them and the stepper explains them.
PHASE_ACTIONS = {
    Phase.REFRAME: {Action.POST_ISSUE, Action.AFFECTED, Action.COMMENT_ISSUE, Action.OPINION},
    Phase.REIMAGINE: {
        Action.POST_PROPOSAL,
        Action.COMMENT_PROPOSAL,
        Action.COMMENT_ISSUE,
        Action.AFFECTED,
        Action.SUPPORT,
        Action.OPINION,
    },
    Phase.REMAKE: {Action.COMMENT_PROPOSAL, Action.RESPOND},
}

ACTION_DESCRIPTIONS = {
    Action.POST_ISSUE: _l("Raise an issue: a need or problem you see"),
    Action.AFFECTED: _l("Say an issue affects you too"),
    Action.COMMENT_ISSUE: _l("Comment on issues"),
    Action.POST_PROPOSAL: _l("Propose a solution"),
    Action.COMMENT_PROPOSAL: _l("Discuss proposals"),
    Action.SUPPORT: _l("Support the proposals you believe in"),
    Action.RESPOND: _l("The council answers every proposal that qualified"),
    Action.OPINION: _l("Say where you stand on short statements and see the opinion map"),
}


process_areas = sa.Table(
    "process_areas",
    db.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Process(TimestampMixin, db.Model):
    __tablename__ = "processes"
    __table_args__ = (
        sa.CheckConstraint("phase IN ('reframe', 'reimagine', 'remake')", name="phase_known"),
        sa.CheckConstraint(
            "max_supports IS NULL OR max_supports > 0", name="max_supports_positive"
        ),
        sa.CheckConstraint("support_threshold >= 0", name="support_threshold_not_negative"),
        sa.CheckConstraint("edit_window_minutes >= 0", name="edit_window_not_negative"),
        sa.Index("ix_processes_published_phase", "is_published", "phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    title_th: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    summary_th: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    summary_en: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    description_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    cover_image: Mapped[str | None] = mapped_column(sa.String(100))
    phase: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Phase.REFRAME)
    is_published: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    reframe_start: Mapped[date | None] = mapped_column(sa.Date)
    reframe_end: Mapped[date | None] = mapped_column(sa.Date)
    reimagine_start: Mapped[date | None] = mapped_column(sa.Date)
    reimagine_end: Mapped[date | None] = mapped_column(sa.Date)
    remake_start: Mapped[date | None] = mapped_column(sa.Date)
    remake_end: Mapped[date | None] = mapped_column(sa.Date)
    # Support rules: frozen once Reimagine opens.
    max_supports: Mapped[int | None] = mapped_column(sa.Integer)
    support_threshold: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=10)
    edit_window_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1440)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    categories: Mapped[list["Category"]] = relationship(
        back_populates="process", order_by="Category.position", cascade="all, delete-orphan"
    )
    areas = relationship("Area", secondary=process_areas, order_by="Area.position")
    facilitators = relationship("User", secondary="process_facilitators")

    @property
    def current_phase(self):
        return Phase(self.phase)

    def allows_action(self, action):
        return Action(action) in PHASE_ACTIONS[self.current_phase]

    def resident_actions(self, opinion_map_open=False):
        """What residents can do in the current phase, in the order they would do it: the
        council's answer is not theirs, and the opinion map only where one is open."""
        allowed = PHASE_ACTIONS[self.current_phase]
        return [
            action
            for action in Action
            if action in allowed
            and action != Action.RESPOND
            and (action != Action.OPINION or opinion_map_open)
        ]

    @property
    def rules_frozen(self):
        """Support rules change only before Reimagine opens."""
        return self.current_phase.position >= Phase.REIMAGINE.position

    def phase_dates(self, phase):
        return getattr(self, f"{phase}_start"), getattr(self, f"{phase}_end")

    def allows(self, user, permission):
        """Facilitators manage the processes they facilitate; administrators manage all."""
        if Role.ADMIN in user.roles:
            return True
        if permission in (Permission.MANAGE_PROCESSES, Permission.FACILITATE):
            return Role.FACILITATOR in user.roles and (
                self.id is None or any(f.id == user.id for f in self.facilitators)
            )
        from participation.core.permissions import permissions_of

        return Permission(permission) in permissions_of(user.roles)


process_facilitators = sa.Table(
    "process_facilitators",
    db.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (sa.UniqueConstraint("process_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    name_th: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    process: Mapped[Process] = relationship(back_populates="categories")

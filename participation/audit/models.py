"""One row for every administration, moderation and council action."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class ActionLog(db.Model):
    __tablename__ = "action_log"
    __table_args__ = (sa.Index("ix_action_log_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    # The reason everyone may read (the transparency page, the API) when the row is public.
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # A reason for the staff and the person concerned only (a suspension's reason), never
    # published, whatever ``is_public`` says.
    private_reason: Mapped[str] = mapped_column(
        sa.Text, nullable=False, default="", server_default=""
    )
    details: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    is_public: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

    actor = relationship("User", foreign_keys=[actor_id])

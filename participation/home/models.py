"""The health check's heartbeat: one row that /healthz writes to prove the database can write."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import UTCDateTime
from participation.extensions import db

HEARTBEAT_ID = 1


class Heartbeat(db.Model):
    """When /healthz last wrote to the database (a real commit: a full disk or a read-only
    database fails it, where a read or a rolled-back write would not)."""

    __tablename__ = "heartbeats"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    checked_dt: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
